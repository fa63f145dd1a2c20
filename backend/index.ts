/**
 * The embedded identity backend: a real HTTP server with durable storage speaking the
 * identity API (service accounts, API tokens, scope bindings, product plane, audit events).
 *
 * ```ts
 * import { startBackend } from "pulumi-atlassian-service-accounts/backend";
 * const b = await startBackend({ dataDir, port: 0 });
 * // b.url, b.orgId, b.cloudId, b.adminKey; await b.close();
 * ```
 */
// First: fails clearly when the optional server packages are not installed.
import "./requirements";
import { startServer, type Backend, type BackendOptions } from "./server";

export type { Backend, BackendOptions } from "./server";
export type { OrgSeed, SiteAdminCredentials } from "./bootstrap";
export type { ConfluenceMode } from "./store/access";
export { EXTENSION_ROUTES } from "./extensions";
export type { AtlassianOptions } from "./atlassian";

export async function startBackend(opts: BackendOptions): Promise<Backend> {
  const b = await startServer(opts);
  return { url: b.url, orgId: b.orgId, cloudId: b.cloudId, adminKey: b.adminKey, siteAdmin: b.siteAdmin, close: b.close };
}
