/**
 * The org directory's groups, as Atlassian's Organizations API v2 has them (evidence:
 * `shared/reference/atlassian-evidence-groups-tokens-audit.md` §1, [doc] from clients generated
 * from Atlassian's spec): under `/admin/v2/orgs/{orgId}/directories/{directoryId}`, create a
 * group, search groups, add and remove a member, search a group's members, and read a user's
 * role assignments (app access; `roleAssignmentRoutes`). `directoryId`
 * may be `-` (every directory the key manages) or the org's one directory, `ORG_DIRECTORY_ID`.
 * Two liberties, both harmless to a client written for Atlassian: the create answers the group
 * (the spec copies show no body; the sdk reads none), and an unknown group is Atlassian's
 * generic `ADMIN-404-1`, not the `ADMIN-404-10` its spec names.
 *
 * Whether a service account can be added to a group after its creation is not settled: a
 * third party saw Atlassian refuse it ("service accounts are not directory users", 404
 * `ADMIN-404-8` User not found), and the create adds groups fine. The switch
 * `groupAddAfterCreate` plays both readings (default `refused`). Atlassian prints no scope for
 * the group operations: they take an unscoped key, as here (the role-assignment read names
 * `read:directories:admin`).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { GroupId } from "../../sdk/schemas";
import { landedRules, resourceOwnerOf } from "../app-access";
import { linksOf, type Context, type ZodApp } from "../context";
import { ApiError, notFound } from "../errors";
import type { DirectoryGroup } from "../store";
import { AdminListQuery, OrgParams } from "./service-accounts";

/** The root of the directory routes. */
export const DIRECTORY_BASE = "/admin/v2/orgs/:orgId/directories/:directoryId";
/** The one directory each org of this backend has (besides `-`, every directory). */
export const ORG_DIRECTORY_ID = "default";

const DirectoryParams = OrgParams.extend({ directoryId: z.string().min(1).max(100) });
const GroupParams = DirectoryParams.extend({ groupId: GroupId });
const MemberParams = GroupParams.extend({ accountId: z.string().min(1).max(128) });

const GroupName = z.string().trim().min(1, "name must not be empty").max(255, "name is at most 255 characters");
const GroupCreateBody = z.object({ name: GroupName, description: z.string().max(1000).optional() });
/** Atlassian's search body: every field optional; `groupIds` and `groupNames` exclude each other. */
const GroupSearchBody = z.object({
  groupIds: z.array(GroupId).max(100).optional(),
  groupNames: z.array(GroupName).max(100).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(512).optional(),
});
const MembershipBody = z.strictObject({ accountId: z.string().min(1).max(128) });
const UserSearchBody = z.object({
  groupIds: z.array(GroupId).max(100).optional(),
  accountIds: z.array(z.string().min(1).max(128)).max(100).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(512).optional(),
});

/** A group as Atlassian's search lists it. */
export const GroupItem = z.object({ id: z.string(), name: z.string(), description: z.string(), directoryId: z.string() });
const GroupsPage = z.object({ data: z.array(GroupItem), links: z.object({ next: z.string().optional() }) });
const DirectoryUser = z.object({ accountId: z.string(), accountType: z.string(), name: z.string(), groups: z.array(z.string()) });
const UsersPage = z.object({ data: z.array(DirectoryUser), links: z.object({ next: z.string().optional() }) });
const UserParams = DirectoryParams.extend({ accountId: z.string().min(1).max(128) });
/** Atlassian's `MultiDirectoryUserRoleAssignment` page. `userDirectoryStatus`: the account's status (the stand-in's choice of values). */
const RoleAssignmentsPage = z.object({
  data: z.array(
    z.object({
      resourceId: z.string(),
      resourceOwner: z.string().nullable(),
      roleAssignments: z.array(z.object({ role: z.string(), roleAssignmentMethods: z.array(z.enum(["direct", "group_direct", "inferred"])) })),
      directoryId: z.string(),
      userDirectoryStatus: z.string(),
    }),
  ),
  links: z.object({ next: z.string().optional() }),
});

const tags = ["directory groups"];
const itemOf = (g: DirectoryGroup) => ({ id: g.id, name: g.name, description: g.description, directoryId: ORG_DIRECTORY_ID });

/** Atlassian's group routes (public: registered in the Atlassian scope of `admin.ts`). */
export function directoryGroupRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const directory = (directoryId: string) => {
    if (directoryId !== "-" && directoryId !== ORG_DIRECTORY_ID) throw notFound(`directory ${directoryId}`);
  };
  const groupOf = (orgId: string, groupId: string) => store.group(orgId, { id: groupId }) ?? throwGroupNotFound(groupId);

  app.post(
    `${DIRECTORY_BASE}/groups`,
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Create a group", params: DirectoryParams, body: GroupCreateBody, response: { 201: GroupItem } },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 201, () => {
        const { orgId, directoryId } = req.params;
        directory(directoryId);
        if (store.group(orgId, { name: req.body.name })) throw new ApiError(409, "conflict.nameTaken", `a group named ${JSON.stringify(req.body.name)} exists`, "/name");
        const g = store.insertGroup(orgId, { id: randomUUID(), name: req.body.name, description: req.body.description ?? "", createdAt: ctx.now() });
        ctx.audit(req, { orgId, action: "group.created", target: { type: "group", id: g.id }, outcome: "success" });
        return itemOf(g);
      }),
  );

  app.post(
    `${DIRECTORY_BASE}/groups/search`,
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Search groups by id or name (all of the org's when neither is given)", params: DirectoryParams, body: GroupSearchBody, response: { 200: GroupsPage } },
    },
    async (req) => {
      const { orgId, directoryId } = req.params;
      directory(directoryId);
      const { groupIds, groupNames } = req.body;
      if (groupIds && groupNames) throw new ApiError(400, "validation.failed", "groupIds and groupNames exclude each other: send one", "/groupNames");
      const all = store.groups(orgId);
      const found = all.filter((g) => (groupIds ? groupIds.includes(g.id) : groupNames ? groupNames.includes(g.name) : true));
      return { data: found.slice(0, req.body.limit ?? 100).map(itemOf), links: {} };
    },
  );

  app.post(
    `${DIRECTORY_BASE}/groups/:groupId/memberships`,
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Add a user to a group (a service account: see groupAddAfterCreate)", params: GroupParams, body: MembershipBody, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, directoryId, groupId } = req.params;
        directory(directoryId);
        const g = groupOf(orgId, groupId);
        const { accountId } = req.body;
        const account = store.accountByProductId(orgId, accountId);
        // The only users of this directory are its service accounts (and the site admin, not a member of any group).
        if (!account || ctx.atlassian.groupAddAfterCreate === "refused") throwUserNotFound(accountId);
        if (store.addMember(g.id, accountId, ctx.now())) {
          ctx.audit(req, { orgId, action: "group-membership.added", target: { type: "group", id: g.id }, outcome: "success" });
        }
        return undefined;
      });
      return reply.send(null);
    },
  );

  app.delete(
    `${DIRECTORY_BASE}/groups/:groupId/memberships/:accountId`,
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Remove a user from a group", params: MemberParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, directoryId, groupId, accountId } = req.params;
        directory(directoryId);
        const g = groupOf(orgId, groupId);
        if (!store.removeMember(g.id, accountId)) throwUserNotFound(accountId);
        ctx.audit(req, { orgId, action: "group-membership.removed", target: { type: "group", id: g.id }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );

  app.post(
    `${DIRECTORY_BASE}/users/search`,
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Search the directory's users, by group and account id (a membership test: both)", params: DirectoryParams, body: UserSearchBody, response: { 200: UsersPage } },
    },
    async (req) => {
      const { orgId, directoryId } = req.params;
      directory(directoryId);
      const { groupIds, accountIds } = req.body;
      for (const id of groupIds ?? []) groupOf(orgId, id);
      let ids = groupIds ? [...new Set(groupIds.flatMap((id) => store.membersOf(id)))] : undefined;
      if (accountIds) ids = ids ? ids.filter((id) => accountIds.includes(id)) : accountIds;
      const users = (ids ?? []).flatMap((id) => {
        const a = store.accountByProductId(orgId, id);
        return a ? [{ accountId: a.accountId, accountType: "app", name: a.displayName, groups: store.groupsOf(a.accountId) }] : [];
      });
      return { data: users.slice(0, req.body.limit ?? 100), links: {} };
    },
  );

  roleAssignmentRoutes(app, ctx, directory);
}

/**
 * Atlassian's documented read of a user's app access, `GET …/users/{accountId}/role-assignments`
 * ([doc] jira.js `getUserRoleAssignments`; scope `read:directories:admin`), for a service account
 * by its atlassianId: its LANDED permission rules (`app-access.ts`), one entry per resource,
 * roles verbatim, each `direct`. Whether Atlassian answers it for a service account is
 * unsettled (a third party saw the group routes refuse them as "not directory users"): the
 * switch `roleAssignmentsRead` plays both (`userNotFound`: the group add's 404 `ADMIN-404-8`).
 * Of the documented query, `limit` and `cursor`; the filters are not served (a 400 names them).
 */
function roleAssignmentRoutes(app: ZodApp, ctx: Context, directory: (directoryId: string) => void): void {
  const { store } = ctx;
  app.get(
    `${DIRECTORY_BASE}/users/:accountId/role-assignments`,
    {
      config: { scope: "read:directories:admin" },
      schema: {
        tags,
        summary: "A user's role assignments (app access), by resource; a service account by its atlassianId (see roleAssignmentsRead)",
        params: UserParams,
        querystring: AdminListQuery,
        response: { 200: RoleAssignmentsPage },
      },
    },
    async (req) => {
      const { orgId, directoryId, accountId } = req.params;
      directory(directoryId);
      const account = store.accountByProductId(orgId, accountId);
      if (!account || ctx.atlassian.roleAssignmentsRead === "userNotFound") throwUserNotFound(accountId);
      // One entry per resource, in the order its first landed rule was given (that rule's seq pages it).
      const byResource = new Map<string, { seq: number; roles: string[] }>();
      for (const r of landedRules(store.permissionRules(account.id), ctx.nowMs())) {
        const entry = byResource.get(r.resource) ?? { seq: r.seq, roles: [] };
        entry.roles.push(r.role);
        byResource.set(r.resource, entry);
      }
      const entries = [...byResource].map(([resourceId, e]) => ({ resourceId, ...e }));
      const p = ctx.adminPage(req, `${orgId}/${account.id}/role-assignments`, req.query, (after, limit) => {
        const items = entries.filter((e) => e.seq > after).slice(0, limit);
        return { items, seqs: items.map((e) => e.seq) };
      });
      return {
        data: p.items.map((e) => ({
          resourceId: e.resourceId,
          resourceOwner: resourceOwnerOf(e.resourceId),
          roleAssignments: e.roles.map((role) => ({ role, roleAssignmentMethods: ["direct" as const] })),
          directoryId: ORG_DIRECTORY_ID,
          userDirectoryStatus: account.status,
        })),
        links: linksOf(p.next),
      };
    },
  );
}

function throwGroupNotFound(groupId: string): never {
  throw new ApiError(404, "not.found", `group ${groupId} was not found`);
}

/** Atlassian's answer for an account that is not a user of the directory (`ADMIN-404-8` User not found). */
function throwUserNotFound(accountId: string): never {
  throw new ApiError(404, "user.notFound", `User not found: ${accountId} is not a user of this directory (service accounts are not directory users)`);
}
