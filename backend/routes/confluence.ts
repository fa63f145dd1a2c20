/**
 * Confluence as the product plane serves it (`/ex/confluence/{cloudId}/wiki/...`): spaces,
 * the site's space-role mode, space roles and role assignments (v2), v1 space permissions,
 * pages. Refusals as the caller's token and grants decide (see `product-plane.ts`); each
 * change of access is an audit event.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { spaceResource, SPACE_ROLES } from "../access";
import { linksOf, type ZodApp } from "../context";
import { errorHandler } from "../error-handler";
import { ApiError } from "../errors";
import type { Grant, Place } from "../store/access";
import { CONFLUENCE_ERRORS, CONFLUENCE_V1_ERRORS, confluenceErrorBody, confluenceV1ErrorBody, NUMERIC, pathParams, SPACE_KEY, type ProductPlane } from "./product-plane";

const SPACE_READ = ["read:confluence-space.summary", "read:space:confluence"];
const PAGE_READ = ["read:confluence-content.all", "read:confluence-content.summary", "read:page:confluence"];
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
const PageOut = z.object({
  id: z.string(),
  status: z.string(),
  title: z.string(),
  spaceId: z.string(),
  parentId: z.string(),
  parentType: z.string(),
  authorId: z.string(),
  createdAt: z.string(),
  version: z.object({ number: z.number(), createdAt: z.string() }),
  _links: z.object({ webui: z.string(), base: z.string() }),
});
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
/** `keys=A,B` or `keys=A&keys=B`, as clients send arrays. */
const csv = z
  .union([z.string().max(4000), z.array(z.string().max(255)).max(250)])
  .optional()
  .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(",")).filter((x) => x !== "")));

/**
 * With `publicOnly`, the two conveniences Atlassian lacks are refused as well: a space key in
 * place of a v2 space id, and a page created by `spaceKey`.
 */
export async function confluenceRoutes(app: ZodApp, opts: { plane: ProductPlane; site?: boolean }): Promise<void> {
  const { ctx, publicOnly, tags, confluenceMode, authenticate, authorize, actorOf, levelOn, notFound, wikiBase, ensurePlace, person, injectedFaults } = opts.plane;
  const { store } = ctx;
  app.setErrorHandler(errorHandler(ctx.redactor, confluenceErrorBody));
  const params = pathParams(opts.site ?? false);
  const SpaceIdParams = params({ id: z.string().max(255) });
  const injectFaults = injectedFaults(confluenceErrorBody);

  /** The space a v1 permission is added to or removed from (by key), once the site admin may manage its permissions. */
  async function permissionSpace(req: FastifyRequest, spaceKey: string): Promise<{ s: Place; resource: string; orgId: string }> {
    if (!SPACE_KEY.test(spaceKey)) throw notFound(`No space with key '${spaceKey.slice(0, 20)}'.`);
    const s = space(req, spaceKey, "v1");
    const resource = spaceResource(s.key);
    await authorize(req, SPACE_PERMISSION_WRITE, resource, "admin", "manage a space's permissions");
    return { s, resource, orgId: req.holder!.orgId };
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
    const mode = confluenceMode(orgId);
    if (want === "roles" && mode === "PRE_ROLES") return "This site is not in role mode (space-role-mode PRE_ROLES): grant access with v1 space permissions (POST /wiki/rest/api/space/{spaceKey}/permission).";
    if (want === "permissions" && mode === "ROLES") return "This site is in role mode (space-role-mode ROLES): assign a space role with POST /wiki/api/v2/spaces/{id}/role-assignments.";
    return undefined;
  }

  app.get(
    "/wiki/api/v2/spaces",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "List spaces the caller can see (?keys=, ?ids=)",
        params: params({}),
        querystring: CursorQuery.extend({ keys: csv, ids: csv }).passthrough(),
        response: { 200: z.object({ results: z.array(SpaceSummary), _links: Links }), ...CONFLUENCE_ERRORS },
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
      return { results: p.items.map((s) => spaceOut(req, s)), _links: { ...linksOf(p.next), base: wikiBase(req) } };
    },
  );

  app.get(
    "/wiki/api/v2/spaces/:id",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Confluence space (by id; by key as an extension)", params: SpaceIdParams, response: { 200: SpaceSummary, ...CONFLUENCE_ERRORS } },
    },
    async (req) => {
      const s = space(req, req.params.id);
      await authorize(req, SPACE_READ, spaceResource(s.key), "viewer", "read Confluence spaces");
      return spaceOut(req, s);
    },
  );

  app.get(
    "/wiki/api/v2/space-role-mode",
    { onRequest: authenticate, schema: { tags, summary: "The site's space-role mode", params: params({}), response: { 200: z.object({ mode: z.enum(["PRE_ROLES", "ROLES_TRANSITION", "ROLES"]) }), ...CONFLUENCE_ERRORS } } },
    async (req) => {
      await authorize(req, ["read:configuration:confluence", ...SPACE_PERMISSION_READ], null, "viewer", "read the space-role mode");
      // A site without role-based access control has no such endpoint (`atlassian.roleModeEndpoint: absent`).
      if (ctx.atlassian.roleModeEndpoint === "absent") throw notFound("No space role mode on this site: it has no role-based access control.");
      return { mode: confluenceMode(req.holder!.orgId) };
    },
  );

  app.get(
    "/wiki/api/v2/space-permissions",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The space permissions roles are made of",
        params: params({}),
        querystring: CursorQuery,
        response: { 200: z.object({ results: z.array(z.object({ id: z.string(), displayName: z.string(), description: z.string(), requiredPermissionIds: z.array(z.string()) })), _links: Links }), ...CONFLUENCE_ERRORS },
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
    "/wiki/api/v2/space-roles",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "The site's space roles",
        params: params({}),
        querystring: CursorQuery.extend({
          "space-id": z.string().max(20).optional(),
          "role-type": z.enum(["SYSTEM", "CUSTOM"]).optional(),
          "principal-id": z.string().max(128).optional(),
          "principal-type": z.enum(["USER", "GROUP", "ACCESS_CLASS"]).optional(),
        }),
        response: { 200: z.object({ results: z.array(SpaceRoleOut), _links: Links }), ...CONFLUENCE_ERRORS },
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
    "/wiki/api/v2/spaces/:id/role-assignments",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
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
        response: { 200: z.object({ results: z.array(RoleAssignment), _links: Links }), ...CONFLUENCE_ERRORS },
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
    "/wiki/api/v2/spaces/:id/role-assignments",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: {
        tags,
        summary: "Set or remove principals' roles in a space (array body; omit roleId to remove)",
        params: SpaceIdParams,
        body: z.array(z.object({ principal: Principal, roleId: z.string().max(64).optional() })).min(1).max(100),
        response: { 200: z.object({ results: z.array(RoleAssignment), _links: Links }), ...CONFLUENCE_ERRORS },
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
        // An unknown account, or one not grantable yet: 404, as Confluence answers a principal it cannot find.
        if (!person(orgId, e.principal.principalId, true)) throw notFound(`No user could be found with account id ${e.principal.principalId}.`);
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
    "/wiki/api/v2/spaces/:id/permissions",
    {
      onRequest: authenticate,
      preHandler: injectFaults,
      schema: { tags, summary: "A space's v1 permission assignments (ids for the v1 DELETE)", params: SpaceIdParams, querystring: CursorQuery, response: { 200: z.object({ results: z.array(SpacePermissionOut), _links: Links }), ...CONFLUENCE_ERRORS } },
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
        _links: { ...linksOf(p.next), base: wikiBase(req) },
      };
    },
  );

  // Confluence's v1 REST API answers in its own error body.
  await app.register(async (v1: ZodApp) => {
    v1.setErrorHandler(errorHandler(ctx.redactor, confluenceV1ErrorBody));
    const injectV1Faults = injectedFaults(confluenceV1ErrorBody);

    v1.post(
      "/wiki/rest/api/space/:spaceKey/permission",
      {
        onRequest: authenticate,
        preHandler: injectV1Faults,
        schema: {
          tags,
          summary: "Add one v1 space permission",
          params: params({ spaceKey: z.string().max(255) }),
          body: z.object({ subject: V1Subject, operation: z.object({ key: z.string().max(50), target: z.string().max(50) }), _links: z.unknown().optional() }),
          response: { 200: V1Permission, ...CONFLUENCE_V1_ERRORS },
        },
      },
      async (req, reply) => {
        // -> 200 SpacePermissionV2. Exists already, read/space missing, unknown subject: 400 (as Confluence).
        const { s, resource, orgId } = await permissionSpace(req, req.params.spaceKey);
        const refusal = modeRefusal(orgId, "permissions");
        if (refusal) throw new ApiError(400, "validation.failed", refusal);
        const { subject, operation } = req.body;
        if (subject.type !== "user") throw new ApiError(400, "validation.failed", "this backend has only users: subject.type must be user", "/subject/type");
        if (!person(orgId, subject.identifier, true)) throw notFound(`No user could be found with account id ${subject.identifier}.`);
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

    v1.delete(
      "/wiki/rest/api/space/:spaceKey/permission/:id",
      {
        onRequest: authenticate,
        preHandler: injectV1Faults,
        schema: { tags, summary: "Remove one v1 space permission (read/space takes all of the user's)", params: params({ spaceKey: z.string().max(255), id: z.string().max(20) }), response: { 204: z.null(), ...CONFLUENCE_V1_ERRORS } },
      },
      async (req, reply) => {
        const { s, resource, orgId } = await permissionSpace(req, req.params.spaceKey);
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
  });

  app.post(
    "/wiki/api/v2/pages",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Confluence page (spaceId; spaceKey as an extension)",
        params: params({}),
        body: z.object({ spaceId: z.string().max(20).optional(), spaceKey: z.string().max(255).optional(), title: z.string().min(1).max(255) }).passthrough(),
        response: { 201: z.object({ id: z.string(), title: z.string(), spaceId: z.string(), spaceKey: z.string(), status: z.string() }), ...CONFLUENCE_ERRORS },
      },
    },
    async (req, reply) => {
      const { spaceId, spaceKey, title } = req.body;
      const ref = spaceId ?? spaceKey ?? "";
      if (!(spaceId !== undefined ? NUMERIC : SPACE_KEY).test(ref)) throw notFound(`No space could be found with key '${ref.slice(0, 20)}'.`);
      const s = space(req, ref);
      await authorize(req, PAGE_WRITE, spaceResource(s.key), "editor", "create Confluence pages");
      const orgId = req.holder!.orgId;
      const page = store.transaction(() => {
        const id = String(store.nextCounter(orgId, "confluence:page-id"));
        return store.insertItem(orgId, "confluence-page", { id, key: id, placeKey: s.key, title, createdAt: ctx.now() });
      });
      reply.code(201);
      return { id: page.id, title, spaceId: String(s.id), spaceKey: s.key, status: "current" };
    },
  );

  app.get(
    "/wiki/api/v2/pages/:id",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Read a Confluence page by id",
        params: params({ id: z.string().max(20) }),
        querystring: z.object({ "body-format": z.string().max(50).optional() }).passthrough(),
        response: { 200: PageOut, ...CONFLUENCE_ERRORS },
      },
    },
    async (req) => {
      // A page the caller may not see is answered as one that does not exist (Confluence's 404).
      const missing = () => notFound(`No page could be found with id ${req.params.id.slice(0, 20)}.`);
      const page = NUMERIC.test(req.params.id) ? store.item(req.holder!.orgId, "confluence-page", req.params.id) : undefined;
      if (!page) throw missing();
      const h = req.holder!;
      await authorize(req, PAGE_READ, null, "viewer", "read Confluence pages");
      if (!levelOn(h, spaceResource(page.placeKey))) throw missing();
      const s = ensurePlace("confluence", h.orgId, page.placeKey);
      return {
        id: page.id,
        status: "current",
        title: page.title,
        spaceId: String(s.id),
        parentId: String(s.id * 10 + 1),
        parentType: "page",
        authorId: store.access.firstSiteAdmin(h.orgId)?.accountId ?? "system",
        createdAt: page.createdAt,
        version: { number: 1, createdAt: page.createdAt },
        _links: { webui: `/spaces/${s.key}/pages/${page.id}`, base: wikiBase(req) },
      };
    },
  );
}
