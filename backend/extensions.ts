/**
 * This backend's extensions: the admin routes Atlassian does not publish, all registered by
 * `extensionRoutes` below into the admin API's extension scope (`admin.ts`). That scope gives
 * each of them the contract's error body, Idempotency-Key, a 403 for a missing scope, the
 * OpenAPI tag "extension", and with `publicOnly` (`serve --public-only`) a 404
 * `endpoint.notPublic` before anything else runs, so a client meant for Atlassian Cloud that
 * calls one fails here as it would there. A route is an extension because it is registered
 * here, never because its URL is on a list.
 */
import type { FastifyRequest } from "fastify";
import { ADMIN_BASE, type Context, type ZodApp } from "./context";
import { ApiError } from "./errors";
import { apiKeyExtensions } from "./routes/api-keys";
import { apiTokenExtensions } from "./routes/api-tokens";
import { oauthClientExtensions } from "./routes/oauth-clients";
import { scopeBindingRoutes } from "./routes/scope-bindings";
import { serviceAccountExtensions } from "./routes/service-accounts";

/** Registers every extension (paths relative to `ADMIN_BASE`); nothing else registers one. */
export function extensionRoutes(ext: ZodApp, ctx: Context): void {
  // POST /service-accounts/{id}/api-tokens: Atlassian has no API that creates a token (its console does).
  // GET, DELETE /service-accounts/{id}/api-tokens/{tokenId}: Atlassian lists an account's tokens and revokes all of them, never one.
  apiTokenExtensions(ext, ctx);
  // POST /service-accounts/{id}/oauth-clients: Atlassian creates an OAuth client in an admin session only; the stand-in's way to give an account one.
  oauthClientExtensions(ext, ctx);
  // GET, PATCH /service-accounts/{id}: Atlassian has no get-by-id; its update is PATCH /service-accounts with the id in the body.
  serviceAccountExtensions(ext, ctx);
  // POST, GET /service-accounts/{id}/scope-bindings, and GET, PATCH, DELETE …/scope-bindings/{bindingId}:
  // access on Atlassian is Jira project roles and Confluence space roles or permissions.
  scopeBindingRoutes(ext, ctx);
  // POST /api-keys, DELETE /api-keys/{keyId}: Atlassian's org API keys are created in admin.atlassian.com, and revoked by PATCH …/api-keys/revoke/{id}.
  apiKeyExtensions(ext, ctx);
}

/**
 * Every extension as `METHOD path`, the admin base included (for a client's test that it
 * called none, say). Read off `extensionRoutes` itself by a stand-in for fastify that records
 * each route it is given and runs none of them; the context it passes is empty, so the
 * extension modules use `ctx` inside their handlers only.
 */
export const EXTENSION_ROUTES: readonly string[] = (() => {
  const routes: string[] = [];
  const record = (method: string) => (url: string) => void routes.push(`${method} ${ADMIN_BASE}${url}`);
  const recorder = { get: record("GET"), post: record("POST"), put: record("PUT"), patch: record("PATCH"), delete: record("DELETE") };
  extensionRoutes(recorder as unknown as ZodApp, {} as Context);
  return routes;
})();

/** What /openapi.json says of every extension, besides its own summary. */
export const EXTENSION_TAG = "extension";
export const EXTENSION_DESCRIPTION = "An extension of this backend: Atlassian publishes no such endpoint. Off (404 endpoint.notPublic) under --public-only.";

/** The extension scope's first onRequest hook under `publicOnly`: 404 endpoint.notPublic, naming the route. */
export async function refuseNotPublic(req: FastifyRequest): Promise<void> {
  const method = req.routeOptions.method === "HEAD" ? "GET" : String(req.routeOptions.method);
  const path = (req.routeOptions.url ?? "").replace(ADMIN_BASE, "/admin/api-access/v1/orgs/{orgId}");
  throw new ApiError(
    404,
    "endpoint.notPublic",
    `${method} ${path} is an extension of this backend, not one of Atlassian's public endpoints, and this backend serves Atlassian's public surfaces only (--public-only)`,
  );
}
