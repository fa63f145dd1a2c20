import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { expectGeneratedEmail } from "./generated-email";

const REPO = path.join(__dirname, "../..");

interface EntryRun {
  outputs: Record<string, { value: unknown; secret: boolean }>;
  resources: { type: string; name: string; inputs: Record<string, any> }[];
}

/** An example's index.ts under setMocks with this stack config (see entrypoint-mocks.ts). */
function runEntry(example: string, project: string, config: Record<string, string> = {}): EntryRun {
  const stdout = execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "entrypoint-mocks.ts"), path.join(REPO, "examples", example, "index.ts"), project, JSON.stringify(config)],
    { encoding: "utf8", cwd: REPO },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as EntryRun;
}

const named = (run: EntryRun, name: string) => {
  const r = run.resources.find((x) => x.name === name);
  expect(r, `resource ${name}`).to.not.equal(undefined);
  return r!;
};

// The `pulumi up` entry points (index.ts): they read their stack config and export the
// program's outputs, the token always as a secret.
describe("the examples' entry points, under mocks", function () {
  this.timeout(60_000);

  it("quickstart: reads quickstart:* config and exports every output, the token secret", () => {
    const run = runEntry("quickstart", "atlassian-quickstart", {
      "quickstart:jiraProject": "ABC",
      "quickstart:scopes": JSON.stringify(["read:jira-work"]),
      "quickstart:expiresInDays": "10",
    });
    expect(Object.keys(run.outputs).sort()).to.deep.equal(
      ["accountId", "confluenceBinding", "email", "jiraBinding", "token", "tokenExpiresAt", "tokenId"],
    );
    expect(run.outputs.token).to.deep.equal({ value: "mock-token-ci-deployer-token", secret: true });
    const account = named(run, "ci-deployer").inputs;
    expect(account.displayName).to.equal("CI deployer");
    expect(account, "no name: Atlassian generates the email and ids").to.not.have.property("name");
    expectGeneratedEmail(String(run.outputs.email?.value), "CI deployer");
    expect(run.outputs.accountId?.value).to.equal("acct-ci-deployer");
    // Each binding is handed the account's product id, so it never lists the org's accounts.
    expect(named(run, "ci-deployer-jira").inputs).to.deep.include({ resource: "jira:project/ABC", accountId: "acct-ci-deployer" });
    expect(named(run, "ci-deployer-confluence").inputs).to.deep.include({ resource: "confluence:space/ENG", accountId: "acct-ci-deployer" });
    expect(named(run, "ci-deployer-token").inputs).to.deep.include({ scopes: ["read:jira-work"], expiresInDays: 10, rotateBeforeDays: 7 });
  });

  it("quickstart: quickstart:displayName names the account", () => {
    const run = runEntry("quickstart", "atlassian-quickstart", { "quickstart:displayName": "Release bot" });
    expect(named(run, "ci-deployer").inputs.displayName).to.equal("Release bot");
    expectGeneratedEmail(String(run.outputs.email?.value), "Release bot");
  });

  it("rotation: rotation:epoch is the token's keeper and names it", () => {
    const run = runEntry("rotation", "atlassian-rotation", { "rotation:epoch": "7" });
    expect(named(run, "reporting-token").inputs).to.deep.include({ keepers: { epoch: "7" }, label: "weekly-report-7" });
    expect(run.outputs.token?.secret).to.equal(true);
  });

  it("rotation: declares the account by display name (rotation:displayName), the binding with its accountId", () => {
    const shipped = runEntry("rotation", "atlassian-rotation");
    expect(named(shipped, "reporting-bot").inputs.displayName).to.equal("Reporting bot");
    expect(named(shipped, "reporting-bot").inputs).to.not.have.property("name");
    expect(named(shipped, "reporting-bot-jira").inputs).to.deep.include({ resource: "jira:project/OPS", accountId: "acct-reporting-bot" });
    expectGeneratedEmail(String(shipped.outputs.email?.value), "Reporting bot");
    const renamed = runEntry("rotation", "atlassian-rotation", { "rotation:displayName": "Weekly reporting" });
    expect(named(renamed, "reporting-bot").inputs.displayName).to.equal("Weekly reporting");
  });

  it("fleet: provisions the file named by fleet:file, and exports the tokens as one secret", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fleet-entry-"));
    try {
      const file = path.join(dir, "teams.yaml");
      writeFileSync(
        file,
        "accounts:\n  - displayName: Search indexer\n    tokens:\n      - label: index\n        scopes: [read:page:confluence]\n" +
          "    access:\n      - resource: confluence:space/DOCS\n        role: viewer\n",
      );
      const run = runEntry("fleet", "atlassian-fleet", { "fleet:file": file });
      // The display name names the account's resources.
      expect(run.resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => r.name).sort()).to.deep.equal([
        "Search indexer",
        "Search indexer/confluence:space/DOCS",
        "Search indexer/index",
      ]);
      expect(named(run, "Search indexer").inputs.displayName).to.equal("Search indexer");
      expect(named(run, "Search indexer").inputs).to.not.have.property("name");
      expect(named(run, "Search indexer/confluence:space/DOCS").inputs).to.deep.include({ accountId: "acct-Search indexer", role: "viewer" });
      expect(run.outputs.tokens).to.deep.equal({ value: { "Search indexer/index": "mock-token-Search indexer/index" }, secret: true });
      const emails = run.outputs.emails?.value as Record<string, string>;
      expect(Object.keys(emails)).to.deep.equal(["Search indexer"]);
      expectGeneratedEmail(emails["Search indexer"]!, "Search indexer");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fleet: without fleet:file, provisions the fleet.yaml beside it", () => {
    const run = runEntry("fleet", "atlassian-fleet");
    const accounts = run.resources.filter((r) => r.type.endsWith(":ServiceAccount")).map((r) => r.name);
    expect(accounts.sort()).to.deep.equal(["Docs publisher", "Payments CI", "Support triage"]);
  });
});
