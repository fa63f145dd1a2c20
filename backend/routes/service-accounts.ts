/** Service accounts: `/service-accounts[/{id}]` under the admin base. */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  Id,
  ListQuery,
  pageOf,
  PLAN_QUOTAS,
  SERVICE_ACCOUNT_EMAIL_DOMAIN,
  ServiceAccount,
  ServiceAccountCreateParams,
  ServiceAccountListItem,
  ServiceAccountPatchParams,
  ServiceAccountUpdateParams,
} from "../../sdk/schemas";
import { SERVICE_ACCOUNT_PATCH_ID_FIELD } from "../../sdk/atlassian-assumptions";
import type { Context, ZodApp } from "../context";
import { ApiError, notFound } from "../errors";

export const OrgParams = z.object({ orgId: z.string().max(200) });
export const AccountParams = OrgParams.extend({ id: Id });

/** Atlassian's list item: its own fields beside ours, `updatedAt` in epoch milliseconds. */
export function listItem(orgId: string, a: ServiceAccount): ServiceAccountListItem {
  return {
    ...a,
    atlassianId: a.accountId,
    picture: AVATAR,
    container: orgId,
    updatedAt: typeof a.updatedAt === "number" ? a.updatedAt : Date.parse(a.updatedAt),
  };
}
const AVATAR = "https://avatar-management.services.atlassian.com/default/48";

export function serviceAccountRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const tags = ["service accounts"];

  app.post(
    "/service-accounts",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Create a service account", params: OrgParams, body: ServiceAccountCreateParams, response: { 201: ServiceAccount } },
    },
    async (req, reply) =>
      // -> 201 ServiceAccount; 409 conflict.nameTaken or quota.exceeded (naming plan and limit).
      ctx.mutate(req, reply, 201, () => {
        const { orgId } = req.params;
        const { name, displayName, description } = req.body;
        if (store.accountByName(orgId, name)) {
          throw new ApiError(409, "conflict.nameTaken", `a service account named "${name}" exists in this org; pick another name`, "/name");
        }
        const org = store.org(orgId)!;
        const quota = PLAN_QUOTAS[org.plan];
        const count = store.countAccounts(orgId);
        if (count >= quota) {
          throw new ApiError(
            409,
            "quota.exceeded",
            `the ${org.plan} plan allows ${quota} service accounts per org and this org has ${count}; delete one or move to a larger plan`,
          );
        }
        const now = ctx.now();
        const a = store.insertAccount(orgId, {
          id: randomUUID(),
          accountId: `712020:${randomUUID()}`,
          name,
          displayName: displayName ?? name,
          email: `${name}@${SERVICE_ACCOUNT_EMAIL_DOMAIN}`,
          description: description ?? "",
          status: "active",
          createdAt: now,
          updatedAt: now,
        });
        ctx.audit(req, { orgId, action: "service-account.created", target: { type: "service-account", id: a.id }, outcome: "success" });
        return a;
      }),
  );

  app.get(
    "/service-accounts",
    {
      config: { admin: true, scope: "read:service-accounts:admin" },
      schema: {
        tags,
        summary: "List service accounts (optionally by exact name)",
        params: OrgParams,
        querystring: ListQuery.extend({ name: z.string().max(100).optional() }),
        response: { 200: pageOf(ServiceAccountListItem) },
      },
    },
    async (req) => {
      // Atlassian's shape: {links:{next,prev}, items:[...], total}; `next` absent on the last page.
      const { orgId } = req.params;
      const { name } = req.query;
      const p = ctx.page(req, `${orgId}/service-accounts?name=${name ?? ""}`, req.query, (after, limit) =>
        store.listAccounts(orgId, name, after, limit),
      );
      return { items: p.items.map((a) => listItem(orgId, a)), links: p.next ? { next: p.next } : {}, total: p.total };
    },
  );

  app.patch(
    "/service-accounts",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: {
        tags,
        summary: `Update a service account's displayName or description (Atlassian's: the account named by ${SERVICE_ACCOUNT_PATCH_ID_FIELD} in the body)`,
        params: OrgParams,
        body: ServiceAccountPatchParams,
        response: { 200: ServiceAccountListItem },
      },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 200, () => {
        const { orgId } = req.params;
        const { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: id, ...patch } = req.body;
        if (!store.account(orgId, id)) throw notFound(`service account ${id}`, `/${SERVICE_ACCOUNT_PATCH_ID_FIELD}`);
        const a = store.updateAccount(orgId, id, patch, ctx.now())!;
        ctx.audit(req, { orgId, action: "service-account.updated", target: { type: "service-account", id }, outcome: "success" });
        return listItem(orgId, a);
      }),
  );

  app.get(
    "/service-accounts/:id",
    {
      config: { admin: true, scope: "read:service-accounts:admin" },
      schema: { tags: ["service accounts (extension)"], summary: "Get a service account (extension: Atlassian has no get-by-id)", params: AccountParams, response: { 200: ServiceAccount } },
    },
    async (req) => store.account(req.params.orgId, req.params.id) ?? throwNotFound(req.params.id),
  );

  app.patch(
    "/service-accounts/:id",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: { tags: ["service accounts (extension)"], summary: "Update displayName, description or status (extension: Atlassian's PATCH has no id in the path)", params: AccountParams, body: ServiceAccountUpdateParams, response: { 200: ServiceAccount } },
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

  app.delete(
    "/service-accounts/:id",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
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

export function throwNotFound(id: string, what = "service account"): never {
  throw notFound(`${what} ${id}`);
}
