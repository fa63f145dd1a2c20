/**
 * The serialized provider: serialized as `pulumi.dynamic.Resource` does it
 * (`serializeFunction(() => provider, { allowSecrets: true })`), then deserialized as the
 * engine's dynamic-provider host does it (`requireFromString(text).handler()`, in the
 * program's working directory).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { resetConfiguration, settings } from "../../provider/config";
import { providers } from "../../provider/index";
import { shims, warnWhenUnresolvable, type ResourceKind } from "../../provider/shim";
import { ensureBuilt, REPO_ROOT } from "../../scripts/engine";
import { configOf, ENGINE_PROPS, withEnv } from "./helpers";

const KINDS: ResourceKind[] = ["ServiceAccount", "ApiToken", "ScopeBinding"];
// The copy of require-from-string the engine's dynamic-provider host itself uses.
const requireFromStringPath = createRequire(require.resolve("@pulumi/pulumi")).resolve("require-from-string");
const requireFromString = require(requireFromStringPath) as (code: string) => {
  handler(): pulumi.dynamic.ResourceProvider;
};
const CREDENTIALS = { url: "http://127.0.0.1:9", org: "org-serialization-test", key: "pasak_serializationTestKeyThatMustNeverBeCaptured0000000" };

async function serialize(kind: ResourceKind): Promise<{ text: string; containsSecrets: boolean }> {
  const provider = shims[kind];
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

describe("the serialized provider", () => {
  afterEach(() => resetConfiguration());

  it("where the package is not under node_modules (this checkout), is the shim's code, which requires the installed package by name", async () => {
    for (const kind of KINDS) {
      const { text, containsSecrets } = await serialize(kind);
      expect(text.length, `${kind} shim length`).to.be.below(4096);
      expect(text).to.include('require("pulumi-atlassian-service-accounts").providers[kind]');
      expect(text).to.include(`kind: "${kind}"`);
      expect(containsSecrets).to.equal(false);
    }
  });

  it("captures no credential, even when the provider is configured from config and env", async () => {
    providers.ApiToken.configure(configOf({ "atlassian:baseUrl": CREDENTIALS.url, "atlassian:orgId": CREDENTIALS.org, "atlassian:apiKey": CREDENTIALS.key }));
    await withEnv({ ATLASSIAN_API_KEY: CREDENTIALS.key, ATLASSIAN_BASE_URL: CREDENTIALS.url, ATLASSIAN_ORG_ID: CREDENTIALS.org }, async () => {
      for (const kind of KINDS) {
        const { text } = await serialize(kind);
        for (const value of Object.values(CREDENTIALS)) expect(text.includes(value), `${kind} shim holds ${value.slice(0, 10)}...`).to.equal(false);
        expect(text).to.not.match(/pasa[tk]_/);
      }
    });
  });

  it("captures no handler logic, axios or zod", async () => {
    for (const kind of KINDS) {
      const { text } = await serialize(kind);
      for (const word of ["axios", "zod", "Client", "serviceAccounts", "apiTokens", "scopeBindings", "rotateBeforeDays", "adoptExisting", "safeParse", "http"]) {
        expect(text, `${kind} shim mentions ${word}`).to.not.include(word);
      }
    }
  });

  it("is the same text whatever the handler code", async () => {
    const before = await Promise.all(KINDS.map(serialize));
    const original = { ...providers.ApiToken };
    const handlers = providers.ApiToken as Record<string, unknown>;
    try {
      handlers.create = async () => ({ id: "changed handler code", outs: { anything: "else" } });
      handlers.diff = async () => ({ changes: true, replaces: ["everything"] });
      const after = await Promise.all(KINDS.map(serialize));
      expect(after.map((s) => s.text)).to.deep.equal(before.map((s) => s.text));
    } finally {
      Object.assign(handlers, original);
    }
    // And the kinds differ only by their name.
    const [a, b, c] = before.map((s, i) => s.text.split(KINDS[i]!).join("<kind>"));
    expect(a).to.equal(b);
    expect(b).to.equal(c);
  });

  describe("deserialized as the engine's dynamic-provider host does it", () => {
    let workDir = "";
    let savedCwd = "";
    before(() => {
      // The program's folder, where the package is installed in node_modules. Here the
      // "installed package" re-exports this checkout's sources.
      workDir = mkdtempSync(path.join(tmpdir(), "shim-test-"));
      const pkg = path.join(workDir, "node_modules", "pulumi-atlassian-service-accounts");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "pulumi-atlassian-service-accounts", main: "index.js" }));
      writeFileSync(path.join(pkg, "index.js"), `module.exports = require(${JSON.stringify(path.resolve(__dirname, "../../provider/index.ts"))});\n`);
      savedCwd = process.cwd();
      process.chdir(workDir);
    });
    after(() => {
      process.chdir(savedCwd);
      rmSync(workDir, { recursive: true, force: true });
    });


    it("forwards configure and check to the installed package's handlers", async () => {
      const provider = requireFromString((await serialize("ApiToken")).text).handler();
      await provider.configure!(configOf({ "atlassian:baseUrl": CREDENTIALS.url, "atlassian:orgId": CREDENTIALS.org, "atlassian:apiKey": CREDENTIALS.key }));
      expect(settings()).to.deep.equal({ target: "embedded", baseUrl: CREDENTIALS.url, orgId: CREDENTIALS.org, apiKey: CREDENTIALS.key });

      const news = { ...ENGINE_PROPS, serviceAccountId: "sa_1", label: "ci", scopes: ["write:jira-wrok"], expiresInDays: 30 };
      const viaShim = await provider.check!({}, news);
      expect(viaShim).to.deep.equal(await providers.ApiToken.check({}, news));
      expect(viaShim.failures?.[0]?.reason).to.include('did you mean "write:jira-work"');
    });

    /**
     * Deserializes `text` in a new process whose working directory is a new folder holding
     * `files`, as the engine starts its dynamic-provider host in the program's folder, and
     * calls one method; returns the error it failed with. (In this process, Node's resolve
     * cache would answer from the folder of an earlier test: every module the host compiles
     * has the same empty file name.)
     */
    function failureIn(files: Record<string, string>, text: string, call: string): { dir: string; message: string } {
      const dir = mkdtempSync(path.join(tmpdir(), "shim-layout-"));
      try {
        for (const [name, body] of Object.entries(files)) {
          mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
          writeFileSync(path.join(dir, name), body);
        }
        const host = `const provider = require(${JSON.stringify(requireFromStringPath)})(require("node:fs").readFileSync(0, "utf8")).handler();
          provider.${call}.then(() => console.log("resolved"), (e) => console.log(JSON.stringify(e.message)));`;
        const out = execFileSync(process.execPath, ["-e", host], { cwd: dir, input: text, encoding: "utf8" }).trim();
        if (out === "resolved") expect.fail(`${call} resolved`);
        return { dir: realpathSync(dir), message: JSON.parse(out) as string };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it("fails every call with where it looked and what to do, when the package is not installed there", async () => {
      const text = (await serialize("ServiceAccount")).text;
      const { dir, message } = failureIn({}, text, `check({}, { displayName: "CI deployer" })`);
      expect(message).to.include(`cannot load pulumi-atlassian-service-accounts from ${dir}`);
      expect(message).to.include(`searched ${path.join(dir, "node_modules")}, `);
      expect(message).to.include("Install it with npm in the Pulumi program's folder");
    });

    it("leaves other load failures as they are (a dependency of the package missing)", async () => {
      const text = (await serialize("ScopeBinding")).text;
      const pkg = "node_modules/pulumi-atlassian-service-accounts";
      const files = {
        [`${pkg}/package.json`]: JSON.stringify({ name: "pulumi-atlassian-service-accounts", main: "index.js" }),
        [`${pkg}/index.js`]: `require("an-absent-dependency");\n`,
      };
      const { message } = failureIn(files, text, `read("b1", {})`);
      expect(message).to.include("Cannot find module 'an-absent-dependency'");
      expect(message).to.not.include("Install it with npm");
    });

    it("forwards diff with the engine's arguments", async () => {
      const provider = requireFromString((await serialize("ScopeBinding")).text).handler();
      const olds = { serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "viewer", createdAt: "2026-01-01T00:00:00Z" };
      const d = await provider.diff!("b1", olds, { ...olds, role: "editor" });
      expect(d).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
    });
  });

  describe("in a package installed under node_modules, as a user has it", function () {
    this.timeout(120_000);
    let project = "";
    const PKG = "node_modules/pulumi-atlassian-service-accounts";

    /** Serializes each kind's shim in a new process in `project`, as `dynamic.Resource` does there. */
    function serializeIn(dir: string): Record<ResourceKind, string> {
      const script = `const pulumi = require("@pulumi/pulumi");
        (async () => {
          const out = {};
          for (const kind of ${JSON.stringify(KINDS)}) {
            require("pulumi-atlassian-service-accounts"); // as a program loads it
            const provider = require(require("node:fs").realpathSync("${PKG}") + "/dist/provider/shim.js").shims[kind];
            out[kind] = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
          }
          console.log(JSON.stringify(out));
        })();`;
      return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Record<ResourceKind, string>;
    }

    /**
     * The package as npm installs it (or pnpm, in its store with a link beside it): its
     * package.json and dist/; its dependencies and @pulumi/pulumi linked from this checkout's.
     */
    function install(layout: "npm" | "pnpm"): string {
      const dir = mkdtempSync(path.join(tmpdir(), `shim-${layout}-`));
      const target = layout === "npm" ? PKG : `node_modules/.pnpm/pulumi-atlassian-service-accounts@0.1.0/${PKG}`;
      mkdirSync(path.join(dir, target), { recursive: true });
      cpSync(path.join(REPO_ROOT, "package.json"), path.join(dir, target, "package.json"));
      cpSync(path.join(REPO_ROOT, "dist"), path.join(dir, target, "dist"), { recursive: true });
      if (layout === "pnpm") symlinkSync(path.join(dir, target), path.join(dir, PKG));
      for (const dep of ["@pulumi", "axios", "zod", "follow-redirects", "form-data", "proxy-from-env"]) {
        try {
          symlinkSync(path.join(REPO_ROOT, "node_modules", dep), path.join(dir, "node_modules", dep));
        } catch {
          // not a dependency of this axios
        }
      }
      return dir;
    }

    before(() => {
      ensureBuilt();
      project = install("npm");
    });
    after(() => rmSync(project, { recursive: true, force: true }));

    it("is a require of the kind's module by its exported path, a few hundred bytes", () => {
      const texts = serializeIn(project);
      for (const kind of KINDS) {
        const text = texts[kind];
        expect(text).to.include(`require("pulumi-atlassian-service-accounts/dist/provider/shims/${kind}.js")`);
        expect(text.length, `${kind} text`).to.be.below(400);
        for (const word of ["load", "process.cwd", "providers", "axios", "zod"]) expect(text, `${kind} text mentions ${word}`).to.not.include(word);
      }
    });

    it("is the same text for another version of the package", () => {
      const before = serializeIn(project);
      const manifest = path.join(project, PKG, "package.json");
      const original = readFileSync(manifest, "utf8");
      try {
        writeFileSync(manifest, original.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
        expect(serializeIn(project)).to.deep.equal(before);
      } finally {
        writeFileSync(manifest, original);
      }
    });

    it("each kind's module is exported under its own path, its whole export the kind's shim", () => {
      const exportsMap = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> }).exports;
      for (const kind of KINDS) {
        const file = `./dist/provider/shims/${kind}.js`;
        expect(exportsMap[file], file).to.equal(file);
        expect(require(`../../provider/shims/${kind}`), kind).to.equal(shims[kind]);
      }
    });

    it("deserialized in the program's folder, forwards to the installed package's handlers", () => {
      const text = serializeIn(project).ServiceAccount;
      const host = `const provider = require(${JSON.stringify(requireFromStringPath)})(require("node:fs").readFileSync(0, "utf8")).handler();
        provider.check({}, { name: "ci-deployer" }).then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify(String(e))));`;
      const out = JSON.parse(execFileSync(process.execPath, ["-e", host], { cwd: project, input: text, encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] })) as { failures?: { property: string }[] };
      // The installed package's handlers: a 0.1.0 name is refused, and displayName is required.
      expect(out.failures?.map((f) => f.property)).to.deep.equal(["name", "displayName"]);
    });

    it("in pnpm's store, is the shim's code, with no store path or version in it", () => {
      const pnpm = install("pnpm");
      try {
        const texts = serializeIn(pnpm);
        for (const kind of KINDS) {
          expect(texts[kind]).to.include('require("pulumi-atlassian-service-accounts").providers[kind]');
          expect(texts[kind]).to.not.match(/\.pnpm|0\.1\.0/);
        }
      } finally {
        rmSync(pnpm, { recursive: true, force: true });
      }
    });

    it("where the package is not installed, fails with Node's message naming the module, and the program warns with the folders searched and the fix", () => {
      const text = serializeIn(project).ApiToken;
      const empty = realpathSync(mkdtempSync(path.join(tmpdir(), "shim-missing-")));
      try {
        const host = `try { require(${JSON.stringify(requireFromStringPath)})(require("node:fs").readFileSync(0, "utf8")).handler(); console.log("loaded"); } catch (e) { console.log(JSON.stringify(e.message)); }`;
        const message = JSON.parse(execFileSync(process.execPath, ["-e", host], { cwd: empty, input: text, encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] })) as string;
        expect(message).to.include("Cannot find module 'pulumi-atlassian-service-accounts/dist/provider/shims/ApiToken.js'");

        const warned: string[] = [];
        const warning = warnWhenUnresolvable(empty, (m) => warned.push(m));
        expect(warned).to.deep.equal([warning]);
        expect(warning).to.include(`will not find pulumi-atlassian-service-accounts from ${empty}`);
        expect(warning).to.include(`searched ${path.join(empty, "node_modules")}, `);
        expect(warning).to.include("Install it with npm in the Pulumi program's folder");
        expect(warnWhenUnresolvable(project, (m) => warned.push(m))).to.equal(undefined);
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
