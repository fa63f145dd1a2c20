/**
 * This backend's extensions: the routes Atlassian does not publish. They serve the embedded
 * path (minting and revoking single tokens, scope bindings, get-by-id, key management); with
 * `publicOnly` (`serve --public-only`) each answers 404 `endpoint.notPublic`, so a client
 * meant for Atlassian Cloud that calls one fails here as it would there.
 *
 * The one list of them. Every entry must name a registered route: the app refuses to start
 * otherwise, so the list cannot silently go stale.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "./errors";

const ADMIN = "/admin/api-access/v1/orgs/:orgId";

export const EXTENSION_ROUTES: readonly string[] = [
  // Atlassian has no way to create a service account's token through an API (UI only).
  `POST ${ADMIN}/service-accounts/:id/api-tokens`,
  // Atlassian lists a service account's tokens and revokes all of them, never one.
  `GET ${ADMIN}/service-accounts/:id/api-tokens/:tokenId`,
  `DELETE ${ADMIN}/service-accounts/:id/api-tokens/:tokenId`,
  // Atlassian creates an OAuth client in an admin session only; the stand-in's way to give an account one.
  `POST ${ADMIN}/service-accounts/:id/oauth-clients`,
  // Atlassian has no get-by-id; its update is PATCH /service-accounts with the id in the body.
  `GET ${ADMIN}/service-accounts/:id`,
  `PATCH ${ADMIN}/service-accounts/:id`,
  // Access on Atlassian is Jira project roles and Confluence space roles or permissions.
  `POST ${ADMIN}/service-accounts/:id/scope-bindings`,
  `GET ${ADMIN}/service-accounts/:id/scope-bindings`,
  `GET ${ADMIN}/service-accounts/:id/scope-bindings/:bindingId`,
  `PATCH ${ADMIN}/service-accounts/:id/scope-bindings/:bindingId`,
  `DELETE ${ADMIN}/service-accounts/:id/scope-bindings/:bindingId`,
  // Atlassian's org API keys are created in admin.atlassian.com, and revoked by PATCH …/api-keys/revoke/{id}.
  `POST ${ADMIN}/api-keys`,
  `DELETE ${ADMIN}/api-keys/:keyId`,
];

const LISTED = new Set(EXTENSION_ROUTES);

/** Whether `method url` (a route's pattern, prefix included) is one of the extensions. */
export const isExtensionRoute = (method: string, url: string): boolean => LISTED.has(`${method === "HEAD" ? "GET" : method} ${url}`);

/** Marks the listed routes; with `publicOnly`, makes each answer 404 endpoint.notPublic before anything else runs. */
export function extensionRoutes(app: FastifyInstance, publicOnly: boolean): void {
  const seen = new Set<string>();
  app.addHook("onRoute", (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const key = `${method === "HEAD" ? "GET" : method} ${route.url}`;
      if (!LISTED.has(key)) continue;
      seen.add(key);
      route.config = { ...(route.config as object), extension: true } as typeof route.config;
      // /openapi.json says so too.
      if (route.schema) {
        const schema = route.schema as { tags?: string[]; description?: string };
        schema.tags = [...(schema.tags ?? []).filter((t) => t !== "extension"), "extension"];
        schema.description = "An extension of this backend: Atlassian publishes no such endpoint. Off (404 endpoint.notPublic) under --public-only.";
      }
      if (!publicOnly) continue;
      const refuse = async (_req: FastifyRequest) => {
        throw new ApiError(
          404,
          "endpoint.notPublic",
          `${key.replace(ADMIN, "/admin/api-access/v1/orgs/{orgId}")} is an extension of this backend, not one of Atlassian's public endpoints, and this backend serves Atlassian's public surfaces only (--public-only)`,
        );
      };
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [refuse as never, ...existing];
    }
  });
  app.addHook("onReady", async () => {
    const stale = EXTENSION_ROUTES.filter((r) => !seen.has(r));
    if (stale.length) throw new Error(`EXTENSION_ROUTES names routes that do not exist: ${stale.join(", ")}`);
  });
}
