import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { expect } from "chai";

interface MockRun {
  outputs: { email: string; tokenId: string; tokenExpiresAt: string; token: string; tokenIsSecret: boolean };
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
}

/** The rotation program under setMocks, in a child process (see rotation-mocks.ts). */
function runUnderMocks(epoch: string): MockRun {
  const stdout = execFileSync(process.execPath, ["--import", "tsx", path.join(__dirname, "rotation-mocks.ts"), epoch], {
    encoding: "utf8",
    cwd: path.join(__dirname, "../.."),
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as MockRun;
}

describe("the rotation example, under mocks (the random provider plugin is not available here)", function () {
  this.timeout(60_000);
  let first: MockRun;
  let second: MockRun;
  before(() => {
    first = runUnderMocks("1");
    second = runUnderMocks("2");
  });

  const byName = (run: MockRun, name: string) => {
    const r = run.resources.find((x) => x.name === name);
    expect(r, `resource ${name}`).to.not.equal(undefined);
    return r!;
  };

  it("declares a RandomId kept by the rotation epoch", () => {
    const trigger = byName(first, "reporting-token-trigger");
    expect(trigger.type).to.equal("random:index/randomId:RandomId");
    expect(trigger.inputs).to.deep.include({ byteLength: 4, keepers: { epoch: "1" } });
  });

  it("feeds the RandomId into the token's keepers and label, with expiry and rotation window", () => {
    const trigger = byName(first, "reporting-token-trigger");
    const token = byName(first, "reporting-token");
    const hex = createHex(trigger.inputs.keepers);
    expect(token.inputs).to.deep.include({
      label: `weekly-report-${hex}`,
      scopes: ["read:jira-work"],
      expiresInDays: 30,
      rotateBeforeDays: 7,
      keepers: { trigger: hex },
    });
  });

  it("changes the token's keepers when the epoch changes, which replaces the token", () => {
    const before = byName(first, "reporting-token").inputs.keepers;
    const after = byName(second, "reporting-token").inputs.keepers;
    expect(after).to.not.deep.equal(before);
    // The account and its access are untouched by a rotation.
    expect(byName(second, "reporting-bot").inputs).to.deep.equal(byName(first, "reporting-bot").inputs);
  });

  it("hands the token to consumers as a secret output", () => {
    expect(first.outputs.tokenIsSecret).to.equal(true);
    expect(first.outputs.token).to.equal("mock-token-value");
    expect(first.outputs.email).to.equal("reporting-bot@serviceaccount.atlassian.com");
  });
});

/** The mock RandomId's hex for these keepers (mirrors rotation-mocks.ts). */
function createHex(keepers: unknown): string {
  return createHash("sha256").update(JSON.stringify(keepers)).digest("hex").slice(0, 8);
}
