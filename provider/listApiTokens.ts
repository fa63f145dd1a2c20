/**
 * `listApiTokens`: a service account's API tokens as Atlassian lists them (metadata only,
 * never a secret), for a program or a pipeline that must warn before a token made in the
 * console expires. One public request per page: GET /service-accounts/{id}/api-tokens.
 */
import * as pulumi from "@pulumi/pulumi";
import { Client, type ServiceAccountToken } from "../sdk/index";
import { ATLASSIAN_BASE_URL } from "./config";

export type { ServiceAccountToken } from "../sdk/index";

export interface ListApiTokensArgs {
  /** The service account's id (e.g. `account.id`, inside an `apply`). */
  serviceAccountId: string;
  /** Only tokens of this label (Atlassian's `tokenLabel` filter). */
  label?: string;
}

/** Where to find the org; each falls back to stack config `atlassian:*`, then the environment `ATLASSIAN_*`. */
export interface ListApiTokensSettings {
  baseUrl?: string;
  orgId?: string;
  /** An org admin API key with `read:service-accounts-tokens:admin`. */
  apiKey?: string;
}

function setting(name: "baseUrl" | "orgId" | "apiKey", env: string, given: string | undefined): string | undefined {
  if (given) return given;
  // Inside a Pulumi program the stack config is at hand (secrets included, unwrapped).
  let fromStack: string | undefined;
  try {
    fromStack = pulumi.runtime.getConfig(`atlassian:${name}`);
  } catch {
    fromStack = undefined;
  }
  return fromStack || process.env[env]?.trim() || undefined;
}

/**
 * The account's tokens: id, label, createdAt, expiresAt, lastUsedAt and status where
 * Atlassian lists them. Works on both targets (it is Atlassian's public list).
 *
 * ```ts
 * const soon = account.id.apply(async (id) =>
 *   (await sa.listApiTokens({ serviceAccountId: id })).filter((t) => t.expiresAt && Date.parse(t.expiresAt) < Date.now() + 14 * 864e5));
 * ```
 */
export async function listApiTokens(args: ListApiTokensArgs, settings: ListApiTokensSettings = {}): Promise<ServiceAccountToken[]> {
  const orgId = setting("orgId", "ATLASSIAN_ORG_ID", settings.orgId);
  const apiKey = setting("apiKey", "ATLASSIAN_API_KEY", settings.apiKey);
  const missing = [
    orgId ? undefined : "orgId: pass { orgId }, set atlassian:orgId in the stack config or ATLASSIAN_ORG_ID",
    apiKey ? undefined : "apiKey: pass { apiKey }, set atlassian:apiKey (--secret) in the stack config or ATLASSIAN_API_KEY",
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`listApiTokens is not configured: ${missing.join("; ")}`);
  const client = new Client({
    baseUrl: setting("baseUrl", "ATLASSIAN_BASE_URL", settings.baseUrl) ?? ATLASSIAN_BASE_URL,
    orgId: orgId!,
    apiKey: apiKey!,
    userAgent: "listApiTokens",
  });
  try {
    return await client.serviceAccountTokens.list(args.serviceAccountId, args.label === undefined ? {} : { tokenLabel: args.label });
  } finally {
    client.close();
  }
}
