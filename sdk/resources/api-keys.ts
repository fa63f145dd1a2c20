import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, itemsPage, validateParams } from "../resource";
import { ApiKey, ListQuery, pageOf } from "../schemas";

export const ApiKeyListParams = ListQuery;
export type ApiKeyListParams = z.input<typeof ApiKeyListParams>;

const ApiKeyPage = pageOf(ApiKey);

/**
 * `/api-keys`, the org's admin API keys: Atlassian publishes the list (with the scope
 * `read:keys:admin`; the embedded backend asks for an unscoped key). Its items are read in
 * the embedded backend's shape: Atlassian's is not documented. Creating and deleting a key
 * are `client.extensions.apiKeys`.
 */
export class ApiKeys extends APIResource {
  /** `GET /api-keys` (no secrets), every page on demand. */
  list(params: ApiKeyListParams = {}, opts?: RequestOptions): PagePromise<ApiKey> {
    return this._client.getList(
      () => ({ path: `${this._client.adminPath}/api-keys`, query: validateParams(ApiKeyListParams, params, "api key list parameters") }),
      ApiKeyPage,
      itemsPage,
      opts,
    );
  }
}
