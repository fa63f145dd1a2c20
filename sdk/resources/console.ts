/**
 * `client.console`: routes the ADMIN CONSOLE (admin.atlassian.com) uses, which Atlassian does
 * NOT publish or support and may change without notice. They are neither Atlassian's public
 * operations (the client's top-level resources) nor the embedded backend's extensions
 * (`client.extensions`). Seen by one third party on a real org ([3p-obs] crewlet, single
 * source, see `shared/reference/atlassian-evidence-groups-tokens-audit.md` §2-3); each needs an
 * UNSCOPED org admin key (a scoped one is refused, 403). The embedded backend serves them only
 * when started with `consoleRoutes: true` (`serve --console-routes`).
 */
import { z } from "zod";
import { APP_ACCESS_PERMISSION_RULE } from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { InvalidResponseError } from "../errors";
import { APIResource, validateParams } from "../resource";
import { Label, Scopes, Timestamp } from "../schemas";
import { OPAQUE_ID, segment } from "./product";
import { userTokensPath } from "./user-api-tokens";

/** The console's mint body: `expiry` RFC 3339 (the console refuses `expiresAt` with INVALID_EXPIRY), at most 365 days ahead. */
export const ConsoleTokenMintParams = z.strictObject({ label: Label, scopes: Scopes, expiry: Timestamp });
export type ConsoleTokenMintParams = z.infer<typeof ConsoleTokenMintParams>;

/** The mint's answer: the token's id and its secret, shown this once. */
export const ConsoleMintedToken = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), token: z.string().optional() });
export type ConsoleMintedToken = { id: string; token: string };

/** One permission rule of the console's invite: a role ARI on a site resource ARI. */
export const ConsolePermissionRule = z.strictObject({
  role: z.string().regex(/^ari:cloud:[a-z-]+::role\/\S+$/, "role must be a role ARI such as ari:cloud:jira-software::role/product/member"),
  resource: z.string().regex(/^ari:cloud:[a-z-]+::site\/[A-Za-z0-9_-]+$/, "resource must be a site ARI such as ari:cloud:jira-software::site/<cloudId>"),
});
export type ConsolePermissionRule = z.infer<typeof ConsolePermissionRule>;

export const ConsoleInviteParams = z.strictObject({
  userIds: z.array(z.string().regex(OPAQUE_ID, "each userId must be an account's atlassianId")).min(1, "userIds must name at least one account").max(25, "userIds may name at most 25 accounts"),
  permissionRules: z.array(ConsolePermissionRule).min(1, "permissionRules must hold at least one rule"),
});
export type ConsoleInviteParams = z.infer<typeof ConsoleInviteParams>;

/** The console's role ARI of a product (`ari:cloud:<product>::role/product/member` or `…/admin`). */
export function consoleRole(product: string, role: "member" | "admin"): string {
  return `ari:cloud:${product}::role/product/${role}`;
}

/** The console's product role and site resource for a product (`jira-software`, not the plain `jira`, which the console accepts and grants nothing). */
export function memberRule(product: "jira-software" | "confluence", cloudId: string): ConsolePermissionRule {
  return { role: consoleRole(product, "member"), resource: APP_ACCESS_PERMISSION_RULE.resource(product, cloudId) };
}

/** UNSUPPORTED console route: a service account's API token. */
export class ConsoleApiTokens extends APIResource {
  /**
   * `POST /users/{atlassianId}/manage/api-tokens` `{label, scopes, expiry}` -> `{id, token}`.
   * Not retried once sent (nothing says the console honours an idempotency key): a failure
   * that may have landed goes to the caller (`isAmbiguousWriteFailure`). An answer without
   * the secret is an `InvalidResponseError`, whose message names the token id to revoke.
   */
  async mint(atlassianId: string, params: ConsoleTokenMintParams, opts?: RequestOptions): Promise<ConsoleMintedToken> {
    const body = validateParams(ConsoleTokenMintParams, params, "console api token");
    const path = userTokensPath(atlassianId);
    const answer = await this._client.post(path, body, ConsoleMintedToken, opts);
    if (answer.token === undefined || answer.token === "") {
      throw new InvalidResponseError({ method: "POST", path, status: 200, requestId: undefined }, [
        { pointer: "/token", message: `the console minted token ${answer.id} but returned no secret; revoke it (DELETE ${path}/${answer.id})` },
      ]);
    }
    return { id: answer.id, token: answer.token };
  }
}

/** UNSUPPORTED console route: product access for existing service accounts. */
export class ConsoleServiceAccounts extends APIResource {
  /**
   * `POST /admin/account-management/v1/orgs/{orgId}/service-accounts/invite`
   * `{userIds:[atlassianId], permissionRules:[{role, resource}]}` -> 202. The access lands
   * asynchronously (minutes): a read right after may not show it yet. Grant only: the console
   * has no route that takes access back.
   */
  async invite(params: ConsoleInviteParams, opts?: RequestOptions): Promise<void> {
    const body = validateParams(ConsoleInviteParams, params, "console invite");
    const org = segment("orgId", this._client.orgId, OPAQUE_ID, "an org id");
    await this._client.request({ method: "POST", path: `/admin/account-management/v1/orgs/${org}/service-accounts/invite`, body, opts });
  }
}

export class Console {
  /** Mint a service account's API token (revoking one is public: `client.userApiTokens.revoke`). */
  readonly apiTokens: ConsoleApiTokens;
  /** Give existing service accounts product access (the invite; 202, lands asynchronously). */
  readonly serviceAccounts: ConsoleServiceAccounts;

  constructor(client: ConstructorParameters<typeof ConsoleApiTokens>[0]) {
    this.apiTokens = new ConsoleApiTokens(client);
    this.serviceAccounts = new ConsoleServiceAccounts(client);
  }
}
