/**
 * Where the provider finds its endpoint and credentials, at run time, inside the provider
 * process: the stack config the engine hands to the dynamic provider's `configure`
 * (`atlassian:baseUrl`, `atlassian:orgId`, `atlassian:apiKey`), falling back to the
 * environment (`ATLASSIAN_BASE_URL`, `ATLASSIAN_ORG_ID`, `ATLASSIAN_API_KEY`).
 *
 * Nothing here is ever captured into the serialized provider: the shim in `shim.ts`
 * forwards `configure` to this module, which keeps the values in this process's memory only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Client } from "../sdk/index";

/** One setting: its stack config key, its environment variable, whether it is a secret. */
export interface Setting {
  /** The setting's name in {@link Settings}. */
  readonly name: "baseUrl" | "orgId" | "apiKey";
  /** The stack config key, namespaced: `atlassian:<name>`. */
  readonly configKey: string;
  /** The environment variable read when the stack config lacks the setting. */
  readonly envVar: string;
  /** Whether it must be set with `pulumi config set --secret`. */
  readonly secret: boolean;
  /** What it is, for messages. */
  readonly description: string;
}

/** Every setting the provider reads, in the order the README's configuration table lists them. */
export const SETTINGS: readonly Setting[] = [
  {
    name: "baseUrl",
    configKey: "atlassian:baseUrl",
    envVar: "ATLASSIAN_BASE_URL",
    secret: false,
    description: "the identity API's base URL, e.g. http://127.0.0.1:8080 for the embedded backend",
  },
  {
    name: "orgId",
    configKey: "atlassian:orgId",
    envVar: "ATLASSIAN_ORG_ID",
    secret: false,
    description: "the organization whose service accounts the stack manages",
  },
  {
    name: "apiKey",
    configKey: "atlassian:apiKey",
    envVar: "ATLASSIAN_API_KEY",
    secret: true,
    description: "an org admin API key (set it with --secret)",
  },
];

/** The settings in force. */
export interface Settings {
  /** The identity API's base URL. */
  baseUrl: string;
  /** The organization id. */
  orgId: string;
  /** The org admin API key: held in this process's memory only. */
  apiKey: string;
}

let fromStack: Partial<Settings> = {};

/**
 * Records the stack's settings. The engine calls this once per provider process, before any
 * other method; the config holds namespaced keys (`atlassian:apiKey`), secrets already unwrapped.
 */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const found: Partial<Settings> = {};
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
}

/** Forgets what `configure` recorded and closes the client (for tests). */
export function resetConfiguration(): void {
  fromStack = {};
  cached?.client.close();
  cached = undefined;
}

/**
 * The settings in force: stack config first, then the environment. A missing one fails
 * naming both ways to set it; a malformed base URL fails naming what was given (never the key).
 */
export function settings(): Settings {
  const resolved: Partial<Settings> = {};
  const missing: Setting[] = [];
  for (const s of SETTINGS) {
    const value = fromStack[s.name] ?? process.env[s.envVar]?.trim();
    if (value) resolved[s.name] = value;
    else missing.push(s);
  }
  if (missing.length > 0) {
    const how = missing.map(
      (s) =>
        `${s.configKey} is not set (${s.description}): run \`pulumi config set${s.secret ? " --secret" : ""} ${s.configKey} <value>\`` +
        ` or set the ${s.envVar} environment variable`,
    );
    throw new Error(`the Atlassian provider is not configured: ${how.join("; ")}`);
  }
  const baseUrl = resolved.baseUrl!;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(
      `atlassian:baseUrl (or ATLASSIAN_BASE_URL) is ${JSON.stringify(baseUrl.slice(0, 200))}, which is not an http(s) URL; ` +
        `give the identity API's base URL, e.g. "http://127.0.0.1:8080"`,
    );
  }
  return resolved as Settings;
}

let cached: { key: string; client: Client } | undefined;

/** A client for the settings in force, reused while they stay the same. */
export function client(): Client {
  const s = settings();
  const key = JSON.stringify([s.baseUrl, s.orgId, s.apiKey]);
  if (cached?.key !== key) {
    cached?.client.close();
    cached = {
      key,
      client: new Client({ baseUrl: s.baseUrl, orgId: s.orgId, apiKey: s.apiKey, userAgent: "pulumi-provider" }),
    };
  }
  return cached.client;
}
