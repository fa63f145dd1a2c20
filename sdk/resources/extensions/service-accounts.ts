import type { RequestOptions } from "../../client";
import { APIResource, pathId, validateParams } from "../../resource";
import { ExtensionServiceAccount, ExtensionServiceAccountUpdateParams } from "../../schemas";

/**
 * EXTENSION of the embedded backend: `/service-accounts/{id}`, get-by-id and `PATCH` by id
 * (which can suspend and reactivate an account). Atlassian has neither: it finds an account
 * by listing and updates it by `PATCH /service-accounts` with the id in the body, both
 * `client.serviceAccounts`. Its PATCH carries an Idempotency-Key, which the backend honours.
 */
export class ExtensionServiceAccounts extends APIResource {
  /** `GET /service-accounts/{id}` -> the account, or `null` when there is none. */
  async retrieve(id: string, opts?: RequestOptions): Promise<ExtensionServiceAccount | null> {
    return this._client.getOrNull(this.#path(id), ExtensionServiceAccount, opts);
  }

  /** `PATCH /service-accounts/{id}` -> the updated account. `status: "suspended"` stops its tokens working; `"active"` restores them. */
  async update(id: string, params: ExtensionServiceAccountUpdateParams, opts?: RequestOptions): Promise<ExtensionServiceAccount> {
    const body = validateParams(ExtensionServiceAccountUpdateParams, params, "service account update");
    return this._client.extensionWrite("PATCH", this.#path(id), body, ExtensionServiceAccount, opts);
  }

  #path(id: string): string {
    return `${this._client.adminPath}/service-accounts/${pathId("id", id)}`;
  }
}
