import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, pathId, validateParams } from "../resource";
import { ListQuery, ServiceAccount, ServiceAccountUpdateParams } from "../schemas";
import { OrgServiceAccount, OrgServiceAccountPage, type OrgServiceAccountCreateParams } from "./org-service-accounts";

/** `limit` and `cursor`. (The embedded backend's `name` filter went with the chosen name: Atlassian has neither.) */
export const ServiceAccountListParams = ListQuery;
export type ServiceAccountListParams = z.input<typeof ServiceAccountListParams>;

/**
 * `/service-accounts` with the embedded backend's EXTENSIONS: get-by-id and
 * `PATCH /service-accounts/{id}` (which can suspend an account) exist only there. `create`,
 * `list` and `delete` are Atlassian's public routes (`orgServiceAccounts` is the public client).
 */
export class ServiceAccounts extends APIResource {
  /**
   * Atlassian's public create, `POST /service-accounts` `{displayName, description?}` -> the new
   * account (the same as `orgServiceAccounts.create`): the server generates its email and ids.
   * Not idempotent; see `isAmbiguousWriteFailure`.
   */
  async create(params: OrgServiceAccountCreateParams, opts?: RequestOptions): Promise<OrgServiceAccount> {
    return this._client.orgServiceAccounts.create(params, opts);
  }

  /** EXTENSION. `GET /service-accounts/{id}` -> the account, or `null` when there is none. */
  async retrieve(id: string, opts?: RequestOptions): Promise<ServiceAccount | null> {
    return this._client.getOrNull(this.#path(pathId("id", id)), ServiceAccount, opts);
  }

  /** EXTENSION. `PATCH /service-accounts/{id}` -> the updated account. `status: "suspended"` stops its tokens working. */
  async update(id: string, params: ServiceAccountUpdateParams, opts?: RequestOptions): Promise<ServiceAccount> {
    const body = validateParams(ServiceAccountUpdateParams, params, "service account update");
    return this._client.extensionWrite("PATCH", this.#path(pathId("id", id)), body, ServiceAccount, opts);
  }

  /** `DELETE /service-accounts/{id}`: revokes its tokens and removes its bindings. Already gone (any 404): success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts);
  }

  /**
   * Atlassian's public list, `GET /service-accounts?limit=&cursor=`, every page on demand, its
   * items read as leniently as `orgServiceAccounts.list` reads them (the public shape has no
   * `name`).
   */
  list(params: ServiceAccountListParams = {}, opts?: RequestOptions): PagePromise<OrgServiceAccount> {
    return this._client.getList(
      () => ({ path: this.#path(), query: validateParams(ServiceAccountListParams, params, "service account list parameters") }),
      OrgServiceAccountPage,
      (body) => ({ items: body.items, total: body.total, next: body.links?.next ?? undefined }),
      opts,
    );
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/service-accounts` + (id === undefined ? "" : `/${id}`);
  }
}
