/**
 * Atlassian's public token operations of one service account: list (metadata only, never a
 * secret) and revoke all. Atlassian publishes no way to create a token or revoke just one;
 * the embedded backend has those as extensions (`client.extensions.apiTokens`).
 *
 * The list's item fields are not confirmed: the schema takes what `../atlassian-assumptions`
 * names and tolerates the rest. Nor is which of the account's ids the routes take (`id` or
 * `atlassianId`): given the account (not a bare id), the routes are tried with the
 * configured one first and, on a 404, with the other; the one that answered is remembered
 * for the rest of the client's life.
 */
import { z } from "zod";
import {
  SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD,
  TOKEN_LIST_ITEM_FIELDS,
  TOKEN_LIST_ITEMS_FIELD,
  TOKEN_STATUS_VALUES,
} from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { isNotFound } from "../errors";
import { nextPageQuery } from "../pagination";
import { APIResource } from "../resource";
import { OPAQUE_ID, segment } from "./product";

/**
 * Which account the token routes are about: a bare id (sent as given, no fallback), or the
 * account's ids as listed (`id`, `atlassianId`), of which the routes take one (unconfirmed:
 * `SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD`).
 */
export type ServiceAccountRef = string | { id: string; atlassianId?: string | null | undefined };

type IdField = "id" | "atlassianId";

/** A listed token's `status` as one of the package's states; undefined when unknown (see `TOKEN_STATUS_VALUES`). */
export function tokenStatus(status: string | undefined): "active" | "revoked" | "expired" | undefined {
  if (status === undefined) return undefined;
  const s = status.toLowerCase();
  for (const state of ["active", "revoked", "expired"] as const) {
    if ((TOKEN_STATUS_VALUES[state] as readonly string[]).includes(s)) return state;
  }
  return undefined;
}

const Time = z.union([z.string(), z.number()]).nullish();

/** One listed token, as far as Atlassian is known to describe it. */
export interface ServiceAccountToken {
  id: string;
  label: string | undefined;
  /** ISO-8601 UTC, when listed. */
  createdAt: string | undefined;
  /** ISO-8601 UTC, when listed. */
  expiresAt: string | undefined;
  /** ISO-8601 UTC, when listed and the token was used. */
  lastUsedAt: string | undefined;
  /** As listed (`active`, `ALLOWED`, ...); `tokenStatus(status)` maps it to the package's states. */
  status: string | undefined;
  /** Scopes, when listed (Atlassian may not show them). */
  scopes: string[] | undefined;
}

const Item = z.record(z.string(), z.unknown());
/** Assumed `{items:[…], links, total}` (`TOKEN_LIST_ITEMS_FIELD`); an array, `{data}` or `{values}` also reads. */
const TokenList = z.union([
  z.array(Item),
  z.looseObject({ [TOKEN_LIST_ITEMS_FIELD]: z.array(Item) }),
  z.looseObject({ data: z.array(Item) }),
  z.looseObject({ values: z.array(Item) }),
]);

function iso(v: unknown): string | undefined {
  const t = Time.safeParse(v);
  if (!t.success || t.data === null || t.data === undefined) return undefined;
  const d = new Date(t.data);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function pick(item: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (item[n] !== undefined && item[n] !== null) return item[n];
  return undefined;
}

// The assumed field first; then names other Atlassian token lists use, so a guess that is
// half wrong still reads (the user-management API says `expiry` and `lastAccess`).
const F = TOKEN_LIST_ITEM_FIELDS;
const NAMES = {
  id: [F.id, "tokenId"],
  label: [F.label, "name"],
  createdAt: [F.createdAt, "created"],
  expiresAt: [F.expiresAt, "expiry", "expirationDate"],
  lastUsedAt: [F.lastActiveAt, "lastAccess", "lastUsedAt"],
  status: [F.status],
  scopes: ["scopes"],
} as const;

function toToken(item: Record<string, unknown>): ServiceAccountToken {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const scopes = pick(item, NAMES.scopes);
  return {
    id: String(pick(item, NAMES.id)),
    label: str(pick(item, NAMES.label)),
    createdAt: iso(pick(item, NAMES.createdAt)),
    expiresAt: iso(pick(item, NAMES.expiresAt)),
    lastUsedAt: iso(pick(item, NAMES.lastUsedAt)),
    status: str(pick(item, NAMES.status)),
    scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : undefined,
  };
}

/** `/orgs/{orgId}/service-accounts/{id}/api-tokens` as Atlassian publishes it. */
export class ServiceAccountTokens extends APIResource {
  // Which id the token routes took the last time both were tried; shared by every call of this client.
  #idField: IdField = SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD;

  /** The id field the token routes are tried with first (the configured one until the other has answered). */
  get idField(): IdField {
    return this.#idField;
  }

  /**
   * `GET .../api-tokens[?tokenLabel=]` -> the account's tokens (no secrets). Follows
   * `links.next` (a URL or a bare cursor) when the answer pages. An account that is gone: `[]`.
   */
  async list(account: ServiceAccountRef, params: { tokenLabel?: string } = {}, opts?: RequestOptions): Promise<ServiceAccountToken[]> {
    const first = new URLSearchParams(params.tokenLabel === undefined ? {} : { tokenLabel: params.tokenLabel });
    const found = await this.#withEitherId(account, (path) => this._client.get(path, TokenList, first, opts));
    if (found === null) return [];
    const { path, value } = found;
    const out: ServiceAccountToken[] = [];
    const seen = new Set<string>([first.toString()]);
    let body: z.infer<typeof TokenList> | undefined = value;
    let query = first;
    while (body !== undefined) {
      const b = body as unknown as Record<string, unknown>;
      const items = (Array.isArray(body) ? body : (b[TOKEN_LIST_ITEMS_FIELD] ?? b.data ?? b.values)) as Record<string, unknown>[];
      out.push(...items.map((i) => toToken(i)));
      const next: unknown = Array.isArray(body) ? undefined : (body as { links?: { next?: unknown } }).links?.next;
      const q = nextPageQuery(typeof next === "string" ? next : undefined, query);
      body = undefined;
      // A link back to a page already read would loop forever.
      if (q === undefined || seen.has(q.toString())) break;
      seen.add(q.toString());
      query = q;
      try {
        body = await this._client.get(path, TokenList, query, opts);
      } catch (err) {
        // The account went away between two pages.
        if (isNotFound(err)) return out;
        throw err;
      }
    }
    return out;
  }

  /**
   * `DELETE .../api-tokens`: revokes every token of the account. Account gone: success. Given
   * the account, a 404 with one of its ids is retried with the other, so that a wrong guess
   * of the id field never passes for "revoked".
   */
  async revokeAll(account: ServiceAccountRef, opts?: RequestOptions): Promise<void> {
    await this.#withEitherId(account, (path) => this._client.request({ method: "DELETE", path, opts }));
  }

  /**
   * Runs `call` on the token path of the account's preferred id; on a 404 (from a route that
   * exists), on the other id's. `null` when every id tried answered 404 (the account is gone).
   */
  async #withEitherId<T>(account: ServiceAccountRef, call: (path: string) => Promise<T>): Promise<{ path: string; value: T } | null> {
    const candidates: [IdField | undefined, string][] = [];
    if (typeof account === "string") {
      candidates.push([undefined, account]);
    } else {
      const other: IdField = this.#idField === "id" ? "atlassianId" : "id";
      for (const field of [this.#idField, other]) {
        const v = account[field];
        if (typeof v === "string" && v !== "" && !candidates.some(([, id]) => id === v)) candidates.push([field, v]);
      }
    }
    for (const [field, id] of candidates) {
      const path = this.#path(id);
      try {
        const value = await call(path);
        if (field !== undefined) this.#idField = field;
        return { path, value };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return null;
  }

  #path(serviceAccountId: string): string {
    // `atlassianId` holds a ':' (`712020:<uuid>`), which a plain id may not; `.` and `..` would climb the path.
    const id = /^\.+$/.test(serviceAccountId) ? "" : serviceAccountId;
    return `${this._client.adminPath}/service-accounts/${segment("serviceAccountId", id, OPAQUE_ID, "an account id (letters, digits, '_', ':', '.', '-')")}/api-tokens`;
  }
}
