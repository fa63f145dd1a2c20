import { z } from "zod";
import { AUDIT_LOG_REQUESTS_PER_MINUTE, AUDIT_TOKEN_USE } from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { nextPageQuery, type PagePromise } from "../pagination";
import { APIResource, validateParams } from "../resource";
import { type AuditEvent, EventsPage, EventsQuery, LIST_LIMIT_MAX } from "../schemas";

export const EventListParams = EventsQuery;
export type EventListParams = z.input<typeof EventListParams>;

/** What `lastTokenUses` reads of an event: Atlassian's documented `actor.auth`, everything else tolerated. */
const TokenUseEvent = z.looseObject({
  attributes: z.looseObject({
    time: z.union([z.string(), z.number()]),
    actor: z
      .looseObject({ auth: z.looseObject({ authType: z.string().nullish(), tokenId: z.string().nullish() }).nullish() })
      .nullish(),
  }),
});
const TokenUsePage = z.looseObject({
  data: z.array(z.unknown()),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
  meta: z.looseObject({ next: z.string().nullish() }).nullish(),
});

export interface LastTokenUsesParams {
  /** Only events at or after this time (sent as epoch milliseconds, Atlassian's form). */
  from: Date;
  /** The most requests to send: default and ceiling `AUDIT_LOG_REQUESTS_PER_MINUTE` (Atlassian allows 10 a minute). */
  maxRequests?: number;
  /** Events per page (default the largest, 100). */
  limit?: number;
}

export interface LastTokenUses {
  /** Token id -> the latest time (ISO-8601) an event made with it was seen. */
  lastUsed: Map<string, string>;
  /** True when every page from `from` on was read; false when `maxRequests` ran out first. */
  complete: boolean;
  /** Requests sent. */
  requests: number;
}

/** `/admin/v1/orgs/{orgId}/events`: the org's append-only audit log (needs `read:events:admin`). */
export class Events extends APIResource {
  /**
   * `GET /events?action=&from=&to=` -> events, every page on demand. This endpoint answers
   * `{data, links}` (Atlassian's org API shape) rather than `{items, links, total}`, so its
   * pages have no `total`.
   */
  list(params: EventListParams = {}, opts?: RequestOptions): PagePromise<AuditEvent> {
    return this._client.getList(
      () => ({ path: `${this._client.orgPath}/events`, query: validateParams(EventListParams, params, "event list parameters") }),
      EventsPage,
      (body) => ({ items: body.data, total: undefined, next: body.links.next }),
      opts,
    );
  }

  /**
   * When each API token was last used, as far as the audit log says within a request budget:
   * `GET /events?from=<ms>&limit=` page after page, at most `maxRequests` (never more than
   * Atlassian's 10 a minute). An event made with a token names it in `actor.auth.tokenId`
   * ([doc]; see `AUDIT_TOKEN_USE`); the latest time per token is kept whatever the order of
   * the pages. Events of any other shape are skipped, never an error.
   */
  async lastTokenUses(params: LastTokenUsesParams, opts?: RequestOptions): Promise<LastTokenUses> {
    const maxRequests = Math.max(0, Math.min(params.maxRequests ?? AUDIT_LOG_REQUESTS_PER_MINUTE, AUDIT_LOG_REQUESTS_PER_MINUTE));
    const path = `${this._client.orgPath}/events`;
    const lastUsed = new Map<string, string>();
    let query: URLSearchParams | undefined = new URLSearchParams({
      from: String(params.from.getTime()),
      limit: String(params.limit ?? LIST_LIMIT_MAX),
    });
    let requests = 0;
    while (query !== undefined && requests < maxRequests) {
      const page = await this._client.get(path, TokenUsePage, query, opts);
      requests += 1;
      for (const raw of page.data) {
        const e = TokenUseEvent.safeParse(raw);
        const auth = e.success ? e.data.attributes.actor?.auth : undefined;
        if (!e.success || !auth?.tokenId || (auth.authType && auth.authType !== AUDIT_TOKEN_USE.authType)) continue;
        const t = e.data.attributes.time;
        const at = new Date(typeof t === "string" && /^\d+$/.test(t) ? Number(t) : t);
        if (Number.isNaN(at.getTime())) continue;
        const seen = lastUsed.get(auth.tokenId);
        if (seen === undefined || at.toISOString() > seen) lastUsed.set(auth.tokenId, at.toISOString());
      }
      query = nextPageQuery(page.links?.next ?? page.meta?.next ?? undefined, query);
    }
    return { lastUsed, complete: query === undefined, requests };
  }
}
