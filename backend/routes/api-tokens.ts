/**
 * API tokens of a service account: `/service-accounts/{id}/api-tokens[/{tokenId}]`. Listing
 * them and revoking all are Atlassian's; minting one, reading one and revoking one are this
 * backend's extensions (`apiTokenExtensions`).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiToken, type ApiToken as ApiTokenObject, ApiTokenCreateParams, ApiTokenListItem, ApiTokenWithSecret, DAY_MS, Id, TOKEN_MAX_DAYS } from "../../sdk/schemas";
import { listBody, type Context, type ZodApp } from "../context";
import { invalid, notFound } from "../errors";
import { hashSecret, newTokenSecret } from "../secrets";
import { AccountParams, AdminListQuery, adminPageOf, OrgParams, throwNotFound } from "./service-accounts";

const TokenParams = AccountParams.extend({ tokenId: Id });
/** The documented token routes' account: an admin id, or an atlassianId (`712020:<uuid>`). */
export const DocumentedAccountParams = OrgParams.extend({ id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_:-]+$/, "not a valid id") });

/**
 * The account of Atlassian's documented `/service-accounts/{id}/…` routes (tokens, OAuth
 * clients): by the admin `id`, or by the `atlassianId` (`atlassian.tokenPathId`); the
 * evidence does not say which, and the other answers 404.
 */
export const documentedAccount = (ctx: Context, orgId: string, id: string) =>
  (ctx.atlassian.tokenPathId === "atlassianId" ? ctx.store.accountByProductId(orgId, id) : ctx.store.account(orgId, id)) ?? throwNotFound(id);

/**
 * A token as Atlassian's lists show it: its last use under the assumed `lastActiveAt`, or,
 * when the stand-in plays a list without it (`--atlassian tokenListLastUsed=absent`), under no name at all.
 */
const listItem = (ctx: Context, t: ApiTokenObject) => {
  if (ctx.atlassian.tokenListLastUsed === "absent") {
    const { lastUsedAt: _omit, ...rest } = t;
    return rest;
  }
  return { ...t, lastActiveAt: t.lastUsedAt };
};
const ListedToken = ApiTokenListItem.extend({ lastUsedAt: ApiTokenListItem.shape.lastUsedAt.optional(), lastActiveAt: ApiTokenListItem.shape.lastActiveAt.optional() });

const tags = ["api tokens"];

/** Atlassian's routes: a service account's tokens (or the org's) listed, and all of an account's revoked. */
export function apiTokenRoutes(app: ZodApp, ctx: Context): void {
  const { store } = ctx;

  app.get(
    "/service-accounts/:id/api-tokens",
    {
      config: { scope: "read:service-accounts-tokens:admin" },
      schema: {
        tags,
        summary: "List a service account's tokens (no secrets; ?tokenLabel= filters by exact label; the path takes the id or the atlassianId, as --atlassian tokenPathId says)",
        params: DocumentedAccountParams,
        querystring: AdminListQuery.extend({ tokenLabel: z.string().max(100).optional() }),
        response: { 200: adminPageOf(ListedToken) },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const { tokenLabel } = req.query;
      const { id } = documentedAccount(ctx, orgId, req.params.id);
      const p = ctx.adminPage(req, `${orgId}/${id}/api-tokens?${tokenLabel ?? ""}`, req.query, (after, limit) =>
        store.listTokens(id, after, limit, ctx.now(), tokenLabel),
      );
      return listBody(p, (t) => listItem(ctx, t));
    },
  );

  app.get(
    "/service-accounts/api-tokens",
    {
      config: { scope: "read:service-accounts-tokens:admin" },
      schema: {
        tags,
        summary: "List the tokens of every service account of the org (no secrets; ?tokenLabel= filters by exact label)",
        params: OrgParams,
        querystring: AdminListQuery.extend({ tokenLabel: z.string().max(100).optional() }),
        response: { 200: adminPageOf(ListedToken) },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const { tokenLabel } = req.query;
      const p = ctx.adminPage(req, `${orgId}/api-tokens?${tokenLabel ?? ""}`, req.query, (after, limit) => store.listOrgTokens(orgId, after, limit, ctx.now(), tokenLabel));
      return listBody(p, (t) => listItem(ctx, t));
    },
  );

  app.delete(
    "/service-accounts/:id/api-tokens",
    {
      config: { scope: "delete:service-accounts-tokens:admin" },
      schema: { tags, summary: "Revoke every token of the service account (the path takes the id or the atlassianId, as --atlassian tokenPathId says)", params: DocumentedAccountParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId } = req.params;
        const { id } = documentedAccount(ctx, orgId, req.params.id);
        for (const t of store.revokeTokens(id, undefined, ctx.now())) {
          ctx.audit(req, { orgId, action: "api-token.revoked", target: { type: "api-token", id: t }, outcome: "success" });
        }
        return undefined;
      });
      return reply.send(null);
    },
  );
}

/**
 * The extensions (see `extensions.ts`): Atlassian has no API that creates a service account's
 * token (its console does), and lists an account's tokens and revokes all of them, never one.
 */
export function apiTokenExtensions(app: ZodApp, ctx: Context): void {
  const { store } = ctx;
  const accountOr404 = (orgId: string, id: string) => store.account(orgId, id) ?? throwNotFound(id);

  app.post(
    "/service-accounts/:id/api-tokens",
    {
      config: { scope: "write:service-accounts-tokens:admin" },
      schema: {
        tags,
        summary: "Mint a token: the only response that carries its secret",
        params: AccountParams,
        body: ApiTokenCreateParams,
        response: { 201: ApiTokenWithSecret },
      },
    },
    async (req, reply) =>
      // -> 201 ApiToken + token (the secret, this once). Unknown scope: 400 at /scopes/i.
      ctx.mutate(req, reply, 201, () => {
        const { orgId, id } = req.params;
        const account = accountOr404(orgId, id);
        const nowMs = ctx.nowMs();
        let expiresAt: string;
        if (req.body.expiresAt !== undefined) {
          const t = Date.parse(req.body.expiresAt);
          if (!(t > nowMs) || t > nowMs + TOKEN_MAX_DAYS * DAY_MS) {
            throw invalid(`expiresAt must be in the future and within ${TOKEN_MAX_DAYS} days`, "/expiresAt");
          }
          expiresAt = new Date(t).toISOString();
        } else {
          expiresAt = new Date(nowMs + req.body.expiresInDays! * DAY_MS).toISOString();
        }
        const secret = newTokenSecret();
        const t = store.insertToken(orgId, {
          id: randomUUID(),
          serviceAccountId: account.id,
          label: req.body.label,
          scopes: req.body.scopes,
          hash: hashSecret(secret),
          createdAt: new Date(nowMs).toISOString(),
          expiresAt,
        });
        ctx.audit(req, { orgId, action: "api-token.created", target: { type: "api-token", id: t.id }, outcome: "success" });
        return { ...t, token: secret };
      }),
  );

  app.get(
    "/service-accounts/:id/api-tokens/:tokenId",
    {
      config: { scope: "read:service-accounts-tokens:admin" },
      schema: { tags, summary: "Get a token (no secret)", params: TokenParams, response: { 200: ApiToken } },
    },
    async (req) => {
      const { orgId, id, tokenId } = req.params;
      accountOr404(orgId, id);
      const t = store.token(id, tokenId, ctx.now());
      if (!t) throw notFound(`api token ${tokenId}`);
      return t;
    },
  );

  app.delete(
    "/service-accounts/:id/api-tokens/:tokenId",
    {
      config: { scope: "delete:service-accounts-tokens:admin" },
      schema: { tags, summary: "Revoke a token (revoking twice is fine)", params: TokenParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const { orgId, id, tokenId } = req.params;
        accountOr404(orgId, id);
        if (!store.token(id, tokenId, ctx.now())) throw notFound(`api token ${tokenId}`);
        for (const t of store.revokeTokens(id, tokenId, ctx.now())) {
          ctx.audit(req, { orgId, action: "api-token.revoked", target: { type: "api-token", id: t }, outcome: "success" });
        }
        return undefined;
      });
      return reply.send(null);
    },
  );
}
