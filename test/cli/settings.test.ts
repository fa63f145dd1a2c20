/**
 * `--stack <name>`: the admin commands read a Pulumi stack's config through the `pulumi`
 * command, secrets included (decrypted with the stack's passphrase), the environment filling
 * what the stack lacks, as it does for the provider. Drives the real engine's CLI on a file
 * state backend of its own.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startStandIn, type StandIn } from "../../cli/stand-in";
import { findEngine } from "../../scripts/engine";
import { expectNoSecrets } from "../e2e/fixture";
import { doctor } from "./doctor-process";

const execFileAsync = promisify(execFile);

describe("cli settings: --stack reads a Pulumi stack's config through the pulumi command", function () {
  this.timeout(300_000);
  let s: StandIn;
  let dir: string;
  let env: Record<string, string>;
  const pulumi = (...args: string[]) => execFileAsync("pulumi", [...args, "--non-interactive"], { cwd: dir, env: { ...(process.env as Record<string, string>), ...env } });

  before(async () => {
    const bin = await findEngine();
    s = await startStandIn();
    dir = mkdtempSync(path.join(os.tmpdir(), "doctor-stack-"));
    mkdirSync(path.join(dir, "state"));
    mkdirSync(path.join(dir, "home"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: doctor-stack\nruntime: nodejs\n");
    env = {
      PATH: [bin, process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(12).toString("base64url"),
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    await pulumi("stack", "init", "dev");
    for (const [key, value] of Object.entries(s.config)) {
      // The site admin's token is left to the environment: the stack's config comes first, the environment fills the rest.
      if (key === "atlassian:siteAdminToken") continue;
      const secret = key === "atlassian:apiKey";
      await pulumi("config", "set", ...(secret ? ["--secret"] : []), key, value);
    }
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("uses the stack's settings, its secret decrypted, the environment filling the rest, and prints no secret", async () => {
    // A key in the environment that the stack's config overrides: the doctor must not use it.
    const r = await doctor(["--stack", "dev", "--cwd", dir, "--json", "--jira-project", "ALPHA"], { "atlassian:apiKey": "not-the-key-the-stack-holds", "atlassian:siteAdminToken": s.siteAdmin.token }, env);
    const doc = JSON.parse(r.stdout);
    expect(r.code, r.stderr).to.equal(0);
    expect(doc.source).to.equal("stack dev (then the ATLASSIAN_* variables)");
    const finding = (name: string) => doc.findings.find((f: { name: string }) => f.name === name);
    expect(finding("atlassian:apiKey").status, "the stack's key, decrypted").to.equal("holds");
    expect(finding("site admin base").status, "the site admin's token from the environment").to.equal("holds");
    expect(finding("JIRA_DEFAULT_ROLES").status).to.equal("holds");
    expectNoSecrets(r.stdout + r.stderr, "doctor's output", [s.apiKey, s.siteAdmin.token]);
    const encrypted = JSON.parse((await pulumi("config", "--json", "--stack", "dev")).stdout);
    expect(encrypted["atlassian:apiKey"], "the key is a secret of the stack").to.deep.include({ secret: true });
  });

  it("names the stack and what pulumi said when it cannot read it (exit 2)", async () => {
    const r = await doctor(["--stack", "nosuch", "--cwd", dir], {}, env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/doctor: `pulumi config --stack nosuch` failed \(exit \d+\): .*nosuch/);
  });

  it("says so when the pulumi command is not on PATH (exit 2)", async () => {
    const r = await doctor(["--stack", "dev", "--cwd", dir], {}, { ...env, PATH: path.dirname(process.execPath) });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include("the pulumi command is not on PATH: install the Pulumi CLI, or leave out --stack and set the ATLASSIAN_* variables");
  });

  it("refuses a stack name that is not one (an option, say) before running anything", async () => {
    const r = await doctor(["--stack=--show-secrets"], {}, env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('doctor: --stack "--show-secrets" is not a stack name: give one such as "dev" or "acme/project/dev"');
  });
});
