/**
 * A service account's app access and groups, set at creation (Atlassian's documented
 * permission rules and additional group memberships), and `GroupMembership`, on both targets.
 */
import { expect } from "chai";
import { APP_ACCESS_GRANT_UNSUPPORTED, APP_ACCESS_WITHDRAW_UNSUPPORTED, GROUPS_CHANGE_UNSUPPORTED, GROUP_ADD_REFUSED, providers } from "../../provider/index";
import type { ServiceAccountOutputs } from "../../provider/serviceAccount";
import type { GroupMembershipOutputs } from "../../provider/groupMembership";
import { configure, resetConfiguration } from "../../provider/config";
import { UNKNOWN } from "../../provider/common";
import { PATHS, ENGINE_PROPS, checked, configOf, created, expectNoSecret, rejection, useBackend, type Backend } from "./helpers";

const sa = providers.ServiceAccount;
const gm = providers.GroupMembership;

/** Makes a group through Atlassian's v2 create, and returns it as the search lists it. */
async function makeGroup(b: Backend, name: string) {
  await b.admin.directoryGroups.create({ name }, "default");
  const g = await b.admin.directoryGroups.find({ name });
  expect(g, `group ${name}`).to.not.equal(null);
  return g!;
}

describe("ServiceAccount appAccess and groups: check", () => {
  afterEach(() => resetConfiguration());

  it("fills in role user and the site from atlassian:cloudId, one grant per product and site, sorted; groups sorted without repeats", async () => {
    configure(configOf({ "atlassian:target": "atlassian-cloud", "atlassian:cloudId": "site-1" }));
    const inputs = await checked("ServiceAccount", {
      displayName: "Access",
      appAccess: [{ product: "jira" }, { product: "confluence", role: "admin", cloudId: "site-2" }, { product: "jira", role: "user" }],
      groups: ["g-2", "g-1", "g-2"],
    });
    expect(inputs.appAccess).to.deep.equal([
      { product: "confluence", role: "admin", cloudId: "site-2" },
      { product: "jira", role: "user", cloudId: "site-1" },
    ]);
    expect(inputs.groups).to.deep.equal(["g-1", "g-2"]);
    const none = await checked("ServiceAccount", { displayName: "No access" });
    // None is left out, as in a state written before these inputs, so the engine sees no change.
    expect(none).to.not.have.property("appAccess");
    expect(none).to.not.have.property("groups");
    const empty = await checked("ServiceAccount", { displayName: "Empty lists", appAccess: [], groups: [] });
    expect(empty).to.not.have.property("appAccess");
    expect(empty).to.not.have.property("groups");
  });

  it("names what is wrong: no site anywhere, a product twice with two roles, an unknown product or role", async () => {
    configure(configOf({ "atlassian:target": "atlassian-cloud" }));
    const noSite = await sa.check({}, { ...ENGINE_PROPS, displayName: "A", appAccess: [{ product: "jira" }] });
    expect(noSite.failures?.map((f) => f.property)).to.deep.equal(["appAccess"]);
    expect(noSite.failures![0]!.reason).to.include("appAccess[0]").and.to.include("atlassian:cloudId");
    const twice = await sa.check({}, { ...ENGINE_PROPS, displayName: "A", appAccess: [{ product: "jira", cloudId: "s" }, { product: "jira", role: "admin", cloudId: "s" }] });
    expect(twice.failures![0]!.reason).to.include("twice").and.to.include("keep one");
    const bad = await sa.check({}, { ...ENGINE_PROPS, displayName: "A", appAccess: [{ product: "bitbucket", role: "owner", cloudId: "s" }], groups: ["a b"] });
    const reasons = Object.fromEntries((bad.failures ?? []).map((f) => [f.property, f.reason]));
    expect(reasons.appAccess).to.include('"jira" or "confluence"').and.to.include('"user" or "admin"');
    expect(reasons.groups).to.include("groups[0]");
  });

  for (const targetName of ["atlassian-cloud", "embedded"] as const) {
    it(`on the ${targetName} target, a change of an existing account's appAccess or groups fails at preview, saying what to do; none passes`, async () => {
      configure(configOf({ "atlassian:target": targetName, "atlassian:cloudId": "site-1" }));
      const olds = await checked("ServiceAccount", { displayName: "Made", appAccess: [{ product: "jira" }], groups: ["g-1"] });
      expect((await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", description: "new", appAccess: [{ product: "jira", role: "user" }], groups: ["g-1"] })).failures ?? []).to.deep.equal([]);
      const changed = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "confluence" }], groups: [] });
      const reasons = Object.fromEntries((changed.failures ?? []).map((f) => [f.property, f.reason]));
      expect(Object.keys(reasons).sort()).to.deep.equal(["appAccess", "groups"]);
      // Jira taken away is refused first: no route takes access back.
      expect(reasons.appAccess).to.include("cannot take jira (user) on site site-1").and.to.include(APP_ACCESS_WITHDRAW_UNSUPPORTED).and.to.include("--replace");
      expect(reasons.groups).to.include(GROUPS_CHANGE_UNSUPPORTED);
      // Only a grant added: refused without the console routes, naming the setting.
      const added = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "jira" }, { product: "confluence" }], groups: ["g-1"] });
      expect(added.failures?.map((f) => f.property)).to.deep.equal(["appAccess"]);
      expect(added.failures![0]!.reason).to.include("cannot give").and.to.include("confluence (user) on site site-1").and.to.include(APP_ACCESS_GRANT_UNSUPPORTED);
      expect(added.failures![0]!.reason).to.include("atlassian:consoleRoutes");
      // The engine hands stored objects back with their keys sorted: the same grant.
      const sorted = { ...olds, appAccess: [{ cloudId: "site-1", product: "jira" as const, role: "user" as const }] };
      expect((await sa.check(sorted, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "jira" }], groups: ["g-1"] })).failures ?? []).to.deep.equal([]);
      // Values not known yet during a preview are judged by update, not refused here.
      const later = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "jira", cloudId: UNKNOWN }], groups: UNKNOWN });
      expect(later.failures ?? []).to.deep.equal([]);
      // A state written before these inputs existed: none declared is no change.
      const legacy = { displayName: "Old", description: "", suspended: false };
      expect((await sa.check(legacy, { ...ENGINE_PROPS, displayName: "Old" })).failures ?? []).to.deep.equal([]);
    });
  }

  for (const targetName of ["atlassian-cloud", "embedded"] as const) {
    it(`on the ${targetName} target with atlassian:consoleRoutes, a grant added passes check (the console's invite); admin, or a grant taken back, still fails`, async () => {
      configure(configOf({ "atlassian:target": targetName, "atlassian:cloudId": "site-1", "atlassian:consoleRoutes": "true" }));
      const olds = await checked("ServiceAccount", { displayName: "Made", appAccess: [{ product: "jira" }] });
      const added = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "jira" }, { product: "confluence" }] });
      expect(added.failures ?? []).to.deep.equal([]);
      const admin = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "jira" }, { product: "confluence", role: "admin" }] });
      expect(admin.failures?.[0]?.reason).to.include("member access only").and.to.include('role "user"');
      const withdrawn = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Made", appAccess: [{ product: "confluence" }] });
      expect(withdrawn.failures?.[0]?.reason).to.include(APP_ACCESS_WITHDRAW_UNSUPPORTED);
    });
  }

  it("diff sees a change of appAccess as an update, never a replacement (check has refused it before)", async () => {
    const olds = { displayName: "D", description: "", suspended: false, appAccess: [], groups: [] } as unknown as ServiceAccountOutputs;
    const news = { ...olds, appAccess: [{ product: "jira", role: "user", cloudId: "s" }] } as never;
    const d = await sa.diff("id", olds, news);
    expect(d.replaces).to.deep.equal([]);
    expect(d.changes).to.not.equal(false);
    expect((await sa.diff("id", { displayName: "D", description: "", suspended: false } as never, { ...olds } as never)).changes).to.equal(false);
  });
});

describe("ServiceAccount appAccess against the embedded backend with --atlassian appAccess=enforced", () => {
  const backend = useBackend({ atlassian: { appAccess: "enforced" } });
  beforeEach(() => backend.current.newRun());

  const myself = async (accountId: string, email: string) => {
    const b = backend.current;
    const t = await b.admin.extensions.apiTokens.create(accountId, { label: "probe", scopes: ["read:jira-user"], expiresInDays: 1 });
    const res = await fetch(`${b.url}/ex/jira/${b.cloudId}/rest/api/3/myself`, { headers: { authorization: `Basic ${Buffer.from(`${email}:${t.token}`).toString("base64")}` } });
    return res.status;
  };

  it("sends the permission rules with the create: the account's token reaches Jira; without appAccess it gets the flat 401", async () => {
    const withAccess = await created("ServiceAccount", { displayName: "Jira user", appAccess: [{ product: "jira" }] });
    expect(withAccess.outs.appAccess).to.deep.equal([{ product: "jira", role: "user", cloudId: backend.current.cloudId }]);
    expect(await myself(withAccess.id, withAccess.outs.email)).to.equal(200);
    const without = await created("ServiceAccount", { displayName: "No access" });
    expect(await myself(without.id, without.outs.email)).to.equal(401);
  });

  it("reads app access back (Atlassian's role-assignment read): held, no drift; the pending list empties once seen", async () => {
    const { id, outs } = await created("ServiceAccount", { displayName: "Kept", appAccess: [{ product: "confluence", role: "admin" }] });
    // Asked for at create: pending until a read sees it.
    expect(outs.appAccessPending).to.have.length(1);
    expect(outs.appAccessPending![0]).to.deep.include({ product: "confluence", role: "admin" });
    backend.current.newRun();
    const read = await sa.read(id, outs);
    expect(read.props).to.deep.include({ appAccess: outs.appAccess });
    expect(read.props).to.not.have.property("appAccessPending");
    expect(read.props).to.not.have.property("groups");
    expect((await sa.diff(id, read.props as ServiceAccountOutputs, read.inputs as never)).changes).to.equal(false);
  });
});

for (const { name: onPath, choice } of PATHS) {
  for (const groupAddAfterCreate of ["refused", "allowed"] as const) {
    describe(`groups and GroupMembership ${onPath}, adding after creation ${groupAddAfterCreate}`, () => {
      const backend = useBackend({ ...choice, atlassian: { groupAddAfterCreate } });
      beforeEach(() => backend.current.newRun());

      it("creates the account in its groups; a GroupMembership of one of them takes it as it is (no add), reads it, and deletes it", async () => {
        const g = await makeGroup(backend.current, "deployers");
        const account = await created("ServiceAccount", { displayName: "Grouped", groups: [g.id] });
        expect(account.outs.groups).to.deep.equal([g.id]);
        expect(await backend.current.admin.directoryGroups.hasMember(g, account.outs.accountId)).to.equal(true);
        const m = await created("GroupMembership", { accountId: account.outs.accountId, groupName: "deployers" });
        expect(m.id).to.equal(`${g.id}/${account.outs.accountId}`);
        expect(m.outs).to.deep.include({ resolvedGroupId: g.id, directoryId: g.directoryId, groupName: "deployers" });
        const read = await gm.read(m.id, m.outs as GroupMembershipOutputs);
        expect(read.id).to.equal(m.id);
        expect(read.inputs).to.deep.include({ accountId: account.outs.accountId, groupName: "deployers" });
        // Removed by hand: gone on refresh (drift).
        await backend.current.admin.directoryGroups.removeMember(g, account.outs.accountId);
        const gone = await gm.read(m.id, m.outs as GroupMembershipOutputs);
        expect(gone.id).to.equal(undefined);
        expect(gone.props).to.equal(undefined);
        // Deleting what is gone succeeds.
        await gm.delete(m.id, m.outs as GroupMembershipOutputs);
      });

      it(
        groupAddAfterCreate === "refused"
          ? "fails to add an existing account, naming Atlassian's refusal and what to do: declare the group at creation"
          : "adds an existing account to a group by id, and delete removes it",
        async () => {
          const g = await makeGroup(backend.current, "later");
          const account = await created("ServiceAccount", { displayName: "Later" });
          if (groupAddAfterCreate === "refused") {
            const err = await rejection(created("GroupMembership", { accountId: account.outs.accountId, groupId: g.id }));
            expect(err.message).to.include(GROUP_ADD_REFUSED).and.to.include("groups: [<group id>]");
            expectNoSecret(err.message, [backend.current.adminKey]);
            expect(await backend.current.admin.directoryGroups.hasMember(g, account.outs.accountId)).to.equal(false);
          } else {
            const m = await created("GroupMembership", { accountId: account.outs.accountId, groupId: g.id });
            expect(await backend.current.admin.directoryGroups.hasMember(g, account.outs.accountId)).to.equal(true);
            await gm.delete(m.id, m.outs as GroupMembershipOutputs);
            expect(await backend.current.admin.directoryGroups.hasMember(g, account.outs.accountId)).to.equal(false);
          }
        },
      );

      it("fails naming a group the org does not have, and check names a membership with no group or two", async () => {
        const account = await created("ServiceAccount", { displayName: "Lost" });
        const err = await rejection(created("GroupMembership", { accountId: account.outs.accountId, groupName: "nobody" }));
        expect(err.message).to.include('"nobody"').and.to.include("Directory > Groups");
        const none = await gm.check({}, { ...ENGINE_PROPS, accountId: account.outs.accountId });
        expect(none.failures?.map((f) => f.property)).to.deep.equal(["groupId"]);
        const both = await gm.check({}, { ...ENGINE_PROPS, accountId: account.outs.accountId, groupId: "g", groupName: "n" });
        expect(both.failures?.map((f) => f.property)).to.deep.equal(["groupName"]);
      });
    });
  }
}

describe("GroupMembership diff", () => {
  it("replaces on every input, deleting first", async () => {
    const olds = { accountId: "a", groupName: "x", resolvedGroupId: "g", directoryId: "d" } as GroupMembershipOutputs;
    expect(await gm.diff("g/a", olds, { accountId: "a", groupName: "x" })).to.deep.include({ changes: false });
    expect(await gm.diff("g/a", olds, { accountId: "a", groupName: "y" })).to.deep.include({ replaces: ["groupName"], deleteBeforeReplace: true });
    expect((await gm.diff("g/a", olds, { accountId: "b", groupId: "g" })).replaces).to.have.members(["accountId", "groupId", "groupName"]);
  });
});

describe("ServiceAccount app access on the Atlassian Cloud target: pending while it has not landed", () => {
  // Access given lands only after ten minutes: within the test, never.
  const backend = useBackend({ publicOnly: true, atlassian: { appAccess: "enforced", appAccessDelayMs: 600_000 } });
  beforeEach(() => backend.current.newRun());

  it("a grant not seen yet reads as pending (no drift); a grant removed by hand, or never seen within the window, reads as missing", async () => {
    const { id, outs } = await created("ServiceAccount", { displayName: "Pending", appAccess: [{ product: "jira" }] });
    backend.current.newRun();
    const early = await sa.read(id, outs);
    expect(early.props).to.deep.include({ appAccess: outs.appAccess });
    expect((early.props as ServiceAccountOutputs).appAccessPending).to.have.length(1);
    expect((await sa.diff(id, early.props as ServiceAccountOutputs, early.inputs as never)).changes).to.equal(false);
    // A grant asked for more than an hour ago and still not seen is missing: the refresh drops it.
    const stale = { ...outs, appAccessPending: outs.appAccessPending!.map((p) => ({ ...p, since: "2000-01-01T00:00:00.000Z" })) };
    backend.current.newRun();
    const late = await sa.read(id, stale);
    expect(late.props).to.not.have.property("appAccess");
    expect(late.props).to.not.have.property("appAccessPending");
    const d = await sa.diff(id, late.props as ServiceAccountOutputs, { ...late.inputs, appAccess: outs.appAccess } as never);
    // A change the engine then shows (undefined: the engine compares the properties itself).
    expect(d.changes).to.not.equal(false);
  });
});

describe("ServiceAccount app access on the Atlassian Cloud target: a grant added through the console's invite", () => {
  // Access lands 1.5 s after it is given, as Atlassian applies it asynchronously.
  const backend = useBackend({ publicOnly: true, consoleRoutes: true, atlassian: { appAccess: "enforced", appAccessDelayMs: 1500 } });
  beforeEach(() => backend.current.newRun());

  const jiraStatus = async (serviceAccountId: string, email: string) => {
    const b = backend.current;
    const t = await providers.ApiToken.create((await checked("ApiToken", { serviceAccountId, label: "probe", scopes: ["read:jira-user"], expiresInDays: 1 })) as never);
    const res = await fetch(`${b.url}/ex/jira/${b.cloudId}/rest/api/3/myself`, {
      headers: { authorization: `Basic ${Buffer.from(`${email}:${(t.outs as { token: string }).token}`).toString("base64")}` },
    });
    return res.status;
  };

  it("adds a grant to an existing account through the console's invite: pending at once, held once it lands, and the token then reaches Jira", async () => {
    const made = await created("ServiceAccount", { displayName: "Invited", appAccess: [{ product: "confluence" }] });
    expect(await jiraStatus(made.id, made.outs.email)).to.equal(401);
    const news = await checked("ServiceAccount", { displayName: "Invited", appAccess: [{ product: "confluence" }, { product: "jira" }] }, made.inputs);
    const updated = await sa.update(made.id, made.outs, news as never);
    const outs = updated.outs as ServiceAccountOutputs;
    expect(outs.appAccess?.map((g) => g.product)).to.deep.equal(["confluence", "jira"]);
    expect(outs.appAccessPending?.map((g) => g.product)).to.include("jira");
    let status = 401;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await jiraStatus(made.id, made.outs.email);
    }
    expect(status, "the token reaches Jira once the invite lands").to.equal(200);
    backend.current.newRun();
    const landed = await sa.read(made.id, outs);
    expect(landed.props).to.not.have.property("appAccessPending");
    expect((landed.props as ServiceAccountOutputs).appAccess).to.deep.equal(outs.appAccess);
  });
});

describe("ServiceAccount app access where Atlassian does not show a service account's role assignments (roleAssignmentsRead=userNotFound)", () => {
  const backend = useBackend({ publicOnly: true, atlassian: { roleAssignmentsRead: "userNotFound" } });
  beforeEach(() => backend.current.newRun());

  it("keeps what was declared, with no drift and no failure", async () => {
    const { id, outs } = await created("ServiceAccount", { displayName: "Unreadable", appAccess: [{ product: "jira" }] });
    backend.current.newRun();
    const read = await sa.read(id, outs);
    expect(read.props).to.deep.include({ appAccess: outs.appAccess });
    expect((await sa.diff(id, read.props as ServiceAccountOutputs, read.inputs as never)).changes).to.equal(false);
  });
});
