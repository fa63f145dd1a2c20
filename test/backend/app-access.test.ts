/**
 * A service account's app access as the stand-in plays it: permission rules (from the create
 * and from the console's invite) that land after `--atlassian appAccessDelayMs`, the products
 * they grant under `appAccess=enforced` (the site's `jira-software`/`confluence` ARI with a
 * canonical or console role; the plain `jira` ARI grants nothing), and Atlassian's documented
 * read of a user's role assignments in both readings (`roleAssignmentsRead`), on the wire and
 * through the sdk.
 */
import { expect } from "chai";
import { APP_ACCESS_PERMISSION_RULE } from "../../sdk/atlassian-assumptions";
import { APIError, Client, isUserNotFound, memberRule, productAccountIdOf, type UserRoleAssignment } from "../../sdk";
import { basic, expectAdminError, harness, uniqueName, type Harness } from "./helper";

const site = (product: string, cloudId: string) => APP_ACCESS_PERMISSION_RULE.resource(product, cloudId);
const userRule = (product: string, cloudId: string) => ({ role: APP_ACCESS_PERMISSION_RULE.roles.user, resource: site(product, cloudId) });
const roles = (orgId: string, accountId: string, directoryId = "-") => `/admin/v2/orgs/${orgId}/directories/${directoryId}/users/${accountId}/role-assignments`;
const invitePath = (orgId: string) => `/admin/account-management/v1/orgs/${orgId}/service-accounts/invite`;

/** A service account made by the public create with these rules, and Basic credentials of a token of it (an extension). */
async function accountWithToken(b: Harness, permissionRules: { role: string; resource: string }[] = []) {
  const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("access"), ...(permissionRules.length ? { permissionRules } : {}) });
  const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-user", "read:space:confluence"], expiresInDays: 5 });
  return { ...a, atlassianId: productAccountIdOf(a), auth: basic(a.email, t.token) };
}
const myself = (b: Harness, auth: string) => b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", auth);
const wiki = (b: Harness, auth: string) => b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/space-role-mode", auth);
const listed = async (b: Harness, atlassianId: string) => {
  const res = await b.call("GET", roles(b.orgId, atlassianId));
  expect(res.status, res.text).to.equal(200);
  return res.body.data as { resourceId: string; roleAssignments: { role: string }[] }[];
};

describe("backend: app access of service accounts (appAccessDelayMs, the console invite, the role-assignments read)", function () {
  this.timeout(30_000);

  it("a rule of the create counts only once it has landed: 401 before, 200 after, with no restart (real clock, polled)", async () => {
    const delay = 300;
    const b = await harness({ atlassian: { appAccess: "enforced", appAccessDelayMs: delay } });
    try {
      const start = Date.now();
      const a = await accountWithToken(b, [userRule("jira-software", b.cloudId)]);
      const seen: { at: number; status: number }[] = [];
      for (;;) {
        const res = await myself(b, a.auth);
        seen.push({ at: Date.now(), status: res.status });
        if (res.status === 200 || Date.now() - start > 10_000) break;
        expect(res.status, res.text).to.equal(401);
        await new Promise((r) => setTimeout(r, 25));
      }
      const last = seen[seen.length - 1]!;
      expect(last.status, "landed within 10 s").to.equal(200);
      // The rule lands `delay` after the create, which came after `start`: no answer that came back before then may be a 200.
      expect(last.at - start).to.be.at.least(delay);
      expect(seen.filter((s) => s.at - start < delay).map((s) => s.status)).to.not.include(200);
      expect(seen[0]!.status, "the first call, right after the create, is refused").to.equal(401);
    } finally {
      await b.close();
    }
  });

  describe("with a delay of a minute (the clock moved by the test)", () => {
    const DELAY = 60_000;
    let b: Harness;
    before(async () => {
      b = await harness({ consoleRoutes: true, atlassian: { appAccess: "enforced", appAccessDelayMs: DELAY } });
    });
    after(() => b.close());

    it("grants Jira only through the site's jira-software ARI with a canonical or console role; the plain jira ARI and another role grant nothing", async () => {
      const jira = await accountWithToken(b, [userRule("jira-software", b.cloudId)]);
      const consoleRole = await accountWithToken(b, [memberRule("jira-software", b.cloudId)]);
      const admin = await accountWithToken(b, [{ role: "ari:cloud:jira-software::role/product/admin", resource: site("jira-software", b.cloudId) }]);
      const plain = await accountWithToken(b, [userRule("jira", b.cloudId)]);
      const guest = await accountWithToken(b, [{ role: "atlassian/guest", resource: site("jira-software", b.cloudId) }]);
      const otherSite = await accountWithToken(b, [userRule("jira-software", "another-cloud-id")]);
      const wikiOnly = await accountWithToken(b, [memberRule("confluence", b.cloudId)]);
      const all = [jira, consoleRole, admin, plain, guest, otherSite, wikiOnly];
      // Nothing has landed yet: every one is refused on both products, and nothing is listed.
      for (const a of all) expect((await myself(b, a.auth)).status, a.displayName).to.equal(401);
      expect(await listed(b, jira.atlassianId)).to.deep.equal([]);
      b.advance(DELAY);
      for (const a of [jira, consoleRole, admin]) expect((await myself(b, a.auth)).status, a.displayName).to.equal(200);
      for (const a of [plain, guest, otherSite, wikiOnly]) {
        const res = await myself(b, a.auth);
        expect(res.status, a.displayName).to.equal(401);
        expect(res.text).to.include("no access to Jira");
      }
      expect((await wiki(b, wikiOnly.auth)).status).to.equal(200);
      expect((await wiki(b, jira.auth)).status).to.equal(401);
      // Kept verbatim and listed once landed, even where they grant nothing.
      expect((await listed(b, plain.atlassianId)).map((e) => e.resourceId)).to.deep.equal([site("jira", b.cloudId)]);
    });

    it("the console invite stores its rules for each account, audits it, and answers 202; the access lands after the delay", async () => {
      const a = await accountWithToken(b);
      const other = await accountWithToken(b);
      expect((await myself(b, a.auth)).status).to.equal(401);
      const invite = await b.call("POST", invitePath(b.orgId), { userIds: [a.atlassianId, other.atlassianId], permissionRules: [memberRule("jira-software", b.cloudId)] });
      expect(invite.status, invite.text).to.equal(202);
      // Pending: not counted, not listed.
      expect((await myself(b, a.auth)).status).to.equal(401);
      expect(await listed(b, a.atlassianId)).to.deep.equal([]);
      b.advance(DELAY);
      expect((await myself(b, a.auth)).status).to.equal(200);
      expect((await myself(b, other.auth)).status).to.equal(200);
      expect((await wiki(b, a.auth)).status, "Jira only").to.equal(401);
      expect(await listed(b, a.atlassianId)).to.deep.equal([
        {
          resourceId: site("jira-software", b.cloudId),
          resourceOwner: "jira-software",
          roleAssignments: [{ role: "ari:cloud:jira-software::role/product/member", roleAssignmentMethods: ["direct"] }],
          directoryId: "default",
          userDirectoryStatus: "active",
        },
      ]);
      const events = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?limit=100&action=app-access.invited`);
      expect(events.data.map((e: { attributes: { target: { id: string } } }) => e.attributes.target.id)).to.include.members([a.id, other.id]);
    });

    it("an invite naming the plain jira ARI is answered 202 and grants nothing; one naming an unknown account is a 404 that gives nobody anything", async () => {
      const a = await accountWithToken(b);
      const plain = { role: "ari:cloud:jira::role/product/member", resource: site("jira", b.cloudId) };
      expect((await b.call("POST", invitePath(b.orgId), { userIds: [a.atlassianId], permissionRules: [plain] })).status).to.equal(202);
      const c = await accountWithToken(b);
      const missing = await b.call("POST", invitePath(b.orgId), { userIds: [c.atlassianId, "712020:00000000-0000-0000-0000-000000000000"], permissionRules: [memberRule("jira-software", b.cloudId)] });
      expectAdminError(missing, 404, "ADMIN-404-1");
      expect(missing.body.errors[0].detail).to.include("not found in the directory");
      b.advance(DELAY);
      expect((await myself(b, a.auth)).status).to.equal(401);
      expect((await myself(b, c.auth)).status).to.equal(401);
      expect(await listed(b, c.atlassianId)).to.deep.equal([]);
    });
  });

  describe("the role-assignments read (--atlassian roleAssignmentsRead=served, the default)", () => {
    let b: Harness;
    let client: Client;
    before(async () => {
      // Pages of 2, so three resources take two pages.
      b = await harness({ publicOnly: true, atlassian: { accountReadyDelayMs: 0, maxPageSize: 2 } });
      client = new Client({ baseUrl: b.url, orgId: b.orgId, apiKey: b.adminKey, maxRetries: 0 });
    });
    after(async () => {
      client.close();
      await b.close();
    });

    const jiraRules = (cloudId: string) => [userRule("jira-software", cloudId), memberRule("jira-software", cloudId)];
    const threeResources = async () => {
      const rules = [...jiraRules(b.cloudId), memberRule("confluence", b.cloudId), userRule("jira", b.cloudId)];
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("read"), permissionRules: rules });
      return { ...a, atlassianId: productAccountIdOf(a) as string };
    };

    it("lists one entry per resource, in the order given, roles verbatim, in directory - and in the org's directory; pages with links.next", async () => {
      const a = await threeResources();
      const first = await b.call("GET", roles(b.orgId, a.atlassianId, "default"));
      expect(first.status, first.text).to.equal(200);
      expect(first.body.data.map((e: { resourceId: string }) => e.resourceId)).to.deep.equal([site("jira-software", b.cloudId), site("confluence", b.cloudId)]);
      expect(first.body.data[0].roleAssignments).to.deep.equal([
        { role: "atlassian/user", roleAssignmentMethods: ["direct"] },
        { role: "ari:cloud:jira-software::role/product/member", roleAssignmentMethods: ["direct"] },
      ]);
      expect(first.body.data[1]).to.include({ resourceOwner: "confluence", directoryId: "default", userDirectoryStatus: "active" });
      expect(first.body.links.next).to.be.a("string");
      const second = await b.call("GET", first.body.links.next);
      expect(second.status, second.text).to.equal(200);
      expect(second.body.data.map((e: { resourceId: string; resourceOwner: string }) => [e.resourceId, e.resourceOwner])).to.deep.equal([[site("jira", b.cloudId), "jira"]]);
      expect(second.body.links).to.deep.equal({});
      const one = await b.call("GET", `${roles(b.orgId, a.atlassianId)}?limit=1`);
      expect(one.body.data.map((e: { resourceId: string }) => e.resourceId)).to.deep.equal([site("jira-software", b.cloudId)]);
      expectAdminError(await b.call("GET", `${roles(b.orgId, a.atlassianId)}?limit=3`), 400, "ADMIN-400-24");
      expectAdminError(await b.call("GET", roles(b.orgId, a.atlassianId, "no-such-directory")), 404, "ADMIN-404-1");
      expectAdminError(await b.call("GET", roles(b.orgId, "712020:00000000-0000-0000-0000-000000000000")), 404, "ADMIN-404-8", "User not found");
      // An account created with no rule has none.
      const bare = await b.ok("POST", "/service-accounts", { displayName: uniqueName("bare") });
      expect(await listed(b, productAccountIdOf(bare))).to.deep.equal([]);
    });

    it("sdk: client.directoryUsers.roleAssignments reads every page", async () => {
      const a = await threeResources();
      const got: UserRoleAssignment[] = await client.directoryUsers.roleAssignments(a.atlassianId);
      expect(got.map((e) => [e.resourceId, e.resourceOwner, e.roleAssignments.map((r) => r.role)])).to.deep.equal([
        [site("jira-software", b.cloudId), "jira-software", ["atlassian/user", "ari:cloud:jira-software::role/product/member"]],
        [site("confluence", b.cloudId), "confluence", ["ari:cloud:confluence::role/product/member"]],
        [site("jira", b.cloudId), "jira", ["atlassian/user"]],
      ]);
      const err = await client.directoryUsers.roleAssignments("712020:00000000-0000-0000-0000-000000000000").catch((e: unknown) => e);
      expect(isUserNotFound(err)).to.equal(true);
      const bad = await client.directoryUsers.roleAssignments("../x").catch((e: unknown) => e as Error);
      expect((bad as Error).message).to.include("accountId");
    });

  });

  it("the read needs read:directories:admin: a key without it gets Atlassian's 401 INSUFFICIENT_SCOPE naming it, a key with it reads", async () => {
    // Scoped keys are made through the extension, so this backend serves those too.
    const b = await harness();
    try {
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("scope"), permissionRules: [userRule("jira-software", b.cloudId)] });
      const accountId = productAccountIdOf(a);
      const reader = (await b.ok("POST", "/api-keys", { label: uniqueName("dir"), scopes: ["read:directories:admin"] })).token;
      const other = (await b.ok("POST", "/api-keys", { label: uniqueName("sa"), scopes: ["read:service-accounts:admin"] })).token;
      const read = await b.call("GET", roles(b.orgId, accountId), undefined, { key: reader });
      expect(read.status, read.text).to.equal(200);
      expect(read.body.data.map((e: { resourceId: string }) => e.resourceId)).to.deep.equal([site("jira-software", b.cloudId)]);
      const refused = await b.call("GET", roles(b.orgId, accountId), undefined, { key: other });
      expectAdminError(refused, 401, "ADMIN-401-2", "INSUFFICIENT_SCOPE");
      expect(refused.body.errors[0].detail).to.include("read:directories:admin");
      expectAdminError(await b.call("GET", roles(b.orgId, accountId), undefined, { key: null }), 401, "ADMIN-401-1");
      // The scoped key reads nothing else: not the group routes (unscoped), not the account list.
      expectAdminError(await b.call("POST", `/admin/v2/orgs/${b.orgId}/directories/-/groups/search`, {}, { key: reader }), 401, "ADMIN-401-2");
      expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: reader }), 401, "ADMIN-401-2");
    } finally {
      await b.close();
    }
  });

  it("--atlassian roleAssignmentsRead=userNotFound: a service account's read is the group add's 404 ADMIN-404-8, which the sdk tells by isUserNotFound", async () => {
    const b = await harness({ publicOnly: true, atlassian: { accountReadyDelayMs: 0, roleAssignmentsRead: "userNotFound" } });
    const client = new Client({ baseUrl: b.url, orgId: b.orgId, apiKey: b.adminKey, maxRetries: 0 });
    try {
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("nf"), permissionRules: [userRule("jira-software", b.cloudId)] });
      const res = await b.call("GET", roles(b.orgId, productAccountIdOf(a)));
      expectAdminError(res, 404, "ADMIN-404-8", "User not found");
      expect(res.body.errors[0].detail).to.include("not directory users");
      const err = await client.directoryUsers.roleAssignments(productAccountIdOf(a)).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(APIError);
      expect(isUserNotFound(err)).to.equal(true);
      expect((err as APIError).status).to.equal(404);
    } finally {
      client.close();
      await b.close();
    }
  });

  it("refuses a bad switch value, naming it", async () => {
    const refusal = (atlassian: Record<string, unknown>) =>
      harness({ atlassian }).then(
        async (b) => {
          await b.close();
          return "started";
        },
        (e: Error) => e.message,
      );
    expect(await refusal({ roleAssignmentsRead: "maybe" })).to.include("atlassian.roleAssignmentsRead must be served, userNotFound");
    expect(await refusal({ appAccessDelayMs: 600_001 })).to.include("atlassian.appAccessDelayMs must be a whole number from 0 to 600000");
  });
});
