/**
 * Routes of Atlassian's user-management API and of its ADMIN CONSOLE, which name no
 * `/admin/api-access/v1/orgs/{orgId}` base:
 *
 * - `userManagementRoutes`, Atlassian's documented single revoke
 *   (`DELETE /users/{accountId}/manage/api-tokens/{tokenId}`), in Atlassian's public scope;
 * - `consoleRoutes`, routes the admin console uses and Atlassian does NOT publish or support
 *   (the token mint, the service-account invite), in their own scope (`admin.ts`): served only
 *   when the backend is started with `consoleRoutes: true` (`serve --console-routes`), tagged
 *   "console" in /openapi.json, never among the extensions (`--public-only` does not turn them
 *   off: a stand-in that plays Atlassian plays its console too when asked).
 *
 * Both take an UNSCOPED org key, as the evidence has it ([3p-obs] crewlet; a scoped key: 403),
 * and answer in Atlassian's admin error body. The account in `/users/{accountId}` is a
 * service account's `atlassianId`; the org is the key's. Shapes and sources:
 * `shared/reference/atlassian-evidence-groups-tokens-audit.md` §2-3.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ConsoleInviteParams } from "../sdk/resources/console";
import { DAY_MS, Scopes, TOKEN_MAX_DAYS } from "../sdk/schemas";
import { landsAt } from "./app-access";
import type { Context, ZodApp } from "./context";
import { ApiError, invalid } from "./errors";
import { hashSecret, newTokenSecret } from "./secrets";
import { OrgParams } from "./routes/service-accounts";

const AccountId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_:.-]+$/, "not a valid account id");
const UserParams = z.object({ accountId: AccountId });
const UserTokenParams = UserParams.extend({ tokenId: z.string().min(1).max(128).regex(/^[A-Za-z0-9_:.-]+$/, "not a valid token id") });

/** What the console's mint takes, read loosely so its own refusals (INVALID_EXPIRY, MISSING_SCOPES) can be given. */
const MintBody = z.looseObject({ label: z.string().min(1).max(100), scopes: z.array(z.string()).optional(), expiry: z.string().optional() });

/** The console's tag and description in /openapi.json. */
export const CONSOLE_TAG = "console";
export const CONSOLE_DESCRIPTION =
  "A route of Atlassian's admin console, which Atlassian does not publish or support (it can change without notice). Served only with --console-routes; needs an unscoped org key.";

/** The service account of `/users/{accountId}`: by its atlassianId, in the key's org; else 404 as Atlassian's "not found in the directory". */
function accountOf(ctx: Context, orgId: string, accountId: string) {
  const a = ctx.store.accountByProductId(orgId, accountId);
  if (!a) throw new ApiError(404, "not.found", `user ${accountId} was not found in the directory`);
  return a;
}

/** Atlassian's documented user-management token route (public): revoke one token. */
export function userManagementRoutes(app: ZodApp, ctx: Context): void {
  app.delete(
    "/users/:accountId/manage/api-tokens/:tokenId",
    {
      config: { scope: "unscoped", orgOfKey: true },
      schema: {
        tags: ["api tokens"],
        summary: "Revoke one API token of an account (a service account by its atlassianId); unscoped org key",
        params: UserTokenParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      ctx.mutate(req, reply, 204, () => {
        const orgId = req.apiKeyOrgId!;
        const account = accountOf(ctx, orgId, req.params.accountId);
        if (!ctx.store.token(account.id, req.params.tokenId, ctx.now())) throw new ApiError(404, "not.found", `api token ${req.params.tokenId} was not found`);
        for (const t of ctx.store.revokeTokens(account.id, req.params.tokenId, ctx.now())) {
          ctx.audit(req, { orgId, action: "api-token.revoked", target: { type: "api-token", id: t }, outcome: "success" });
        }
        return undefined;
      });
      return reply.send(null);
    },
  );
}

/** The console's routes (unsupported by Atlassian): the token mint and the service-account invite. */
export function consoleRoutes(app: ZodApp, ctx: Context): void {
  app.post(
    "/users/:accountId/manage/api-tokens",
    {
      config: { scope: "unscoped", orgOfKey: true },
      schema: {
        tags: ["api tokens"],
        summary: "CONSOLE: mint an API token of a service account (by its atlassianId): {label, scopes, expiry (RFC 3339)} -> {id, token}",
        params: UserParams,
        body: MintBody,
        response: { 200: z.object({ id: z.string(), token: z.string() }) },
      },
    },
    async (req, reply) =>
      ctx.mutate(req, reply, 200, () => {
        const orgId = req.apiKeyOrgId!;
        const account = accountOf(ctx, orgId, req.params.accountId);
        const body = req.body;
        if (body.expiresAt !== undefined) throw invalid("INVALID_EXPIRY: the expiry is given as expiry (RFC 3339), not expiresAt", "/expiresAt");
        if (body.scopes === undefined || body.scopes.length === 0) throw invalid("MISSING_SCOPES: a token needs at least one scope", "/scopes");
        const scopes = Scopes.safeParse(body.scopes);
        if (!scopes.success) throw invalid(`invalid scopes: ${scopes.error.issues[0]?.message ?? "unknown scope"}`, "/scopes");
        const nowMs = ctx.nowMs();
        const t = body.expiry === undefined ? NaN : Date.parse(body.expiry);
        if (!(t > nowMs) || t > nowMs + TOKEN_MAX_DAYS * DAY_MS || !/^\d{4}-\d\d-\d\dT/.test(body.expiry ?? "")) {
          throw invalid(`INVALID_EXPIRY: expiry must be an RFC 3339 time in the future, within ${TOKEN_MAX_DAYS} days`, "/expiry");
        }
        const secret = newTokenSecret();
        const token = ctx.store.insertToken(orgId, {
          id: randomUUID(),
          serviceAccountId: account.id,
          label: body.label,
          scopes: scopes.data,
          hash: hashSecret(secret),
          createdAt: new Date(nowMs).toISOString(),
          expiresAt: new Date(t).toISOString(),
        });
        ctx.audit(req, { orgId, action: "api-token.created", target: { type: "api-token", id: token.id }, outcome: "success" });
        return { id: token.id, token: secret };
      }),
  );

  app.post(
    "/admin/account-management/v1/orgs/:orgId/service-accounts/invite",
    {
      config: { scope: "unscoped" },
      schema: {
        tags: ["service accounts"],
        summary: "CONSOLE: give existing service accounts product access (permission rules); 202, the access lands asynchronously",
        params: OrgParams,
        body: ConsoleInviteParams,
        response: { 202: z.null() },
      },
    },
    async (req, reply) => {
      // Every account must be in the directory (else 404 and nothing is given). The rules are
      // kept verbatim and take effect after --atlassian appAccessDelayMs, as the console applies
      // them asynchronously; one that names no product of this site grants nothing (`app-access.ts`).
      ctx.mutate(req, reply, 202, () => {
        const { orgId } = req.params;
        const accounts = [...new Set(req.body.userIds)].map((id) => accountOf(ctx, orgId, id));
        const at = landsAt(ctx);
        for (const a of accounts) {
          ctx.store.insertPermissionRules(a.id, req.body.permissionRules, at);
          ctx.audit(req, { orgId, action: "app-access.invited", target: { type: "service-account", id: a.id }, outcome: "success" });
        }
        return undefined;
      });
      return reply.send(null);
    },
  );
}
