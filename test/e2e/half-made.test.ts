/**
 * A create that fails half way, through the real engine: the account's POST lands, the
 * follow-up request fails, and the resource is kept in state under its id (ResourceInitError).
 * The state must then be usable: refresh, destroy and removing the resource load the
 * dynamic provider from the stored outputs, which the host fills in on success only.
 *
 * How the create fails half way: the stack's target is `embedded`, which suspends a new
 * account through the backend's extension (PATCH /service-accounts/{id}), and the backend
 * serves Atlassian's public surfaces only, so that extension answers 404 after the POST
 * landed, as a backend that lacks the extension would. No hook in the provider.
 */
import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection } from "./workspace";

describe("e2e: a service account whose create failed half way", function () {
  this.timeout(E2E_TIMEOUT);
  const halfMade = (displayName: string): Fleet => ({ bot: { displayName, description: "half made", suspended: true } });
  const s = useScenario("half-made", halfMade("Half made"), { backend: { publicOnly: true } });

  before(async () => {
    // The scenario's backend is public-only, which points the stack at atlassian-cloud: the
    // embedded target is what sends the extension that fails.
    await s.stack.stack.setConfig("atlassian:target", { value: "embedded" });
  });

  /** Runs an up that creates the account and fails on its suspension; returns the account's id. */
  async function upFailingHalfWay(displayName: string): Promise<string> {
    const err = await rejection(s.stack.up(), "an up whose suspension is refused");
    expect(err.message).to.include(`service account "${displayName}" was created`).and.to.include("setting suspended failed");
    const account = (await s.backend.publicAccounts()).find((a) => a.displayName === displayName);
    expect(account, "the account the POST made").to.exist;
    const inState = (await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount);
    expect(inState.map((r) => r.id), "kept in state under its id").to.deep.equal([account.id]);
    return account.id as string;
  }

  it("keeps the account in state; refresh and destroy then succeed, and destroy deletes the account", async () => {
    const id = await upFailingHalfWay("Half made");
    const refresh = await s.stack.refresh();
    expect(refresh.summary.result).to.equal("succeeded");
    await s.stack.destroy();
    expect(await s.backend.publicAccount(id), "deleted by destroy").to.equal(null);
    expect(await s.stack.exportState()).to.deep.equal([]);
  });

  it("removes the half-made account when the program no longer declares it", async () => {
    s.declare(halfMade("Half made again"));
    const id = await upFailingHalfWay("Half made again");
    s.declare({});
    await s.up();
    expect(await s.backend.publicAccount(id), "deleted by the up that removed it").to.equal(null);
    expect((await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount)).to.deep.equal([]);
  });
});
