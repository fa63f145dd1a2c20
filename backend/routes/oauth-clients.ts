/**
 * OAuth 2.0 clients of service accounts, under the admin base.
 *
 * - `GET /oauth-clients?pageSize=&cursor=`: Atlassian's public list ([doc]), its shape as
 *   documented: `{data:[{clientId,name,createdAt,updatedAt,status}], links:{self,next,prev}}`,
 *   times in epoch milliseconds, cursors bare. No service account in an item.
 * - `GET /service-accounts/{id}/oauth-clients`: one account's clients ([3p]: the shape is
 *   not published; the stand-in answers the org list's shape, see `OAUTH_CLIENT_ACCOUNT_LINK`);
 *   the path takes the id the token routes take (`--atlassian tokenPathId`).
 * - `POST /service-accounts/{id}/oauth-clients` `{name}`: an EXTENSION (Atlassian creates a
 *   client in an admin session only), so tests and benchmarks can give an account a client.
 *   No secret is made: nothing here uses one.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { OAUTH_CLIENT_STATUS_ACTIVE } from "../../sdk/atlassian-assumptions";
import type { Context, ZodApp } from "../context";
import { ApiError } from "../errors";
import type { OAuthClientRecord } from "../store";
import { DocumentedAccountParams, documentedAccount } from "./api-tokens";
import { AccountParams, OrgParams, throwNotFound } from "./service-accounts";

/** A client as Atlassian's list shows it. */
const OAuthClientItem = z.object({
  clientId: z.string(),
  name: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  status: z.string(),
});
const OAuthClientPage = z.object({
  data: z.array(OAuthClientItem),
  links: z.object({ self: z.string().optional(), next: z.string().optional(), prev: z.string().optional() }),
});
const PageQuery = z.strictObject({
  pageSize: z.coerce.number().int("pageSize must be a whole number").min(1, "pageSize must be at least 1").optional(),
  cursor: z.string().max(512).optional(),
});
const CreateBody = z.strictObject({ name: z.string().trim().min(1, "name must be 1-255 characters").max(255, "name must be 1-255 characters") });

const item = (c: OAuthClientRecord): z.infer<typeof OAuthClientItem> => ({
  clientId: c.clientId,
  name: c.name,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  status: c.status,
});

export function oauthClientRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const tags = ["oauth clients"];

  /** One page in Atlassian's shape: `pageSize` up to the largest page, bare cursors in `links`. */
  const page = (req: Parameters<Context["page"]>[0], list: string, q: z.infer<typeof PageQuery>, account: string | undefined, orgId: string) => {
    const max = ctx.atlassian.maxPageSize;
    if (q.pageSize !== undefined && q.pageSize > max) throw new ApiError(400, "validation.failed", `pageSize must be 1-${max}`, "/pageSize");
    const p = ctx.page(req, list, { limit: q.pageSize, cursor: q.cursor }, (after, limit) => store.listOAuthClients(orgId, account, after, limit), "cursor", Math.min(50, max));
    return { data: p.items.map(item), links: { ...(q.cursor ? { self: q.cursor } : {}), ...(p.next ? { next: p.next } : {}) } };
  };

  app.get(
    "/oauth-clients",
    {
      config: { scope: "read:service-accounts-tokens:admin" },
      schema: { tags, summary: "List the org's OAuth 2.0 clients (no secrets; times in epoch ms)", params: OrgParams, querystring: PageQuery, response: { 200: OAuthClientPage } },
    },
    async (req) => page(req, `${req.params.orgId}/oauth-clients`, req.query, undefined, req.params.orgId),
  );

  app.get(
    "/service-accounts/:id/oauth-clients",
    {
      config: { scope: "read:service-accounts-tokens:admin" },
      schema: {
        tags,
        summary: "List a service account's OAuth 2.0 clients (the path takes the id or the atlassianId, as --atlassian tokenPathId says)",
        params: DocumentedAccountParams,
        querystring: PageQuery,
        response: { 200: OAuthClientPage },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const { id } = documentedAccount(ctx, orgId, req.params.id);
      return page(req, `${orgId}/${id}/oauth-clients`, req.query, id, orgId);
    },
  );

}

/** EXTENSION: gives an account a client (Atlassian creates one in an admin session only); registered by `extensionRoutes`. */
export function oauthClientExtensions(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const tags = ["oauth clients"];
  app.post(
    "/service-accounts/:id/oauth-clients",
    {
      config: { scope: "write:service-accounts-tokens:admin" },
      schema: {
        tags,
        summary: "Give a service account an OAuth 2.0 client (no secret is made)",
        params: AccountParams,
        body: CreateBody,
        response: { 201: OAuthClientItem.extend({ serviceAccountId: z.string() }) },
      },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 201, () => {
        const { orgId, id } = req.params;
        const account = store.account(orgId, id) ?? throwNotFound(id);
        const nowMs = ctx.nowMs();
        const c = store.insertOAuthClient(orgId, {
          clientId: randomBytes(16).toString("base64url"),
          serviceAccountId: account.id,
          name: req.body.name,
          status: OAUTH_CLIENT_STATUS_ACTIVE,
          createdAt: nowMs,
          updatedAt: nowMs,
        });
        ctx.audit(req, { orgId, action: "oauth-client.created", target: { type: "oauth-client", id: c.clientId }, outcome: "success" });
        return { ...item(c), serviceAccountId: c.serviceAccountId };
      }),
  );
}
