/**
 * What the targets do through the routes of Atlassian's admin console, with
 * `atlassian:consoleRoutes: true` only. UNSUPPORTED BY ATLASSIAN: the console's routes can
 * change without notice (see the README). The sdk's `client.console` sends them.
 *
 * - mint: `POST /users/{atlassianId}/manage/api-tokens` `{label, scopes, expiry}` -> `{id, token}` (console);
 * - revoke one: `DELETE /users/{atlassianId}/manage/api-tokens/{tokenId}` (Atlassian's documented user-management route);
 * - app access of an existing account: `POST /admin/account-management/v1/orgs/{orgId}/service-accounts/invite` (console, 202, lands asynchronously).
 */
import { DAY_MS, type ApiTokenCreateParams, type ApiTokenWithSecret, type Client, type ConsolePermissionRule, type RequestOptions } from "../../sdk/index";
import { now } from "../clock";
import type { PublicAccountOps } from "./public";
import type { ConsoleAccessOps, TokenOps } from "./types";

/** The account's atlassianId (the console's and user-management's `{accountId}`), from the run's listing; null when the account is gone. */
async function atlassianIdOf(accounts: PublicAccountOps, serviceAccountId: string, opts: RequestOptions): Promise<string | null> {
  return (await accounts.retrieve(serviceAccountId, opts))?.accountId ?? null;
}

export function consoleTokens(client: Client, accounts: PublicAccountOps): Pick<TokenOps, "mint" | "revoke"> {
  return {
    async mint(serviceAccountId: string, params: ApiTokenCreateParams, opts: RequestOptions): Promise<ApiTokenWithSecret> {
      const atlassianId = await atlassianIdOf(accounts, serviceAccountId, opts);
      if (atlassianId === null) throw new Error(`service account ${serviceAccountId} was not found in the org's list of service accounts`);
      // The console takes the expiry as an RFC 3339 time (`expiresAt` fails with INVALID_EXPIRY).
      const expiry = params.expiresAt ?? new Date(now().getTime() + params.expiresInDays! * DAY_MS).toISOString();
      const minted = await client.console.apiTokens.mint(atlassianId, { label: params.label, scopes: params.scopes, expiry }, opts);
      // The answer is `{id, token}` only: the rest as listed when the list shows it already
      // (so a refresh right after finds what the state holds), else as asked.
      const listed = await client.serviceAccountTokens
        .list({ id: serviceAccountId, atlassianId }, {}, opts)
        .then((all) => all.find((t) => t.id === minted.id))
        .catch(() => undefined);
      return {
        id: minted.id,
        token: minted.token,
        serviceAccountId,
        label: params.label,
        scopes: params.scopes,
        status: "active",
        createdAt: listed?.createdAt ?? now().toISOString(),
        expiresAt: listed?.expiresAt ?? new Date(expiry).toISOString(),
        lastUsedAt: null,
      };
    },
    async revoke(serviceAccountId: string, tokenId: string, opts: RequestOptions): Promise<void> {
      const atlassianId = await atlassianIdOf(accounts, serviceAccountId, opts);
      // The account is gone, and its tokens with it (its delete revokes them first).
      if (atlassianId === null) return;
      await client.userApiTokens.revoke(atlassianId, tokenId, opts);
    },
  };
}

export function consoleAccess(client: Client): ConsoleAccessOps {
  return {
    invite: (atlassianId: string, rules: ConsolePermissionRule[], opts: RequestOptions) =>
      client.console.serviceAccounts.invite({ userIds: [atlassianId], permissionRules: rules }, opts),
  };
}
