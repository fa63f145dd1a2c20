import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, itemsPage, pathId, validateParams } from "../resource";
import { ApiToken, ApiTokenCreateParams, ApiTokenWithSecret, ListQuery, pageOf } from "../schemas";

export const ApiTokenListParams = ListQuery;
export type ApiTokenListParams = z.input<typeof ApiTokenListParams>;

const ApiTokenPage = pageOf(ApiToken);

/**
 * EXTENSION of the embedded backend: minting a service account's scoped, expiring token, and
 * reading or revoking one token (Atlassian publishes none of these; its list and revoke-all
 * are `ServiceAccountTokens`). Writes carry an Idempotency-Key, which the backend honours.
 */
export class ApiTokens extends APIResource {
  /**
   * `POST .../api-tokens` -> the token with its `token` secret: the only time the secret is
   * returned. Keep it out of logs. An unknown scope: `BadRequestError` with `pointer` at it.
   */
  async create(serviceAccountId: string, params: ApiTokenCreateParams, opts?: RequestOptions): Promise<ApiTokenWithSecret> {
    const body = validateParams(ApiTokenCreateParams, params, "api token");
    return this._client.extensionWrite("POST", this.#path(serviceAccountId), body, ApiTokenWithSecret, opts);
  }

  /** `GET .../api-tokens/{tokenId}` -> the token (no secret), or `null` when it or its account is gone. */
  async retrieve(serviceAccountId: string, tokenId: string, opts?: RequestOptions): Promise<ApiToken | null> {
    return this._client.getOrNull(this.#path(serviceAccountId, tokenId), ApiToken, opts);
  }

  /** `GET .../api-tokens` (no secrets), every page on demand. */
  list(serviceAccountId: string, params: ApiTokenListParams = {}, opts?: RequestOptions): PagePromise<ApiToken> {
    return this._client.getList(
      () => ({ path: this.#path(serviceAccountId), query: validateParams(ApiTokenListParams, params, "api token list parameters") }),
      ApiTokenPage,
      itemsPage,
      opts,
    );
  }

  /** `DELETE .../api-tokens/{tokenId}`: the token stops working. Already revoked or gone: success. */
  async revoke(serviceAccountId: string, tokenId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(serviceAccountId, tokenId), opts, { extension: true });
  }

  /** `DELETE .../api-tokens`: revokes every token of the account. Account gone: success. */
  async revokeAll(serviceAccountId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(serviceAccountId), opts);
  }

  #path(serviceAccountId: string, tokenId?: string): string {
    const base = `${this._client.adminPath}/service-accounts/${pathId("serviceAccountId", serviceAccountId)}/api-tokens`;
    return tokenId === undefined ? base : `${base}/${pathId("tokenId", tokenId)}`;
  }
}
