import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PagePromise } from "../pagination";
import { APIResource, validateParams } from "../resource";
import { type AuditEvent, EventsPage, EventsQuery } from "../schemas";

export const EventListParams = EventsQuery;
export type EventListParams = z.input<typeof EventListParams>;

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
}
