/**
 * Atlassian's public service-account operations (admin "API Access" v1, experimental):
 * list, create, update (a PATCH without the id in the path) and delete. There is no
 * get-by-id: `find` lists and filters, one request per page.
 *
 * Atlassian generates an account's email (with a random suffix) and ids; the caller picks
 * only the display name and the description. Display names may repeat in an org, so
 * `findByDisplayName` answers every match. Where Atlassian's shapes are not confirmed (the
 * create and update bodies' field names, which listed id the products take) the names come
 * from `../atlassian-assumptions`.
 */
import { z } from "zod";
import {
  SERVICE_ACCOUNT_CREATE_FIELDS,
  SERVICE_ACCOUNT_LIST_PAGE_SIZE,
  SERVICE_ACCOUNT_PATCH_ID_FIELD,
  SERVICE_ACCOUNT_PATH_ID_FIELD,
  SERVICE_ACCOUNT_PRODUCT_ID_FIELD,
} from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, pathId, validateParams } from "../resource";
import { Description, DisplayName, ListQuery, ServiceAccountCreateParams } from "../schemas";

/**
 * One item of Atlassian's list (`{atlassianId, id, email, displayName, picture, container,
 * updatedAt, status, createdById, description}`), and what its create answers. Fields beyond
 * `id`, `email` and `displayName` are optional: the API is experimental, and a missing one
 * must not fail a read.
 */
export const ServiceAccount = z.looseObject({
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
export type ServiceAccount = z.infer<typeof ServiceAccount>;

/** Atlassian's list body: `{links:{next,prev}, items:[…], total}`. */
export const ServiceAccountPage = z.object({
  items: z.array(ServiceAccount),
  links: z.object({ next: z.string().nullish(), prev: z.string().nullish() }).optional(),
  total: z.number().int().nonnegative().optional(),
});

/** What Atlassian's create takes (defined beside the other shared wire shapes). */
export { ServiceAccountCreateParams };

/** What Atlassian's update changes: the display name and the description, nothing else. */
export const ServiceAccountUpdateParams = z.strictObject({
  displayName: DisplayName.optional(),
  description: Description.optional(),
});
export type ServiceAccountUpdateParams = z.infer<typeof ServiceAccountUpdateParams>;

/** A list's `limit` (default `SERVICE_ACCOUNT_LIST_PAGE_SIZE`) and `cursor`. */
export const ServiceAccountListParams = ListQuery;
export type ServiceAccountListParams = z.input<typeof ServiceAccountListParams>;

// A PATCH may answer 204, an empty body, or only part of the account: all mean "done".
const PatchReply = z.unknown();

/** The id Jira and Confluence know the account by (see `SERVICE_ACCOUNT_PRODUCT_ID_FIELD`). */
export function productAccountIdOf(account: ServiceAccount): string {
  // The create response's shape is not published: it may name the product id `accountId`.
  for (const field of [SERVICE_ACCOUNT_PRODUCT_ID_FIELD, "accountId"]) {
    const v = (account as Record<string, unknown>)[field];
    if (typeof v === "string" && v !== "") return v;
  }
  return account.id;
}

/** The id admin paths (`{serviceAccountId}`) take (see `SERVICE_ACCOUNT_PATH_ID_FIELD`). */
export function adminIdOf(account: ServiceAccount): string {
  const v = (account as Record<string, unknown>)[SERVICE_ACCOUNT_PATH_ID_FIELD];
  return typeof v === "string" && v !== "" ? v : account.id;
}

/**
 * `/orgs/{orgId}/service-accounts` as Atlassian publishes it. (The embedded backend's
 * get-by-id and PATCH by id are `client.extensions.serviceAccounts`.)
 */
export class ServiceAccounts extends APIResource {
  /**
   * `GET /service-accounts?limit=&cursor=`, every page on demand; `limit` defaults to
   * `SERVICE_ACCOUNT_LIST_PAGE_SIZE`. Atlassian pages by `links.next`: an absolute URL, a
   * relative one or a bare cursor.
   */
  list(params: ServiceAccountListParams = {}, opts?: RequestOptions): PagePromise<ServiceAccount> {
    return this._client.getList(
      () => {
        const { limit = SERVICE_ACCOUNT_LIST_PAGE_SIZE, cursor } = validateParams(ServiceAccountListParams, params, "service account list parameters");
        return { path: this.#path(), query: { limit, cursor } };
      },
      ServiceAccountPage,
      (body) => ({ items: body.items, total: body.total, next: body.links?.next ?? undefined }),
      opts,
    );
  }

  /** The first account (in list order) that `predicate` accepts; `null` when none. One request per page read. */
  async find(predicate: (a: ServiceAccount) => boolean, opts?: RequestOptions): Promise<ServiceAccount | null> {
    for await (const a of this.list({}, opts)) if (predicate(a)) return a;
    return null;
  }

  /** The account of this id (list and filter: there is no get-by-id); `null` when none. */
  retrieve(id: string, opts?: RequestOptions): Promise<ServiceAccount | null> {
    return this.find((a) => adminIdOf(a) === id, opts);
  }

  /**
   * Every account whose display name is exactly `displayName`, in list order: none, one, or
   * several (Atlassian lets display names repeat). Reads the whole list.
   */
  async findByDisplayName(displayName: string, opts?: RequestOptions): Promise<ServiceAccount[]> {
    const out: ServiceAccount[] = [];
    for await (const a of this.list({}, opts)) if (a.displayName === displayName) out.push(a);
    return out;
  }

  /**
   * `POST /service-accounts` `{displayName, description?, permissionRules?, additionalGroups?}`
   * -> the new account (Atlassian generates its email and ids). The rules and groups are the
   * only documented way to give a service account app access and group memberships. Plan full: `QuotaExceededError`. Not idempotent: a failure
   * for which `isAmbiguousWriteFailure(err)` is true may have made the account; list
   * (`findByDisplayName`) before creating again.
   */
  async create(params: ServiceAccountCreateParams, opts?: RequestOptions): Promise<ServiceAccount> {
    const p = validateParams(ServiceAccountCreateParams, params, "service account");
    const body: Record<string, unknown> = { [SERVICE_ACCOUNT_CREATE_FIELDS.displayName]: p.displayName };
    if (p.description !== undefined) body[SERVICE_ACCOUNT_CREATE_FIELDS.description] = p.description;
    // Sent only when given: an account without them is created as before, with no app access.
    const rules = p[SERVICE_ACCOUNT_CREATE_FIELDS.permissionRules];
    if (rules !== undefined && rules.length > 0) body[SERVICE_ACCOUNT_CREATE_FIELDS.permissionRules] = rules;
    const groups = p[SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups];
    if (groups !== undefined && groups.length > 0) body[SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups] = groups;
    return this._client.post(this.#path(), body, ServiceAccount, opts);
  }

  /**
   * `PATCH /service-accounts` with the account's id in the body (`SERVICE_ACCOUNT_PATCH_ID_FIELD`)
   * -> the updated account, or `null` when the reply is 204, empty, or does not hold the
   * account (no `id`/`displayName`): the update was made; the caller merges what it sent.
   * Only displayName and description change.
   */
  async update(id: string, params: ServiceAccountUpdateParams, opts?: RequestOptions): Promise<ServiceAccount | null> {
    pathId("id", id);
    const p = validateParams(ServiceAccountUpdateParams, params, "service account update");
    const reply = await this._client.patch(this.#path(), { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: id, ...p }, PatchReply, opts);
    const account = ServiceAccount.safeParse(reply);
    return account.success ? account.data : null;
  }

  /** `DELETE /service-accounts/{id}`. Already gone (any 404): success. */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(pathId("id", id)), opts);
  }

  #path(id?: string): string {
    return `${this._client.adminPath}/service-accounts` + (id === undefined ? "" : `/${id}`);
  }
}
