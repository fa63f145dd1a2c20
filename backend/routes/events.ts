/** The audit log: `GET /admin/v1/orgs/{orgId}/events` (scope read:events:admin), oldest first. */
import { EventsPage, EventsQuery, LIST_LIMIT_MAX } from "../../sdk/schemas";
import { linksOf, type Context, type ZodApp } from "../context";
import { OrgParams } from "./service-accounts";

export function eventRoutes(app: ZodApp, ctx: Context): void {
  app.get(
    "/admin/v1/orgs/:orgId/events",
    {
      config: { scope: "read:events:admin" },
      schema: { tags: ["audit events"], summary: "Audit events, filtered by action and time", params: OrgParams, querystring: EventsQuery, response: { 200: EventsPage } },
    },
    async (req) => {
      const { orgId } = req.params;
      const { action, from, to } = req.query;
      // ISO-8601, or epoch milliseconds (Atlassian's documented form).
      const iso = (t: string | undefined) => (t === undefined ? undefined : new Date(/^\d+$/.test(t) ? Number(t) : t).toISOString());
      const f = { action, from: iso(from), to: iso(to) };
      const p = ctx.adminPage(req, `${orgId}/events?${f.action ?? ""}&${f.from ?? ""}&${f.to ?? ""}`, req.query, (after, limit) =>
        ctx.store.listEvents(orgId, f, after, limit),
        LIST_LIMIT_MAX,
      );
      return { data: p.items, links: linksOf(p.next) };
    },
  );
}
