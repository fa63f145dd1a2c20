/**
 * Atlassian's user-management API, `/users/{accountId}/manage/api-tokens/{tokenId}`: revoking
 * ONE token of an account. Atlassian documents it for managed users ([doc] "Delete API
 * token"); a third party revokes service accounts' tokens through it with the account's
 * `atlassianId` and an unscoped org key ([3p-obs] crewlet). Public, so a top-level resource;
 * the mint beside it is not (`client.console`).
 */
import type { RequestOptions } from "../client";
import { APIResource } from "../resource";
import { OPAQUE_ID, segment } from "./product";

/** `/users/{accountId}/manage/api-tokens[/{tokenId}]`, the ids checked so no value reaches another route. */
export function userTokensPath(accountId: string, tokenId?: string): string {
  const account = segment("accountId", /^\.+$/.test(accountId) ? "" : accountId, OPAQUE_ID, "an account id such as the service account's atlassianId");
  const base = `/users/${account}/manage/api-tokens`;
  return tokenId === undefined ? base : `${base}/${segment("tokenId", /^\.+$/.test(tokenId) ? "" : tokenId, OPAQUE_ID, "a token id")}`;
}

export class UserApiTokens extends APIResource {
  /**
   * `DELETE /users/{accountId}/manage/api-tokens/{tokenId}` (204): the token stops working.
   * For a service account, `accountId` is its `atlassianId`. Already revoked or gone: success.
   * Needs an unscoped org key (a scoped one is refused, 403).
   */
  async revoke(accountId: string, tokenId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(userTokensPath(accountId, tokenId), opts);
  }
}
