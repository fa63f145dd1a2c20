/**
 * Service accounts: `/service-accounts[/{id}]` under the admin base. The public routes (create,
 * list, PATCH, delete) are Atlassian's as the evidence has them: the create body is a display
 * name and a description, Atlassian makes the email (with a random suffix) and the ids, and
 * display names may repeat. Get-by-id and PATCH by id are this backend's extensions
 * (`serviceAccountExtensions`).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import {
  Description,
  DisplayName,
  Id,
  PLAN_QUOTAS,
  SERVICE_ACCOUNT_EMAIL_DOMAIN,
  ExtensionServiceAccount,
  ServiceAccountStatus,
  ExtensionServiceAccountUpdateParams,
  GroupId,
  PermissionRule,
} from "../../sdk/schemas";
import { SERVICE_ACCOUNT_PATCH_ID_FIELD } from "../../sdk/atlassian-assumptions";
import { landsAt } from "../app-access";
import { listBody, type Context, type ZodApp } from "../context";
import { ApiError, invalid, notFound } from "../errors";

export const OrgParams = z.object({ orgId: z.string().max(200) });
export const AccountParams = OrgParams.extend({ id: Id });

/**
 * The create body of Atlassian's documentation: a display name, a description, and the
 * "permission rules and optional additional group memberships" (field names as the sdk
 * assumes them, `SERVICE_ACCOUNT_CREATE_FIELDS`); anything else (`name` included) is a 400.
 */
export const AccountCreateBody = z.strictObject({
  displayName: DisplayName,
  description: Description.optional(),
  permissionRules: z.array(PermissionRule).max(50).optional(),
  additionalGroups: z.array(GroupId).max(50).optional(),
});

/**
 * A service account as Atlassian's list shows it (`atlassianId`, `picture`, `container`,
 * `updatedAt` in epoch milliseconds), plus `accountId` and `createdAt` of this backend. No
 * `name`: that is the extensions' (the email's local part).
 */
export const AccountItem = z.object({
  id: z.string(),
  atlassianId: z.string(),
  accountId: z.string(),
  email: z.string(),
  displayName: z.string(),
  description: z.string(),
  status: ServiceAccountStatus,
  picture: z.string(),
  container: z.string(),
  createdAt: z.string(),
  updatedAt: z.number().int(),
});
export type AccountItem = z.infer<typeof AccountItem>;

/** The body fields that may name the account in the PATCH; `atlassian.patchIdField` says which one the stand-in takes. */
const PATCH_ID_FIELDS = ["serviceAccountId", "id"] as const;
const PatchId = z.string().min(1).max(64);
/** `PATCH /service-accounts`: the account named in the body (by either reading's field, see above), a display name and a description. */
export const AccountPatchBody = z.strictObject({
  serviceAccountId: PatchId.optional(),
  id: PatchId.optional(),
  displayName: DisplayName.optional(),
  description: Description.optional(),
});

/** A public admin list's query: `limit` up to the largest page (`atlassian.maxPageSize`), `cursor`. */
export const AdminListQuery = z.strictObject({
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit must be at least 1").max(1000, "limit is too large").optional(),
  cursor: z.string().max(512).optional(),
});
export const adminPageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), links: z.object({ next: z.string().optional(), prev: z.string().optional() }), total: z.number().int().nonnegative() });

export function listItem(orgId: string, a: ExtensionServiceAccount): AccountItem {
  return {
    id: a.id,
    atlassianId: a.accountId,
    accountId: a.accountId,
    email: a.email,
    displayName: a.displayName,
    description: a.description,
    status: a.status,
    picture: AVATAR,
    container: orgId,
    createdAt: a.createdAt,
    updatedAt: typeof a.updatedAt === "number" ? a.updatedAt : Date.parse(a.updatedAt),
  };
}
const AVATAR = "https://avatar-management.services.atlassian.com/default/48";

/** `<slug of the display name>-<10 random [a-z0-9]>`, as Atlassian's generated addresses look (`…-x1axxw94zz@serviceaccount.atlassian.com`). */
export function generatedLocalPart(displayName: string): string {
  const slug = displayName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30).replace(/-+$/, "") || "sa";
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  // 252 = 7 * 36: bytes at or above it would bias the draw.
  let suffix = "";
  while (suffix.length < 10) for (const b of randomBytes(16)) if (b < 252 && suffix.length < 10) suffix += alphabet[b % 36];
  return `${slug}-${suffix}`;
}

const tags = ["service accounts"];

/** Atlassian's routes: create, list, PATCH with the id in the body, delete. */
export function serviceAccountRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;

  app.post(
    "/service-accounts",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: {
        tags,
        summary: "Create a service account: Atlassian generates its email (with a random suffix) and ids; display names may repeat",
        params: OrgParams,
        body: AccountCreateBody,
        response: { 201: AccountItem },
      },
    },
    async (req, reply) =>
      // -> 201 the list item; 402 (or 409, --atlassian quotaStatus) when the org's plan is full (naming plan and limit). No Idempotency-Key: a repeat makes another account.
      ctx.mutate(req, reply, 201, () => {
        const { orgId } = req.params;
        const { displayName, description, permissionRules, additionalGroups } = req.body;
        const org = store.org(orgId)!;
        // Every group must be the org's (Atlassian: ADMIN-404-10 group not found).
        for (const [i, groupId] of (additionalGroups ?? []).entries()) {
          if (!store.group(orgId, { id: groupId })) throw notFound(`group ${groupId}`, `/additionalGroups/${i}`);
        }
        const quota = PLAN_QUOTAS[org.plan];
        const count = store.countAccounts(orgId);
        if (count >= quota) {
          throw new ApiError(
            Number(ctx.atlassian.quotaStatus),
            "quota.exceeded",
            `the ${org.plan} plan allows ${quota} service accounts per org and this org has ${count}; delete one or move to a larger plan`,
          );
        }
        const now = ctx.now();
        // `name` (the extensions' handle) is the email's local part.
        const name = generatedLocalPart(displayName);
        const a = store.insertAccount(orgId, {
          id: randomUUID(),
          accountId: `712020:${randomUUID()}`,
          name,
          displayName,
          email: `${name}@${SERVICE_ACCOUNT_EMAIL_DOMAIN}`,
          description: description ?? "",
          status: "active",
          createdAt: now,
          updatedAt: now,
        });
        // Kept as sent: a rule whose ARI no product of this site answers to is accepted and
        // grants nothing, as a third party saw Atlassian do with the plain `jira` ARI. It takes
        // effect after --atlassian appAccessDelayMs (see `app-access.ts`).
        store.insertPermissionRules(a.id, permissionRules ?? [], landsAt(ctx));
        for (const groupId of additionalGroups ?? []) store.addMember(groupId, a.accountId, now);
        ctx.audit(req, { orgId, action: "service-account.created", target: { type: "service-account", id: a.id }, outcome: "success" });
        return listItem(orgId, a);
      }),
  );

  app.get(
    "/service-accounts",
    {
      config: { scope: "read:service-accounts:admin" },
      schema: {
        tags,
        summary: "List service accounts (limit 1 to the largest page, 80 by default; links.next to the next page)",
        params: OrgParams,
        querystring: AdminListQuery,
        response: { 200: adminPageOf(AccountItem) },
      },
    },
    async (req) => {
      // Atlassian's shape: {links:{next,prev}, items:[...], total}; `next` absent on the last page.
      const { orgId } = req.params;
      const p = ctx.adminPage(req, `${orgId}/service-accounts?name=`, req.query, (after, limit) => store.listAccounts(orgId, undefined, after, limit));
      return listBody(p, (a) => listItem(orgId, a));
    },
  );

  app.patch(
    "/service-accounts",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: {
        tags,
        summary: `Update a service account's displayName or description (Atlassian's: the account named in the body, by ${SERVICE_ACCOUNT_PATCH_ID_FIELD} unless --atlassian patchIdField says id)`,
        params: OrgParams,
        body: AccountPatchBody,
        response: { 200: z.union([AccountItem, z.object({}).strict()]), 204: z.null() },
      },
    },
    async (req, reply) => {
      // -> as `atlassian.patchReply` says: 200 the account, 204 no body, or 200 `{}` (the evidence shows no reply).
      const form = ctx.atlassian.patchReply;
      const a = ctx.mutate(req, reply, form === "empty" ? 204 : 200, () => {
        const { orgId } = req.params;
        const { serviceAccountId, id: idField, ...patch } = req.body;
        const field = ctx.atlassian.patchIdField;
        const named = { serviceAccountId, id: idField };
        for (const f of PATCH_ID_FIELDS) {
          if (f !== field && named[f] !== undefined) throw invalid(`${f} is not a field of this body: name the account as ${field}`, `/${f}`);
        }
        const id = named[field];
        if (id === undefined) throw invalid(`${field} is required: the id of the account to update`, `/${field}`);
        if (!store.account(orgId, id)) throw notFound(`service account ${id}`, `/${field}`);
        const updated = store.updateAccount(orgId, id, patch, ctx.now())!;
        ctx.audit(req, { orgId, action: "service-account.updated", target: { type: "service-account", id }, outcome: "success" });
        return listItem(orgId, updated);
      });
      if (form === "empty") return reply.send(null);
      return form === "partial" ? {} : a;
    },
  );

  app.delete(
    "/service-accounts/:id",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Delete a service account (revokes its tokens, removes its bindings)", params: AccountParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, id } = req.params;
        if (!store.deleteAccount(orgId, id, ctx.now())) throwNotFound(id);
        ctx.audit(req, { orgId, action: "service-account.deleted", target: { type: "service-account", id }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );
}

/** The extensions (see `extensions.ts`): Atlassian has no get-by-id, and its update is PATCH /service-accounts with the id in the body. */
export function serviceAccountExtensions(app: ZodApp, ctx: Context): void {
  const { store } = ctx;

  app.get(
    "/service-accounts/:id",
    {
      config: { scope: "read:service-accounts:admin" },
      schema: { tags: ["service accounts (extension)"], summary: "Get a service account (extension: Atlassian has no get-by-id)", params: AccountParams, response: { 200: ExtensionServiceAccount } },
    },
    async (req) => store.account(req.params.orgId, req.params.id) ?? throwNotFound(req.params.id),
  );

  app.patch(
    "/service-accounts/:id",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: { tags: ["service accounts (extension)"], summary: "Update displayName, description or status (extension: Atlassian's PATCH has no id in the path)", params: AccountParams, body: ExtensionServiceAccountUpdateParams, response: { 200: ExtensionServiceAccount } },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 200, () => {
        const { orgId, id } = req.params;
        if (!store.account(orgId, id)) throwNotFound(id);
        const a = store.updateAccount(orgId, id, req.body, ctx.now())!;
        ctx.audit(req, { orgId, action: "service-account.updated", target: { type: "service-account", id }, outcome: "success" });
        return a;
      }),
  );
}

export function throwNotFound(id: string, what = "service account"): never {
  throw notFound(`${what} ${id}`);
}
