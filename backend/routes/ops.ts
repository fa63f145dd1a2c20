/** Operations: `/healthz`, `/metrics` (Prometheus text) and `/openapi.json`. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Context, ZodApp } from "../context";
import type { Metrics } from "../metrics";

export function opsRoutes(app: ZodApp, ctx: Context, metrics: Metrics): void {
  app.get(
    "/healthz",
    { schema: { tags: ["operations"], summary: "Liveness and database check", response: { 200: z.object({ status: z.literal("ok"), time: z.string() }) } } },
    async () => {
      ctx.store.getMeta("server_key");
      return { status: "ok" as const, time: ctx.now() };
    },
  );
  app.get("/metrics", { schema: { tags: ["operations"], summary: "Prometheus metrics", hide: true } as object }, async (_req, reply) =>
    reply.type("text/plain; version=0.0.4").send(metrics.render()),
  );
  app.get("/openapi.json", { schema: { hide: true } as object }, async () => (app as unknown as FastifyInstance).swagger());
}
