import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, itemsPage, pathId, validateParams } from "../resource";
import { ApiKey, ApiKeyCreateParams, ApiKeyWithSecret, ListQuery, pageOf } from "../schemas";

export const ApiKeyListParams = ListQuery;
export type ApiKeyListParams = z.input<typeof ApiKeyListParams>;

const ApiKeyPage = pageOf(ApiKey);

/** `/api-keys`: the org's admin API keys. Only an unscoped key may manage them. */
export class ApiKeys extends APIResource {
  /** `POST /api-keys` -> the key with its `token` secret, returned this once. Omit `scopes` for an unscoped key. */
  async create(params: ApiKeyCreateParams, opts?: RequestOptions): Promise<ApiKeyWithSecret> {
    const body = validateParams(ApiKeyCreateParams, params, "api key");
    return this._client.post(this.#path(), body, ApiKeyWithSecret, opts);
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
    return this._client.delete(this.#path(pathId("id", id)), opts);
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/api-keys` + (id === undefined ? "" : `/${id}`);
  }
}
