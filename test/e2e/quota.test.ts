import { expect } from "chai";
import { PLAN_QUOTAS } from "../../sdk/schemas";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";

// Seven accounts where the free plan allows five.
const fleet: Fleet = {};
for (let i = 1; i <= 7; i++) fleet[`bot${i}`] = { displayName: `quota-bot-${i}`, description: `bot ${i}` };

describe("e2e: the plan's quota", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("quota", fleet, { backend: { plan: "free" } });

  it("fails up past the free plan's limit, naming plan and limit; what was created stays in state", async () => {
    let failure: Error | undefined;
    try {
      await s.stack.up();
    } catch (e) {
      failure = e as Error;
    }
    expect(failure, "up past the quota").to.be.an("error");
    const message = failure!.message;
    // On one line: the plan and its limit, e.g. "the free plan allows 5 service accounts".
    expect(message).to.match(new RegExp(`\\bfree\\b[^\\n]*\\b${PLAN_QUOTAS.free}\\b`));

    const backendAccounts = await s.backend.accounts();
    expect(backendAccounts).to.have.length(PLAN_QUOTAS.free);
    const inState = (await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount);
    // Nothing orphaned: every account the backend made is in state, under its id, and no other.
    expect(inState.map((r) => r.id).sort()).to.deep.equal(backendAccounts.map((a) => a.id).sort());
    expect(inState.every((r) => !r.pendingReplacement && !r.delete)).to.equal(true);
    const failed = Object.values(fleet).filter((a) => !backendAccounts.some((b) => b.displayName === a.displayName));
    expect(failed).to.have.length(2);

    // No duplicate either: one creation per account the backend holds.
    const creations = (await s.backend.mutations()).filter((e) => e.action === "service-account.created");
    expect(creations).to.have.length(PLAN_QUOTAS.free);
  });
});
