import { z } from "zod";
import type { RequestOptions } from "../../client";
import type { PagePromise } from "../../pagination";
import { APIResource, itemsPage, pathId, validateParams } from "../../resource";
import { ListQuery, pageOf, ScopeBinding, ScopeBindingCreateParams, ScopeBindingUpdateParams } from "../../schemas";

export const ScopeBindingListParams = ListQuery;
export type ScopeBindingListParams = z.input<typeof ScopeBindingListParams>;

const ScopeBindingPage = pageOf(ScopeBinding);

/**
 * EXTENSION of the embedded backend: `/service-accounts/{id}/scope-bindings`, a service
 * account's access to Jira projects and Confluence spaces in the backend's own model (on
 * Atlassian, access is `client.jiraProjectRoles` and the `client.confluence*` resources).
 * Writes carry an Idempotency-Key, which the backend honours.
 */
export class ExtensionScopeBindings extends APIResource {
  /** `POST .../scope-bindings` -> the binding. One per account and resource: `ConflictError` (`conflict.bindingExists`). */
  async create(serviceAccountId: string, params: ScopeBindingCreateParams, opts?: RequestOptions): Promise<ScopeBinding> {
    const body = validateParams(ScopeBindingCreateParams, params, "scope binding");
    return this._client.extensionWrite("POST", this.#path(serviceAccountId), body, ScopeBinding, opts);
  }

  /** `GET .../scope-bindings/{bindingId}` -> the binding, or `null` when it or its account is gone. */
  async retrieve(serviceAccountId: string, bindingId: string, opts?: RequestOptions): Promise<ScopeBinding | null> {
    return this._client.getOrNull(this.#path(serviceAccountId, bindingId), ScopeBinding, opts);
  }

  /** `PATCH .../scope-bindings/{bindingId}` `{role}` -> the updated binding. */
  async update(
    serviceAccountId: string,
    bindingId: string,
    params: ScopeBindingUpdateParams,
    opts?: RequestOptions,
  ): Promise<ScopeBinding> {
    const body = validateParams(ScopeBindingUpdateParams, params, "scope binding update");
    return this._client.extensionWrite("PATCH", this.#path(serviceAccountId, bindingId), body, ScopeBinding, opts);
  }

  /** `GET .../scope-bindings`, every page on demand. */
  list(serviceAccountId: string, params: ScopeBindingListParams = {}, opts?: RequestOptions): PagePromise<ScopeBinding> {
    return this._client.getList(
      () => ({ path: this.#path(serviceAccountId), query: validateParams(ScopeBindingListParams, params, "scope binding list parameters") }),
      ScopeBindingPage,
      itemsPage,
      opts,
    );
  }

  /** `DELETE .../scope-bindings/{bindingId}`. Already gone: success. */
  async delete(serviceAccountId: string, bindingId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(serviceAccountId, bindingId), opts, { extension: true });
  }

  #path(serviceAccountId: string, bindingId?: string): string {
    const base = `${this._client.adminPath}/service-accounts/${pathId("serviceAccountId", serviceAccountId)}/scope-bindings`;
    return bindingId === undefined ? base : `${base}/${pathId("bindingId", bindingId)}`;
  }
}
