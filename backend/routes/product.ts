/**
 * The product plane, as Atlassian's product APIs are called (`/ex/jira/{cloudId}/...`,
 * `/ex/confluence/{cloudId}/...`) with HTTP Basic `<email>:<token>` or `Bearer <token>`: a
 * service account's API token, or a site admin's. Bad, revoked or expired token, deleted or
 * suspended account: 401. Scope or access missing: 403 `{"code":403,"message":...}` saying
 * which. A service account's access follows its role grants (see `backend/access.ts`): any
 * role reads, an editor-level or admin role writes, an admin role manages the project's or
 * space's access. A site admin may do everything. Each use of a service account's token is an
 * audit event and sets the token's lastUsedAt; each change of access is an audit event.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AccessLevel } from "../../sdk/atlassian-assumptions";
import { SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE } from "../../sdk/atlassian-assumptions";
import { atLeast, jiraResource, JIRA_ROLES, levelOf, SPACE_ROLES, spaceResource } from "../access";
import type { Context, ZodApp } from "../context";
import { ApiError } from "../errors";
import { hashSecret, sameHash } from "../secrets";
import { GroupCommit } from "../usage";
import type { OrgRow } from "../store";
import type { Grant, Place } from "../store/access";

/** Who calls the product plane: a service account's token or a site admin's. */
interface Holder {
  orgId: string;
  cloudId: string;
  kind: "service-account" | "site-admin";
  /** The account id Jira and Confluence know the caller by. */
  accountId: string;
  /** The audit actor's id: the service account's id, or the site admin's account id. */
  actorId: string;
  email: string;
  displayName: string;
  /** A service account's token; a site admin's token holds every scope. */
  tokenId?: string;
  scopes: string[] | null;
}

declare module "fastify" {
  interface FastifyRequest {
    holder?: Holder;
  }
}

const KEY = /^[A-Z][A-Z0-9]{1,9}$/;
const SPACE_KEY = /^~?[A-Za-z0-9]{1,255}$/;
const NUMERIC = /^\d{1,15}$/;
const CloudParams = z.object({ cloudId: z.string().max(200) });
/** 401, 403 and 404 of the product plane, in the shape of Atlassian's product APIs. */
const Message = z.object({ code: z.number(), message: z.string() });
const DENIALS = { 401: Message, 403: Message, 404: Message };
/** Jira's error body (`errorMessages`), for refusals Jira states that way. */
/** Jira's error body, as its routes declare it for 400. */
export const JiraErrors = z.object({ errorMessages: z.array(z.string()), errors: z.record(z.string(), z.string()) });
const JIRA_DENIALS = { ...DENIALS, 400: JiraErrors, 404: z.union([Message, JiraErrors]) };

const JIRA_READ = ["read:jira-work", "read:project:jira"];
const JIRA_WRITE = ["write:jira-work", "write:issue:jira"];
const JIRA_ROLE_READ = ["read:jira-work", "read:project-role:jira", "manage:jira-project", "manage:jira-configuration"];
const JIRA_ROLE_WRITE = ["manage:jira-project", "manage:jira-configuration", "write:project-role:jira"];
const JIRA_ROLE_DELETE = ["manage:jira-project", "manage:jira-configuration", "delete:project-role:jira"];
const USER_READ = [...JIRA_READ, "read:jira-user", "read:me", "read:account", "read:user:jira"];
const SPACE_READ = ["read:confluence-space.summary", "read:space:confluence"];
const PAGE_WRITE = ["write:confluence-content", "write:page:confluence"];
const SPACE_PERMISSION_READ = ["read:space.permission:confluence", "read:space:confluence", "read:confluence-space.summary"];
const SPACE_PERMISSION_WRITE = ["write:space.permission:confluence", "write:confluence-space"];

/** The v1 operations Atlassian documents as valid pairs (`key` -> targets). */
const V1_OPERATIONS: Record<string, string[]> = {
  create: ["page", "blogpost", "comment", "attachment"],
  read: ["space"],
  delete: ["page", "blogpost", "comment", "attachment", "space"],
  export: ["space"],
  administer: ["space"],
  archive: ["page"],
  restrict_content: ["space"],
};

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
const RoleParams = CloudParams.extend({ projectIdOrKey: z.string().max(255), id: z.string().max(20) });

const SpaceSummary = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  authorId: z.string(),
  createdAt: z.string(),
  homepageId: z.string(),
  description: z.null(),
  icon: z.null(),
  _links: z.object({ webui: z.string() }),
});
const Links = z.object({ next: z.string().optional(), base: z.string() });
const Principal = z.object({ principalType: z.enum(["USER", "GROUP", "ACCESS_CLASS"]), principalId: z.string().min(1).max(128) });
const RoleAssignment = z.object({ principal: Principal, roleId: z.string() });
const SpaceRoleOut = z.object({ id: z.string(), type: z.enum(["SYSTEM", "CUSTOM"]), name: z.string(), description: z.string(), spacePermissions: z.array(z.string()) });
const SpacePermissionOut = z.object({
  id: z.string(),
  principal: z.object({ type: z.enum(["user", "group", "role"]), id: z.string() }),
  operation: z.object({ key: z.string(), targetType: z.string() }),
});
const V1Subject = z.object({ type: z.enum(["user", "group"]), identifier: z.string().min(1).max(128) });
const V1Permission = z.object({ id: z.number(), subject: V1Subject, operation: z.object({ key: z.string(), target: z.string() }), _links: z.object({ base: z.string() }) });
const CursorQuery = z.object({ cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(250).optional() });
const SpaceIdParams = CloudParams.extend({ id: z.string().max(255) });
/** `keys=A,B` or `keys=A&keys=B`, as clients send arrays. */
const csv = z
  .union([z.string().max(4000), z.array(z.string().max(255)).max(250)])
  .optional()
  .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(",")).filter((x) => x !== "")));

/**
 * With `publicOnly`, the two conveniences Atlassian lacks are refused as well: a space key in
 * place of a v2 space id, and a page created by `spaceKey`.
 */
export function productRoutes(app: ZodApp, ctx: Context, publicOnly = false): void {
  const { store } = ctx;
  const usage = new GroupCommit(store);
  // Orgs and their cloud ids are fixed once the server runs (they are seeded at start).
  const sites = new Map<string, OrgRow | undefined>();
  const site = (cloudId: string) => {
    if (!sites.has(cloudId)) {
      if (sites.size > 10_000) sites.clear();
      sites.set(cloudId, store.orgByCloudId(cloudId));
    }
    return sites.get(cloudId);
  };

  // Auth reads of the hot path, valid until the next change (see Context.generation).
  const holders = new Map<string, { gen: number; value: ReturnType<typeof store.tokenHolder> }>();
  const levels = new Map<string, { gen: number; value: AccessLevel | undefined }>();
  const cached = <V>(m: Map<string, { gen: number; value: V }>, k: string, read: () => V): V => {
    const hit = m.get(k);
    if (hit && hit.gen === ctx.generation) return hit.value;
    if (m.size > 10_000) m.clear();
    const value = read();
    m.set(k, { gen: ctx.generation, value });
    return value;
  };

  function denied(req: FastifyRequest, orgId: string, status: 401 | 403, message: string, target: { type: string; id: string }, actor?: { type: "service-account" | "site-admin"; id: string }): ApiError {
    ctx.audit(req, { orgId, action: "request.denied", actor: actor ?? { type: "anonymous", id: "unknown" }, target, outcome: "denied" });
    return new ApiError(status, status === 401 ? "unauthorized" : "forbidden.insufficientScope", message);
  }

  /** 401 unless the request carries a live token of this site's org: a service account's or a site admin's. */
  async function authenticate(req: FastifyRequest): Promise<void> {
    const { cloudId } = (req.params ?? {}) as { cloudId?: string };
    const org = cloudId === undefined ? undefined : site(cloudId);
    if (!org) throw new ApiError(404, "not.found", "no site has this cloud id");
    const target = { type: "site", id: org.cloudId };
    const auth = req.headers.authorization ?? "";
    let email: string | undefined;
    let secret: string | undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (basic) {
      const text = Buffer.from(basic[1]!, "base64").toString("utf8");
      const i = text.indexOf(":");
      if (i > 0) {
        email = text.slice(0, i);
        secret = text.slice(i + 1);
      }
    } else if (bearer) secret = bearer[1];
    if (!secret) throw denied(req, org.id, 401, "Client must be authenticated to access this resource: send Basic <email>:<token>", target);
    const hash = hashSecret(secret);
    const t = cached(holders, hash, () => store.tokenHolder(hash));
    if (!t || !sameHash(t.hash, hash) || t.orgId !== org.id) {
      const admin = store.access.siteAdminByHash(hash);
      if (admin && sameHash(admin.hash, hash) && admin.orgId === org.id) {
        const actor = { type: "site-admin" as const, id: admin.accountId };
        if (email !== undefined && email.toLowerCase() !== admin.email.toLowerCase()) {
          throw denied(req, org.id, 401, "the email does not belong to this token's site admin", target, actor);
        }
        req.holder = { orgId: org.id, cloudId: org.cloudId, kind: "site-admin", accountId: admin.accountId, actorId: admin.accountId, email: admin.email, displayName: admin.displayName, scopes: null };
        return;
      }
      throw denied(req, org.id, 401, "the API token is not valid for this site", target);
    }
    const actor = { type: "service-account" as const, id: t.serviceAccountId };
    if (t.revoked) throw denied(req, org.id, 401, "the API token is revoked", target, actor);
    if (t.expiresAt <= ctx.now()) throw denied(req, org.id, 401, "the API token has expired", target, actor);
    if (t.accountStatus === null) throw denied(req, org.id, 401, "the service account of this token was deleted", target, actor);
    if (t.accountStatus !== "active") throw denied(req, org.id, 401, "the service account of this token is suspended", target, actor);
    if (email !== undefined && email.toLowerCase() !== t.accountEmail!.toLowerCase()) {
      throw denied(req, org.id, 401, "the email does not belong to this token's service account", target, actor);
    }
    req.holder = {
      orgId: org.id,
      cloudId: org.cloudId,
      kind: "service-account",
      accountId: t.productAccountId!,
      actorId: t.serviceAccountId,
      email: t.accountEmail!,
      displayName: t.accountDisplayName!,
      tokenId: t.id,
      scopes: t.scopes,
    };
  }

  const actorOf = (h: Holder) => ({ type: h.kind, id: h.actorId });
  /** Audits one account added to or removed from a Jira project role, as the caller. */
  const roleMemberChanged = (req: FastifyRequest, added: boolean, projectKey: string, roleId: number, accountId: string) =>
    ctx.audit(req, {
      orgId: req.holder!.orgId,
      action: added ? "project-role.actor-added" : "project-role.actor-removed",
      actor: actorOf(req.holder!),
      target: { type: "jira-project-role", id: `${projectKey}/${roleId}/${accountId}` },
      outcome: "success",
    });
  const levelOn = (h: Holder, resource: string): AccessLevel | undefined =>
    h.kind === "site-admin" ? "admin" : cached(levels, `${h.accountId}\n${resource}`, () => levelOf(store.access.grantsOf(h.accountId, resource)));

  /**
   * 403 unless the caller's token holds one of `scopes` and its account at least `level` on
   * `resource` (a site admin holds every scope and is admin everywhere). Records the use.
   */
  async function authorize(req: FastifyRequest, scopes: string[], resource: string | null, level: AccessLevel, what: string): Promise<void> {
    const h = req.holder!;
    const target = resource ? { type: resource.split("/")[0]!, id: resource } : { type: "site", id: h.cloudId };
    if (h.scopes !== null && !scopes.some((s) => h.scopes!.includes(s))) {
      throw denied(req, h.orgId, 403, `the token lacks a scope to ${what}: it needs ${scopes.join(" or ")}`, target, actorOf(h));
    }
    if (resource) {
      const have = levelOn(h, resource);
      if (!have) throw denied(req, h.orgId, 403, `the service account holds no role on ${resource}`, target, actorOf(h));
      if (!atLeast(have, level)) {
        const need = level === "editor" ? "editor or admin" : level;
        throw denied(req, h.orgId, 403, `the service account's role on ${resource} gives ${have} access; to ${what} it needs ${need}`, target, actorOf(h));
      }
    }
    if (h.tokenId === undefined) return;
    const tokenId = h.tokenId;
    await usage.run(() => {
      store.touchToken(tokenId, ctx.now());
      ctx.audit(req, { orgId: h.orgId, action: "api-token.used", actor: actorOf(h), target: { type: "api-token", id: tokenId }, outcome: "success" });
    });
  }

  const notFound = (message: string) => new ApiError(404, "not.found", message);
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  const jiraBase = (req: FastifyRequest) => `${origin(req)}/ex/jira/${req.holder!.cloudId}/rest/api/3`;
  const wikiBase = (req: FastifyRequest) => `${origin(req)}/ex/confluence/${req.holder!.cloudId}/wiki`;
  const tags = ["product plane"];

  // Projects and spaces are never deleted, so a place once read stays valid: the hot path reads it once.
  const places = new Map<string, Place>();
  const ensurePlace = (kind: "jira" | "confluence", orgId: string, key: string): Place => {
    const k = `${kind}\n${orgId}\n${key}`;
    let p = places.get(k);
    if (!p) {
      if (places.size > 10_000) places.clear();
      p = store.access.ensurePlace(kind, orgId, key, ctx.now());
      places.set(k, p);
    }
    return p;
  };

  /** A project by id (it must exist) or by key (made on first reference). */
  function project(req: FastifyRequest, idOrKey: string): Place {
    const orgId = req.holder!.orgId;
    const p = NUMERIC.test(idOrKey) ? store.access.placeById("jira", orgId, Number(idOrKey)) : KEY.test(idOrKey) ? ensurePlace("jira", orgId, idOrKey) : undefined;
    if (!p) throw notFound(`No project could be found with key '${idOrKey.slice(0, 20)}'.`);
    return p;
  }

  /** A space by numeric id, else by key (made on first reference; an extension of v2, which takes ids only). */
  function space(req: FastifyRequest, idOrKey: string, byKey: "v1" | "extension" = "extension"): Place {
    const orgId = req.holder!.orgId;
    if (publicOnly && byKey === "extension" && !NUMERIC.test(idOrKey)) {
      throw new ApiError(404, "endpoint.notPublic", `Confluence v2 takes a space's numeric id, not the key '${idOrKey.slice(0, 20)}' (a space key here is an extension of this backend, off under --public-only): find the id with GET /wiki/api/v2/spaces?keys=`);
    }
    // All digits is an id (a key of only digits cannot be named here).
    const p = NUMERIC.test(idOrKey)
      ? store.access.placeById("confluence", orgId, Number(idOrKey))
      : SPACE_KEY.test(idOrKey)
        ? ensurePlace("confluence", orgId, idOrKey)
        : undefined;
    if (!p) throw notFound(`No space could be found with id or key '${idOrKey.slice(0, 20)}'.`);
    return p;
  }

  /** Name, email and kind of an account id Jira or Confluence may be told about, or undefined. */
  function person(orgId: string, accountId: string): { displayName: string; email: string; kind: "service-account" | "site-admin" } | undefined {
    const a = store.accountByProductId(orgId, accountId);
    if (a) return { displayName: a.displayName, email: a.email, kind: "service-account" };
    const admin = store.access.siteAdminByAccountId(orgId, accountId);
    return admin && { displayName: admin.displayName, email: admin.email, kind: "site-admin" };
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

  // ----- Jira ---------------------------------------------------------------------------

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
  const avatars = (base: string) => ({ "16x16": `${base}?size=xsmall`, "24x24": `${base}?size=small`, "32x32": `${base}?size=medium`, "48x48": base });

  app.get(
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Jira project", params: CloudParams.extend({ projectIdOrKey: z.string().max(255) }), response: { 200: JiraProject, ...DENIALS } },
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
        avatarUrls: avatars(`${origin(req)}/ex/jira/${req.holder!.cloudId}/rest/api/3/universal_avatar/view/type/project/avatar/10400`),
        roles: Object.fromEntries(JIRA_ROLES.map((r) => [r.name, `${self}/role/${r.id}`])),
      };
    },
  );

  app.get(
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A project's roles: name -> URL ending in the role id", params: CloudParams.extend({ projectIdOrKey: z.string().max(255) }), response: { 200: z.record(z.string(), z.string()), ...DENIALS } },
    },
    async (req) => {
      const { projectIdOrKey } = req.params;
      const p = project(req, projectIdOrKey);
      await authorize(req, JIRA_ROLE_READ, jiraResource(p.key), "admin", "read a project's roles (Administer Projects)");
      return Object.fromEntries(JIRA_ROLES.map((r) => [r.name, roleSelf(req, projectIdOrKey, r.id)]));
    },
  );

  app.get(
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/roledetails",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "A project's roles with their details",
        params: CloudParams.extend({ projectIdOrKey: z.string().max(255) }),
        querystring: z.object({ currentMember: z.string().optional(), excludeConnectAddons: z.string().optional(), excludeOtherServiceRoles: z.string().optional() }),
        response: { 200: z.array(RoleDetails), ...DENIALS },
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
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A project role with its actors", params: RoleParams, querystring: z.object({ excludeInactiveUsers: z.string().optional() }), response: { 200: ProjectRole, ...JIRA_DENIALS } },
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
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Add users to a project role (body {user:[accountId]})",
        params: RoleParams,
        body: z.object({ user: z.array(z.string().max(128)).max(100).optional(), group: z.array(z.string()).optional(), groupId: z.array(z.string()).optional() }),
        response: { 200: ProjectRole, ...JIRA_DENIALS },
      },
    },
    async (req, reply) => {
      // -> 200 ProjectRole. Unknown user or one already in the role: 400 (as Jira).
      const { projectIdOrKey, id } = req.params;
      const p = project(req, projectIdOrKey);
      const resource = jiraResource(p.key);
      await authorize(req, JIRA_ROLE_WRITE, resource, "admin", "change a project's roles (Administer Projects)");
      const r = roleOr404(id);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      if (req.body.group?.length || req.body.groupId?.length) return jiraError(reply, 400, "This backend has no groups: add users by account id with {\"user\":[accountId]}.");
      const users = req.body.user ?? [];
      if (users.length === 0) return jiraError(reply, 400, "Give at least one account id in \"user\".");
      const orgId = req.holder!.orgId;
      for (const u of users) {
        if (!person(orgId, u)) return jiraError(reply, 400, `The user with account ID '${u.slice(0, 128)}' does not exist.`);
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
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Replace a project role's actors (body {categorisedActors:{\"atlassian-user-role-actor\":[accountId]}})",
        params: RoleParams,
        body: z.object({ id: z.number().optional(), categorisedActors: z.record(z.string(), z.array(z.string().max(128)).max(100)) }),
        response: { 200: ProjectRole, ...JIRA_DENIALS },
      },
    },
    async (req, reply) => {
      const { projectIdOrKey, id } = req.params;
      const p = project(req, projectIdOrKey);
      const resource = jiraResource(p.key);
      await authorize(req, JIRA_ROLE_WRITE, resource, "admin", "change a project's roles (Administer Projects)");
      const r = roleOr404(id);
      if (!r) return jiraError(reply, 404, `No project role with id '${id.slice(0, 20)}' exists.`);
      const { "atlassian-user-role-actor": users = [], ...others } = req.body.categorisedActors;
      if (Object.values(others).some((v) => v.length > 0)) return jiraError(reply, 400, "This backend has no groups: give only \"atlassian-user-role-actor\".");
      const orgId = req.holder!.orgId;
      for (const u of users) if (!person(orgId, u)) return jiraError(reply, 400, `The user with account ID '${u.slice(0, 128)}' does not exist.`);
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
    "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role/:id",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Remove a user from a project role (?user=accountId)",
        params: RoleParams,
        querystring: z.object({ user: z.string().max(128).optional(), group: z.string().optional(), groupId: z.string().optional() }),
        response: { 204: z.null(), ...JIRA_DENIALS },
      },
    },
    async (req, reply) => {
      const { projectIdOrKey, id } = req.params;
      const p = project(req, projectIdOrKey);
      const resource = jiraResource(p.key);
      await authorize(req, JIRA_ROLE_DELETE, resource, "admin", "change a project's roles (Administer Projects)");
      const r = roleOr404(id);
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
    "/ex/jira/:cloudId/rest/api/3/myself",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The calling user",
        params: CloudParams,
        querystring: z.object({ expand: z.string().max(200).optional() }),
        response: { 200: JiraUser, ...DENIALS },
      },
    },
    async (req) => {
      const h = req.holder!;
      await authorize(req, USER_READ, null, "viewer", "read the current user");
      return jiraUser(req, h.accountId, { displayName: h.displayName, email: h.email, kind: h.kind });
    },
  );

  app.get(
    "/ex/jira/:cloudId/rest/api/3/user",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A user by account id", params: CloudParams, querystring: z.object({ accountId: z.string().max(128), expand: z.string().max(200).optional() }), response: { 200: JiraUser, ...JIRA_DENIALS } },
    },
    async (req, reply) => {
      await authorize(req, USER_READ, null, "viewer", "read users");
      const who = person(req.holder!.orgId, req.query.accountId);
      if (!who) return jiraError(reply, 404, "Specified user does not exist or you do not have required permissions");
      return jiraUser(req, req.query.accountId, who);
    },
  );

  app.post(
    "/ex/jira/:cloudId/rest/api/3/issue",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Jira issue",
        params: CloudParams,
        body: z.object({ fields: z.object({ project: z.object({ key: z.string().max(255).optional(), id: z.string().max(20).optional() }), summary: z.string().min(1).max(255) }).passthrough() }).passthrough(),
        response: { 201: z.object({ id: z.string(), key: z.string(), self: z.string() }), ...DENIALS },
      },
    },
    async (req, reply) => {
      const ref = req.body.fields.project.key ?? req.body.fields.project.id ?? "";
      const p = project(req, ref);
      await authorize(req, JIRA_WRITE, jiraResource(p.key), "editor", "create Jira issues");
      const n = store.nextCounter(req.holder!.orgId, `jira:${p.key}`);
      const id = String(10000 + store.nextCounter(req.holder!.orgId, "jira:issue-id"));
      reply.code(201);
      return { id, key: `${p.key}-${n}`, self: `${jiraBase(req)}/issue/${id}` };
    },
  );

  // ----- Confluence ---------------------------------------------------------------------

  const spaceOut = (req: FastifyRequest, s: Place) => ({
    id: String(s.id),
    key: s.key,
    name: s.key,
    type: "global",
    status: "current",
    authorId: store.access.firstSiteAdmin(req.holder!.orgId)?.accountId ?? "system",
    createdAt: s.createdAt,
    homepageId: String(s.id * 10 + 1),
    description: null,
    icon: null,
    _links: { webui: `/spaces/${s.key}` },
  });
  const roleTypeOk = (t: string | undefined) => t === undefined || t === "SYSTEM";
  const userPrincipal = (accountId: string) => ({ principalType: "USER" as const, principalId: accountId });
  const roleAssignments = (orgId: string, s: Place) =>
    store.access.grantsOn(orgId, spaceResource(s.key)).filter((g) => g.roleId !== "").map((g) => ({ principal: userPrincipal(g.accountId), roleId: g.roleId }));
  const v1Out = (req: FastifyRequest, g: Grant) => ({
    id: g.seq,
    subject: { type: "user" as const, identifier: g.accountId },
    operation: { key: g.opKey, target: g.opTarget },
    _links: { base: wikiBase(req) },
  });
  function modeRefusal(orgId: string, want: "roles" | "permissions"): string | undefined {
    const mode = store.access.confluenceMode(orgId);
    if (want === "roles" && mode === "PRE_ROLES") return "This site is not in role mode (space-role-mode PRE_ROLES): grant access with v1 space permissions (POST /wiki/rest/api/space/{spaceKey}/permission).";
    if (want === "permissions" && mode === "ROLES") return "This site is in role mode (space-role-mode ROLES): assign a space role with POST /wiki/api/v2/spaces/{id}/role-assignments.";
    return undefined;
  }

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "List spaces the caller can see (?keys=, ?ids=)",
        params: CloudParams,
        querystring: CursorQuery.extend({ keys: csv, ids: csv }).passthrough(),
        response: { 200: z.object({ results: z.array(SpaceSummary), _links: Links }), ...DENIALS },
      },
    },
    async (req) => {
      // Spaces named by key exist from their first reference, as Jira projects do.
      await authorize(req, SPACE_READ, null, "viewer", "read Confluence spaces");
      const h = req.holder!;
      const { keys, ids, limit } = req.query;
      const wanted = new Set<string>();
      for (const k of keys ?? []) if (SPACE_KEY.test(k)) wanted.add(ensurePlace("confluence", h.orgId, k).key);
      for (const i of ids ?? []) {
        const s = NUMERIC.test(i) ? store.access.placeById("confluence", h.orgId, Number(i)) : undefined;
        if (s) wanted.add(s.key);
      }
      const filtered = keys !== undefined || ids !== undefined;
      const query = { ...(keys ? { keys: keys.join(",") } : {}), ...(ids ? { ids: ids.join(",") } : {}), limit: limit ?? 25, cursor: req.query.cursor };
      const p = ctx.page(req, `${h.orgId}/spaces?${query.keys ?? ""}&${query.ids ?? ""}&${h.accountId}`, query, (after, n) => {
        const items: Place[] = [];
        const seqs: number[] = [];
        let from = after;
        // Pages of visible spaces: skip what the caller may not read.
        for (;;) {
          const got = store.access.listPlaces("confluence", h.orgId, from, 200);
          for (const s of got.items) {
            if ((!filtered || wanted.has(s.key)) && levelOn(h, spaceResource(s.key))) {
              items.push(s);
              seqs.push(s.id);
              if (items.length === n) return { items, seqs };
            }
          }
          if (got.items.length < 200) return { items, seqs };
          from = got.seqs.at(-1)!;
        }
      });
      return { results: p.items.map((s) => spaceOut(req, s)), _links: { ...(p.next ? { next: p.next } : {}), base: wikiBase(req) } };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces/:id",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Confluence space (by id; by key as an extension)", params: SpaceIdParams, response: { 200: SpaceSummary, ...DENIALS } },
    },
    async (req) => {
      const s = space(req, req.params.id);
      await authorize(req, SPACE_READ, spaceResource(s.key), "viewer", "read Confluence spaces");
      return spaceOut(req, s);
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/space-role-mode",
    { onRequest: authenticate, schema: { tags, summary: "The site's space-role mode", params: CloudParams, response: { 200: z.object({ mode: z.enum(["PRE_ROLES", "ROLES_TRANSITION", "ROLES"]) }), ...DENIALS } } },
    async (req) => {
      await authorize(req, ["read:configuration:confluence", ...SPACE_PERMISSION_READ], null, "viewer", "read the space-role mode");
      return { mode: store.access.confluenceMode(req.holder!.orgId) };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/space-permissions",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The space permissions roles are made of",
        params: CloudParams,
        querystring: CursorQuery,
        response: { 200: z.object({ results: z.array(z.object({ id: z.string(), displayName: z.string(), description: z.string(), requiredPermissionIds: z.array(z.string()) })), _links: Links }), ...DENIALS },
      },
    },
    async (req) => {
      await authorize(req, SPACE_PERMISSION_READ, null, "viewer", "read space permissions");
      const ids = [...new Set(SPACE_ROLES.flatMap((r) => r.spacePermissions))];
      return {
        results: ids.map((id) => {
          const [key, target] = id.split("/") as [string, string];
          return { id, displayName: `${key.replace("_", " ")} ${target}`, description: `May ${key.replace("_", " ")} ${target === "space" ? "the space" : `${target}s`}.`, requiredPermissionIds: id === "read/space" ? [] : ["read/space"] };
        }),
        _links: { base: wikiBase(req) },
      };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/space-roles",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The site's space roles",
        params: CloudParams,
        querystring: CursorQuery.extend({
          "space-id": z.string().max(20).optional(),
          "role-type": z.enum(["SYSTEM", "CUSTOM"]).optional(),
          "principal-id": z.string().max(128).optional(),
          "principal-type": z.enum(["USER", "GROUP", "ACCESS_CLASS"]).optional(),
        }),
        response: { 200: z.object({ results: z.array(SpaceRoleOut), _links: Links }), ...DENIALS },
      },
    },
    async (req) => {
      await authorize(req, SPACE_PERMISSION_READ, null, "viewer", "read space roles");
      const q = req.query;
      if ((q["principal-id"] === undefined) !== (q["principal-type"] === undefined)) {
        throw new ApiError(400, "validation.failed", "principal-id and principal-type must be given together", q["principal-id"] === undefined ? "/principal-id" : "/principal-type");
      }
      let roles = roleTypeOk(q["role-type"]) ? [...SPACE_ROLES] : [];
      if (q["principal-id"] !== undefined) {
        const orgId = req.holder!.orgId;
        const s = q["space-id"] !== undefined ? space(req, q["space-id"]) : undefined;
        const held = new Set(
          store.access
            .grantsOf(q["principal-id"])
            .filter((g) => g.roleId !== "" && g.resource.startsWith("confluence:") && (s === undefined || g.resource === spaceResource(s.key)))
            .filter(() => q["principal-type"] === "USER" && person(orgId, q["principal-id"]!) !== undefined)
            .map((g) => g.roleId),
        );
        roles = roles.filter((r) => held.has(r.id));
      }
      return { results: roles.map(({ level: _l, ...r }) => ({ ...r, type: "SYSTEM" as const })), _links: { base: wikiBase(req) } };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces/:id/role-assignments",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "A space's role assignments",
        params: SpaceIdParams,
        querystring: CursorQuery.extend({
          "role-id": z.string().max(64).optional(),
          "role-type": z.enum(["SYSTEM", "CUSTOM"]).optional(),
          "principal-id": z.string().max(128).optional(),
          "principal-type": z.enum(["USER", "GROUP", "ACCESS_CLASS"]).optional(),
        }),
        response: { 200: z.object({ results: z.array(RoleAssignment), _links: Links }), ...DENIALS },
      },
    },
    async (req) => {
      const s = space(req, req.params.id);
      await authorize(req, SPACE_PERMISSION_READ, spaceResource(s.key), "viewer", "read a space's role assignments");
      const q = req.query;
      if ((q["principal-id"] === undefined) !== (q["principal-type"] === undefined)) {
        throw new ApiError(400, "validation.failed", "principal-id and principal-type must be given together", q["principal-id"] === undefined ? "/principal-id" : "/principal-type");
      }
      const results = roleAssignments(req.holder!.orgId, s).filter(
        (a) =>
          (q["role-id"] === undefined || a.roleId === q["role-id"]) &&
          roleTypeOk(q["role-type"]) &&
          (q["principal-id"] === undefined || (a.principal.principalId === q["principal-id"] && a.principal.principalType === q["principal-type"])),
      );
      return { results, _links: { base: wikiBase(req) } };
    },
  );

  app.post(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces/:id/role-assignments",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Set or remove principals' roles in a space (array body; omit roleId to remove)",
        params: SpaceIdParams,
        body: z.array(z.object({ principal: Principal, roleId: z.string().max(64).optional() })).min(1).max(100),
        response: { 200: z.object({ results: z.array(RoleAssignment), _links: Links }), ...DENIALS },
      },
    },
    async (req, reply) => {
      // -> 200 the space's assignments of the principals named. A principal holds one role per space.
      const s = space(req, req.params.id);
      const resource = spaceResource(s.key);
      await authorize(req, SPACE_PERMISSION_WRITE, resource, "admin", "manage a space's roles");
      const orgId = req.holder!.orgId;
      const refusal = modeRefusal(orgId, "roles");
      if (refusal) throw new ApiError(400, "validation.failed", refusal);
      req.body.forEach((e, i) => {
        if (e.principal.principalType !== "USER") throw new ApiError(400, "validation.failed", "this backend has only users: principalType must be USER", `/${i}/principal/principalType`);
        if (!person(orgId, e.principal.principalId)) throw new ApiError(400, "validation.failed", `no user has account id ${e.principal.principalId}`, `/${i}/principal/principalId`);
        if (e.roleId !== undefined && !SPACE_ROLES.some((r) => r.id === e.roleId)) {
          throw new ApiError(400, "validation.failed", `no space role has id ${e.roleId}; list them with GET /wiki/api/v2/space-roles`, `/${i}/roleId`);
        }
      });
      ctx.mutate(req, reply, 200, () => {
        const now = ctx.now();
        for (const e of req.body) {
          const who = e.principal.principalId;
          const before = store.access.grantsOf(who, resource).filter((g) => g.roleId !== "");
          if (e.roleId !== undefined && before.length === 1 && before[0]!.roleId === e.roleId) continue;
          store.access.removeGrants(orgId, resource, who, { roles: true });
          if (e.roleId !== undefined) {
            store.access.addGrant(orgId, { resource, accountId: who, roleId: e.roleId, createdAt: before[0]?.createdAt ?? now, updatedAt: now });
          }
          if (e.roleId !== undefined || before.length > 0) {
            ctx.audit(req, {
              orgId,
              action: e.roleId === undefined ? "space-role.unassigned" : "space-role.assigned",
              actor: actorOf(req.holder!),
              target: { type: "confluence-space-role", id: `${s.key}/${e.roleId ?? before[0]!.roleId}/${who}` },
              outcome: "success",
            });
          }
        }
        return undefined;
      });
      const named = new Set(req.body.map((e) => e.principal.principalId));
      return { results: roleAssignments(orgId, s).filter((a) => named.has(a.principal.principalId)), _links: { base: wikiBase(req) } };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces/:id/permissions",
    {
      onRequest: authenticate,
      schema: { tags, summary: "A space's v1 permission assignments (ids for the v1 DELETE)", params: SpaceIdParams, querystring: CursorQuery, response: { 200: z.object({ results: z.array(SpacePermissionOut), _links: Links }), ...DENIALS } },
    },
    async (req) => {
      const s = space(req, req.params.id);
      await authorize(req, SPACE_PERMISSION_READ, spaceResource(s.key), "viewer", "read a space's permissions");
      const orgId = req.holder!.orgId;
      const query = { limit: req.query.limit ?? 25, cursor: req.query.cursor };
      const p = ctx.page(req, `${orgId}/${s.key}/permissions`, query, (after, n) => {
        const rows = store.access.grantsOn(orgId, spaceResource(s.key)).filter((g) => g.roleId === "" && g.seq > after).slice(0, n);
        return { items: rows, seqs: rows.map((g) => g.seq) };
      });
      return {
        results: p.items.map((g) => ({ id: String(g.seq), principal: { type: "user" as const, id: g.accountId }, operation: { key: g.opKey, targetType: g.opTarget } })),
        _links: { ...(p.next ? { next: p.next } : {}), base: wikiBase(req) },
      };
    },
  );

  app.post(
    "/ex/confluence/:cloudId/wiki/rest/api/space/:spaceKey/permission",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Add one v1 space permission",
        params: CloudParams.extend({ spaceKey: z.string().max(255) }),
        body: z.object({ subject: V1Subject, operation: z.object({ key: z.string().max(50), target: z.string().max(50) }), _links: z.unknown().optional() }),
        response: { 200: V1Permission, ...DENIALS },
      },
    },
    async (req, reply) => {
      // -> 200 SpacePermissionV2. Exists already, read/space missing, unknown subject: 400 (as Confluence).
      if (!SPACE_KEY.test(req.params.spaceKey)) throw notFound(`No space with key '${req.params.spaceKey.slice(0, 20)}'.`);
      const s = space(req, req.params.spaceKey, "v1");
      const resource = spaceResource(s.key);
      await authorize(req, SPACE_PERMISSION_WRITE, resource, "admin", "manage a space's permissions");
      const orgId = req.holder!.orgId;
      const refusal = modeRefusal(orgId, "permissions");
      if (refusal) throw new ApiError(400, "validation.failed", refusal);
      const { subject, operation } = req.body;
      if (subject.type !== "user") throw new ApiError(400, "validation.failed", "this backend has only users: subject.type must be user", "/subject/type");
      if (!person(orgId, subject.identifier)) throw new ApiError(400, "validation.failed", `no user has account id ${subject.identifier}`, "/subject/identifier");
      if (!V1_OPERATIONS[operation.key]?.includes(operation.target)) {
        throw new ApiError(400, "validation.failed", `${operation.key}/${operation.target} is not a space permission; valid: ${Object.entries(V1_OPERATIONS).map(([k, t]) => `${k}/${t.join("|")}`).join(", ")}`, "/operation");
      }
      const held = store.access.grantsOf(subject.identifier, resource).filter((g) => g.roleId === "");
      if (held.some((g) => g.opKey === operation.key && g.opTarget === operation.target)) {
        throw new ApiError(400, "validation.failed", `Permission ${operation.key}/${operation.target} already exists for this user in space ${s.key}.`);
      }
      if (!(operation.key === "read" && operation.target === "space") && !held.some((g) => g.opKey === "read" && g.opTarget === "space")) {
        throw new ApiError(400, "validation.failed", "read/space must be granted before any other permission of this user in the space");
      }
      const g = ctx.mutate(req, reply, 200, () => {
        const now = ctx.now();
        const added = store.access.addGrant(orgId, { resource, accountId: subject.identifier, opKey: operation.key, opTarget: operation.target, createdAt: now, updatedAt: now });
        ctx.audit(req, { orgId, action: "space-permission.added", actor: actorOf(req.holder!), target: { type: "confluence-space-permission", id: String(added.seq) }, outcome: "success" });
        return added;
      });
      return v1Out(req, g);
    },
  );

  app.delete(
    "/ex/confluence/:cloudId/wiki/rest/api/space/:spaceKey/permission/:id",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Remove one v1 space permission (read/space takes all of the user's)", params: CloudParams.extend({ spaceKey: z.string().max(255), id: z.string().max(20) }), response: { 204: z.null(), ...DENIALS } },
    },
    async (req, reply) => {
      if (!SPACE_KEY.test(req.params.spaceKey)) throw notFound(`No space with key '${req.params.spaceKey.slice(0, 20)}'.`);
      const s = space(req, req.params.spaceKey, "v1");
      const resource = spaceResource(s.key);
      await authorize(req, SPACE_PERMISSION_WRITE, resource, "admin", "manage a space's permissions");
      const orgId = req.holder!.orgId;
      const g = NUMERIC.test(req.params.id) ? store.access.grantBySeq(orgId, resource, Number(req.params.id)) : undefined;
      if (!g || g.roleId !== "") throw notFound(`No permission with id ${req.params.id.slice(0, 20)} in space ${s.key}.`);
      ctx.mutate(req, reply, 204, () => {
        if (g.opKey === "read" && g.opTarget === "space") store.access.removeGrants(orgId, resource, g.accountId, { permissions: true });
        else store.access.removeGrantBySeq(g.seq);
        ctx.audit(req, { orgId, action: "space-permission.removed", actor: actorOf(req.holder!), target: { type: "confluence-space-permission", id: String(g.seq) }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );

  app.post(
    "/ex/confluence/:cloudId/wiki/api/v2/pages",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Confluence page (spaceId; spaceKey as an extension)",
        params: CloudParams,
        body: z.object({ spaceId: z.string().max(20).optional(), spaceKey: z.string().max(255).optional(), title: z.string().min(1).max(255) }).passthrough(),
        response: { 201: z.object({ id: z.string(), title: z.string(), spaceId: z.string(), spaceKey: z.string(), status: z.string() }), ...DENIALS },
      },
    },
    async (req, reply) => {
      const { spaceId, spaceKey, title } = req.body;
      const ref = spaceId ?? spaceKey ?? "";
      if (!(spaceId !== undefined ? NUMERIC : SPACE_KEY).test(ref)) throw notFound(`No space could be found with key '${ref.slice(0, 20)}'.`);
      const s = space(req, ref);
      await authorize(req, PAGE_WRITE, spaceResource(s.key), "editor", "create Confluence pages");
      const id = String(store.nextCounter(req.holder!.orgId, "confluence:page-id"));
      reply.code(201);
      return { id, title, spaceId: String(s.id), spaceKey: s.key, status: "current" };
    },
  );
}
