/**
 * Org admin API keys: `/api-keys[/{keyId}]`. Only an unscoped key may manage keys. Listing is
 * Atlassian's; creating and deleting are this backend's extensions (`apiKeyExtensions`).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiKey, ApiKeyCreateParams, ApiKeyWithSecret, DAY_MS, Id, ListQuery, pageOf } from "../../sdk/schemas";
import { listBody, type Context, type ZodApp } from "../context";
import { notFound } from "../errors";
import { hashSecret, newAdminKey } from "../secrets";
import { OrgParams } from "./service-accounts";

const KeyParams = OrgParams.extend({ keyId: Id });
const strip = ({ orgId: _o, deleted: _d, ...k }: ApiKey & { orgId: string; deleted: boolean }): ApiKey => k;

const tags = ["api keys"];

/** Atlassian's route: the org's keys, listed. */
export function apiKeyRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;

  app.get(
    "/api-keys",
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "List the org's admin API keys (no secrets)", params: OrgParams, querystring: ListQuery, response: { 200: pageOf(ApiKey) } },
    },
    async (req) => {
      const { orgId } = req.params;
      const p = ctx.page(req, `${orgId}/api-keys`, req.query, (after, limit) => store.listApiKeys(orgId, after, limit));
      return listBody(p, strip);
    },
  );
}

/**
 * The extensions (see `extensions.ts`): Atlassian's org API keys are created in
 * admin.atlassian.com, and revoked by PATCH …/api-keys/revoke/{id}.
 */
export function apiKeyExtensions(app: ZodApp, ctx: Context): void {
  const { store } = ctx;

  app.post(
    "/api-keys",
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Create an org admin API key (its secret is returned once)", params: OrgParams, body: ApiKeyCreateParams, response: { 201: ApiKeyWithSecret } },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 201, () => {
        const { orgId } = req.params;
        const secret = newAdminKey();
        const nowMs = ctx.nowMs();
        const k = store.insertApiKey({
          id: randomUUID(),
          orgId,
          label: req.body.label,
          scopes: req.body.scopes ? [...new Set(req.body.scopes)] : null,
          hash: hashSecret(secret),
          createdAt: new Date(nowMs).toISOString(),
          expiresAt: req.body.expiresInDays === undefined ? null : new Date(nowMs + req.body.expiresInDays * DAY_MS).toISOString(),
        });
        ctx.audit(req, { orgId, action: "api-key.created", target: { type: "api-key", id: k.id }, outcome: "success" });
        return { ...strip(k), token: secret };
      }),
  );

  app.delete(
    "/api-keys/:keyId",
    {
      config: { scope: "unscoped" },
      schema: { tags, summary: "Delete an API key (it stops working at once)", params: KeyParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, keyId } = req.params;
        if (!store.deleteApiKey(orgId, keyId, ctx.now())) throw notFound(`api key ${keyId}`);
        ctx.audit(req, { orgId, action: "api-key.deleted", target: { type: "api-key", id: keyId }, outcome: "success" });
        return undefined;
      });
      return reply.send(null);
    },
  );
}
