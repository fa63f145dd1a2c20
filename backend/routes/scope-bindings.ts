/**
 * Scope bindings (an extension: Atlassian has no such API): a service account's level on one
 * Jira project or Confluence space, as a view of its role grants (see `backend/access.ts`).
 * Creating a binding adds the default role membership for its role, changing the role moves
 * the account to that role's default, deleting removes every grant the account holds there.
 */
import { z } from "zod";
import { Id, ListQuery, pageOf, ScopeBinding, ScopeBindingCreateParams, ScopeBindingUpdateParams } from "../../sdk/schemas";
import { bindingsOf, grantDefault } from "../access";
import { listBody, type Context, type ZodApp } from "../context";
import { ApiError, notFound } from "../errors";
import { AccountParams, throwNotFound } from "./service-accounts";

const BindingParams = AccountParams.extend({ bindingId: Id });

export function scopeBindingRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const tags = ["scope bindings (extension)"];
  const accountOr404 = (orgId: string, id: string) => store.account(orgId, id) ?? throwNotFound(id);
  const strip = ({ seq: _s, ...b }: ScopeBinding & { seq: number }): ScopeBinding => b;
  const bindingOr404 = (account: { id: string; accountId: string }, bindingId: string) => {
    const b = bindingsOf(store, account).find((x) => x.id === bindingId);
    if (!b) throw notFound(`scope binding ${bindingId}`);
    return b;
  };

  app.post(
    "/service-accounts/:id/scope-bindings",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Grant access to a project or space (its default role for the level)", params: AccountParams, body: ScopeBindingCreateParams, response: { 201: ScopeBinding } },
    },
    async (req, reply) =>
      // -> 201 ScopeBinding; one per account and resource (409 conflict.bindingExists).
      ctx.mutate(req, reply, 201, () => {
        const { orgId, id } = req.params;
        const account = accountOr404(orgId, id);
        const existing = bindingsOf(store, account).find((b) => b.resource === req.body.resource);
        if (existing) {
          throw new ApiError(409, "conflict.bindingExists", `this service account already has binding ${existing.id} on ${req.body.resource}; update its role instead`, "/resource");
        }
        const now = ctx.now();
        grantDefault(store, orgId, account.accountId, req.body.resource, req.body.role, now, now);
        const b = bindingsOf(store, account).find((x) => x.resource === req.body.resource)!;
        ctx.audit(req, { orgId, action: "scope-binding.created", target: { type: "scope-binding", id: b.id }, outcome: "success" });
        return strip(b);
      }),
  );

  app.get(
    "/service-accounts/:id/scope-bindings",
    {
      config: { scope: "read:service-accounts:admin" },
      schema: { tags, summary: "List a service account's bindings", params: AccountParams, querystring: ListQuery, response: { 200: pageOf(ScopeBinding) } },
    },
    async (req) => {
      const { orgId, id } = req.params;
      const account = accountOr404(orgId, id);
      const p = ctx.page(req, `${orgId}/${id}/scope-bindings`, req.query, (after, limit) => {
        const all = bindingsOf(store, account);
        const items = all.filter((b) => b.seq > after).slice(0, limit);
        return { items: items.map(strip), seqs: items.map((b) => b.seq), total: all.length };
      });
      return listBody(p, (b) => b);
    },
  );

  app.get(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { scope: "read:service-accounts:admin" },
      schema: { tags, summary: "Get a binding", params: BindingParams, response: { 200: ScopeBinding } },
    },
    async (req) => strip(bindingOr404(accountOr404(req.params.orgId, req.params.id), req.params.bindingId)),
  );

  app.patch(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Change a binding's role (moves the account to that role's default)", params: BindingParams, body: ScopeBindingUpdateParams, response: { 200: ScopeBinding } },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 200, () => {
        const { orgId, id, bindingId } = req.params;
        const account = accountOr404(orgId, id);
        const old = bindingOr404(account, bindingId);
        store.access.removeGrants(orgId, old.resource, account.accountId);
        grantDefault(store, orgId, account.accountId, old.resource, req.body.role, old.createdAt, ctx.now());
        ctx.audit(req, { orgId, action: "scope-binding.updated", target: { type: "scope-binding", id: bindingId }, outcome: "success" });
        return strip(bindingOr404(account, bindingId));
      }),
  );

  app.delete(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Remove a binding (every grant of the account on that resource)", params: BindingParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, id, bindingId } = req.params;
        const account = accountOr404(orgId, id);
        const b = bindingOr404(account, bindingId);
        store.access.removeGrants(orgId, b.resource, account.accountId);
        ctx.audit(req, { orgId, action: "scope-binding.deleted", target: { type: "scope-binding", id: bindingId }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );
}
