import type { RequestOptions } from "../../client";
import { APIResource, pathId, validateParams } from "../../resource";
import { ApiKeyCreateParams, ApiKeyWithSecret } from "../../schemas";

/**
 * EXTENSION of the embedded backend: creating and deleting the org's admin API keys.
 * Atlassian makes them in admin.atlassian.com and revokes them by
 * `PATCH /api-keys/revoke/{id}`; its list is `client.apiKeys`. Only an unscoped key may
 * manage them. Writes carry an Idempotency-Key, which the backend honours.
 */
export class ExtensionApiKeys extends APIResource {
  /** `POST /api-keys` -> the key with its `token` secret, returned this once. Omit `scopes` for an unscoped key. */
  async create(params: ApiKeyCreateParams, opts?: RequestOptions): Promise<ApiKeyWithSecret> {
    const body = validateParams(ApiKeyCreateParams, params, "api key");
    return this._client.extensionWrite("POST", this.#path(), body, ApiKeyWithSecret, opts);
  }

  /** `DELETE /api-keys/{id}`: the key stops working at once. Already gone: success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts, { extension: true });
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/api-keys` + (id === undefined ? "" : `/${id}`);
  }
}
