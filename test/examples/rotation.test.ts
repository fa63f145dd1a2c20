import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { expect } from "chai";
import { rotation, ROTATION_DEFAULTS } from "../../examples/rotation/program";
import { useEngineFrame } from "../e2e/scenario";
import { summary } from "../e2e/workspace";

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

// Everything in the example but the RandomId, through the real engine against the real
// backend: the trigger is given as a plain string (`rotation({ trigger })`).
describe("the rotation example, through the engine (trigger as a plain string)", function () {
  this.timeout(15 * 60_000);
  const frame = useEngineFrame("ex-rotation", async () => rotation({ trigger: "1" }));
  const { secrets } = frame;
  let first: { token: string; tokenId: string; expiresAt: string; email: string };

  it("creates a token that expires in expiresInDays, as a secret output", async () => {
    const up = await frame.stack.up();
    expect(up.outputs.token?.secret).to.equal(true);
    first = {
      token: String(up.outputs.token?.value),
      tokenId: String(up.outputs.tokenId?.value),
      expiresAt: String(up.outputs.tokenExpiresAt?.value),
      email: String(up.outputs.email?.value),
    };
    secrets.push(first.token);
    const days = (Date.parse(first.expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(ROTATION_DEFAULTS.expiresInDays - 1, ROTATION_DEFAULTS.expiresInDays);
    expect(await frame.backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("plans nothing while the token is outside its rotation window", async () => {
    const outside = new Date(Date.parse(first.expiresAt) - (ROTATION_DEFAULTS.rotateBeforeDays + 1) * 86_400_000);
    frame.stack.setEnv("PULUMI_ATLASSIAN_NOW", outside.toISOString());
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ same: 4 });
  });

  it("rotates the token inside its window: new token first, old one revoked, no gap", async () => {
    const inside = new Date(Date.parse(first.expiresAt) - (ROTATION_DEFAULTS.rotateBeforeDays - 1) * 86_400_000);
    frame.stack.setEnv("PULUMI_ATLASSIAN_NOW", inside.toISOString());
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ replace: 1, same: 3 });

    const up = await frame.stack.up();
    frame.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    const token = String(up.outputs.token?.value);
    secrets.push(token);
    expect(up.outputs.tokenId?.value).to.not.equal(first.tokenId);
    expect(await frame.backend.readJiraProject(first.email, token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
    expect(await frame.backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(401);

    const log = (await frame.backend.mutations()).filter((e) => e.action.startsWith("api-token."));
    const minted = log.findIndex((e) => e.action === "api-token.created" && e.target.id === up.outputs.tokenId?.value);
    const revoked = log.findIndex((e) => e.action === "api-token.revoked" && e.target.id === first.tokenId);
    expect(minted).to.be.greaterThan(-1);
    expect(revoked, "the old token is revoked after the new one is minted").to.be.greaterThan(minted);
  });

  it("rotates on demand when the trigger changes", async () => {
    frame.stack.setProgram(async () => rotation({ trigger: "2" }));
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ replace: 1, same: 3 });
    const up = await frame.stack.up();
    secrets.push(String(up.outputs.token?.value));
    const account = (await frame.backend.accounts())[0];
    const active = (await frame.backend.tokens(account.id)).filter((t) => t.status === "active");
    expect(active.map((t) => t.label)).to.deep.equal(["weekly-report-2"]);
  });

  it("leaves nothing behind on destroy", async () => {
    await frame.stack.destroy();
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
