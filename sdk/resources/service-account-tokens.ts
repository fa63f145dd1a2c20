/**
 * Atlassian's public token operations of one service account: list (metadata only, never a
 * secret) and revoke all. Atlassian publishes no way to create a token or revoke just one;
 * the embedded backend's `ApiTokens` has those as extensions.
 *
 * The list's item fields are not confirmed: the schema takes what `../atlassian-assumptions`
 * names and tolerates the rest.
 */
import { z } from "zod";
import { TOKEN_LIST_ITEM_FIELDS, TOKEN_LIST_ITEMS_FIELD } from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { isNotFound } from "../errors";
import { APIResource, pathId } from "../resource";

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
  /** `active`, `revoked`, `expired`..., when listed. */
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
  /**
   * `GET .../api-tokens[?tokenLabel=]` -> the account's tokens (no secrets). Follows
   * `links.next` when the answer pages. An account that is gone: `[]`.
   */
  async list(serviceAccountId: string, params: { tokenLabel?: string } = {}, opts?: RequestOptions): Promise<ServiceAccountToken[]> {
    const path = this.#path(serviceAccountId);
    const out: ServiceAccountToken[] = [];
    let query: URLSearchParams | undefined = new URLSearchParams(params.tokenLabel === undefined ? {} : { tokenLabel: params.tokenLabel });
    const seen = new Set<string>();
    while (query) {
      let body: z.infer<typeof TokenList>;
      try {
        body = await this._client.get(path, TokenList, query, opts);
      } catch (err) {
        if (isNotFound(err)) return out;
        throw err;
      }
      const b = body as unknown as Record<string, unknown>;
      const items = (Array.isArray(body) ? body : (b[TOKEN_LIST_ITEMS_FIELD] ?? b.data ?? b.values)) as Record<string, unknown>[];
      out.push(...items.map((i) => toToken(i)));
      const next: unknown = Array.isArray(body) ? undefined : (body as { links?: { next?: unknown } }).links?.next;
      query = undefined;
      if (typeof next === "string" && next !== "") {
        const q: URLSearchParams = new URL(next, "http://placeholder.invalid").searchParams;
        // A link back to a page already read would loop forever.
        if (!seen.has(q.toString())) {
          seen.add(q.toString());
          query = q;
        }
      }
    }
    return out;
  }

  /** `DELETE .../api-tokens`: revokes every token of the account. Account gone: success. */
  async revokeAll(serviceAccountId: string, opts?: RequestOptions): Promise<void> {
    return this._client.delete(this.#path(serviceAccountId), opts);
  }

  #path(serviceAccountId: string): string {
    return `${this._client.adminPath}/service-accounts/${pathId("serviceAccountId", serviceAccountId)}/api-tokens`;
  }
}
