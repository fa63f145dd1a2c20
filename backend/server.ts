/**
 * Starting and stopping the backend: open the store, seed orgs, build the app, listen.
 * `close()` stops taking requests, lets in-flight ones finish, then closes the database.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Plan } from "../sdk/schemas";
import { buildApp } from "./app";
import { bootstrap, type OrgSeed, type SiteAdminCredentials } from "./bootstrap";
import { atlassianOptions, type AtlassianOptions } from "./atlassian";
import { parseFaults } from "./faults";
import { REPLAY_MS, SECRET_REPLAY_MS } from "./idempotency";
import { parseRateLimit } from "./ratelimit";
import { Store, type Durability } from "./store";
import type { ConfluenceMode } from "./store/access";
import { checkRetentionDays, EventRetention } from "./store/retention";

const DRAIN_GRACE_MS = 10_000;

export interface BackendOptions {
  /** Folder of the database (created if absent). The same folder on restart keeps everything. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The org to serve (created if absent); default: the data dir's default org, or a new one. */
  orgId?: string;
  /** An unscoped admin key for that org (created if absent); default: a generated one, kept in the data dir. */
  adminKey?: string;
  /** The org's plan (service-account quota): free 5, standard 250, enterprise 1000. Default standard. */
  plan?: Plan;
  /** The org's cloud id for the product plane; default: generated once. */
  cloudId?: string;
  /** More orgs with their keys, e.g. for isolation tests. */
  orgs?: OrgSeed[];
  /** `"<n>/<windowSeconds>"` per API key; `"0"` turns limits off. Default `"6000/60"`. */
  rateLimit?: string;
  /**
   * Injected failures on the admin API and the product plane's access routes, e.g.
   * `"error5xx=0.1,throttle=0.05,latencyMs=20-200,reset=0.02,lost=0.05,seed=42"` (`lost`: the
   * change lands, the answer is lost as a reset or a 500).
   */
  faults?: string;
  /** Fastify request logging (JSON lines, to stdout). Default off. Credentials are masked (see README). */
  logger?: boolean;
  /** Where the request log goes instead of stdout (anything with `write(line)`). */
  logSink?: { write(line: string): unknown };
  /**
   * The backend's clock (token expiry, timestamps, idempotency windows). Default: the system
   * clock. Tests move it forward to expire tokens without waiting.
   */
  now?: () => Date;
  /** `"normal"` (default: survives kill -9 of the process) or `"full"` (also survives power loss; fsync per commit). */
  durability?: Durability;
  /**
   * The site admin of the product plane (HTTP Basic `email:token`; the token is stored hashed).
   * Default: the one kept in the data dir, or a new one (see `Backend.siteAdmin`).
   */
  siteAdmin?: SiteAdminCredentials;
  /** The site's Confluence `space-role-mode` (default `ROLES`, kept across restarts). */
  confluenceMode?: ConfluenceMode;
  /**
   * Serve Atlassian's public surfaces only: every extension route (token minting, single-token
   * revoke, scope bindings, get-by-id, ...) answers 404 `endpoint.notPublic`.
   */
  publicOnly?: boolean;
  /**
   * Serve the routes Atlassian's admin console uses, which Atlassian does not publish or
   * support: `POST /users/{atlassianId}/manage/api-tokens` (mint a token) and
   * `POST /admin/account-management/v1/orgs/{orgId}/service-accounts/invite`. Off by default;
   * independent of `publicOnly` (they are not extensions).
   */
  consoleRoutes?: boolean;
  /**
   * The stand-in's switches, where the evidence about Atlassian's admin API has more than one
   * reading (see `backend/atlassian.ts`): `linksNext` ("absolute"), `tokenPathId` ("id"),
   * `patchReply` ("account"), `roleModeEndpoint` ("present"), `maxPageSize` (80),
   * `accountReadyDelayMs` (3000 with `publicOnly`, else 0).
   */
  atlassian?: Partial<AtlassianOptions>;
  /**
   * Days to keep audit events; older ones are deleted in small batches by a timer (every
   * minute, and once at start). Default (or 0): every event is kept.
   */
  auditRetentionDays?: number;
}

export interface Backend {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  orgId: string;
  cloudId: string;
  /** An unscoped admin API key of `orgId`. */
  adminKey: string;
  /** A site admin of the org's site: HTTP Basic `email:token` on the product plane. */
  siteAdmin: SiteAdminCredentials & { accountId: string };
  /** Stops listening, drains in-flight requests, closes the database. Safe to call twice. */
  close(): Promise<void>;
}

export interface RunningBackend extends Backend {
  app: FastifyInstance;
  /** True when this start generated the admin key (the CLI prints it once). */
  freshKey: boolean;
  /** True when this start generated the site admin's token (the CLI prints it once). */
  freshSiteAdmin: boolean;
  /** The file keeping a generated site admin's email and token (none when it was given). */
  siteAdminFile?: string;
}

export async function startServer(opts: BackendOptions): Promise<RunningBackend> {
  const rateLimit = parseRateLimit(opts.rateLimit);
  const faults = parseFaults(opts.faults);
  // Checked before anything is opened, so a bad switch fails the start with its own message.
  atlassianOptions(opts.atlassian, opts.publicOnly ?? false);
  const now = opts.now ?? (() => new Date());
  const retentionDays = checkRetentionDays(opts.auditRetentionDays);
  const store = new Store(opts.dataDir, opts.durability);
  let sweeper: NodeJS.Timeout | undefined;
  let retention: EventRetention | undefined;
  try {
    const seeded = bootstrap(store, opts.dataDir, now().toISOString(), opts);
    const knownSecrets = [seeded.adminKey, seeded.siteAdmin.token, ...(opts.adminKey ? [opts.adminKey] : []), ...(opts.orgs ?? []).map((o) => o.adminKey)];
    const { app } = await buildApp({ store, now, rateLimit, faults, logger: opts.logger, logSink: opts.logSink, knownSecrets, publicOnly: opts.publicOnly, consoleRoutes: opts.consoleRoutes, atlassian: opts.atlassian, siteCloudId: seeded.cloudId });
    const sweep = () => {
      const t = now().getTime();
      store.sweepIdempotency(t - SECRET_REPLAY_MS, t - REPLAY_MS);
    };
    sweep();
    sweeper = setInterval(sweep, 30_000);
    sweeper.unref();
    if (retentionDays !== undefined) {
      retention = new EventRetention(store, { days: retentionDays, now });
      retention.start();
    }
    await app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
    const addr = app.server.address() as AddressInfo;
    const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${addr.port}`,
      orgId: seeded.orgId,
      cloudId: seeded.cloudId,
      adminKey: seeded.adminKey,
      freshKey: seeded.freshKey,
      siteAdmin: seeded.siteAdmin,
      freshSiteAdmin: seeded.freshSiteAdmin,
      siteAdminFile: seeded.siteAdminFile,
      app,
      close: () =>
        (closing ??= (async () => {
          clearInterval(sweeper);
          // A request that has not finished after the grace period is cut off.
          const cutoff = setTimeout(() => app.server.closeAllConnections(), DRAIN_GRACE_MS);
          cutoff.unref();
          try {
            await app.close();
          } finally {
            await retention?.stop();
            store.close();
          }
        })()),
    };
  } catch (e) {
    clearInterval(sweeper);
    await retention?.stop();
    store.close();
    throw e;
  }
}
