/**
 * Jira's REST API v3 as the product plane serves it (`/ex/jira/{cloudId}/rest/api/3/...`):
 * projects, project roles and their members, users, issues. Refusals as the caller's token
 * and grants decide (see `product-plane.ts`); each change of a role's members is an audit event.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE } from "../../sdk/atlassian-assumptions";
import { jiraResource, JIRA_ROLES } from "../access";
import type { ZodApp } from "../context";
import { errorHandler } from "../error-handler";
import type { Place } from "../store/access";
import { avatars, JIRA_ERRORS, jiraErrorBody, KEY, NUMERIC, pathParams, type Holder, type ProductPlane } from "./product-plane";

const JIRA_READ = ["read:jira-work", "read:project:jira"];
const JIRA_WRITE = ["write:jira-work", "write:issue:jira"];
const JIRA_ROLE_READ = ["read:jira-work", "read:project-role:jira", "manage:jira-project", "manage:jira-configuration"];
const JIRA_ROLE_WRITE = ["manage:jira-project", "manage:jira-configuration", "write:project-role:jira"];
const JIRA_ROLE_DELETE = ["manage:jira-project", "manage:jira-configuration", "delete:project-role:jira"];
const USER_READ = [...JIRA_READ, "read:jira-user", "read:me", "read:account", "read:user:jira"];

const AvatarUrls = z.object({ "16x16": z.string(), "24x24": z.string(), "32x32": z.string(), "48x48": z.string() });
const JiraProject = z.object({
  self: z.string(),
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  projectTypeKey: z.string(),
  simplified: z.boolean(),
  style: z.string(),
  isPrivate: z.boolean(),
  avatarUrls: AvatarUrls,
  roles: z.record(z.string(), z.string()),
});
const JiraUser = z.object({
  self: z.string(),
  accountId: z.string(),
  accountType: z.string(),
  emailAddress: z.string(),
  displayName: z.string(),
  active: z.boolean(),
  timeZone: z.string(),
  locale: z.string(),
  avatarUrls: AvatarUrls,
});
const JiraIssue = z.object({
  id: z.string(),
  key: z.string(),
  self: z.string(),
  fields: z.object({
    summary: z.string(),
    created: z.string(),
    updated: z.string(),
    project: z.object({ id: z.string(), key: z.string(), name: z.string(), self: z.string() }),
    issuetype: z.object({ id: z.string(), name: z.string(), subtask: z.boolean() }),
    status: z.object({ id: z.string(), name: z.string() }),
  }),
});
const RoleScope = z.object({ type: z.literal("PROJECT"), project: z.object({ id: z.string(), key: z.string(), name: z.string() }) });
const RoleDetails = z.object({
  self: z.string(),
  name: z.string(),
  id: z.number(),
  description: z.string(),
  admin: z.boolean(),
  default: z.boolean(),
  roleConfigurable: z.boolean(),
  translatedName: z.string(),
  scope: RoleScope,
});
const ProjectRole = RoleDetails.omit({ default: true }).extend({
  actors: z.array(
    z.object({
      id: z.number(),
      displayName: z.string(),
      type: z.literal("atlassian-user-role-actor"),
      actorUser: z.object({ accountId: z.string() }),
    }),
  ),
});
/**
 * `site`: served at the site's own URL (`/rest/api/3/...` on `https://<site>.atlassian.net`)
 * rather than under the gateway's `/ex/jira/{cloudId}` prefix.
 */
export async function jiraRoutes(app: ZodApp, opts: { plane: ProductPlane; site?: boolean }): Promise<void> {
  const { ctx, tags, authenticate, authorize, actorOf, levelOn, notFound, origin, jiraBase, ensurePlace, person, injectedFaults } = opts.plane;
  const { store } = ctx;
  app.setErrorHandler(errorHandler(ctx.redactor, jiraErrorBody));
  const params = pathParams(opts.site ?? false);
  const RoleParams = params({ projectIdOrKey: z.string().max(255), id: z.string().max(20) });
  const injectFaults = injectedFaults(jiraErrorBody);

  /** A project by id (it must exist) or by key (made on first reference). */
  function project(req: FastifyRequest, idOrKey: string): Place {
    const orgId = req.holder!.orgId;
    const p = NUMERIC.test(idOrKey) ? store.access.placeById("jira", orgId, Number(idOrKey)) : KEY.test(idOrKey) ? ensurePlace("jira", orgId, idOrKey) : undefined;
    if (!p) throw notFound(`No project could be found with key '${idOrKey.slice(0, 20)}'.`);
    return p;
  }

  const jiraUser = (req: FastifyRequest, accountId: string, who: { displayName: string; email: string; kind: Holder["kind"] }) => ({
    self: `${jiraBase(req)}/user?accountId=${encodeURIComponent(accountId)}`,
    accountId,
    accountType: who.kind === "service-account" ? SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE : "atlassian",
    emailAddress: who.email,
    displayName: who.displayName,
    active: true,
    timeZone: "Etc/UTC",
    locale: "en_US",
    avatarUrls: avatars(`${origin(req)}/avatar/${encodeURIComponent(accountId)}`),
  });

  const jiraError = (reply: FastifyReply, status: 400 | 404, message: string) => reply.code(status).send({ errorMessages: [message], errors: {} });
  /** Audits one account added to or removed from a Jira project role, as the caller. */
  const roleMemberChanged = (req: FastifyRequest, added: boolean, projectKey: string, roleId: number, accountId: string) =>
    ctx.audit(req, {
      orgId: req.holder!.orgId,
      action: added ? "project-role.actor-added" : "project-role.actor-removed",
      actor: actorOf(req.holder!),
      target: { type: "jira-project-role", id: `${projectKey}/${roleId}/${accountId}` },
      outcome: "success",
    });
  const roleSelf = (req: FastifyRequest, projectIdOrKey: string, id: number) => `${jiraBase(req)}/project/${projectIdOrKey}/role/${id}`;
  const roleDetails = (req: FastifyRequest, projectIdOrKey: string, p: Place, r: (typeof JIRA_ROLES)[number]) => ({
    self: roleSelf(req, projectIdOrKey, r.id),
    name: r.name,
    id: r.id,
    description: r.description,
    // Jira marks the project's admin role.
    admin: r.level === "admin",
    default: r.level === "viewer",
    roleConfigurable: true,
    translatedName: r.name,
    scope: { type: "PROJECT" as const, project: { id: String(p.id), key: p.key, name: p.key } },
  });
  function projectRole(req: FastifyRequest, projectIdOrKey: string, p: Place, r: (typeof JIRA_ROLES)[number]) {
    const { default: _d, ...details } = roleDetails(req, projectIdOrKey, p, r);
    const actors = store.access
      .grantsOn(req.holder!.orgId, jiraResource(p.key))
      .filter((g) => g.roleId === String(r.id))
      .map((g) => ({ g, who: person(req.holder!.orgId, g.accountId) }))
      .filter((x) => x.who !== undefined)
      .map(({ g, who }) => ({ id: g.seq, displayName: who!.displayName, type: "atlassian-user-role-actor" as const, actorUser: { accountId: g.accountId } }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { ...details, actors };
  }
  const roleOr404 = (id: string) => JIRA_ROLES.find((r) => String(r.id) === id);

  /**
   * What every change of a role's members checks first: the project, the site admin's right to
   * change its roles (with `scopes`), and the role (`undefined` when there is none: each route
   * answers that 404 itself).
   */
  async function roleToChange(req: FastifyRequest, projectIdOrKey: string, id: string, scopes: string[]) {
    const p = project(req, projectIdOrKey);
    const resource = jiraResource(p.key);
    await authorize(req, scopes, resource, "admin", "change a project's roles (Administer Projects)");
    return { p, resource, r: roleOr404(id) };
  }

  app.get(
    "/rest/api/3/project/:projectIdOrKey",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Jira project", params: params({ projectIdOrKey: z.string().max(255) }), response: { 200: JiraProject, ...JIRA_ERRORS } },
    },
    async (req) => {
      const p = project(req, req.params.projectIdOrKey);
      await authorize(req, JIRA_READ, jiraResource(p.key), "viewer", "read Jira projects");
      const self = `${jiraBase(req)}/project/${p.id}`;
      return {
        self,
        id: String(p.id),
        key: p.key,
        name: p.key,
        description: "",
        projectTypeKey: "software",
        simplified: true,
        style: "next-gen",
        isPrivate: false,
        avatarUrls: avatars(`${jiraBase(req)}/universal_avatar/view/type/project/avatar/10400`),
        roles: Object.fromEntries(JIRA_ROLES.map((r) => [r.name, `${self}/role/${r.id}`])),
      };
    },
  );

  app.get(
    "/rest/api/3/project/:projectIdOrKey/role",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A project's roles: name -> URL ending in the role id", params: params({ projectIdOrKey: z.string().max(255) }), response: { 200: z.record(z.string(), z.string()), ...JIRA_ERRORS } },
    },
    async (req) => {
      const { projectIdOrKey } = req.params;
      const p = project(req, projectIdOrKey);
      await authorize(req, JIRA_ROLE_READ, jiraResource(p.key), "admin", "read a project's roles (Administer Projects)");
      return Object.fromEntries(JIRA_ROLES.map((r) => [r.name, roleSelf(req, projectIdOrKey, r.id)]));
    },
  );

  app.get(
    "/rest/api/3/project/:projectIdOrKey/roledetails",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "A project's roles with their details",
        params: params({ projectIdOrKey: z.string().max(255) }),
        querystring: z.object({ currentMember: z.string().optional(), excludeConnectAddons: z.string().optional(), excludeOtherServiceRoles: z.string().optional() }),
        response: { 200: z.array(RoleDetails), ...JIRA_ERRORS },
      },
    },
    async (req) => {
      const { projectIdOrKey } = req.params;
      const p = project(req, projectIdOrKey);
      await authorize(req, JIRA_ROLE_READ, jiraResource(p.key), "admin", "read a project's roles (Administer Projects)");
      let roles = [...JIRA_ROLES];
      if (req.query.currentMember === "true") {
        const mine = new Set(store.access.grantsOf(req.holder!.accountId, jiraResource(p.key)).map((g) => g.roleId));
        roles = roles.filter((r) => mine.has(String(r.id)));
      }
      return roles.map((r) => roleDetails(req, projectIdOrKey, p, r));
    },
  );

  app.get(
    "/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: { tags, summary: "A project role with its actors", params: RoleParams, querystring: z.object({ excludeInactiveUsers: z.string().optional() }), response: { 200: ProjectRole, ...JIRA_ERRORS } },
    },
    async (req, reply) => {
      const { projectIdOrKey, id } = req.params;
      const p = project(req, projectIdOrKey);
      await authorize(req, JIRA_ROLE_READ, jiraResource(p.key), "admin", "read a project's roles (Administer Projects)");
      const r = roleOr404(id);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      return projectRole(req, projectIdOrKey, p, r);
    },
  );

  app.post(
    "/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: {
        tags,
        summary: "Add users to a project role (body {user:[accountId]})",
        params: RoleParams,
        body: z.object({ user: z.array(z.string().max(128)).max(100).optional(), group: z.array(z.string()).optional(), groupId: z.array(z.string()).optional() }),
        response: { 200: ProjectRole, ...JIRA_ERRORS },
      },
    },
    async (req, reply) => {
      // -> 200 ProjectRole. Unknown user or one already in the role: 400 (as Jira).
      const { projectIdOrKey, id } = req.params;
      const { p, resource, r } = await roleToChange(req, projectIdOrKey, id, JIRA_ROLE_WRITE);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      if (req.body.group?.length || req.body.groupId?.length) return jiraError(reply, 400, "This backend has no groups: add users by account id with {\"user\":[accountId]}.");
      const users = req.body.user ?? [];
      if (users.length === 0) return jiraError(reply, 400, "Give at least one account id in \"user\".");
      const orgId = req.holder!.orgId;
      for (const u of users) {
        // Jira: 404 when "a user or group is not found"; so too for an account not grantable yet.
        if (!person(orgId, u, true)) return jiraError(reply, 404, `The user with account ID '${u.slice(0, 128)}' does not exist.`);
        if (store.access.grantsOf(u, resource).some((g) => g.roleId === String(r.id))) {
          return jiraError(reply, 400, `User '${u.slice(0, 128)}' is already a member of the project role.`);
        }
      }
      ctx.mutate(req, reply, 200, () => {
        const now = ctx.now();
        for (const u of users) {
          store.access.addGrant(orgId, { resource, accountId: u, roleId: String(r.id), createdAt: now, updatedAt: now });
          roleMemberChanged(req, true, p.key, r.id, u);
        }
        return undefined;
      });
      return projectRole(req, projectIdOrKey, p, r);
    },
  );

  app.put(
    "/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: {
        tags,
        summary: "Replace a project role's actors (body {categorisedActors:{\"atlassian-user-role-actor\":[accountId]}})",
        params: RoleParams,
        body: z.object({ id: z.number().optional(), categorisedActors: z.record(z.string(), z.array(z.string().max(128)).max(100)) }),
        response: { 200: ProjectRole, ...JIRA_ERRORS },
      },
    },
    async (req, reply) => {
      const { projectIdOrKey, id } = req.params;
      const { p, resource, r } = await roleToChange(req, projectIdOrKey, id, JIRA_ROLE_WRITE);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      const { "atlassian-user-role-actor": users = [], ...others } = req.body.categorisedActors;
      if (Object.values(others).some((v) => v.length > 0)) return jiraError(reply, 400, "This backend has no groups: give only \"atlassian-user-role-actor\".");
      const orgId = req.holder!.orgId;
      for (const u of users) if (!person(orgId, u, true)) return jiraError(reply, 404, `The user with account ID '${u.slice(0, 128)}' does not exist.`);
      ctx.mutate(req, reply, 200, () => {
        const now = ctx.now();
        const wanted = new Set(users);
        const current = store.access.grantsOn(orgId, resource).filter((g) => g.roleId === String(r.id));
        for (const g of current.filter((g) => !wanted.has(g.accountId))) {
          store.access.removeGrantBySeq(g.seq);
          roleMemberChanged(req, false, p.key, r.id, g.accountId);
        }
        const have = new Set(current.map((g) => g.accountId));
        for (const u of wanted) {
          if (have.has(u)) continue;
          store.access.addGrant(orgId, { resource, accountId: u, roleId: String(r.id), createdAt: now, updatedAt: now });
          roleMemberChanged(req, true, p.key, r.id, u);
        }
        return undefined;
      });
      return projectRole(req, projectIdOrKey, p, r);
    },
  );

  app.delete(
    "/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: {
        tags,
        summary: "Remove a user from a project role (?user=accountId)",
        params: RoleParams,
        querystring: z.object({ user: z.string().max(128).optional(), group: z.string().optional(), groupId: z.string().optional() }),
        response: { 204: z.null(), ...JIRA_ERRORS },
      },
    },
    async (req, reply) => {
      const { projectIdOrKey, id } = req.params;
      const { p, resource, r } = await roleToChange(req, projectIdOrKey, id, JIRA_ROLE_DELETE);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      const { user } = req.query;
      if (req.query.group !== undefined || req.query.groupId !== undefined) return jiraError(reply, 400, "This backend has no groups: remove a user with ?user=<accountId>.");
      if (!user) return jiraError(reply, 400, "Give the account id to remove as ?user=<accountId>.");
      const orgId = req.holder!.orgId;
      if (!store.access.grantsOf(user, resource).some((g) => g.roleId === String(r.id))) {
        return jiraError(reply, 404, `User '${user.slice(0, 128)}' is not a member of the project role.`);
      }
      ctx.mutate(req, reply, 204, () => {
        store.access.removeGrants(orgId, resource, user, { roleId: String(r.id) });
        roleMemberChanged(req, false, p.key, r.id, user);
        return undefined;
      });
      return reply.send(null);
    },
  );

  app.get(
    "/rest/api/3/myself",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The calling user",
        params: params({}),
        querystring: z.object({ expand: z.string().max(200).optional() }),
        response: { 200: JiraUser, ...JIRA_ERRORS },
      },
    },
    async (req) => {
      const h = req.holder!;
      await authorize(req, USER_READ, null, "viewer", "read the current user");
      return jiraUser(req, h.accountId, { displayName: h.displayName, email: h.email, kind: h.kind });
    },
  );

  app.get(
    "/rest/api/3/user",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A user by account id", params: params({}), querystring: z.object({ accountId: z.string().max(128), expand: z.string().max(200).optional() }), response: { 200: JiraUser, ...JIRA_ERRORS } },
    },
    async (req, reply) => {
      await authorize(req, USER_READ, null, "viewer", "read users");
      const who = person(req.holder!.orgId, req.query.accountId);
      if (!who) return jiraError(reply, 404, "Specified user does not exist or you do not have required permissions");
      return jiraUser(req, req.query.accountId, who);
    },
  );

  app.post(
    "/rest/api/3/issue",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Jira issue",
        params: params({}),
        body: z.object({ fields: z.object({ project: z.object({ key: z.string().max(255).optional(), id: z.string().max(20).optional() }), summary: z.string().min(1).max(255) }).passthrough() }).passthrough(),
        response: { 201: z.object({ id: z.string(), key: z.string(), self: z.string() }), ...JIRA_ERRORS },
      },
    },
    async (req, reply) => {
      const ref = req.body.fields.project.key ?? req.body.fields.project.id ?? "";
      const p = project(req, ref);
      await authorize(req, JIRA_WRITE, jiraResource(p.key), "editor", "create Jira issues");
      const orgId = req.holder!.orgId;
      const issue = store.transaction(() => {
        const n = store.nextCounter(orgId, `jira:${p.key}`);
        const id = String(10000 + store.nextCounter(orgId, "jira:issue-id"));
        return store.insertItem(orgId, "jira-issue", { id, key: `${p.key}-${n}`, placeKey: p.key, title: req.body.fields.summary, createdAt: ctx.now() });
      });
      reply.code(201);
      return { id: issue.id, key: issue.key, self: `${jiraBase(req)}/issue/${issue.id}` };
    },
  );

  app.get(
    "/rest/api/3/issue/:issueIdOrKey",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Read a Jira issue by id or key",
        params: params({ issueIdOrKey: z.string().max(255) }),
        querystring: z.object({ fields: z.string().max(2000).optional(), expand: z.string().max(200).optional() }).passthrough(),
        response: { 200: JiraIssue, ...JIRA_ERRORS },
      },
    },
    async (req, reply) => {
      // Jira answers an issue the caller may not see as it answers one that does not exist.
      const missing = () => jiraError(reply, 404, "Issue does not exist or you do not have permission to see it.");
      const issue = store.item(req.holder!.orgId, "jira-issue", req.params.issueIdOrKey);
      if (!issue) return missing();
      const h = req.holder!;
      await authorize(req, JIRA_READ, null, "viewer", "read Jira issues");
      // Any role on the project reads its issues (as GET project); without one, Jira's 404.
      if (!levelOn(h, jiraResource(issue.placeKey))) return missing();
      const p = ensurePlace("jira", h.orgId, issue.placeKey);
      const self = `${jiraBase(req)}/issue/${issue.id}`;
      return {
        id: issue.id,
        key: issue.key,
        self,
        fields: {
          summary: issue.title,
          created: issue.createdAt,
          updated: issue.createdAt,
          project: { id: String(p.id), key: p.key, name: p.key, self: `${jiraBase(req)}/project/${p.id}` },
          issuetype: { id: "10001", name: "Task", subtask: false },
          status: { id: "10000", name: "To Do" },
        },
      };
    },
  );
}
