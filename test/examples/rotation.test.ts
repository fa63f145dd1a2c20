import { expect } from "chai";
import { rotation, ROTATION_DEFAULTS } from "../../examples/rotation/program";
import { useEngineFrame } from "../e2e/scenario";
import { ENFORCED } from "./app-access";
import { summary } from "../e2e/workspace";
import { expectGeneratedEmail } from "./generated-email";

// The rotation example as shipped, through the real engine against the real backend.
describe("the rotation example, through the engine", function () {
  this.timeout(15 * 60_000);
  const frame = useEngineFrame("ex-rotation", async () => rotation(), ENFORCED);
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
    expectGeneratedEmail(first.email, ROTATION_DEFAULTS.displayName);
    const days = (Date.parse(first.expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(ROTATION_DEFAULTS.expiresInDays - 1, ROTATION_DEFAULTS.expiresInDays);
    expect(await frame.backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => [a.displayName, a.email])).to.deep.equal([[ROTATION_DEFAULTS.displayName, first.email]]);
    expect((await frame.backend.tokens(accounts[0].id)).map((t) => t.label)).to.deep.equal([`weekly-report-${ROTATION_DEFAULTS.epoch}`]);
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

  it("rotates on demand when the epoch changes", async () => {
    frame.stack.setProgram(async () => rotation({ epoch: "2" }));
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
