import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { expectGeneratedEmail } from "../examples/generated-email";

const REPO = path.join(__dirname, "../..");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs `npm run demo`'s command (node --import tsx scripts/demo.ts) as a user would, stdout
 * and stderr together. `until`, if given, is called on the output so far and may stop the
 * run early (it returns true once it has done what it needed, e.g. sent a signal).
 */
function runDemo(args: string[], env: NodeJS.ProcessEnv = {}, until?: (output: string, pid: number) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "scripts", "demo.ts"), ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let done = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (until && !done && child.pid) done = until(output, child.pid);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}


describe("npm run demo", function () {
  this.timeout(20 * 60_000);

  describe("end to end", () => {
    let run: Run;

    before(async () => {
      run = await runDemo([]);
    });

    it("exits with status 0", () => {
      expect(run.code, run.output.slice(-3000)).to.equal(0);
    });

    it("walks through every step under its heading, each check passing", () => {
      for (let i = 1; i <= 10; i++) expect(run.output).to.include(`── ${i}/10  `);
      for (const check of [
        "✓ preview plans 5 creates",
        "✓ up succeeded",
        "✓ the token is a secret output",
        "✓ reads Jira project OPS",
        "✓ denied Jira project FIN",
        "✓ denied a page in space ENG",
        "✓ each of the 4 changes names the stack and resource that made it",
        "✓ the token's one use and its two refusals are recorded",
        "✓ preview plans the token's replacement",
        "✓ a token of an account created without Jira access: 401 on Jira",
        "✓ the same call with the token of the account created with it: 200",
        "✓ removing appAccess fails at preview, saying what to do",
        "✓ destroy succeeded",
        "✓ the token no longer works",
      ]) {
        expect(run.output).to.include(check);
      }
      expect(run.output).to.not.include("✗");
      expect(run.output).to.include('The program declares the account by its display name, "CI deployer"; Atlassian generated');
    });

    it("shows the engine's own preview, progress and summary", () => {
      expect(run.output).to.match(/Previewing update \(demo\)/);
      expect(run.output).to.match(/Updating \(demo\)/);
      expect(run.output).to.match(/Resources:\s+\n?\s*\+ 5 created/);
      expect(run.output).to.match(/\+-\s+pulumi-nodejs:dynamic/); // the replacement in the scope-change preview
      expect(run.output).to.match(/Destroying \(demo\)/);
    });

    it("never prints the token or the admin key", () => {
      expect(SECRET_PATTERN.test(run.output), "something shaped like a secret was printed").to.equal(false);
      expect(run.output).to.include("pasat_••••••••");
    });

    it("leaves no folder behind", () => {
      // Its own folders, as it named them: the backend's data and the stack's scratch root.
      const data = /data in (\S+)/.exec(run.output)?.[1];
      const state = /state: (\S+)\/state/.exec(run.output)?.[1];
      expect(data, "the backend's data folder, as printed").to.match(/atlassian-demo-backend-/);
      expect(state, "the stack's folder, as printed").to.match(/\.pulumi-test\/demo-/);
      expect(existsSync(data!), data).to.equal(false);
      expect(existsSync(state!), state).to.equal(false);
    });
  });

  it("exits non-zero when a step fails, and still cleans up", async () => {
    // No engine: none on PATH, none in the (empty) cache, and no Go to build one with.
    const emptyCache = mkdtempSync(path.join(os.tmpdir(), "demo-no-engine-"));
    let output = "";
    try {
      const run = await runDemo([], { PATH: "/usr/bin:/bin", PULUMI_CLI_CACHE: emptyCache });
      expect(run.code, run.output.slice(-2000)).to.equal(1);
      expect(run.output).to.include("── 1/10  Start the embedded identity backend");
      expect(run.output).to.match(/✗ .*pulumi is not on PATH and Go is not installed/);
      expect(run.output).to.not.include("── 2/10");
      output = run.output;
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
    const data = /data in (\S+)/.exec(output)?.[1];
    expect(data, "the backend's data folder, as printed").to.match(/atlassian-demo-backend-/);
    expect(existsSync(data!), "the backend's data folder is removed").to.equal(false);
  });

  it("rejects an unknown argument with its usage", async () => {
    const run = await runDemo(["--kep"]);
    expect(run.code).to.equal(2);
    expect(run.output).to.include("usage: npm run demo [-- --keep]");
  });
});

describe("npm run demo -- --keep", function () {
  this.timeout(20 * 60_000);

  it("leaves a backend and a stack that pulumi uses directly, until Ctrl-C", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "scripts", "demo.ts"), "--keep"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes("Press Ctrl-C")) resolve();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void closed.then(() => reject(new Error(`the demo ended before it was ready:\n${output.slice(-3000)}`)));
    });
    let folders: string[] = [];
    try {
      await ready;
      const envFile = /source (\S+env\.sh)/.exec(output)?.[1];
      expect(envFile, "the env.sh to source").to.be.a("string");
      folders = [/Stack folder: +(\S+)/.exec(output)?.[1], /Backend data: +(\S+)/.exec(output)?.[1]].filter(
        (f): f is string => !!f,
      );
      expect(folders).to.have.length(2);
      // As the printed instructions say, in another shell.
      const sh = (cmd: string) =>
        execFileSync("bash", ["-c", `source '${envFile}' >/dev/null && ${cmd}`], { encoding: "utf8", env: process.env });

      // Generated by Atlassian (here the embedded backend) from the quickstart's display name.
      expectGeneratedEmail(sh("pulumi stack output email").trim(), "CI deployer");
      expect(sh("pulumi stack output token").trim()).to.equal("[secret]");
      const token = sh("pulumi stack output token --show-secrets").trim();
      expect(SECRET_PATTERN.test(token), "the token, with --show-secrets").to.equal(true);
      const listed = sh(
        `node -e 'fetch(process.env.ATLASSIAN_BASE_URL + "/admin/api-access/v1/orgs/" + process.env.ATLASSIAN_ORG_ID + "/service-accounts", ` +
          `{ headers: { authorization: "Bearer " + process.env.ATLASSIAN_API_KEY } })` +
          `.then(async (r) => console.log(r.status, (await r.json()).items.map((a) => a.displayName).join()))'`,
      );
      expect(listed.trim(), "the admin API, with the key env.sh exports").to.equal("200 CI deployer");
      sh("pulumi destroy --yes --skip-preview");
      expect(sh("pulumi stack output --json").trim()).to.equal("{}");
    } finally {
      child.kill("SIGINT");
      const code = await closed;
      for (const f of folders) rmSync(f, { recursive: true, force: true });
      expect(code).to.equal(130);
    }
    expect(SECRET_PATTERN.test(output), "something shaped like a secret was printed").to.equal(false);
  });
});
