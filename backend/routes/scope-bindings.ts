/** Scope bindings: a service account's role on one Jira project or Confluence space. */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Id, ListQuery, pageOf, ScopeBinding, ScopeBindingCreateParams, ScopeBindingUpdateParams } from "../../sdk/schemas";
import type { Context, ZodApp } from "../context";
import { ApiError, notFound } from "../errors";
import { AccountParams, throwNotFound } from "./service-accounts";

const BindingParams = AccountParams.extend({ bindingId: Id });

export function scopeBindingRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const tags = ["scope bindings"];
  const accountOr404 = (orgId: string, id: string) => store.account(orgId, id) ?? throwNotFound(id);
  const bindingOr404 = (id: string, bindingId: string) => store.binding(id, bindingId) ?? (() => { throw notFound(`scope binding ${bindingId}`); })();

  app.post(
    "/service-accounts/:id/scope-bindings",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Grant access to a project or space", params: AccountParams, body: ScopeBindingCreateParams, response: { 201: ScopeBinding } },
    },
    async (req, reply) =>
      // -> 201 ScopeBinding; one per account and resource (409 conflict.bindingExists).
      ctx.mutate(req, reply, 201, () => {
        const { orgId, id } = req.params;
        accountOr404(orgId, id);
        const existing = store.bindingByResource(id, req.body.resource);
        if (existing) {
          throw new ApiError(409, "conflict.bindingExists", `this service account already has binding ${existing.id} on ${req.body.resource}; update its role instead`, "/resource");
        }
        const now = ctx.now();
        const b = store.insertBinding(orgId, { id: randomUUID(), serviceAccountId: id, resource: req.body.resource, role: req.body.role, createdAt: now, updatedAt: now });
        ctx.audit(req, { orgId, action: "scope-binding.created", target: { type: "scope-binding", id: b.id }, outcome: "success" });
        return b;
      }),
  );

  app.get(
    "/service-accounts/:id/scope-bindings",
    {
      config: { admin: true, scope: "read:service-accounts:admin" },
      schema: { tags, summary: "List a service account's bindings", params: AccountParams, querystring: ListQuery, response: { 200: pageOf(ScopeBinding) } },
    },
    async (req) => {
      const { orgId, id } = req.params;
      accountOr404(orgId, id);
      const p = ctx.page(req, `${orgId}/${id}/scope-bindings`, req.query, (after, limit) => store.listBindings(id, after, limit));
      return { items: p.items, links: p.next ? { next: p.next } : {}, total: p.total };
    },
  );

  app.get(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { admin: true, scope: "read:service-accounts:admin" },
      schema: { tags, summary: "Get a binding", params: BindingParams, response: { 200: ScopeBinding } },
    },
    async (req) => {
      accountOr404(req.params.orgId, req.params.id);
      return bindingOr404(req.params.id, req.params.bindingId);
    },
  );

  app.patch(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Change a binding's role", params: BindingParams, body: ScopeBindingUpdateParams, response: { 200: ScopeBinding } },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 200, () => {
        const { orgId, id, bindingId } = req.params;
        accountOr404(orgId, id);
        bindingOr404(id, bindingId);
        const b = store.updateBinding(id, bindingId, req.body.role, ctx.now())!;
        ctx.audit(req, { orgId, action: "scope-binding.updated", target: { type: "scope-binding", id: bindingId }, outcome: "success" });
        return b;
      }),
  );

  app.delete(
    "/service-accounts/:id/scope-bindings/:bindingId",
    {
      config: { admin: true, scope: "write:service-accounts:admin" },
      schema: { tags, summary: "Remove a binding", params: BindingParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, id, bindingId } = req.params;
        accountOr404(orgId, id);
        if (!store.deleteBinding(id, bindingId)) throw notFound(`scope binding ${bindingId}`);
        ctx.audit(req, { orgId, action: "scope-binding.deleted", target: { type: "scope-binding", id: bindingId }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );
}
