import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, itemsPage, pathId, validateParams } from "../resource";
import {
  ListQuery,
  pageOf,
  ServiceAccount,
  ServiceAccountCreateParams,
  ServiceAccountName,
  ServiceAccountUpdateParams,
} from "../schemas";

export const ServiceAccountListParams = ListQuery.extend({ name: ServiceAccountName.optional() });
export type ServiceAccountListParams = z.input<typeof ServiceAccountListParams>;

const ServiceAccountPage = pageOf(ServiceAccount);

/** `/service-accounts`: the org's non-human accounts. */
export class ServiceAccounts extends APIResource {
  /** `POST /service-accounts` -> the new account. Name taken: `ConflictError`; plan full: `QuotaExceededError`. */
  async create(params: ServiceAccountCreateParams, opts?: RequestOptions): Promise<ServiceAccount> {
    const body = validateParams(ServiceAccountCreateParams, params, "service account");
    return this._client.post(this.#path(), body, ServiceAccount, opts);
  }

  /** `GET /service-accounts/{id}` -> the account, or `null` when there is none. */
  async retrieve(id: string, opts?: RequestOptions): Promise<ServiceAccount | null> {
    return this._client.getOrNull(this.#path(pathId("id", id)), ServiceAccount, opts);
  }

  /** `PATCH /service-accounts/{id}` -> the updated account. `status: "suspended"` stops its tokens working. */
  async update(id: string, params: ServiceAccountUpdateParams, opts?: RequestOptions): Promise<ServiceAccount> {
    const body = validateParams(ServiceAccountUpdateParams, params, "service account update");
    return this._client.patch(this.#path(pathId("id", id)), body, ServiceAccount, opts);
  }

  /** `DELETE /service-accounts/{id}`: revokes its tokens and removes its bindings. Already gone: success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts);
  }

  /** `GET /service-accounts` (filtered by `name` when given), every page on demand. */
  list(params: ServiceAccountListParams = {}, opts?: RequestOptions): PagePromise<ServiceAccount> {
    return this._client.getList(
      () => ({ path: this.#path(), query: validateParams(ServiceAccountListParams, params, "service account list parameters") }),
      ServiceAccountPage,
      itemsPage,
      opts,
    );
  }

  /** `GET /service-accounts?name=` -> the account of that name, or `null`. One request. */
  async findByName(name: string, opts?: RequestOptions): Promise<ServiceAccount | null> {
    const page = await this.list({ name }, opts);
    // Names are unique per org; matching exactly guards against a server that filters loosely.
    return page.items.find((sa) => sa.name === name) ?? null;
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/service-accounts` + (id === undefined ? "" : `/${id}`);
  }
}
