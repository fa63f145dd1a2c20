/**
 * Atlassian's public OAuth 2.0 client lists (admin "API Access" v1): the org's clients, and
 * one service account's. Read only: Atlassian creates a client in an admin session only
 * ("session-only … cannot be called with an API token"); the embedded backend's way to make
 * one is an extension (`EXTENSION_ROUTES`), not part of this class.
 *
 * Times arrive as epoch milliseconds ([doc] sample) and are handed on as ISO-8601. The
 * org's list names no account; see `OAUTH_CLIENT_ACCOUNT_LINK` for how a client is tied to one.
 */
import { z } from "zod";
import { OAUTH_CLIENT_PAGE_SIZE } from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { isNotFound } from "../errors";
import type { PageData, PagePromise } from "../pagination";
import { APIResource } from "../resource";
import { OPAQUE_ID, segment } from "./product";

const Time = z.union([z.number(), z.string()]).nullish();

/** One client as Atlassian lists it: `{clientId, name, createdAt, updatedAt, status}`; fields past `clientId` optional (unconfirmed beyond the sample). */
export const OAuthClientItem = z.looseObject({
  clientId: z.string(),
  name: z.string().nullish(),
  createdAt: Time,
  updatedAt: Time,
  status: z.string().nullish(),
});

/** A listed client, times as ISO-8601 UTC. Never a secret: Atlassian's list has none. */
export interface OAuthClient {
  clientId: string;
  name: string | undefined;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  /** As listed (`ACTIVE`, ...). */
  status: string | undefined;
}

/** `{data:[…], links:{self,next,prev}}` ([doc]); for the per-account list an array, `{items}` or `{values}` also reads. */
const OAuthClientList = z.union([
  z.array(OAuthClientItem),
  z.looseObject({ data: z.array(OAuthClientItem), links: z.object({ next: z.string().nullish() }).nullish() }),
  z.looseObject({ items: z.array(OAuthClientItem), links: z.object({ next: z.string().nullish() }).nullish() }),
  z.looseObject({ values: z.array(OAuthClientItem) }),
]);
type OAuthClientList = z.infer<typeof OAuthClientList>;

function iso(v: z.infer<typeof Time>): string | undefined {
  if (v === null || v === undefined) return undefined;
  const d = new Date(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toClient(item: z.infer<typeof OAuthClientItem>): OAuthClient {
  return {
    clientId: item.clientId,
    name: item.name ?? undefined,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    status: item.status ?? undefined,
  };
}

function pageOf(body: OAuthClientList): PageData<OAuthClient> {
  if (Array.isArray(body)) return { items: body.map(toClient), total: undefined, next: undefined };
  const b = body as { data?: Item[]; items?: Item[]; values?: Item[]; links?: { next?: string | null } | null };
  return { items: (b.data ?? b.items ?? b.values ?? []).map(toClient), total: undefined, next: b.links?.next ?? undefined };
}
type Item = z.infer<typeof OAuthClientItem>;

/** `/orgs/{orgId}/oauth-clients` and `/orgs/{orgId}/service-accounts/{id}/oauth-clients`, as Atlassian publishes them. */
export class OAuthClients extends APIResource {
  /**
   * `GET /oauth-clients?pageSize=` -> every client of the org, page by page on demand
   * (`links.next`: a cursor, sent back as `cursor=`, or a URL). Scope `read:service-accounts-tokens:admin`.
   */
  list(opts?: RequestOptions): PagePromise<OAuthClient> {
    return this._client.getList(
      () => ({ path: `${this._client.adminPath}/oauth-clients`, query: { pageSize: OAUTH_CLIENT_PAGE_SIZE } }),
      OAuthClientList,
      pageOf,
      opts,
    );
  }

  /**
   * `GET /service-accounts/{id}/oauth-clients` -> the account's clients, every page. `id` is
   * the one the token routes take (see `OAUTH_CLIENT_ACCOUNT_LINK`). An account that is gone: `[]`.
   */
  async listForAccount(serviceAccountId: string, opts?: RequestOptions): Promise<OAuthClient[]> {
    // `.` and `..` would climb the path.
    const id = /^\.+$/.test(serviceAccountId) ? "" : serviceAccountId;
    const path = `${this._client.adminPath}/service-accounts/${segment("serviceAccountId", id, OPAQUE_ID, "an account id (letters, digits, '_', ':', '.', '-')")}/oauth-clients`;
    const page = this._client.getList(() => ({ path, query: { pageSize: OAUTH_CLIENT_PAGE_SIZE } }), OAuthClientList, pageOf, opts);
    try {
      return await page.toArray();
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
}
