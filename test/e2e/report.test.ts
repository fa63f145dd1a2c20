/**
 * The credential report beside a real stack: the built command (`dist/cli/index.js`, what
 * `npx pulumi-atlassian-service-accounts report` runs) reads the stack's state with
 * `pulumi stack export`, tells the stack's account and tokens from those made by hand, and
 * exits by `--expiring-within`, printing no secret.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/engine";
import { expectNoSecrets } from "./fixture";
import type { Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";

const fleet: Fleet = {
  managed: {
    displayName: "svc-managed",
    description: "made by the stack",
    tokens: {
      soon: { label: "soon", scopes: ["read:jira-work"], expiresInDays: 7 },
      later: { label: "later", scopes: ["read:jira-work"], expiresInDays: 60 },
    },
  },
};

describe("e2e: the credential report beside a stack", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("report", fleet);

  /** The built command, in the stack's folder, with the engine's environment and the org's settings. */
  const report = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const engine = s.stack.engine;
      execFile(
        process.execPath,
        [path.join(REPO_ROOT, "dist", "cli", "index.js"), "report", ...args],
        {
          cwd: engine.workDir,
          env: { ...process.env, ...engine.env, ATLASSIAN_BASE_URL: s.backend.url, ATLASSIAN_ORG_ID: s.backend.orgId, ATLASSIAN_API_KEY: s.backend.adminKey },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });

  it("marks the stack's account and tokens, leaves the hand-made ones unmarked, and exits 1 for tokens expiring within the window", async () => {
    const up = await s.up();
    const byHand = await s.backend.createAccount("made by hand", "in the console");
    const handToken = (await s.backend.admin("POST", `/service-accounts/${byHand.id}/api-tokens`, { label: "manual", scopes: ["read:jira-work"], expiresInDays: 3 })).body;
    s.secrets.push(handToken.token);

    const r = await report(["--stack", s.stack.stack.name, "--json", "--expiring-within", "14d"]);
    expect(r.code, r.stderr).to.equal(1);
    const json = JSON.parse(r.stdout);
    expect(json.accounts.map((a: any) => [a.displayName, a.managedBy])).to.deep.equal([
      ["svc-managed", [s.stack.stack.name]],
      ["made by hand", []],
    ]);
    expect(json.accounts[0].id).to.equal(up.accounts.managed!.id);
    expect(json.tokens.map((t: any) => [t.label, t.daysLeft, t.managedBy])).to.deep.equal([
      ["manual", 3, []],
      ["soon", 7, [s.stack.stack.name]],
      ["later", 60, [s.stack.stack.name]],
    ]);
    expect(json.expiringWithin.tokens).to.deep.equal([handToken.id, up.tokens["managed-soon"]!.id]);

    const narrow = await report(["--stack", s.stack.stack.name, "--markdown", "--expiring-within", "2d"]);
    expect(narrow.code, narrow.stderr).to.equal(0);
    expect(narrow.stdout).to.include("| 3 | ").and.include("| made by hand | manual |");
    for (const out of [r, narrow]) expectNoSecrets(`${out.stdout}\n${out.stderr}`, "the report's output", s.secrets);
  });

  it("exits 2 naming a stack it cannot read", async () => {
    const r = await report(["--stack", "no-such-stack"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/cannot read stack "no-such-stack" \(pulumi stack export --stack no-such-stack\): .*no-such-stack/);
    expect(r.stdout).to.equal("");
  });
});
