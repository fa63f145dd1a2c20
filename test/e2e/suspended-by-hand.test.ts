/**
 * An account suspended in admin.atlassian.com, on the Atlassian Cloud target, through the real
 * engine. Suspending an account is a normal incident step; Atlassian has no API to suspend or
 * reactivate one, so the provider must judge a *change* of `suspended`, not its value: a
 * program that declares what the account already is keeps managing it.
 *
 * Atlassian's console is not an API: the test plays it through the stand-in's suspension
 * extension, so this scenario's backend serves its extensions (it is not public-only) while
 * the stack's `atlassian:target` is `atlassian-cloud`. What public-only mode would prove is
 * checked instead: no engine operation here sends an extension request (counted by /metrics).
 */
import { expect } from "chai";
import { EXTENSION_ROUTES } from "../../backend";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection, steps } from "./workspace";

const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";

describe("e2e: an account suspended in admin.atlassian.com, on the Atlassian Cloud target", function () {
  this.timeout(E2E_TIMEOUT);
  const declared = (description: string, suspended?: boolean): Fleet => ({
    bot: { displayName: "Suspended by hand", description, ...(suspended === undefined ? {} : { suspended }) },
  });
  const s = useScenario("suspended-by-hand", declared("first"));
  let id = "";

  before(async () => {
    await s.stack.stack.setConfig("atlassian:target", { value: "atlassian-cloud" });
  });

  /** Runs an engine operation and asserts it sent Atlassian's public operations only. */
  async function publicOnly<T>(operation: () => Promise<T>): Promise<T> {
    let out: T | undefined;
    let failed: unknown;
    const sent = await s.backend.requestsDuring(async () => {
      try {
        out = await operation();
      } catch (e) {
        failed = e;
      }
    });
    expect(Object.keys(sent).filter((k) => EXTENSION_ROUTES.includes(k)), "extension requests").to.deep.equal([]);
    if (failed) throw failed;
    return out as T;
  }

  /** As an admin does in admin.atlassian.com (here: the stand-in's extension, from the test). */
  async function setStatusByHand(status: "active" | "suspended"): Promise<void> {
    await s.backend.updateAccount(id, { status });
    expect((await s.backend.publicAccount(id)).status).to.equal(status);
  }

  it("creates the account; suspended by hand, a refresh records it suspended", async () => {
    id = (await publicOnly(() => s.up())).accounts.bot!.id;
    await setStatusByHand("suspended");
    await publicOnly(() => s.stack.refresh());
    const [account] = (await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount);
    expect(account!.outputs).to.deep.include({ suspended: true, status: "suspended" });
  });

  it("fails the preview of the unchanged program, naming the suspension outside Pulumi and both ways out", async () => {
    const err = await publicOnly(() => rejection(s.stack.preview(), "the preview of a reactivation"));
    expect(err.message)
      .to.include("suspended outside Pulumi")
      .and.to.include("declare suspended: true")
      .and.to.include("reactivate it in admin.atlassian.com")
      .and.not.to.include("remove suspended");
  });

  it("keeps managing it with suspended: true declared: no change, then a description changed in place while it stays suspended", async () => {
    s.declare(declared("first", true));
    const preview = await publicOnly(() => s.stack.preview());
    expect(steps(preview.events).filter(ours), "no change").to.deep.equal([]);

    s.declare(declared("second", true));
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await publicOnly(() => s.backend.requestsDuring(async () => (up = await s.up())));
    expect(sent).to.deep.equal({ "PATCH /admin/api-access/v1/orgs/:orgId/service-accounts": 1 });
    expect(up.accounts.bot!.status).to.equal("suspended");
    expect(await s.backend.publicAccount(id)).to.deep.include({ description: "second", status: "suspended" });
  });

  it("after a reactivation by hand, up --refresh with suspended left out has nothing to change; destroy deletes the account", async () => {
    await setStatusByHand("active");
    s.declare(declared("second"));
    const up = await publicOnly(() => s.up({ refresh: true }));
    expect(steps(up.events).filter(ours), "nothing to change").to.deep.equal([]);
    expect(up.accounts.bot!.status).to.equal("active");
    await publicOnly(() => s.stack.destroy());
    expect(await s.backend.publicAccount(id)).to.equal(null);
  });
});
