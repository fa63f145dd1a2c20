/**
 * The org's credentials as Atlassian's public lists show them: every service account, its
 * tokens and its OAuth clients, whether a stack manages each, and when each token was last
 * used. Read-only, through the sdk, with Atlassian's public list operations alone:
 *
 * - `GET /service-accounts` (every page);
 * - `GET /service-accounts/{id}/api-tokens` per account (metadata; never a secret);
 * - `GET /oauth-clients` (every page), and, only when the org has any, each account's
 *   `GET /service-accounts/{id}/oauth-clients` to tie a client to its account;
 * - `GET /admin/v1/orgs/{orgId}/events`, only for tokens whose list gives no last use, and
 *   at most Atlassian's 10 requests a minute (`AUDIT_LOG_REQUESTS_PER_MINUTE`).
 */
import {
  adminIdOf,
  APIError,
  AUDIT_LOG_REQUESTS_PER_MINUTE,
  tokenStatus,
  type Client,
  type OAuthClient,
  type ServiceAccount,
  type ServiceAccountToken,
} from "../sdk/index";
import { DAY_MS } from "../provider/clock";
import { NOTHING_MANAGED, type Managed } from "./stacks";

/** Where a token's last use came from. */
export type LastUsedFrom = "token-list" | "audit-log" | "audit-log-partial";

export interface AccountRef {
  id: string;
  displayName: string;
  email: string;
}

export interface AccountEntry extends AccountRef {
  /** The id Jira and Confluence know it by, when listed. */
  atlassianId: string | undefined;
  status: string | undefined;
  /** The stacks whose state holds it; empty: made by hand, or by something else. */
  managedBy: string[];
  /** Its tokens in the report (revoked ones left out). */
  tokens: number;
  oauthClients: number;
}

export interface TokenEntry {
  id: string;
  label: string | undefined;
  /** `active` or `expired` (revoked tokens are left out); as listed, else from the expiry. */
  status: string;
  createdAt: string | undefined;
  expiresAt: string | undefined;
  lastUsedAt: string | undefined;
  /**
   * Where `lastUsedAt` came from. `audit-log` with no `lastUsedAt`: the whole log since the
   * token's creation shows no use. Undefined: unknown (no source said).
   */
  lastUsedFrom: LastUsedFrom | undefined;
  /** Days until expiry, rounded up (a token expiring in 2.5 days has 3 left); negative once expired (see `daysLeft`); undefined without an expiry. */
  daysLeft: number | undefined;
  account: AccountRef;
  managedBy: string[];
}

export interface OAuthClientEntry {
  clientId: string;
  name: string | undefined;
  status: string | undefined;
  createdAt: string | undefined;
  /** null when no account's list holds it (see `OAUTH_CLIENT_ACCOUNT_LINK`). */
  account: AccountRef | null;
  /** Always empty: no resource of this package manages an OAuth client. */
  managedBy: string[];
}

export interface Inventory {
  generatedAt: string;
  orgId: string;
  accounts: AccountEntry[];
  /** Sorted by days left, soonest (and expired) first; tokens without an expiry last. */
  tokens: TokenEntry[];
  oauthClients: OAuthClientEntry[];
  /** What the audit log was asked, when it was. */
  auditLog: { requests: number; complete: boolean } | undefined;
  /** What could not be read, said once each (never a secret). */
  notes: string[];
}

/** How far the collection has got, for a progress line. */
export interface Progress {
  phase: "accounts" | "tokens" | "oauth-clients" | "audit-log";
  done: number;
  total: number | undefined;
}

export interface CollectOptions {
  now: Date;
  managed?: Managed;
  onProgress?: (p: Progress) => void;
  /** Requests in flight at once for the per-account lists. Default 8. */
  concurrency?: number;
  /** The audit log's budget and page size (defaults: Atlassian's 10 requests, pages of 100). */
  auditLog?: { maxRequests?: number; limit?: number };
}

/** Runs `fn` over `items`, `limit` at a time, keeping the order of the results. */
async function pooled<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** What an sdk error says, for a note: its status and title (the sdk's errors hold no secret). */
function said(err: unknown): string {
  if (err instanceof APIError) return `HTTP ${err.status}: ${err.title}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whole days left, rounded up while the token lives (half a day left is 1); once it has
 * expired, minus the whole days since, and at least -1 (expired an hour ago is -1, as is a day ago).
 */
export const daysLeft = (ms: number): number => (ms > 0 ? Math.ceil(ms / DAY_MS) : -Math.max(1, Math.floor(-ms / DAY_MS)));

const refOf = (a: ServiceAccount): AccountRef => ({ id: adminIdOf(a), displayName: a.displayName, email: a.email });

/** The earliest of some ISO times, or undefined. */
const earliest = (times: (string | undefined)[]): string | undefined => times.filter((t): t is string => !!t).sort()[0];

export async function collect(client: Client, opts: CollectOptions): Promise<Inventory> {
  const managed = opts.managed ?? NOTHING_MANAGED;
  const concurrency = opts.concurrency ?? 8;
  const progress = opts.onProgress ?? (() => undefined);
  const notes: string[] = [];
  const nowMs = opts.now.getTime();

  const accounts: ServiceAccount[] = [];
  for await (const page of client.serviceAccounts.list().pages()) {
    accounts.push(...page.items);
    progress({ phase: "accounts", done: accounts.length, total: page.total });
  }

  let done = 0;
  const tokenLists = await pooled(accounts, concurrency, async (a) => {
    const tokens = await client.serviceAccountTokens.list({ id: adminIdOf(a), atlassianId: a.atlassianId });
    progress({ phase: "tokens", done: ++done, total: accounts.length });
    return tokens;
  });

  const clientsOf = await oauthClients(client, accounts, concurrency, progress, notes);

  // Last use: the token list's own field; else the audit log, within Atlassian's limit.
  const lastUse = new Map<string, { at: string | undefined; from: LastUsedFrom }>();
  const live = tokenLists.map((list) => list.filter((t) => tokenStatus(t.status) !== "revoked"));
  for (const t of live.flat()) if (t.lastUsedAt) lastUse.set(t.id, { at: t.lastUsedAt, from: "token-list" });
  const unknown = live.flat().filter((t) => !t.lastUsedAt);
  let auditLog: Inventory["auditLog"];
  if (unknown.length > 0) {
    // No use can predate a token's creation, and no token lives longer than a year.
    const from = new Date(Math.max(Date.parse(earliest(unknown.map((t) => t.createdAt)) ?? "") || 0, nowMs - 366 * DAY_MS));
    progress({ phase: "audit-log", done: 0, total: undefined });
    try {
      const found = await client.events.lastTokenUses({ from, maxRequests: opts.auditLog?.maxRequests ?? AUDIT_LOG_REQUESTS_PER_MINUTE, limit: opts.auditLog?.limit });
      auditLog = { requests: found.requests, complete: found.complete };
      for (const t of unknown) {
        const at = found.lastUsed.get(t.id);
        // A whole read that shows no use says "never"; a partial one says nothing of the unseen.
        if (at || found.complete) lastUse.set(t.id, { at, from: found.complete ? "audit-log" : "audit-log-partial" });
      }
      if (!found.complete) {
        notes.push(
          `the audit log was read in part (${found.requests} requests, Atlassian's limit is ${AUDIT_LOG_REQUESTS_PER_MINUTE} a minute): a token with no last use shown may still have been used`,
        );
      }
    } catch (err) {
      notes.push(`the audit log could not be read (${said(err)}); last use is shown only where the token list gives it (the key needs read:events:admin)`);
    }
  }

  const accountEntries: AccountEntry[] = accounts.map((a, i) => ({
    ...refOf(a),
    atlassianId: a.atlassianId ?? undefined,
    status: a.status ?? undefined,
    managedBy: [...new Set([...(managed.accounts.get(adminIdOf(a)) ?? []), ...(a.atlassianId ? (managed.accounts.get(a.atlassianId) ?? []) : [])])],
    tokens: live[i]!.length,
    oauthClients: [...clientsOf.values()].filter((ref) => ref?.id === adminIdOf(a)).length,
  }));

  const tokens: TokenEntry[] = accounts.flatMap((a, i) =>
    live[i]!.map((t) => tokenEntry(t, refOf(a), nowMs, lastUse.get(t.id), managed)),
  );
  tokens.sort(
    (x, y) =>
      (x.expiresAt === undefined ? 1 : 0) - (y.expiresAt === undefined ? 1 : 0) ||
      (x.expiresAt ?? "").localeCompare(y.expiresAt ?? "") ||
      x.account.displayName.localeCompare(y.account.displayName) ||
      (x.label ?? "").localeCompare(y.label ?? ""),
  );

  const oauth: OAuthClientEntry[] = [...clientsOf.entries()].map(([c, account]) => ({
    clientId: c.clientId,
    name: c.name,
    status: c.status,
    createdAt: c.createdAt,
    account,
    managedBy: [],
  }));

  return { generatedAt: opts.now.toISOString(), orgId: client.orgId, accounts: accountEntries, tokens, oauthClients: oauth, auditLog, notes };
}

function tokenEntry(t: ServiceAccountToken, account: AccountRef, nowMs: number, use: { at: string | undefined; from: LastUsedFrom } | undefined, managed: Managed): TokenEntry {
  const expires = t.expiresAt === undefined ? undefined : Date.parse(t.expiresAt);
  const status = tokenStatus(t.status) ?? (expires !== undefined && expires <= nowMs ? "expired" : "active");
  return {
    id: t.id,
    label: t.label,
    status,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: use?.at,
    lastUsedFrom: use?.from,
    daysLeft: expires === undefined ? undefined : daysLeft(expires - nowMs),
    account,
    managedBy: [...(managed.tokens.get(t.id) ?? [])],
  };
}

/**
 * The org's OAuth clients, each with its account where an account's list holds it. The
 * per-account lists are read only when the org has clients at all; they take the id the
 * token routes answered to.
 */
async function oauthClients(
  client: Client,
  accounts: ServiceAccount[],
  concurrency: number,
  progress: (p: Progress) => void,
  notes: string[],
): Promise<Map<OAuthClient, AccountRef | null>> {
  const out = new Map<OAuthClient, AccountRef | null>();
  let all: OAuthClient[];
  try {
    all = await client.oauthClients.list().toArray();
  } catch (err) {
    notes.push(`the OAuth clients could not be listed (${said(err)}); the key needs read:service-accounts-tokens:admin`);
    return out;
  }
  for (const c of all) out.set(c, null);
  if (all.length === 0) return out;
  const byId = new Map(all.map((c) => [c.clientId, c]));
  const field = client.serviceAccountTokens.idField;
  let done = 0;
  let failed: string | undefined;
  await pooled(accounts, concurrency, async (a) => {
    const id = (field === "atlassianId" ? a.atlassianId : undefined) ?? adminIdOf(a);
    try {
      for (const c of await client.oauthClients.listForAccount(id)) {
        const listed = byId.get(c.clientId);
        if (listed) out.set(listed, refOf(a));
        else out.set(c, refOf(a));
      }
    } catch (err) {
      failed ??= said(err);
    }
    progress({ phase: "oauth-clients", done: ++done, total: accounts.length });
  });
  if (failed) notes.push(`some accounts' OAuth clients could not be listed (${failed}); those clients are shown without an account`);
  return out;
}
