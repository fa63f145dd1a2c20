/**
 * The ecosystem's own clients against the real backend: jira.js and confluence.js validate
 * every response against Atlassian's published shapes (`onSchemaMismatch: "throw"` in jira.js;
 * confluence.js always throws), so a response that differs from Atlassian's fails here. Both
 * are ESM-only, hence the dynamic imports.
 */
import { expect } from "chai";
import { harness, uniqueName, type Harness } from "./helper";

type Jira = ReturnType<typeof import("jira.js").createCloudClient>;
type V1 = ReturnType<typeof import("confluence.js").createV1Client>;
type V2 = ReturnType<typeof import("confluence.js").createV2Client>;

/** `site`: the clients talk to the site's own URL (`https://<site>.atlassian.net`), not the gateway. */
async function clients(b: Harness, auth: { email: string; token: string }, site = false) {
  const { createCloudClient } = await import("jira.js");
  const { createV1Client, createV2Client } = await import("confluence.js");
  const basic = { type: "basic" as const, email: auth.email, apiToken: auth.token };
  const jiraHost = site ? b.url : `${b.url}/ex/jira/${b.cloudId}`;
  const wikiHost = site ? b.url : `${b.url}/ex/confluence/${b.cloudId}`;
  return {
    jira: createCloudClient({ host: jiraHost, auth: basic, onSchemaMismatch: "throw" }) as Jira,
    v1: createV1Client({ host: wikiHost, auth: basic }) as V1,
    v2: createV2Client({ host: wikiHost, auth: { type: "bearer", token: auth.token } }) as V2,
  };
}

/** A service account with one token holding `scopes`. */
async function serviceAccount(b: Harness, scopes: string[]) {
  const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("eco") });
  const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "eco", scopes, expiresInDays: 30 });
  return { a, auth: { email: a.email as string, token: t.token as string } };
}

const status = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (e) {
    const s = (e as { status?: number }).status;
    if (typeof s !== "number") throw e;
    return s;
  }
};

describe("backend: jira.js against the Jira surfaces", () => {
  let b: Harness;
  let admin: Awaited<ReturnType<typeof clients>>;
  before(async () => {
    b = await harness();
    admin = await clients(b, b.siteAdmin);
  });
  after(() => b.close());

  it("lists a project's roles (team-managed defaults) as name -> absolute URL ending in the role id", async () => {
    const roles = await admin.jira.projectRoles.getProjectRoles({ projectIdOrKey: "ENG" });
    expect(Object.keys(roles).sort()).to.deep.equal(["Administrator", "Member", "Viewer"]);
    for (const url of Object.values(roles)) expect(url).to.match(new RegExp(`^${b.url}/ex/jira/${b.cloudId}/rest/api/3/project/ENG/role/\\d+$`));
    const details = await admin.jira.projectRoles.getProjectRoleDetails({ projectIdOrKey: "ENG" });
    expect(details.map((d) => [d.name, String(d.id)])).to.deep.equal(Object.entries(roles).map(([n, u]) => [n, u.split("/").at(-1)]));
    expect(details.filter((d) => d.admin).map((d) => d.name)).to.deep.equal(["Administrator"]);
    expect(details.every((d) => d.scope?.type === "PROJECT" && d.scope.project?.key === "ENG")).to.equal(true);
  });

  it("adds a service account to a role and removes it; the account's access follows, and the binding view shows it", async () => {
    const { a, auth } = await serviceAccount(b, ["read:jira-work", "write:jira-work", "read:me"]);
    const sa = await clients(b, auth);
    const roles = await admin.jira.projectRoles.getProjectRoles({ projectIdOrKey: "ENG" });
    const member = Number(roles.Member!.split("/").at(-1));

    expect(await status(sa.jira.projects.getProject({ projectIdOrKey: "ENG" }))).to.equal(403);
    const added = await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "ENG", id: member, user: [a.accountId] });
    expect(added.name).to.equal("Member");
    expect(added.actors!.map((x) => x.actorUser?.accountId)).to.include(a.accountId);
    const role = await admin.jira.projectRoles.getProjectRole({ projectIdOrKey: "ENG", id: member });
    expect(role.self).to.equal(roles.Member);
    expect(role.actors!.find((x) => x.actorUser?.accountId === a.accountId)).to.include({ type: "atlassian-user-role-actor", displayName: a.displayName });

    const project = await sa.jira.projects.getProject({ projectIdOrKey: "ENG" });
    expect(project).to.include({ key: "ENG" });
    expect(project.self).to.match(/^http:\/\/127\.0\.0\.1:\d+\/ex\/jira\/.+\/rest\/api\/3\/project\/\d+$/);
    expect((await sa.jira.projects.getProject({ projectIdOrKey: project.id! })).key).to.equal("ENG");
    const me = await sa.jira.myself.getCurrentUser();
    expect(me).to.include({ accountId: a.accountId, emailAddress: a.email, active: true });
    expect(await admin.jira.users.getUser({ accountId: a.accountId })).to.deep.include({ accountId: a.accountId, displayName: a.displayName });
    expect(await status(admin.jira.users.getUser({ accountId: "557058:nobody" }))).to.equal(404);
    const issue = await sa.jira.issues.createIssue({ fields: { project: { key: "ENG" }, summary: "made by jira.js", issuetype: { name: "Task" } } } as never);
    expect(issue.key).to.match(/^ENG-\d+$/);

    const bindings = await b.ok("GET", `/service-accounts/${a.id}/scope-bindings`);
    expect(bindings.items.map((x: any) => [x.resource, x.role])).to.deep.equal([["jira:project/ENG", "editor"]]);

    await admin.jira.projectRoleActors.deleteActor({ projectIdOrKey: "ENG", id: member, user: a.accountId });
    expect(await status(sa.jira.projects.getProject({ projectIdOrKey: "ENG" }))).to.equal(403);
    expect((await b.ok("GET", `/service-accounts/${a.id}/scope-bindings`)).total).to.equal(0);
    // Removing again: Jira's 404, the account is not in the role.
    expect(await status(admin.jira.projectRoleActors.deleteActor({ projectIdOrKey: "ENG", id: member, user: a.accountId }))).to.equal(404);
  });

  it("creates an issue and reads it back by key and by id, through the gateway and at the site URL", async () => {
    const { a, auth } = await serviceAccount(b, ["read:jira-work", "write:jira-work"]);
    await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "ISS", id: 10003, user: [a.accountId] });
    const sa = await clients(b, auth);
    const made = await sa.jira.issues.createIssue({ fields: { project: { key: "ISS" }, summary: "read me back", issuetype: { name: "Task" } } });
    const byKey = await sa.jira.issues.getIssue({ issueIdOrKey: made.key! });
    expect(byKey).to.deep.include({ id: made.id, key: made.key });
    expect(byKey.fields?.summary).to.equal("read me back");
    const site = await clients(b, auth, true);
    const byId = await site.jira.issues.getIssue({ issueIdOrKey: made.id! });
    expect(byId.key).to.equal(made.key);
    expect(byId.self).to.equal(`${b.url}/rest/api/3/issue/${made.id}`);
    expect(await status(sa.jira.issues.getIssue({ issueIdOrKey: "ISS-99999" }))).to.equal(404);
    // Without a role on the project, its issues are not there (Jira's 404, not a 403).
    const outsider = await serviceAccount(b, ["read:jira-work"]);
    expect(await status((await clients(b, outsider.auth)).jira.issues.getIssue({ issueIdOrKey: made.key! }))).to.equal(404);
  });

  it("refuses what Jira refuses: an unknown account (404, \"a user is not found\"), a member added twice (400), an unknown role (404)", async () => {
    const { a } = await serviceAccount(b, ["read:jira-work"]);
    const viewer = 10004;
    expect(await status(admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "OPS", id: viewer, user: ["557058:nobody"] }))).to.equal(404);
    await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "OPS", id: viewer, user: [a.accountId] });
    expect(await status(admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "OPS", id: viewer, user: [a.accountId] }))).to.equal(400);
    expect(await status(admin.jira.projectRoles.getProjectRole({ projectIdOrKey: "OPS", id: 99999 }))).to.equal(404);
  });

  it("replaces a role's actors with setActors", async () => {
    const one = await serviceAccount(b, ["read:jira-work"]);
    const two = await serviceAccount(b, ["read:jira-work"]);
    await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "SET", id: 10004, user: [one.a.accountId] });
    const set = await admin.jira.projectRoleActors.setActors({
      projectIdOrKey: "SET",
      id: 10004,
      body: { categorisedActors: { "atlassian-user-role-actor": [two.a.accountId] } },
    } as never);
    expect(set.actors!.map((x) => x.actorUser?.accountId)).to.deep.equal([two.a.accountId]);
    expect((await b.ok("GET", `/service-accounts/${one.a.id}/scope-bindings`)).total).to.equal(0);
    expect((await b.ok("GET", `/service-accounts/${two.a.id}/scope-bindings`)).items[0]).to.include({ resource: "jira:project/SET", role: "viewer" });
  });

  it("lets only a project admin manage its roles: a Member's token gets 403, an Administrator's may", async () => {
    const scopes = ["read:jira-work", "manage:jira-project", "manage:jira-configuration"];
    const member = await serviceAccount(b, scopes);
    const boss = await serviceAccount(b, scopes);
    await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "MGT", id: 10003, user: [member.a.accountId] });
    await admin.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "MGT", id: 10002, user: [boss.a.accountId] });
    const asMember = await clients(b, member.auth);
    const asBoss = await clients(b, boss.auth);
    expect(await status(asMember.jira.projectRoles.getProjectRoles({ projectIdOrKey: "MGT" }))).to.equal(403);
    await asBoss.jira.projectRoleActors.addActorUsers({ projectIdOrKey: "MGT", id: 10004, user: [member.a.accountId] });
    const viewers = await asBoss.jira.projectRoles.getProjectRole({ projectIdOrKey: "MGT", id: 10004 });
    expect(viewers.actors!.map((x) => x.actorUser?.accountId)).to.deep.equal([member.a.accountId]);
  });
});

describe("backend: confluence.js against the Confluence surfaces", () => {
  describe("on a site in role mode (the default)", () => {
    let b: Harness;
    let admin: Awaited<ReturnType<typeof clients>>;
    before(async () => {
      b = await harness();
      admin = await clients(b, b.siteAdmin);
    });
    after(() => b.close());

    it("reads back a page by id, through the gateway and at the site URL; an unknown page is a 404", async () => {
      const spaceId = (await admin.v2.space.getSpaces({ keys: ["PGS"] })).results![0]!.id!;
      const auth = `Basic ${Buffer.from(`${b.siteAdmin.email}:${b.siteAdmin.token}`).toString("base64")}`;
      const made = await b.product("POST", "/ex/confluence/{cloudId}/wiki/api/v2/pages", auth, { spaceId, title: "Runbook" });
      expect(made.status, made.text).to.equal(201);
      const page = await admin.v2.page.getPageById({ id: Number(made.body.id) });
      expect(page).to.include({ id: made.body.id, title: "Runbook", spaceId, status: "current" });
      const site = await clients(b, b.siteAdmin, true);
      expect((await site.v2.page.getPageById({ id: Number(made.body.id) })).title).to.equal("Runbook");
      expect(await status(admin.v2.page.getPageById({ id: 999999 }))).to.equal(404);
    });

    it("finds a space by key, reads it by id, and tells the mode and the default roles", async () => {
      const spaces = await admin.v2.space.getSpaces({ keys: ["DOCS"] });
      expect(spaces.results!.map((s) => s.key)).to.deep.equal(["DOCS"]);
      const space = await admin.v2.space.getSpaceById({ id: Number(spaces.results![0]!.id) });
      expect(space).to.include({ key: "DOCS", id: spaces.results![0]!.id });
      expect((await admin.v2.spaceRoles.getSpaceRoleMode()).mode).to.equal("ROLES");
      const roles = await admin.v2.spaceRoles.getAvailableSpaceRoles();
      expect(roles.results!.map((r) => r.name)).to.deep.equal(["Admin", "Manager", "Collaborator", "Viewer"]);
      // Every permission a role holds is one of the site's space permissions.
      const permissions = new Set((await admin.v2.spacePermissions.getAvailableSpacePermissions()).results!.map((p) => p.id));
      for (const r of roles.results!) for (const p of r.spacePermissions ?? []) expect(permissions.has(p), p).to.equal(true);
    });

    it("assigns a role to a service account and removes it by omitting roleId; access and the binding view follow", async () => {
      const { a, auth } = await serviceAccount(b, ["read:space:confluence", "write:page:confluence"]);
      const sa = await clients(b, auth);
      const id = (await admin.v2.space.getSpaces({ keys: ["WIKI"] })).results![0]!.id!;
      const roles = (await admin.v2.spaceRoles.getAvailableSpaceRoles()).results!;
      const collaborator = roles.find((r) => r.name === "Collaborator")!.id!;
      const principal = { principalType: "USER", principalId: a.accountId };

      expect(await status(sa.v2.space.getSpaceById({ id: Number(id) }))).to.equal(403);
      const set = await admin.v2.spaceRoles.setSpaceRoleAssignments({ id: Number(id), body: [{ principal, roleId: collaborator }] as never });
      expect(set.results).to.deep.equal([{ principal, roleId: collaborator }]);
      const got = await admin.v2.spaceRoles.getSpaceRoleAssignments({ id: Number(id), principalId: a.accountId, principalType: "USER" });
      expect(got.results).to.deep.equal([{ principal, roleId: collaborator }]);
      const held = await admin.v2.spaceRoles.getAvailableSpaceRoles({ spaceId: Number(id), principalId: a.accountId, principalType: "USER" } as never);
      expect(held.results!.map((r) => r.name)).to.deep.equal(["Collaborator"]);

      expect((await sa.v2.space.getSpaceById({ id: Number(id) })).key).to.equal("WIKI");
      const page = await sa.v2.page.createPage({ body: { spaceId: id, title: "Runbook" } } as never);
      expect(page).to.include({ title: "Runbook", spaceId: id });
      expect((await b.ok("GET", `/service-accounts/${a.id}/scope-bindings`)).items.map((x: any) => [x.resource, x.role])).to.deep.equal([
        ["confluence:space/WIKI", "editor"],
      ]);

      const cleared = await admin.v2.spaceRoles.setSpaceRoleAssignments({ id: Number(id), body: [{ principal }] as never });
      expect(cleared.results).to.deep.equal([]);
      expect(await status(sa.v2.space.getSpaceById({ id: Number(id) }))).to.equal(403);
      expect((await b.ok("GET", `/service-accounts/${a.id}/scope-bindings`)).total).to.equal(0);
    });

    it("a scope binding is a role assignment under the default mapping", async () => {
      const { a } = await serviceAccount(b, ["read:space:confluence"]);
      await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "confluence:space/TEAM", role: "viewer" });
      const id = Number((await admin.v2.space.getSpaces({ keys: ["TEAM"] })).results![0]!.id);
      const viewer = (await admin.v2.spaceRoles.getAvailableSpaceRoles()).results!.find((r) => r.name === "Viewer")!.id;
      const got = await admin.v2.spaceRoles.getSpaceRoleAssignments({ id });
      expect(got.results).to.deep.equal([{ principal: { principalType: "USER", principalId: a.accountId }, roleId: viewer }]);
    });

    it("refuses v1 space permissions on a site in role mode, saying to assign a role", async () => {
      const { a } = await serviceAccount(b, ["read:space:confluence"]);
      const err = await admin.v1.spacePermissions
        .addPermissionToSpace({ spaceKey: "DOCS", subject: { type: "user", identifier: a.accountId }, operation: { key: "read", target: "space" } })
        .catch((e: unknown) => e as { status?: number; message?: string });
      expect((err as { status?: number }).status).to.equal(400);
    });
  });

  describe("on a site not in role mode (--confluence-mode pre-roles)", () => {
    let b: Harness;
    let admin: Awaited<ReturnType<typeof clients>>;
    before(async () => {
      b = await harness({ confluenceMode: "PRE_ROLES" });
      admin = await clients(b, b.siteAdmin);
    });
    after(() => b.close());

    it("adds and removes v1 space permissions; the v2 read lists them with the ids the v1 DELETE takes", async () => {
      const { a, auth } = await serviceAccount(b, ["read:space:confluence", "write:page:confluence"]);
      const sa = await clients(b, auth);
      expect((await admin.v2.spaceRoles.getSpaceRoleMode()).mode).to.equal("PRE_ROLES");
      const subject = { type: "user" as const, identifier: a.accountId };
      // Anything but read/space first is refused, as Confluence does.
      expect(await status(admin.v1.spacePermissions.addPermissionToSpace({ spaceKey: "OLD", subject, operation: { key: "create", target: "page" } }))).to.equal(400);
      const read = await admin.v1.spacePermissions.addPermissionToSpace({ spaceKey: "OLD", subject, operation: { key: "read", target: "space" } });
      expect(read).to.deep.include({ subject, operation: { key: "read", target: "space" } });
      expect(await status(admin.v1.spacePermissions.addPermissionToSpace({ spaceKey: "OLD", subject, operation: { key: "read", target: "space" } }))).to.equal(400);
      const create = await admin.v1.spacePermissions.addPermissionToSpace({ spaceKey: "OLD", subject, operation: { key: "create", target: "page" } });

      const id = (await admin.v2.space.getSpaces({ keys: ["OLD"] })).results![0]!.id!;
      const perms = await admin.v2.spacePermissions.getSpacePermissionsAssignments({ id: Number(id) });
      expect(perms.results!.map((p) => [p.id, p.principal?.id, `${p.operation?.key}/${p.operation?.targetType}`])).to.deep.equal([
        [String(read.id), a.accountId, "read/space"],
        [String(create.id), a.accountId, "create/page"],
      ]);
      expect((await sa.v2.page.createPage({ body: { spaceId: id, title: "Old notes" } } as never)).title).to.equal("Old notes");

      // Removing read/space removes every permission of that user in the space.
      await admin.v1.spacePermissions.removePermission({ spaceKey: "OLD", id: read.id });
      expect((await admin.v2.spacePermissions.getSpacePermissionsAssignments({ id: Number(id) })).results).to.deep.equal([]);
      expect(await status(sa.v2.space.getSpaceById({ id: Number(id) }))).to.equal(403);
    });

    it("a scope binding is the level's set of v1 permissions, and role assignments are refused", async () => {
      const { a } = await serviceAccount(b, ["read:space:confluence"]);
      await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "confluence:space/LEGACY", role: "editor" });
      const id = Number((await admin.v2.space.getSpaces({ keys: ["LEGACY"] })).results![0]!.id);
      const perms = await admin.v2.spacePermissions.getSpacePermissionsAssignments({ id });
      expect(perms.results!.map((p) => `${p.operation?.key}/${p.operation?.targetType}`)).to.deep.equal([
        "read/space",
        "create/page",
        "create/blogpost",
        "create/comment",
        "create/attachment",
      ]);
      const principal = { principalType: "USER", principalId: a.accountId };
      expect(await status(admin.v2.spaceRoles.setSpaceRoleAssignments({ id, body: [{ principal, roleId: "x" }] as never }))).to.equal(400);
    });
  });
});
