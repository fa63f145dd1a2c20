/**
 * The serialized provider: serialized as `pulumi.dynamic.Resource` does it
 * (`serializeFunction(() => provider, { allowSecrets: true })`), then deserialized as the
 * engine's dynamic-provider host does it (`requireFromString(text).handler()`, in the
 * program's working directory).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { resetConfiguration, settings } from "../../provider/config";
import { providers } from "../../provider/index";
import { shims, type ResourceKind } from "../../provider/shim";
import { configOf, ENGINE_PROPS, withEnv } from "./helpers";

const KINDS: ResourceKind[] = ["ServiceAccount", "ApiToken", "ScopeBinding"];
const CREDENTIALS = { url: "http://127.0.0.1:9", org: "org-serialization-test", key: "pasak_serializationTestKeyThatMustNeverBeCaptured0000000" };

async function serialize(kind: ResourceKind): Promise<{ text: string; containsSecrets: boolean }> {
  const provider = shims[kind];
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

describe("the serialized provider", () => {
  afterEach(() => resetConfiguration());

  it("is small and requires the installed package by name", async () => {
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

    // The copy of require-from-string the host itself uses.
    const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))("require-from-string") as (code: string) => {
      handler(): pulumi.dynamic.ResourceProvider;
    };

    it("forwards configure and check to the installed package's handlers", async () => {
      const provider = requireFromString((await serialize("ApiToken")).text).handler();
      await provider.configure!(configOf({ "atlassian:baseUrl": CREDENTIALS.url, "atlassian:orgId": CREDENTIALS.org, "atlassian:apiKey": CREDENTIALS.key }));
      expect(settings()).to.deep.equal({ target: "embedded", baseUrl: CREDENTIALS.url, orgId: CREDENTIALS.org, apiKey: CREDENTIALS.key });

      const news = { ...ENGINE_PROPS, serviceAccountId: "sa_1", label: "ci", scopes: ["write:jira-wrok"], expiresInDays: 30 };
      const viaShim = await provider.check!({}, news);
      expect(viaShim).to.deep.equal(await providers.ApiToken.check({}, news));
      expect(viaShim.failures?.[0]?.reason).to.include('did you mean "write:jira-work"');
    });

    it("forwards diff with the engine's arguments", async () => {
      const provider = requireFromString((await serialize("ScopeBinding")).text).handler();
      const olds = { serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "viewer", createdAt: "2026-01-01T00:00:00Z" };
      const d = await provider.diff!("b1", olds, { ...olds, role: "editor" });
      expect(d).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: false });
    });
  });
});
