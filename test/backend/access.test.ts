/**
 * Product-plane authorization follows role membership, and scope bindings are the same
 * grants seen from the admin API: a change through either view shows in the other.
 */
import { expect } from "chai";
import { basic, expectJiraError, harness, uniqueName, type Harness } from "./helper";

const ROLE = (key: string, id: number) => `/ex/jira/{cloudId}/rest/api/3/project/${key}/role/${id}`;
const ADMINISTRATOR = 10002;
const MEMBER = 10003;
const VIEWER = 10004;

describe("backend: access follows role membership", () => {
  let b: Harness;
  let admin: string;
  before(async () => {
    b = await harness();
    admin = basic(b.siteAdmin.email, b.siteAdmin.token);
  });
  after(() => b.close());

  async function holder(scopes: string[]) {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("acc") });
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "acc", scopes, expiresInDays: 30 });
    return { a, auth: basic(a.email, t.token) };
  }
  const actors = async (key: string, id: number): Promise<string[]> =>
    (await b.product("GET", ROLE(key, id), admin)).body.actors.map((x: any) => x.actorUser.accountId);
  const issue = (auth: string, key: string) => b.product("POST", "/ex/jira/{cloudId}/rest/api/3/issue", auth, { fields: { project: { key }, summary: "s" } });

  it("answers a body Jira's schema refuses with Jira's 400 error shape, not a 500", async () => {
    for (const body of [{ user: [null] }, { user: "not-a-list" }, { user: [42] }]) {
      const res = await b.product("POST", ROLE("ACC", VIEWER), admin, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.errorMessages, JSON.stringify(body)).to.be.an("array").with.length.above(0);
      expect(res.body.errors).to.be.an("object");
    }
  });

  it("a Viewer reads but does not write; made a Member through Jira's API, it writes", async () => {
    const h = await holder(["read:jira-work", "write:jira-work"]);
    expect((await b.product("POST", ROLE("ACC", VIEWER), admin, { user: [h.a.accountId] })).status).to.equal(200);
    expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ACC", h.auth)).status).to.equal(200);
    const refused = await issue(h.auth, "ACC");
    expect(refused.status).to.equal(403);
    expect(expectJiraError(refused, 403)).to.match(/editor or admin/);
    expect((await b.product("POST", ROLE("ACC", MEMBER), admin, { user: [h.a.accountId] })).status).to.equal(200);
    expect((await issue(h.auth, "ACC")).status).to.equal(201);
    // Two roles: the binding shows the higher level; removing the Member role leaves the Viewer's.
    expect((await b.ok("GET", `/service-accounts/${h.a.id}/scope-bindings`)).items[0]).to.include({ resource: "jira:project/ACC", role: "editor" });
    expect((await b.product("DELETE", `${ROLE("ACC", MEMBER)}?user=${encodeURIComponent(h.a.accountId)}`, admin)).status).to.equal(204);
    expect((await issue(h.auth, "ACC")).status).to.equal(403);
    expect((await b.ok("GET", `/service-accounts/${h.a.id}/scope-bindings`)).items[0]).to.include({ role: "viewer" });
  });

  it("a binding's create, role change and delete are membership of the default roles, seen in Jira", async () => {
    const h = await holder(["read:jira-work"]);
    const x = await b.ok("POST", `/service-accounts/${h.a.id}/scope-bindings`, { resource: "jira:project/BND", role: "viewer" });
    expect(await actors("BND", VIEWER)).to.deep.equal([h.a.accountId]);
    const patched = await b.ok("PATCH", `/service-accounts/${h.a.id}/scope-bindings/${x.id}`, { role: "admin" });
    expect(patched).to.include({ id: x.id, role: "admin", createdAt: x.createdAt });
    expect(await actors("BND", VIEWER)).to.deep.equal([]);
    expect(await actors("BND", ADMINISTRATOR)).to.deep.equal([h.a.accountId]);
    expect((await b.call("DELETE", `/service-accounts/${h.a.id}/scope-bindings/${x.id}`)).status).to.equal(204);
    expect(await actors("BND", ADMINISTRATOR)).to.deep.equal([]);
    expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/BND", h.auth)).status).to.equal(403);
  });

  it("a Confluence Manager counts as admin; an account with a role on another space sees only that one", async () => {
    const h = await holder(["read:space:confluence", "read:space.permission:confluence", "write:space.permission:confluence"]);
    const spaces = await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces?keys=MGR,SEEN", admin);
    const [mgr, seen] = spaces.body.results.map((s: any) => s.id);
    const roles = (await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/space-roles", admin)).body.results;
    const manager = roles.find((r: any) => r.name === "Manager").id;
    const principal = { principalType: "USER", principalId: h.a.accountId };
    expect((await b.product("POST", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${mgr}/role-assignments`, admin, [{ principal, roleId: manager }])).status).to.equal(200);
    expect((await b.ok("GET", `/service-accounts/${h.a.id}/scope-bindings`)).items[0]).to.include({ resource: "confluence:space/MGR", role: "admin" });
    // As a space admin the account manages the space's roles itself, but not another space's.
    const viewer = roles.find((r: any) => r.name === "Viewer").id;
    const other = await holder(["read:space:confluence"]);
    const otherPrincipal = { principalType: "USER", principalId: other.a.accountId };
    expect((await b.product("POST", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${mgr}/role-assignments`, h.auth, [{ principal: otherPrincipal, roleId: viewer }])).status).to.equal(200);
    expect((await b.product("POST", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${seen}/role-assignments`, h.auth, [{ principal: otherPrincipal, roleId: viewer }])).status).to.equal(403);
    const visible = await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces", h.auth);
    expect(visible.body.results.map((s: any) => s.key)).to.deep.equal(["MGR"]);
  });

  it("records each role change as an audit event of its actor", async () => {
    const h = await holder(["read:jira-work"]);
    await b.product("POST", ROLE("AUD", VIEWER), admin, { user: [h.a.accountId] });
    await b.product("DELETE", `${ROLE("AUD", VIEWER)}?user=${encodeURIComponent(h.a.accountId)}`, admin);
    const events = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?limit=100&action=project-role.actor-added`);
    const added = events.data.find((e: any) => e.attributes.target.id === `AUD/${VIEWER}/${h.a.accountId}`);
    expect(added.attributes.actor).to.deep.equal({ type: "site-admin", id: b.siteAdmin.accountId });
    const removed = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?limit=100&action=project-role.actor-removed`);
    expect(removed.data.map((e: any) => e.attributes.target.id)).to.include(`AUD/${VIEWER}/${h.a.accountId}`);
  });
});

describe("backend: access on a site not in role mode follows v1 space permissions", () => {
  let b: Harness;
  let admin: string;
  before(async () => {
    b = await harness({ confluenceMode: "PRE_ROLES" });
    admin = basic(b.siteAdmin.email, b.siteAdmin.token);
  });
  after(() => b.close());

  const PERMS = (id: string) => `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${id}/permissions`;
  const V1 = (key: string) => `/ex/confluence/{cloudId}/wiki/rest/api/space/${key}/permission`;
  const ops = async (id: string, accountId: string) =>
    (await b.product("GET", PERMS(id), admin)).body.results.filter((p: any) => p.principal.id === accountId).map((p: any) => `${p.operation.key}/${p.operation.targetType}`);

  it("a binding's role change swaps the level's permission set", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("v1b") });
    const x = await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "confluence:space/PERM", role: "admin" });
    const id = (await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces?keys=PERM", admin)).body.results[0].id;
    expect(await ops(id, a.accountId)).to.include("administer/space");
    await b.ok("PATCH", `/service-accounts/${a.id}/scope-bindings/${x.id}`, { role: "viewer" });
    expect(await ops(id, a.accountId)).to.deep.equal(["read/space"]);
    expect((await b.ok("GET", `/service-accounts/${a.id}/scope-bindings/${x.id}`)).role).to.equal("viewer");
  });

  it("an account holding administer/space manages the space's permissions, and no other space's", async () => {
    const boss = await b.ok("POST", "/service-accounts", { displayName: uniqueName("v1a") });
    const t = await b.ok("POST", `/service-accounts/${boss.id}/api-tokens`, { label: "a", scopes: ["write:space.permission:confluence"], expiresInDays: 5 });
    const auth = basic(boss.email, t.token);
    await b.ok("POST", `/service-accounts/${boss.id}/scope-bindings`, { resource: "confluence:space/OWN", role: "admin" });
    const other = await b.ok("POST", "/service-accounts", { displayName: uniqueName("v1o") });
    const read = { subject: { type: "user", identifier: other.accountId }, operation: { key: "read", target: "space" } };
    const granted = await b.product("POST", V1("OWN"), auth, read);
    expect(granted.status, granted.text).to.equal(200);
    expect((await b.product("POST", V1("ELSE"), auth, read)).status).to.equal(403);
    expect((await b.product("DELETE", `${V1("OWN")}/${granted.body.id}`, auth)).status).to.equal(204);
    expect((await b.product("DELETE", `${V1("OWN")}/${granted.body.id}`, auth)).status).to.equal(404);
  });
});
