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
      const f = {
        action,
        from: from === undefined ? undefined : new Date(from).toISOString(),
        to: to === undefined ? undefined : new Date(to).toISOString(),
      };
      const p = ctx.adminPage(req, `${orgId}/events?${f.action ?? ""}&${f.from ?? ""}&${f.to ?? ""}`, req.query, (after, limit) =>
        ctx.store.listEvents(orgId, f, after, limit),
        LIST_LIMIT_MAX,
      );
      return { data: p.items, links: linksOf(p.next) };
    },
  );
}
