/**
 * Where the provider finds its target, endpoint and credentials, at run time, inside the
 * provider process: the stack config the engine hands to the dynamic provider's `configure`
 * (`atlassian:<name>`), falling back to the environment (`ATLASSIAN_<NAME>`).
 *
 * Nothing here is ever captured into the serialized provider: the shim in `shim.ts`
 * forwards `configure` to this module, which keeps the values in this process's memory only.
 *
 * A setting is checked when an operation first needs it, so a stack without bindings needs
 * no site credentials; the message names the setting and both ways to set it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Client } from "../sdk/index";
import { parseRoleMapping, type RoleMapping } from "./roles";

/** The names of the settings, as in {@link Settings}. */
export type SettingName =
  | "target"
  | "baseUrl"
  | "orgId"
  | "apiKey"
  | "cloudId"
  | "siteUrl"
  | "siteAdminEmail"
  | "siteAdminToken"
  | "roleMapping"
  | "policy"
  | "consoleRoutes";

/** One setting: its stack config key, its environment variable, whether it is a secret. */
export interface Setting {
  /** The setting's name in {@link Settings}. */
  readonly name: SettingName;
  /** The stack config key, namespaced: `atlassian:<name>`. */
  readonly configKey: string;
  /** The environment variable read when the stack config lacks the setting. */
  readonly envVar: string;
  /** Whether it must be set with `pulumi config set --secret`. */
  readonly secret: boolean;
  /** What it is, for messages. */
  readonly description: string;
}

/** Atlassian's API gateway: the admin API and the products' `/ex/{product}/{cloudId}` routes. */
export const ATLASSIAN_BASE_URL = "https://api.atlassian.com";

/**
 * `atlassian-cloud`: Atlassian's public operations only. `embedded`: the same operations,
 * plus the embedded backend's extensions where Atlassian has none (minting a token,
 * revoking one token, suspending an account).
 */
export const TARGETS = ["atlassian-cloud", "embedded"] as const;
export type TargetName = (typeof TARGETS)[number];

const setting = (name: SettingName, envVar: string, secret: boolean, description: string): Setting => ({
  name,
  configKey: `atlassian:${name}`,
  envVar,
  secret,
  description,
});

/** Every setting the provider reads, in the order the README's configuration table lists them. */
export const SETTINGS: readonly Setting[] = [
  setting(
    "target",
    "ATLASSIAN_TARGET",
    false,
    '"atlassian-cloud" or "embedded"; default: "atlassian-cloud" when the base URL is Atlassian\'s, "embedded" otherwise',
  ),
  setting("baseUrl", "ATLASSIAN_BASE_URL", false, `the API's base URL; default ${ATLASSIAN_BASE_URL}, e.g. http://127.0.0.1:8080 for the embedded backend`),
  setting("orgId", "ATLASSIAN_ORG_ID", false, "the organization whose service accounts the stack manages"),
  setting("apiKey", "ATLASSIAN_API_KEY", true, "an org admin API key (set it with --secret)"),
  setting("cloudId", "ATLASSIAN_CLOUD_ID", false, "the cloud id of the Jira/Confluence site that ScopeBindings grant access on (and the default site of a ServiceAccount's appAccess)"),
  setting(
    "siteUrl",
    "ATLASSIAN_SITE_URL",
    false,
    "the site's own URL, e.g. https://acme.atlassian.net, for a site admin with a classic (unscoped) API token; default: Atlassian's gateway (baseUrl/ex/{product}/{cloudId}), which scoped tokens need",
  ),
  setting("siteAdminEmail", "ATLASSIAN_SITE_ADMIN_EMAIL", false, "the email of a site admin, for the Jira and Confluence APIs that ScopeBindings call"),
  setting("siteAdminToken", "ATLASSIAN_SITE_ADMIN_TOKEN", true, "an API token of that site admin (set it with --secret)"),
  setting("roleMapping", "ATLASSIAN_ROLE_MAPPING", false, "JSON mapping viewer/editor/admin to Jira and Confluence role names; see the README"),
  setting("policy", "ATLASSIAN_POLICY", false, "JSON rules every resource's check enforces (token life, rotation, scopes, roles, names); see the README"),
  setting(
    "consoleRoutes",
    "ATLASSIAN_CONSOLE_ROUTES",
    false,
    "true lets the provider use routes of Atlassian's admin console, which Atlassian does not support and may change without notice (ApiToken on Atlassian Cloud, and app access added to an existing ServiceAccount); needs an unscoped org key; default false",
  ),
];

const byName = Object.fromEntries(SETTINGS.map((s) => [s.name, s])) as Record<SettingName, Setting>;

/** The settings every operation needs. */
export interface Settings {
  /** Which target's requests the handlers' operations become. */
  target: TargetName;
  /** The API's base URL. */
  baseUrl: string;
  /** The organization id. */
  orgId: string;
  /** The org admin API key: held in this process's memory only. */
  apiKey: string;
}

/** What ScopeBindings need besides {@link Settings}: the site and a site admin's credentials. */
export interface SiteSettings {
  /** The site's cloud id (the gateway's `/ex/{product}/{cloudId}`); absent when `siteUrl` is set. */
  cloudId?: string;
  /** The site's own URL (classic tokens); absent when the gateway is used. */
  siteUrl?: string;
  siteAdminEmail: string;
  /** Held in this process's memory only. */
  siteAdminToken: string;
}

let fromStack: Partial<Record<SettingName, string>> = {};

/**
 * Records the stack's settings. The engine calls this once per provider process, before any
 * other method; the config holds namespaced keys (`atlassian:apiKey`), secrets already unwrapped.
 */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const found: Partial<Record<SettingName, string>> = {};
  for (const s of SETTINGS) {
    let value: unknown;
    try {
      value = req.config.get(s.configKey);
    } catch {
      // An engine that sent no config at all: the environment still applies.
      value = undefined;
    }
    if (typeof value === "string" && value.trim() !== "") found[s.name] = value.trim();
  }
  fromStack = found;
  roleMappingCache = undefined;
}

/** Forgets what `configure` recorded and closes the client (for tests). */
export function resetConfiguration(): void {
  fromStack = {};
  roleMappingCache = undefined;
  cached?.client.close();
  cached = undefined;
}

/** The value in force of one setting: the stack's, else the environment's; undefined when unset. */
export function raw(name: SettingName): string | undefined {
  return fromStack[name] ?? (process.env[byName[name].envVar]?.trim() || undefined);
}

function howToSet(s: Setting): string {
  return `run \`pulumi config set${s.secret ? " --secret" : ""} ${s.configKey} <value>\` or set the ${s.envVar} environment variable`;
}

/** Fails naming each missing setting, what it is, and both ways to set it. */
function requireAll(names: SettingName[], forWhat: string): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: Setting[] = [];
  for (const n of names) {
    const v = raw(n);
    if (v) found[n] = v;
    else missing.push(byName[n]);
  }
  if (missing.length > 0) {
    const how = missing.map((s) => `${s.configKey} is not set (${s.description}): ${howToSet(s)}`);
    throw new Error(`the Atlassian provider is not configured${forWhat}: ${how.join("; ")}`);
  }
  return found;
}

/** A bad value: names the setting, what was given (never for a secret), what is wrong and the fix. */
export function invalid(name: SettingName, given: string | undefined, problem: string): Error {
  const s = byName[name];
  // A URL may carry credentials (`https://user:password@…`): never repeat them.
  const shownValue = given?.replace(/\/\/[^/@\s]*@/g, "//<credentials>@");
  const what = s.secret || shownValue === undefined ? "is invalid" : `is ${JSON.stringify(shownValue.slice(0, 200))}`;
  return new Error(`${s.configKey} (or ${s.envVar}) ${what}: ${problem}; ${howToSet(s)}`);
}

/**
 * The settings in force: stack config first, then the environment. A missing one fails
 * naming both ways to set it; a malformed one fails naming what was given (never a secret).
 */
export function settings(): Settings {
  const { orgId, apiKey } = requireAll(["orgId", "apiKey"], "") as { orgId: string; apiKey: string };
  const baseUrl = raw("baseUrl") ?? ATLASSIAN_BASE_URL;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw invalid("baseUrl", baseUrl, `not an http(s) URL; give the API's base URL, e.g. "${ATLASSIAN_BASE_URL}" or "http://127.0.0.1:8080"`);
  }
  return { target: targetName(), baseUrl, orgId, apiKey };
}

/**
 * The target alone, needing no other setting (for `check`, which runs before any request).
 * A target setting that is not a target throws, naming it.
 */
export function targetName(): TargetName {
  const given = raw("target");
  if (given !== undefined) {
    if ((TARGETS as readonly string[]).includes(given)) return given as TargetName;
    throw invalid("target", given, `not a target; give "atlassian-cloud" or "embedded"`);
  }
  let host = "";
  try {
    host = new URL(raw("baseUrl") ?? ATLASSIAN_BASE_URL).hostname;
  } catch {
    host = "";
  }
  // Pointed at Atlassian, the extensions cannot exist; pointed elsewhere, it is the embedded backend.
  return /(^|\.)atlassian\.(com|net)$/i.test(host) ? "atlassian-cloud" : "embedded";
}

/**
 * The site settings ScopeBindings need; fails naming each missing one. The site is either
 * `siteUrl` (a classic token, on the site's own URL) or `cloudId` (a scoped token, through
 * Atlassian's gateway).
 */
export function siteSettings(): SiteSettings {
  const siteUrl = raw("siteUrl");
  if (siteUrl !== undefined) {
    checkSiteUrl(siteUrl);
    return { siteUrl, ...requireAll(["siteAdminEmail", "siteAdminToken"], " for ScopeBinding (Jira and Confluence access)") } as unknown as SiteSettings;
  }
  return requireAll(["cloudId", "siteAdminEmail", "siteAdminToken"], " for ScopeBinding (Jira and Confluence access)") as unknown as SiteSettings;
}

function checkSiteUrl(siteUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(siteUrl);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw invalid("siteUrl", siteUrl, 'not the site\'s URL; give it without a path, query or credentials, e.g. "https://acme.atlassian.net"');
  }
}

/**
 * `atlassian:consoleRoutes` (else `ATLASSIAN_CONSOLE_ROUTES`): whether the provider may use
 * the admin console's routes, which Atlassian does not support (see the README). Off unless
 * set to `true`; a value that is not `true` or `false` fails naming the setting. Needs no
 * other setting (`check` reads it before any request).
 */
export function consoleRoutes(): boolean {
  const given = raw("consoleRoutes");
  if (given === undefined) return false;
  const v = given.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid("consoleRoutes", given, 'not a boolean; give "true" to use the admin console\'s routes or "false" (the default) not to');
}

/** The text of `atlassian:policy` (else `ATLASSIAN_POLICY`), which `policy.ts` parses and judges with. */
export function policyText(): string | undefined {
  return raw("policy");
}

let roleMappingCache: RoleMapping | undefined;

/** The role mapping in force: the defaults, with `atlassian:roleMapping` laid over them. */
export function roleMapping(): RoleMapping {
  if (roleMappingCache) return roleMappingCache;
  const text = raw("roleMapping");
  try {
    roleMappingCache = parseRoleMapping(text);
  } catch (err) {
    throw invalid("roleMapping", text, (err as Error).message);
  }
  return roleMappingCache;
}

let cached: { key: string; client: Client } | undefined;

/**
 * A client for the settings in force, reused while they stay the same. It carries the site
 * admin's credentials when they are set; a product call without them fails naming them
 * (see {@link siteSettings}, which the bindings call first).
 */
export function client(): Client {
  const s = settings();
  const site = { cloudId: raw("cloudId"), siteUrl: raw("siteUrl"), email: raw("siteAdminEmail"), token: raw("siteAdminToken") };
  if (site.siteUrl !== undefined) checkSiteUrl(site.siteUrl);
  const key = JSON.stringify([s.baseUrl, s.orgId, s.apiKey, site.cloudId, site.siteUrl, site.email, site.token]);
  if (cached?.key !== key) {
    cached?.client.close();
    cached = {
      key,
      client: new Client({
        baseUrl: s.baseUrl,
        orgId: s.orgId,
        apiKey: s.apiKey,
        userAgent: "pulumi-provider",
        ...(site.cloudId ? { cloudId: site.cloudId } : {}),
        ...(site.siteUrl ? { siteUrl: site.siteUrl } : {}),
        ...(site.email && site.token ? { siteAdmin: { email: site.email, apiToken: site.token } } : {}),
      }),
    };
  }
  return cached.client;
}
