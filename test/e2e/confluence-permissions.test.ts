/**
 * Access on a Confluence site not yet in role mode (`--confluence-mode pre-roles`): a binding
 * is the level's set of v1 space permissions. The account here is made by hand in the admin
 * console and only its binding is in the stack, so `destroy` removes the binding alone and
 * what the account held before it can be seen afterwards (read with confluence.js).
 */
import { expect } from "chai";
import * as sa from "pulumi-atlassian-service-accounts";
import { TYPES } from "./programs";
import { E2E_TIMEOUT, useEngineFrame } from "./scenario";

const EDITOR = ["create/attachment", "create/blogpost", "create/comment", "create/page", "read/space"];

/** The binding the program declares, if any: a hand-made account's access to DOCS. */
let bound: { serviceAccountId: string; accountId: string; role: "viewer" | "editor" } | undefined;

async function program(): Promise<Record<string, unknown>> {
  if (!bound) return {};
  const binding = new sa.ScopeBinding("wiki", { ...bound, resource: "confluence:space/DOCS" });
  return { binding: binding.id };
}

describe("e2e: Confluence access as v1 space permissions (a site not in role mode)", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useEngineFrame("confluence-permissions", program, { backend: { publicOnly: true, confluenceMode: "PRE_ROLES" } });

  /** An account made by hand in the admin console, with the product id a binding takes. */
  async function handMade(displayName: string): Promise<{ serviceAccountId: string; accountId: string }> {
    const made = await s.backend.createAccount(displayName);
    return { serviceAccountId: made.id, accountId: (await s.backend.publicAccount(made.id)).atlassianId };
  }
  const held = async (accountId: string) => (await s.backend.spacePermissions("DOCS", accountId)).map((p) => p.op).sort();
  const inState = async () => (await s.stack.exportState()).filter((r) => r.type === TYPES.ScopeBinding);

  afterEach(() => {
    bound = undefined;
  });

  it("a viewer binding that found read/space already given reads as gone once it is removed by hand; the next up grants it again", async () => {
    const account = await handMade("v1-found-read");
    await s.backend.addSpacePermission("DOCS", account.accountId, "read", "space");
    bound = { ...account, role: "viewer" };
    const up = await s.stack.up();
    expect(up.summary.resourceChanges).to.deep.include({ create: 2 });
    expect(await held(account.accountId)).to.deep.equal(["read/space"]);

    await s.backend.removeSpacePermission("DOCS", account.accountId, "read/space");
    const refresh = await s.stack.refresh();
    expect(refresh.summary.resourceChanges, "the binding, read after its permission was removed").to.deep.include({ delete: 1 });
    expect(await inState()).to.deep.equal([]);

    const again = await s.stack.up();
    expect(again.summary.resourceChanges).to.deep.include({ create: 1 });
    expect(await held(account.accountId), "granted again").to.deep.equal(["read/space"]);
    await s.stack.destroy();
    expect(await held(account.accountId), "this time the binding added it").to.deep.equal([]);
  });

  it("destroy of an editor binding leaves the read/space given by hand before it", async () => {
    const account = await handMade("v1-hand-read");
    await s.backend.addSpacePermission("DOCS", account.accountId, "read", "space");
    const [byHand] = await s.backend.spacePermissions("DOCS", account.accountId);
    bound = { ...account, role: "editor" };
    await s.stack.up();
    expect(await held(account.accountId)).to.deep.equal(EDITOR);
    const refreshed = await s.stack.refresh();
    expect(refreshed.summary.resourceChanges, "held").to.not.have.any.keys("delete");

    const destroy = await s.stack.destroy();
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 2 }); // with the stack itself
    expect(await s.backend.spacePermissions("DOCS", account.accountId), "what was there before the binding").to.deep.equal([byHand]);
  });

  it("destroy of an editor binding that added read/space leaves it while the account holds a permission given by hand since", async () => {
    const account = await handMade("v1-later-admin");
    bound = { ...account, role: "editor" };
    await s.stack.up();
    expect(await held(account.accountId)).to.deep.equal(EDITOR);
    await s.backend.addSpacePermission("DOCS", account.accountId, "administer", "space");

    const destroy = await s.stack.destroy();
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 2 });
    // Confluence takes every permission of the user with read/space: removing it would take the administer/space given by hand.
    expect(await held(account.accountId)).to.deep.equal(["administer/space", "read/space"]);
  });
});
