/**
 * The org directory's groups (Atlassian's Organizations API v2), the create's permission rules
 * and groups, and the switches that play the unsettled readings: `groupAddAfterCreate`
 * (a service account added to a group after its creation) and `appAccess` (a token of an
 * account without app access on a product).
 */
import { expect } from "chai";
import { APP_ACCESS_PERMISSION_RULE } from "../../sdk/atlassian-assumptions";
import { basic, expectAdminError, harness, type Harness } from "./helper";

const DIR = (orgId: string, directoryId = "-") => `/admin/v2/orgs/${orgId}/directories/${directoryId}`;
const jiraRule = (cloudId: string) => ({ role: "atlassian/user", resource: APP_ACCESS_PERMISSION_RULE.resource("jira-software", cloudId) });

async function group(b: Harness, name: string): Promise<{ id: string; name: string; directoryId: string }> {
  const made = await b.call("POST", `${DIR(b.orgId, "default")}/groups`, { name, description: "made by a test" });
  expect(made.status, made.text).to.equal(201);
  const found = await b.call("POST", `${DIR(b.orgId)}/groups/search`, { groupNames: [name] });
  expect(found.status, found.text).to.equal(200);
  expect(found.body.data).to.have.length(1);
  return found.body.data[0];
}

const members = async (b: Harness, g: { id: string; directoryId: string }) =>
  (await b.call("POST", `${DIR(b.orgId, g.directoryId)}/users/search`, { groupIds: [g.id] })).body.data.map((u: { accountId: string }) => u.accountId);

describe("backend: the org directory's groups, in Atlassian's shapes", () => {
  for (const [reading, addAfter] of [["refused", 404], ["allowed", 204]] as const) {
    describe(`--atlassian groupAddAfterCreate=${reading}`, () => {
      let b: Harness;
      before(async () => {
        b = await harness({ publicOnly: true, atlassian: { groupAddAfterCreate: reading, accountReadyDelayMs: 0 } });
      });
      after(() => b.close());

      it("creates a group, finds it by name and by id, and refuses a second of the same name", async () => {
        const g = await group(b, `team-${reading}`);
        expect(g).to.include({ name: `team-${reading}`, directoryId: "default" });
        const byId = await b.call("POST", `${DIR(b.orgId)}/groups/search`, { groupIds: [g.id] });
        expect(byId.body.data.map((x: { id: string }) => x.id)).to.deep.equal([g.id]);
        expect((await b.call("POST", `${DIR(b.orgId, "default")}/groups`, { name: `team-${reading}` })).status).to.equal(409);
        expectAdminError(await b.call("POST", `${DIR(b.orgId)}/groups/search`, { groupIds: [g.id], groupNames: ["x"] }), 400, "ADMIN-400-24");
      });

      it("adds the groups a create names, and a create naming an unknown group is a 404 that makes no account", async () => {
        const g = await group(b, `create-${reading}`);
        const a = await b.ok("POST", "/service-accounts", { displayName: "In a group", additionalGroups: [g.id] });
        expect(await members(b, g)).to.deep.equal([a.atlassianId]);
        const before = (await b.ok("GET", "/service-accounts")).total;
        const res = await b.call("POST", "/service-accounts", { displayName: "Nowhere", additionalGroups: ["no-such-group"] });
        expectAdminError(res, 404, "ADMIN-404-1");
        expect((await b.ok("GET", "/service-accounts")).total).to.equal(before);
      });

      it(`answers adding a service account after its creation with ${addAfter}${addAfter === 404 ? " ADMIN-404-8 User not found" : ""}; a removal is a 204`, async () => {
        const g = await group(b, `after-${reading}`);
        const a = await b.ok("POST", "/service-accounts", { displayName: "Joins later" });
        const add = await b.call("POST", `${DIR(b.orgId, g.directoryId)}/groups/${g.id}/memberships`, { accountId: a.atlassianId });
        if (addAfter === 404) {
          expectAdminError(add, 404, "ADMIN-404-8", "User not found");
          expect(add.body.errors[0].detail).to.include("not directory users");
          expect(await members(b, g)).to.deep.equal([]);
        } else {
          expect(add.status, add.text).to.equal(204);
          expect(await members(b, g)).to.deep.equal([a.atlassianId]);
          const test = await b.call("POST", `${DIR(b.orgId, g.directoryId)}/users/search`, { groupIds: [g.id], accountIds: [a.atlassianId] });
          expect(test.body.data.map((u: { accountId: string }) => u.accountId)).to.deep.equal([a.atlassianId]);
        }
        const member = await b.ok("POST", "/service-accounts", { displayName: "Leaves", additionalGroups: [g.id] });
        expect((await b.call("DELETE", `${DIR(b.orgId, g.directoryId)}/groups/${g.id}/memberships/${member.atlassianId}`)).status).to.equal(204);
        expect(await members(b, g)).to.not.include(member.atlassianId);
        expectAdminError(await b.call("DELETE", `${DIR(b.orgId, g.directoryId)}/groups/${g.id}/memberships/${member.atlassianId}`), 404, "ADMIN-404-8");
      });

      it("drops the memberships of a deleted account", async () => {
        const g = await group(b, `deleted-${reading}`);
        const a = await b.ok("POST", "/service-accounts", { displayName: "Deleted", additionalGroups: [g.id] });
        expect((await b.call("DELETE", `/service-accounts/${a.id}`)).status).to.equal(204);
        expect(await members(b, g)).to.deep.equal([]);
      });
    });
  }

  it("takes an unscoped key only (Atlassian prints no scope for the group routes): a scoped key gets Atlassian's 401 INSUFFICIENT_SCOPE", async () => {
    const b = await harness();
    try {
      const scoped = (await b.ok("POST", "/api-keys", { label: "scoped", scopes: ["read:service-accounts:admin", "write:service-accounts:admin"] })).token;
      expectAdminError(await b.call("POST", `${DIR(b.orgId)}/groups/search`, {}, { key: scoped }), 401, "ADMIN-401-2");
      expect((await b.call("POST", `${DIR(b.orgId)}/groups/search`, {})).status).to.equal(200);
      expectAdminError(await b.call("POST", `${DIR(b.orgId)}/groups/search`, {}, { key: null }), 401, "ADMIN-401-1");
    } finally {
      await b.close();
    }
  });
});

describe("backend: app access of a service account (--atlassian appAccess)", () => {
  for (const mode of ["enforced", "ignored"] as const) {
    it(`${mode}: a token of an account created without access to a product is ${mode === "enforced" ? "refused there with a 401" : "let through"}, one with it reaches it`, async () => {
      const b = await harness({ atlassian: { appAccess: mode } });
      try {
        const cloudId = b.cloudId;
        const tokenOf = async (body: Record<string, unknown>) => {
          const a = await b.ok("POST", "/service-accounts", body);
          const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-user", "read:space:confluence"], expiresInDays: 5 });
          return basic(a.email, t.token);
        };
        const none = await tokenOf({ displayName: "No access" });
        const jira = await tokenOf({ displayName: "Jira only", permissionRules: [jiraRule(cloudId)] });
        // The plain `jira` key is accepted and grants nothing (as a third party saw Atlassian do).
        const plain = await tokenOf({ displayName: "Plain jira", permissionRules: [{ role: "atlassian/user", resource: `ari:cloud:jira::site/${cloudId}` }] });
        const myself = (auth: string) => b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", auth);
        const wiki = (auth: string) => b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/space-role-mode", auth);
        expect((await myself(jira)).status).to.equal(200);
        if (mode === "enforced") {
          const refused = await myself(none);
          expect(refused.status, refused.text).to.equal(401);
          expect(refused.text).to.include("no access to Jira");
          expect((await myself(plain)).status).to.equal(401);
          expect((await wiki(jira)).status).to.equal(401);
        } else {
          expect((await myself(none)).status).to.equal(200);
          expect((await myself(plain)).status).to.equal(200);
        }
      } finally {
        await b.close();
      }
    });
  }

  it("refuses a permission rule that is not a role and an ARI, naming the field", async () => {
    const b = await harness({ publicOnly: true });
    try {
      const res = await b.call("POST", "/service-accounts", { displayName: "Bad rule", permissionRules: [{ role: "atlassian/user", resource: "jira" }] });
      expectAdminError(res, 400, "ADMIN-400-24");
      expect(res.body.errors[0].detail).to.include("ARI");
    } finally {
      await b.close();
    }
  });
});
