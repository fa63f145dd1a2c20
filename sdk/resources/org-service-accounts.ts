/**
 * Atlassian's public service-account operations (admin "API Access" v1, experimental):
 * list, create, update (a PATCH without the id in the path) and delete. There is no
 * get-by-id: `find` lists and filters, one request per page.
 *
 * Where Atlassian's shapes are not confirmed (the create and update bodies' field names,
 * which listed id the products take) the names come from `../atlassian-assumptions`.
 */
import { z } from "zod";
import {
  SERVICE_ACCOUNT_CREATE_FIELDS,
  SERVICE_ACCOUNT_PATCH_ID_FIELD,
  SERVICE_ACCOUNT_PATH_ID_FIELD,
  SERVICE_ACCOUNT_PRODUCT_ID_FIELD,
} from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, pathId, validateParams } from "../resource";
import { Description, DisplayName, ServiceAccountName, SERVICE_ACCOUNT_EMAIL_DOMAIN } from "../schemas";

/**
 * One item of Atlassian's list (`{atlassianId, id, email, displayName, picture, container,
 * updatedAt, status, createdById, description}`). Fields beyond `id`, `email` and
 * `displayName` are optional: the API is experimental, and a missing one must not fail a read.
 */
export const OrgServiceAccount = z.looseObject({
  id: z.string(),
  atlassianId: z.string().optional(),
  accountId: z.string().optional(),
  email: z.string(),
  displayName: z.string(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  updatedAt: z.union([z.number(), z.string()]).nullish(),
  createdAt: z.union([z.number(), z.string()]).nullish(),
  picture: z.string().nullish(),
  container: z.string().nullish(),
  createdById: z.string().nullish(),
});
export type OrgServiceAccount = z.infer<typeof OrgServiceAccount>;

/** Atlassian's list body: `{links:{next,prev}, items:[…], total}`. */
export const OrgServiceAccountPage = z.object({
  items: z.array(OrgServiceAccount),
  links: z.object({ next: z.string().nullish(), prev: z.string().nullish() }).optional(),
  total: z.number().int().nonnegative().optional(),
});

export const OrgServiceAccountCreateParams = z.strictObject({
  name: ServiceAccountName,
  displayName: DisplayName.optional(),
  description: Description.optional(),
});
export type OrgServiceAccountCreateParams = z.infer<typeof OrgServiceAccountCreateParams>;

export const OrgServiceAccountUpdateParams = z.strictObject({
  displayName: DisplayName.optional(),
  description: Description.optional(),
});
export type OrgServiceAccountUpdateParams = z.infer<typeof OrgServiceAccountUpdateParams>;

/** The account's name: the local part of its fixed email (`<name>@serviceaccount.atlassian.com`). */
export function nameOf(account: Pick<OrgServiceAccount, "email">): string {
  const at = account.email.lastIndexOf("@");
  return at < 0 ? account.email : account.email.slice(0, at);
}

/** The id Jira and Confluence know the account by (see `SERVICE_ACCOUNT_PRODUCT_ID_FIELD`). */
export function productAccountIdOf(account: OrgServiceAccount): string {
  // The create response's shape is not published: it may name the product id `accountId`.
  for (const field of [SERVICE_ACCOUNT_PRODUCT_ID_FIELD, "accountId"]) {
    const v = (account as Record<string, unknown>)[field];
    if (typeof v === "string" && v !== "") return v;
  }
  return account.id;
}

/** The id admin paths (`{serviceAccountId}`) take (see `SERVICE_ACCOUNT_PATH_ID_FIELD`). */
export function adminIdOf(account: OrgServiceAccount): string {
  const v = (account as Record<string, unknown>)[SERVICE_ACCOUNT_PATH_ID_FIELD];
  return typeof v === "string" && v !== "" ? v : account.id;
}

/** `/orgs/{orgId}/service-accounts` as Atlassian publishes it. */
export class OrgServiceAccounts extends APIResource {
  /** `GET /service-accounts`, every page on demand (Atlassian pages by `links.next`). */
  list(opts?: RequestOptions): PagePromise<OrgServiceAccount> {
    return this._client.getList(
      () => ({ path: this.#path() }),
      OrgServiceAccountPage,
      (body) => ({ items: body.items, total: body.total, next: body.links?.next ?? undefined }),
      opts,
    );
  }

  /** The account whose `id` (or, failing that, whose name or product account id) matches; `null` when none. One request per page read. */
  async find(predicate: (a: OrgServiceAccount) => boolean, opts?: RequestOptions): Promise<OrgServiceAccount | null> {
    for await (const a of this.list(opts)) if (predicate(a)) return a;
    return null;
  }

  /** The account of this id (list and filter: there is no get-by-id); `null` when none. */
  retrieve(id: string, opts?: RequestOptions): Promise<OrgServiceAccount | null> {
    return this.find((a) => adminIdOf(a) === id, opts);
  }

  /** The account of this name, i.e. of email `<name>@serviceaccount.atlassian.com`; `null` when none. */
  findByName(name: string, opts?: RequestOptions): Promise<OrgServiceAccount | null> {
    const email = `${name}@${SERVICE_ACCOUNT_EMAIL_DOMAIN}`.toLowerCase();
    return this.find((a) => a.email.toLowerCase() === email, opts);
  }

  /** `POST /service-accounts` -> the new account. Name taken: `ConflictError`; plan full: `QuotaExceededError`. */
  async create(params: OrgServiceAccountCreateParams, opts?: RequestOptions): Promise<OrgServiceAccount> {
    const p = validateParams(OrgServiceAccountCreateParams, params, "service account");
    const body: Record<string, unknown> = { [SERVICE_ACCOUNT_CREATE_FIELDS.name]: p.name };
    body[SERVICE_ACCOUNT_CREATE_FIELDS.displayName] = p.displayName ?? p.name;
    if (p.description !== undefined) body[SERVICE_ACCOUNT_CREATE_FIELDS.description] = p.description;
    return this._client.post(this.#path(), body, OrgServiceAccount, opts);
  }

  /** `PATCH /service-accounts` with the account's id in the body -> the updated account. Only displayName and description change. */
  async update(id: string, params: OrgServiceAccountUpdateParams, opts?: RequestOptions): Promise<OrgServiceAccount> {
    pathId("id", id);
    const p = validateParams(OrgServiceAccountUpdateParams, params, "service account update");
    return this._client.patch(this.#path(), { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: id, ...p }, OrgServiceAccount, opts);
  }

  /** `DELETE /service-accounts/{id}`. Already gone: success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts);
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/service-accounts` + (id === undefined ? "" : `/${id}`);
  }
}
