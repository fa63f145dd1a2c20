import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

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
    expect(named(run, "ci-deployer-jira").inputs.resource).to.equal("jira:project/ABC");
    expect(named(run, "ci-deployer-confluence").inputs.resource).to.equal("confluence:space/ENG");
    expect(named(run, "ci-deployer-token").inputs).to.deep.include({ scopes: ["read:jira-work"], expiresInDays: 10, rotateBeforeDays: 7 });
  });

  it("rotation: rotation:epoch is the token's keeper and names it", () => {
    const run = runEntry("rotation", "atlassian-rotation", { "rotation:epoch": "7" });
    expect(named(run, "reporting-token").inputs).to.deep.include({ keepers: { epoch: "7" }, label: "weekly-report-7" });
    expect(run.outputs.token?.secret).to.equal(true);
  });

  it("fleet: provisions the file named by fleet:file, and exports the tokens as one secret", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fleet-entry-"));
    try {
      const file = path.join(dir, "teams.yaml");
      writeFileSync(
        file,
        "accounts:\n  - name: search-indexer\n    tokens:\n      - label: index\n        scopes: [read:page:confluence]\n",
      );
      const run = runEntry("fleet", "atlassian-fleet", { "fleet:file": file });
      expect(run.resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => r.name).sort()).to.deep.equal([
        "search-indexer",
        "search-indexer/index",
      ]);
      expect(run.outputs.tokens).to.deep.equal({ value: { "search-indexer/index": "mock-token-search-indexer/index" }, secret: true });
      expect(run.outputs.emails?.value).to.deep.equal({ "search-indexer": "search-indexer@serviceaccount.atlassian.com" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fleet: without fleet:file, provisions the fleet.yaml beside it", () => {
    const run = runEntry("fleet", "atlassian-fleet");
    const accounts = run.resources.filter((r) => r.type.endsWith(":ServiceAccount")).map((r) => r.name);
    expect(accounts.sort()).to.deep.equal(["docs-publisher", "payments-ci", "support-triage"]);
  });
});
