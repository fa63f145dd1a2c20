import type { RequestOptions } from "../../client";
import { APIResource, pathId, validateParams } from "../../resource";
import { ApiToken, ApiTokenCreateParams, ApiTokenWithSecret } from "../../schemas";

/**
 * EXTENSION of the embedded backend: minting a service account's scoped, expiring token, and
 * reading or revoking one token. Atlassian publishes none of these; its token list and
 * revoke-all are `client.serviceAccountTokens`. Writes carry an Idempotency-Key, which the
 * backend honours.
 */
export class ExtensionApiTokens extends APIResource {
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

  /** `DELETE .../api-tokens/{tokenId}`: the token stops working. Already revoked or gone: success. */
  async revoke(serviceAccountId: string, tokenId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(serviceAccountId, tokenId), opts, { extension: true });
  }

  #path(serviceAccountId: string, tokenId?: string): string {
    const base = `${this._client.adminPath}/service-accounts/${pathId("serviceAccountId", serviceAccountId)}/api-tokens`;
    return tokenId === undefined ? base : `${base}/${pathId("tokenId", tokenId)}`;
  }
}
