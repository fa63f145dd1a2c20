import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, itemsPage, pathId, validateParams } from "../resource";
import { ApiKey, ApiKeyCreateParams, ApiKeyWithSecret, ListQuery, pageOf } from "../schemas";

export const ApiKeyListParams = ListQuery;
export type ApiKeyListParams = z.input<typeof ApiKeyListParams>;

const ApiKeyPage = pageOf(ApiKey);

/**
 * EXTENSION of the embedded backend: `/api-keys`, the org's admin API keys (Atlassian makes
 * them in admin.atlassian.com). Only an unscoped key may manage them. Writes carry an
 * Idempotency-Key, which the backend honours.
 */
export class ApiKeys extends APIResource {
  /** `POST /api-keys` -> the key with its `token` secret, returned this once. Omit `scopes` for an unscoped key. */
  async create(params: ApiKeyCreateParams, opts?: RequestOptions): Promise<ApiKeyWithSecret> {
    const body = validateParams(ApiKeyCreateParams, params, "api key");
    return this._client.extensionWrite("POST", this.#path(), body, ApiKeyWithSecret, opts);
  }

  /** `GET /api-keys` (no secrets), every page on demand. */
  list(params: ApiKeyListParams = {}, opts?: RequestOptions): PagePromise<ApiKey> {
    return this._client.getList(
      () => ({ path: this.#path(), query: validateParams(ApiKeyListParams, params, "api key list parameters") }),
      ApiKeyPage,
      itemsPage,
      opts,
    );
  }

  /** `DELETE /api-keys/{id}`: the key stops working at once. Already gone: success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts, { extension: true });
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/api-keys` + (id === undefined ? "" : `/${id}`);
  }
}
