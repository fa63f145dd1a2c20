/**
 * `doctor --stand-in`: the embedded backend standing in for an Atlassian org, so the doctor
 * can be seen (and tested) without one. It serves Atlassian's public surfaces only
 * (`--public-only`), in the reading of each open question that its switches name
 * (`--atlassian linksNext=cursor,…`, see `backend/atlassian.ts`), on an org seeded with what
 * the read-only probes look at: accounts sharing a display name, an account holding an active
 * and a revoked token, a directory group (`STAND_IN_GROUP`, for `--write --group`), and an
 * admin key lacking `read:events:admin` (a scope the doctor then sees refused). Seeding needs the extensions (a token can be minted only there), so the
 * backend is started once in full to seed, then again on the same data in public-only mode.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AtlassianOptions } from "../backend/atlassian";
import type { SettingName } from "../provider/config";
import { z } from "zod";
import { Client } from "../sdk/client";
import { ADMIN_SCOPES, type Plan } from "../sdk/schemas";

/** The scope the stand-in's key lacks: one the provider never needs. */
export const STAND_IN_MISSING_SCOPE = "read:events:admin";

export interface StandInOptions {
  /** The readings to play (the backend's `atlassian` switches); default: the evidence-following ones. */
  atlassian?: Partial<AtlassianOptions>;
  /** The org's plan (its service-account quota). Default `standard`. */
  plan?: Plan;
  /**
   * Also serve the admin console's routes, and set `atlassian:consoleRoutes` with the org's
   * unscoped key (those routes refuse a scoped one). Default: off.
   */
  consoleRoutes?: boolean;
  /** The site's Confluence space-role mode. Default `ROLES`. */
  confluenceMode?: "ROLES" | "ROLES_TRANSITION" | "PRE_ROLES";
}

export interface StandIn {
  url: string;
  orgId: string;
  cloudId: string;
  /** An org admin key holding every scope but {@link STAND_IN_MISSING_SCOPE}; with `consoleRoutes`, the org's unscoped key. */
  apiKey: string;
  /** The site admin of the product plane (HTTP Basic `email:token`). */
  siteAdmin: { email: string; token: string };
  /** The provider's settings pointing at the stand-in, as stack config (`atlassian:<name>`). */
  config: Record<string, string>;
  /** Where its data is kept. */
  dataDir: string;
  /** Stops the backend and keeps its data (a later `startBackend` on `dataDir` serves it again). */
  stop(): Promise<void>;
  /** Stops the backend and removes its data. */
  close(): Promise<void>;
}

/** The seeded group of the org's directory (for `doctor --write --group`). */
export const STAND_IN_GROUP = "Doctor seed group";

/** Display names of the seeded accounts: two share one, as Atlassian allows. */
export const STAND_IN_ACCOUNTS = ["Doctor seed", "Doctor seed", "Doctor token holder"] as const;

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  // Loaded here only: the backend's server stack is a development dependency of the package.
  const { startBackend } = require("../backend") as typeof import("../backend");
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "pasa-doctor-stand-in-"));
  const siteAdmin = { email: "site-admin@example.com", token: `site-admin-${randomBytes(18).toString("base64url")}` };
  const common = {
    dataDir,
    port: 0,
    plan: opts.plan ?? "standard",
    siteAdmin,
    rateLimit: "0",
    ...(opts.confluenceMode ? { confluenceMode: opts.confluenceMode } : {}),
  } as const;
  try {
    const seeding = await startBackend({ ...common, publicOnly: false });
    let apiKey: string;
    try {
      apiKey = await seed(new Client({ baseUrl: seeding.url, orgId: seeding.orgId, apiKey: seeding.adminKey, maxRetries: 0 }));
    } finally {
      await seeding.close();
    }
    const b = await startBackend({ ...common, publicOnly: true, consoleRoutes: opts.consoleRoutes === true, ...(opts.atlassian ? { atlassian: opts.atlassian } : {}) });
    if (opts.consoleRoutes) apiKey = b.adminKey;
    const settings: Partial<Record<SettingName, string>> = {
      target: "atlassian-cloud",
      baseUrl: b.url,
      orgId: b.orgId,
      apiKey,
      cloudId: b.cloudId,
      siteAdminEmail: siteAdmin.email,
      siteAdminToken: siteAdmin.token,
      ...(opts.consoleRoutes ? { consoleRoutes: "true" } : {}),
    };
    return {
      url: b.url,
      orgId: b.orgId,
      cloudId: b.cloudId,
      apiKey,
      siteAdmin,
      config: Object.fromEntries(Object.entries(settings).map(([k, v]) => [`atlassian:${k}`, v])),
      dataDir,
      stop: () => b.close(),
      close: async () => {
        await b.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Seeds the org through the full backend; answers the secret of a key lacking {@link STAND_IN_MISSING_SCOPE}. */
async function seed(client: Client): Promise<string> {
  try {
    const made = [];
    for (const displayName of STAND_IN_ACCOUNTS) made.push(await client.serviceAccounts.create({ displayName, description: "seeded by doctor --stand-in" }));
    const holder = made.at(-1)!;
    const token = (label: string) => client.extensions.apiTokens.create(holder.id, { label, scopes: ["read:jira-work"], expiresInDays: 30 });
    await token("doctor active");
    const revoked = await token("doctor revoked");
    await client.extensions.apiTokens.revoke(holder.id, revoked.id);
    // An OAuth client of the holder: an extension of the stand-in (Atlassian makes one in an admin session only).
    await client.request({ method: "POST", path: `${client.adminPath}/service-accounts/${holder.id}/oauth-clients`, body: { name: "doctor client" }, auth: "admin", schema: z.unknown() });
    await client.directoryGroups.create({ name: STAND_IN_GROUP, description: "seeded by doctor --stand-in" }, "default");
    const key = await client.extensions.apiKeys.create({ label: "doctor", scopes: ADMIN_SCOPES.filter((s) => s !== STAND_IN_MISSING_SCOPE) });
    return key.token;
  } finally {
    client.close();
  }
}
