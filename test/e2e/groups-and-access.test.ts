/**
 * A service account with app access, a group membership and bindings, through the real
 * engine against the stand-in in public-only mode (Atlassian Cloud's path), playing the
 * evidence's reading where a service account cannot be added to a group after its creation
 * (`groupAddAfterCreate=refused`, the default) and app access is enforced on the products.
 */
import { expect } from "chai";
import { GROUP_ADD_REFUSED } from "../../provider/groupMembership";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection, steps } from "./workspace";

const NAME = "grouped-deployer";
const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";

describe("e2e: app access and a group membership on the Atlassian Cloud path (public-only backend)", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("groups-access", {}, { backend: { publicOnly: true, atlassian: { appAccess: "enforced" } } });
  const members = (groupId: string) => s.backend.groupMembers(groupId);
  let groupId: string;
  let fleet: Fleet;

  it("goes up: the account is created with its app access and in its group, the membership and bindings are made", async () => {
    groupId = await s.backend.makeGroup("deployers");
    fleet = {
      bot: {
        displayName: NAME,
        appAccess: [{ product: "jira" }],
        groups: [groupId],
        memberships: { deployers: { groupName: "deployers" } },
        bindings: { alpha: { resource: "jira:project/ALPHA", role: "viewer" } },
      },
    };
    s.declare(fleet);
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 4 }); // the stack, the account, the membership, the binding
    const account = up.accounts.bot!;
    expect(await members(groupId)).to.deep.equal([account.accountId]);
    const state = await s.stack.exportState();
    const inState = state.find((r) => r.type === TYPES.ServiceAccount)!;
    expect(inState.outputs!.appAccess).to.deep.equal([{ product: "jira", role: "user", cloudId: s.backend.cloudId }]);
    expect(state.find((r) => r.type === TYPES.GroupMembership)!.id).to.equal(`${groupId}/${account.accountId}`);
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(account.accountId);
  });

  it("refreshes without drift", async () => {
    const refresh = await s.stack.refresh();
    const changes = refresh.summary.resourceChanges ?? {};
    expect(changes.update ?? 0, "updates").to.equal(0);
    expect(changes.delete ?? 0, "deletes").to.equal(0);
    const preview = await s.stack.preview();
    expect(steps(preview.events).filter(ours)).to.deep.equal([]);
  });

  it("refuses a grant added to app access at preview (the console routes are off), before any request, saying what to do", async () => {
    s.declare({ bot: { ...fleet.bot!, appAccess: [{ product: "jira" }, { product: "confluence" }] } });
    const sent = await s.backend.requestsDuring(async () => {
      const err = await rejection(s.stack.preview(), "a preview changing appAccess");
      expect(err.message).to.include("cannot give").and.to.include("confluence (user)").and.to.include("admin.atlassian.com").and.to.include("--replace").and.to.include("atlassian:consoleRoutes");
    });
    expect(Object.keys(sent).filter((k) => !k.startsWith("GET ")), "writes").to.deep.equal([]);
    s.declare(fleet);
  });

  it("shows a membership removed by hand as drift; adding it back is refused by the org, naming what to do", async () => {
    const account = (await s.backend.publicAccounts()).find((a) => a.displayName === NAME)!;
    expect(await s.backend.removeGroupMember(groupId, account.atlassianId)).to.equal(204);
    const preview = await s.stack.preview({ refresh: true });
    expect(steps(preview.events).filter(ours).map((p) => `${p.op} ${p.type} ${p.name}`)).to.deep.equal([`create ${TYPES.GroupMembership} bot-deployers`]);
    const refresh = await s.stack.refresh();
    expect(refresh.summary.resourceChanges).to.deep.include({ delete: 1 });
    expect((await s.stack.exportState()).some((r) => r.type === TYPES.GroupMembership), "the membership, after refresh").to.equal(false);
    const err = await rejection(s.stack.up(), "an up adding the account to a group after its creation");
    expect(err.message).to.include(GROUP_ADD_REFUSED.slice(0, 60)).and.to.include("groups: [<group id>]");
    expect(await members(groupId)).to.deep.equal([]);
  });

  it("is destroyed: the account (and with it any membership) is gone", async () => {
    const destroy = await s.stack.destroy();
    expect(destroy.summary.resourceChanges?.delete ?? 0).to.be.greaterThan(0);
    expect((await s.backend.publicAccounts()).filter((a) => a.displayName === NAME)).to.deep.equal([]);
    expect(await members(groupId)).to.deep.equal([]);
  });
});
