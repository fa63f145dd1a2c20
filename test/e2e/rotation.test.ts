import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

const DAY = 24 * 3600_000;
const fleet: Fleet = {
  bot: {
    displayName: "rotation-e2e",
    tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 7 } },
    bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } },
  },
};

describe("e2e: rotation before expiry", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("rotation", fleet);

  it("previews the token's replacement once inside rotateBeforeDays, and up rotates it with no gap", async () => {
    const first = await s.up();
    const account = first.accounts.bot!;
    const old = first.tokens["bot-ci"]!;
    const expiresAt = Date.parse(old.expiresAt);

    // Outside the window (today): nothing to do.
    const calm = await s.stack.preview();
    expect(steps(calm.events).filter((p) => p.op !== "same")).to.deep.equal([]);

    // The provider's clock, 2 days inside the 7-day window before expiry.
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", new Date(expiresAt - 5 * DAY).toISOString());
    const preview = await s.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.include({ replace: 1 });
    const planned = steps(preview.events).filter((p) => p.op !== "same");
    expect(planned.every((p) => p.type === TYPES.ApiToken), "only the token changes").to.equal(true);
    expect(planned.map((p) => p.op)).to.include("replace");

    // Use the old token for as long as it lives, while up runs.
    const uses: { at: number; status: number }[] = [];
    let running = true;
    const poller = (async () => {
      while (running) {
        uses.push({ at: Date.now(), status: await s.backend.readJiraProject(account.email, old.token, "ALPHA") });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const before = await s.backend.mutations();
    let fresh;
    try {
      const up = await s.up();
      expect(up.resourceChanges).to.deep.include({ replace: 1 });
      fresh = up.tokens["bot-ci"]!;
    } finally {
      running = false;
      await poller;
    }

    expect(fresh.id).to.not.equal(old.id);
    expect(await s.backend.readJiraProject(account.email, fresh.token, "ALPHA"), "the new token").to.equal(200);
    expect(await s.backend.readJiraProject(account.email, old.token, "ALPHA"), "the old token").to.equal(401);

    // The old token worked until it was revoked, and its successor existed by then.
    const after = (await s.backend.mutations()).slice(before.length);
    expect(after.map((e) => `${e.action} ${e.target.id}`)).to.deep.equal([
      `api-token.created ${fresh.id}`,
      `api-token.revoked ${old.id}`,
    ]);
    const minted = Date.parse(after[0]!.time);
    const revoked = Date.parse(after[1]!.time);
    expect(minted).to.be.at.most(revoked);
    expect(uses.length, "uses of the old token during up").to.be.at.least(3);
    const firstRefusal = uses.find((u) => u.status !== 200);
    expect(uses.filter((u) => u.at < (firstRefusal?.at ?? Infinity)).every((u) => u.status === 200)).to.equal(true);
    if (firstRefusal) {
      expect(firstRefusal.status).to.equal(401);
      // It was refused only after the new token had been minted (1 s of slack for clock granularity).
      expect(firstRefusal.at + 1000).to.be.at.least(minted);
    }
    expect(Date.parse(fresh.expiresAt)).to.be.greaterThan(expiresAt);

    // Back to today's clock: the fresh token is far from its window.
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    const settled = await s.stack.preview();
    expect(steps(settled.events).filter((p) => p.op !== "same")).to.deep.equal([]);
  });
});
