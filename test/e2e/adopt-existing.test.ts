import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";

const NAME = "legacy-integration";
const declared = (adoptExisting: boolean): Fleet => ({
  legacy: {
    displayName: NAME,
    description: "now managed by Pulumi",
    adoptExisting,
    bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } },
  },
});

describe("e2e: adopting an account made by hand", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("adopt", declared(false));
  let existing: { id: string };

  before(async () => {
    existing = await s.backend.createAccount(NAME, "made in the admin console");
  });

  it("refuses to take over an existing account without adoptExisting, and creates nothing", async () => {
    let failure: Error | undefined;
    try {
      await s.stack.up();
    } catch (e) {
      failure = e as Error;
    }
    expect(failure, "up onto a taken name").to.be.an("error");
    expect(failure!.message).to.include(NAME);
    expect(failure!.message).to.include("adoptExisting");
    expect((await s.backend.accounts()).map((a) => a.id)).to.deep.equal([existing.id]);
    expect((await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount)).to.deep.equal([]);
  });

  it("takes the account over with adoptExisting: same id, the declared description, no duplicate", async () => {
    s.declare(declared(true));
    const up = await s.up();
    expect(up.accounts.legacy!.id).to.equal(existing.id);

    const accounts = await s.backend.accounts();
    expect(accounts.map((a) => [a.id, a.displayName, a.description])).to.deep.equal([
      [existing.id, NAME, "now managed by Pulumi"],
    ]);
    const bindings = await s.backend.bindings(existing.id);
    expect(bindings.map((b) => b.resource)).to.deep.equal(["jira:project/ALPHA"]);
    const creations = (await s.backend.mutations()).filter((e) => e.action === "service-account.created");
    expect(creations, "accounts created: only the hand-made one").to.have.length(1);

    const again = await s.stack.preview();
    expect(again.changeSummary).to.not.have.any.keys("create", "update", "replace", "delete");
  });
});
