/**
 * Every SQL statement of the backend. Routes call these methods; nothing else touches the
 * database. Methods take plain values and return the wire objects of `sdk/schemas.ts`.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AdminScope, ApiKey, ApiToken, AuditEvent, Plan, Role, ScopeBinding, ExtensionServiceAccount } from "../../sdk/schemas";
import { AccessStore } from "./access";
import { openDatabase, transaction, type Durability } from "./db";

export interface OrgRow {
  id: string;
  cloudId: string;
  plan: Plan;
}

export interface ApiKeyRecord extends ApiKey {
  orgId: string;
  deleted: boolean;
}

/** A token as the product plane sees it: its holder and what it may do. */
export interface TokenRecord {
  id: string;
  orgId: string;
  serviceAccountId: string;
  scopes: string[];
  revoked: boolean;
  expiresAt: string;
}

export interface EventInput {
  orgId: string;
  action: string;
  actor: { type: "api-key" | "service-account" | "site-admin" | "anonymous"; id: string };
  target: { type: string; id: string };
  outcome: "success" | "denied";
  requestId: string;
  userAgent: string | null;
  clientContext: string | null;
}

export interface EventFilter {
  action?: string;
  from?: string;
  to?: string;
}

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: string | null;
  secretBox: string | null;
  createdAtMs: number;
}

/**
 * The statements that page through a list or filter the audit log. Each reads an index in
 * the order it pages by (a range read that stops after `limit` rows, no sort):
 * test/backend/query-plans.test.ts checks their plans from this object.
 */
export type ProductItemKind = "jira-issue" | "confluence-page";
export interface ProductItem {
  id: string;
  /** An issue's key (`ENG-12`); a page's id again. */
  key: string;
  /** The project's or space's key. */
  placeKey: string;
  /** An issue's summary, a page's title. */
  title: string;
  createdAt: string;
}

export const SQL = {
  apiKeysPage: "SELECT * FROM api_keys WHERE org_id = ? AND deleted_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
  apiKeysCount: "SELECT count(*) AS n FROM api_keys WHERE org_id = ? AND deleted_at IS NULL",
  accountsPage: "SELECT * FROM service_accounts WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  accountsByNamePage: "SELECT * FROM service_accounts WHERE org_id = ? AND name = ? AND seq > ? ORDER BY seq LIMIT ?",
  accountsCount: "SELECT count(*) AS n FROM service_accounts WHERE org_id = ?",
  accountsByNameCount: "SELECT count(*) AS n FROM service_accounts WHERE org_id = ? AND name = ?",
  tokensPage: "SELECT * FROM api_tokens WHERE service_account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  tokensCount: "SELECT count(*) AS n FROM api_tokens WHERE service_account_id = ?",
  oauthClientsPage: "SELECT * FROM oauth_clients WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  oauthClientsCount: "SELECT count(*) AS n FROM oauth_clients WHERE org_id = ?",
  oauthClientsByAccountPage: "SELECT * FROM oauth_clients WHERE service_account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  oauthClientsByAccountCount: "SELECT count(*) AS n FROM oauth_clients WHERE service_account_id = ?",
  bindingsPage: "SELECT * FROM scope_bindings WHERE service_account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  bindingsCount: "SELECT count(*) AS n FROM scope_bindings WHERE service_account_id = ?",
  /** Events with seq in (after, upTo]: the whole log, or a time window turned into seqs. */
  eventsPage: "SELECT * FROM events WHERE org_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
  // Without statistics (the backend never runs ANALYZE) the planner rates the seq range of
  // events_org as good as the action's index and reads every event of the range.
  eventsByActionPage:
    "SELECT * FROM events INDEXED BY events_org_action WHERE org_id = ? AND action = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
  /** The first event at or after a time, and the last at or before one: the seq bounds of a window. */
  eventsFirstFrom: "SELECT seq FROM events WHERE org_id = ? AND time >= ? ORDER BY time, seq LIMIT 1",
  eventsLastTo: "SELECT seq FROM events WHERE org_id = ? AND time <= ? ORDER BY time DESC, seq DESC LIMIT 1",
  eventsLastTime: "SELECT max(time) AS t FROM events WHERE org_id = ?",
  /** Retention: the orgs with events, one after another, and the oldest events of one before a time, a batch at a time. */
  eventsNextOrg: "SELECT min(org_id) AS o FROM events WHERE org_id > ?",
  eventsPruneBatch: "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE org_id = ? AND time < ? ORDER BY time LIMIT ?)",
} as const;

/** The filter as 0.1.0 ran it, for a log whose times went backwards before version 2 (no index serves it). */
const EVENTS_SCAN = `SELECT * FROM events WHERE org_id = ? AND seq > ? AND (? IS NULL OR action = ?)
  AND (? IS NULL OR time >= ?) AND (? IS NULL OR time <= ?) ORDER BY seq LIMIT ?`;

type Row = Record<string, unknown>;
const s = (v: unknown) => v as string;
const sn = (v: unknown) => (v === null || v === undefined ? null : (v as string));

function toAccount(r: Row): ExtensionServiceAccount {
  return {
    id: s(r.id),
    accountId: s(r.account_id),
    name: s(r.name),
    displayName: s(r.display_name),
    email: s(r.email),
    description: s(r.description),
    status: s(r.status) as ExtensionServiceAccount["status"],
    createdAt: s(r.created_at),
    updatedAt: s(r.updated_at),
  };
}

/** An OAuth 2.0 client as stored: Atlassian's list fields (times in epoch ms) and its account. */
export interface OAuthClientRecord {
  clientId: string;
  serviceAccountId: string;
  name: string;
  status: string;
  createdAt: number;
  updatedAt: number;
}

function toOAuthClient(r: Row): OAuthClientRecord {
  return {
    clientId: s(r.client_id),
    serviceAccountId: s(r.service_account_id),
    name: s(r.name),
    status: s(r.status),
    createdAt: Number(r.created_at_ms),
    updatedAt: Number(r.updated_at_ms),
  };
}

function toBinding(r: Row): ScopeBinding {
  return {
    id: s(r.id),
    serviceAccountId: s(r.service_account_id),
    resource: s(r.resource),
    role: s(r.role) as Role,
    createdAt: s(r.created_at),
    updatedAt: s(r.updated_at),
  };
}

function toKey(r: Row): ApiKeyRecord {
  return {
    id: s(r.id),
    orgId: s(r.org_id),
    label: s(r.label),
    scopes: r.scopes === null ? null : (JSON.parse(s(r.scopes)) as AdminScope[]),
    createdAt: s(r.created_at),
    expiresAt: sn(r.expires_at),
    lastUsedAt: sn(r.last_used_at),
    deleted: r.deleted_at !== null,
  };
}

function toEvent(r: Row): AuditEvent {
  // A token's use names the token as Atlassian's events do: `actor.auth.tokenId`.
  const auth = s(r.action) === "api-token.used" && s(r.target_type) === "api-token" ? { auth: { authType: "api-token", tokenId: s(r.target_id) } } : {};
  return {
    id: s(r.id),
    type: "events",
    attributes: {
      time: s(r.time),
      action: s(r.action),
      actor: { type: s(r.actor_type) as "api-key", id: s(r.actor_id), ...auth },
      target: { type: s(r.target_type), id: s(r.target_id) },
      outcome: s(r.outcome) as "success",
      context: { requestId: s(r.request_id), userAgent: sn(r.user_agent), clientContext: sn(r.client_context) },
    },
  };
}

/** A permission rule of an account: role and resource as given, and when it takes effect. */
export interface PermissionRuleRow {
  /** The order it was given in. */
  seq: number;
  role: string;
  resource: string;
  /** Epoch ms from which it counts (Atlassian applies app access asynchronously). */
  landedAtMs: number;
}

/** An org directory group, as this backend keeps it. */
export interface DirectoryGroup {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}

export class Store {
  readonly db: DatabaseSync;
  /** Projects, spaces, site admins and role grants of the product plane. */
  readonly access: AccessStore;
  private readonly cache = new Map<string, StatementSync>();

  /** False only for a log that already had times going backwards when it was upgraded to version 2. */
  private readonly eventsTimeOrdered: boolean;

  constructor(dataDir: string, durability: Durability = "normal") {
    this.db = openDatabase(dataDir, durability);
    this.access = new AccessStore((sql) => this.q(sql));
    this.eventsTimeOrdered = this.getMeta("events_time_ordered") !== "0";
  }

  close(): void {
    if (this.db.isOpen) {
      this.cache.clear();
      this.db.close();
    }
  }

  private q(sql: string): StatementSync {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  transaction<T>(fn: () => T): T {
    return transaction(this.db, fn);
  }

  // ----- meta --------------------------------------------------------------------------

  /** A value kept in the database, created once with `init` (e.g. the cursor signing key). */
  metaValue(k: string, init: () => string): string {
    const row = this.q("SELECT v FROM meta WHERE k = ?").get(k) as Row | undefined;
    if (row) return s(row.v);
    const v = init();
    this.q("INSERT INTO meta (k, v) VALUES (?, ?)").run(k, v);
    return v;
  }

  setMeta(k: string, v: string): void {
    this.q("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v").run(k, v);
  }

  getMeta(k: string): string | undefined {
    const row = this.q("SELECT v FROM meta WHERE k = ?").get(k) as Row | undefined;
    return row ? s(row.v) : undefined;
  }

  // ----- orgs --------------------------------------------------------------------------

  org(id: string): OrgRow | undefined {
    const r = this.q("SELECT id, cloud_id, plan FROM orgs WHERE id = ?").get(id) as Row | undefined;
    return r && { id: s(r.id), cloudId: s(r.cloud_id), plan: s(r.plan) as Plan };
  }

  orgByCloudId(cloudId: string): OrgRow | undefined {
    const r = this.q("SELECT id, cloud_id, plan FROM orgs WHERE cloud_id = ?").get(cloudId) as Row | undefined;
    return r && { id: s(r.id), cloudId: s(r.cloud_id), plan: s(r.plan) as Plan };
  }

  upsertOrg(id: string, cloudId: string | undefined, plan: Plan | undefined, now: string, newCloudId: () => string): OrgRow {
    const existing = this.org(id);
    if (!existing) {
      this.q("INSERT INTO orgs (id, cloud_id, plan, created_at) VALUES (?, ?, ?, ?)").run(
        id,
        cloudId ?? newCloudId(),
        plan ?? "standard",
        now,
      );
    } else {
      if (plan && plan !== existing.plan) this.q("UPDATE orgs SET plan = ? WHERE id = ?").run(plan, id);
      if (cloudId && cloudId !== existing.cloudId) this.q("UPDATE orgs SET cloud_id = ? WHERE id = ?").run(cloudId, id);
    }
    return this.org(id)!;
  }

  // ----- admin API keys ----------------------------------------------------------------

  insertApiKey(k: { id: string; orgId: string; label: string; scopes: AdminScope[] | null; hash: string; createdAt: string; expiresAt: string | null }): ApiKeyRecord {
    this.q(
      "INSERT INTO api_keys (id, org_id, label, scopes, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(k.id, k.orgId, k.label, k.scopes === null ? null : JSON.stringify(k.scopes), k.hash, k.createdAt, k.expiresAt);
    return this.apiKeyById(k.orgId, k.id)!;
  }

  apiKeyByHash(hash: string): (ApiKeyRecord & { hash: string }) | undefined {
    const r = this.q("SELECT * FROM api_keys WHERE hash = ?").get(hash) as Row | undefined;
    return r && { ...toKey(r), hash: s(r.hash) };
  }

  apiKeyById(orgId: string, id: string): ApiKeyRecord | undefined {
    const r = this.q("SELECT * FROM api_keys WHERE org_id = ? AND id = ? AND deleted_at IS NULL").get(orgId, id) as Row | undefined;
    return r && toKey(r);
  }

  listApiKeys(orgId: string, after: number, limit: number): { items: ApiKeyRecord[]; seqs: number[]; total: number } {
    const rows = this.q(SQL.apiKeysPage).all(orgId, after, limit) as Row[];
    const total = this.q(SQL.apiKeysCount).get(orgId) as Row;
    return { items: rows.map(toKey), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  deleteApiKey(orgId: string, id: string, now: string): boolean {
    return (
      Number(this.q("UPDATE api_keys SET deleted_at = ? WHERE org_id = ? AND id = ? AND deleted_at IS NULL").run(now, orgId, id).changes) > 0
    );
  }

  touchApiKey(id: string, now: string): void {
    this.q("UPDATE api_keys SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  // ----- service accounts --------------------------------------------------------------

  countAccounts(orgId: string): number {
    return Number((this.q("SELECT count(*) AS n FROM service_accounts WHERE org_id = ?").get(orgId) as Row).n);
  }

  accountByName(orgId: string, name: string): ExtensionServiceAccount | undefined {
    const r = this.q("SELECT * FROM service_accounts WHERE org_id = ? AND name = ?").get(orgId, name) as Row | undefined;
    return r && toAccount(r);
  }

  account(orgId: string, id: string): ExtensionServiceAccount | undefined {
    const r = this.q("SELECT * FROM service_accounts WHERE org_id = ? AND id = ?").get(orgId, id) as Row | undefined;
    return r && toAccount(r);
  }

  /** The account Jira and Confluence know by this account id. */
  accountByProductId(orgId: string, accountId: string): ExtensionServiceAccount | undefined {
    const r = this.q("SELECT * FROM service_accounts WHERE org_id = ? AND account_id = ?").get(orgId, accountId) as Row | undefined;
    return r && toAccount(r);
  }

  insertAccount(orgId: string, a: ExtensionServiceAccount): ExtensionServiceAccount {
    this.q(
      `INSERT INTO service_accounts (id, org_id, account_id, name, display_name, email, description, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(a.id, orgId, a.accountId, a.name, a.displayName, a.email, a.description, a.status, a.createdAt, a.updatedAt);
    return this.account(orgId, a.id)!;
  }

  updateAccount(orgId: string, id: string, patch: { displayName?: string; description?: string; status?: string }, now: string): ExtensionServiceAccount | undefined {
    this.q(
      `UPDATE service_accounts SET display_name = coalesce(?, display_name), description = coalesce(?, description),
       status = coalesce(?, status), updated_at = ? WHERE org_id = ? AND id = ?`,
    ).run(patch.displayName ?? null, patch.description ?? null, patch.status ?? null, now, orgId, id);
    return this.account(orgId, id);
  }

  // ----- app access and directory groups ---------------------------------------------

  /**
   * Records permission rules of an account (from its create or the console's invite), role and
   * resource verbatim, each taking effect at `landedAtMs`. A rule it holds already keeps its
   * first time: giving it again does not delay it.
   */
  insertPermissionRules(serviceAccountId: string, rules: readonly { role: string; resource: string }[], landedAtMs: number): void {
    for (const r of rules) {
      this.q("INSERT INTO account_permission_rules (service_account_id, role, resource, landed_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").run(
        serviceAccountId,
        r.role,
        r.resource,
        landedAtMs,
      );
    }
  }

  /** The permission rules of the account (by its admin id), landed or not, in the order they were given. */
  permissionRules(serviceAccountId: string): PermissionRuleRow[] {
    return (this.q("SELECT rowid AS seq, role, resource, landed_at_ms FROM account_permission_rules WHERE service_account_id = ? ORDER BY rowid").all(serviceAccountId) as Row[]).map(
      (r) => ({ seq: Number(r.seq), role: String(r.role), resource: String(r.resource), landedAtMs: Number(r.landed_at_ms) }),
    );
  }

  insertGroup(orgId: string, g: DirectoryGroup): DirectoryGroup {
    this.q("INSERT INTO directory_groups (org_id, id, name, description, created_at) VALUES (?, ?, ?, ?, ?)").run(orgId, g.id, g.name, g.description, g.createdAt);
    return g;
  }

  /** The org's group of this id, or of this name. */
  group(orgId: string, by: { id: string } | { name: string }): DirectoryGroup | undefined {
    const r = ("id" in by
      ? this.q("SELECT * FROM directory_groups WHERE org_id = ? AND id = ?").get(orgId, by.id)
      : this.q("SELECT * FROM directory_groups WHERE org_id = ? AND name = ?").get(orgId, by.name)) as Row | undefined;
    return r && { id: String(r.id), name: String(r.name), description: String(r.description), createdAt: String(r.created_at) };
  }

  /** The org's groups, in creation order. */
  groups(orgId: string): DirectoryGroup[] {
    return (this.q("SELECT * FROM directory_groups WHERE org_id = ? ORDER BY seq").all(orgId) as Row[]).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      description: String(r.description),
      createdAt: String(r.created_at),
    }));
  }

  /** Adds the member (a product account id); true when it was not one already. */
  addMember(groupId: string, accountId: string, now: string): boolean {
    return Number(this.q("INSERT INTO group_memberships (group_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(groupId, accountId, now).changes) > 0;
  }

  removeMember(groupId: string, accountId: string): boolean {
    return Number(this.q("DELETE FROM group_memberships WHERE group_id = ? AND account_id = ?").run(groupId, accountId).changes) > 0;
  }

  /** The group ids the account (by product account id) is a member of. */
  groupsOf(accountId: string): string[] {
    return (this.q("SELECT group_id FROM group_memberships WHERE account_id = ? ORDER BY group_id").all(accountId) as Row[]).map((r) => String(r.group_id));
  }

  /** The members (product account ids) of the group, in the order they joined. */
  membersOf(groupId: string): string[] {
    return (this.q("SELECT account_id FROM group_memberships WHERE group_id = ? ORDER BY created_at, account_id").all(groupId) as Row[]).map((r) => String(r.account_id));
  }

  /** Deletes the account, revokes its tokens and removes its grants and bindings (one transaction: the caller's). */
  deleteAccount(orgId: string, id: string, now: string): boolean {
    const product = this.account(orgId, id)?.accountId;
    if (product !== undefined) this.access.removeAllGrantsOf(product);
    const changed = Number(this.q("DELETE FROM service_accounts WHERE org_id = ? AND id = ?").run(orgId, id).changes) > 0;
    if (changed) {
      this.q("UPDATE api_tokens SET revoked = 1, revoked_at = ? WHERE service_account_id = ? AND revoked = 0").run(now, id);
      this.q("DELETE FROM scope_bindings WHERE service_account_id = ?").run(id);
      this.q("DELETE FROM oauth_clients WHERE service_account_id = ?").run(id);
      this.q("DELETE FROM account_permission_rules WHERE service_account_id = ?").run(id);
      if (product !== undefined) this.q("DELETE FROM group_memberships WHERE account_id = ?").run(product);
    }
    return changed;
  }

  listAccounts(orgId: string, name: string | undefined, after: number, limit: number): { items: ExtensionServiceAccount[]; seqs: number[]; total: number } {
    const rows = (
      name === undefined
        ? this.q(SQL.accountsPage).all(orgId, after, limit)
        : this.q(SQL.accountsByNamePage).all(orgId, name, after, limit)
    ) as Row[];
    const total = (
      name === undefined ? this.q(SQL.accountsCount).get(orgId) : this.q(SQL.accountsByNameCount).get(orgId, name)
    ) as Row;
    return { items: rows.map(toAccount), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  // ----- API tokens --------------------------------------------------------------------

  private toToken(r: Row, now: string): ApiToken {
    const revoked = Number(r.revoked) === 1;
    return {
      id: s(r.id),
      serviceAccountId: s(r.service_account_id),
      label: s(r.label),
      scopes: JSON.parse(s(r.scopes)) as string[],
      status: revoked ? "revoked" : s(r.expires_at) <= now ? "expired" : "active",
      createdAt: s(r.created_at),
      expiresAt: s(r.expires_at),
      lastUsedAt: sn(r.last_used_at),
    };
  }

  insertToken(orgId: string, t: { id: string; serviceAccountId: string; label: string; scopes: string[]; hash: string; createdAt: string; expiresAt: string }): ApiToken {
    this.q(
      `INSERT INTO api_tokens (id, org_id, service_account_id, label, scopes, hash, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(t.id, orgId, t.serviceAccountId, t.label, JSON.stringify(t.scopes), t.hash, t.createdAt, t.expiresAt);
    return this.token(t.serviceAccountId, t.id, t.createdAt)!;
  }

  token(serviceAccountId: string, id: string, now: string): ApiToken | undefined {
    const r = this.q("SELECT * FROM api_tokens WHERE service_account_id = ? AND id = ?").get(serviceAccountId, id) as Row | undefined;
    return r && this.toToken(r, now);
  }

  /** A page of an account's tokens; with `label`, only those of that exact label (Atlassian's `tokenLabel`). */
  listTokens(serviceAccountId: string, after: number, limit: number, now: string, label?: string): { items: ApiToken[]; seqs: number[]; total: number } {
    const rows = (
      label === undefined
        ? this.q(SQL.tokensPage).all(serviceAccountId, after, limit)
        : this.q("SELECT * FROM api_tokens WHERE service_account_id = ? AND seq > ? AND label = ? ORDER BY seq LIMIT ?").all(serviceAccountId, after, label, limit)
    ) as Row[];
    const total = (
      label === undefined
        ? this.q(SQL.tokensCount).get(serviceAccountId)
        : this.q("SELECT count(*) AS n FROM api_tokens WHERE service_account_id = ? AND label = ?").get(serviceAccountId, label)
    ) as Row;
    return { items: rows.map((r) => this.toToken(r, now)), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  /** A page of the tokens of every service account of an org (Atlassian's org-wide list), optionally of one label. */
  listOrgTokens(orgId: string, after: number, limit: number, now: string, label?: string): { items: ApiToken[]; seqs: number[]; total: number } {
    const rows = this.q(
      "SELECT * FROM api_tokens WHERE org_id = ? AND seq > ? AND (? IS NULL OR label = ?) ORDER BY seq LIMIT ?",
    ).all(orgId, after, label ?? null, label ?? null, limit) as Row[];
    const total = this.q("SELECT count(*) AS n FROM api_tokens WHERE org_id = ? AND (? IS NULL OR label = ?)").get(orgId, label ?? null, label ?? null) as Row;
    return { items: rows.map((r) => this.toToken(r, now)), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  /** Ids of the tokens this call revoked (already revoked ones are left as they are). */
  revokeTokens(serviceAccountId: string, id: string | undefined, now: string): string[] {
    const rows = (
      id === undefined
        ? this.q("SELECT id FROM api_tokens WHERE service_account_id = ? AND revoked = 0").all(serviceAccountId)
        : this.q("SELECT id FROM api_tokens WHERE service_account_id = ? AND id = ? AND revoked = 0").all(serviceAccountId, id)
    ) as Row[];
    for (const r of rows) this.q("UPDATE api_tokens SET revoked = 1, revoked_at = ? WHERE id = ?").run(now, s(r.id));
    return rows.map((r) => s(r.id));
  }

  /** The token of this secret hash with its holder, in one read (the product plane's hot path). */
  tokenHolder(
    hash: string,
  ):
    | (TokenRecord & { hash: string; accountStatus: string | null; accountEmail: string | null; productAccountId: string | null; accountDisplayName: string | null })
    | undefined {
    const r = this.q(
      `SELECT t.id, t.org_id, t.service_account_id, t.scopes, t.revoked, t.expires_at, t.hash, a.status AS account_status, a.email AS account_email,
       a.account_id AS product_account_id, a.display_name AS account_display_name
       FROM api_tokens t LEFT JOIN service_accounts a ON a.id = t.service_account_id WHERE t.hash = ?`,
    ).get(hash) as Row | undefined;
    return (
      r && {
        id: s(r.id),
        orgId: s(r.org_id),
        serviceAccountId: s(r.service_account_id),
        scopes: JSON.parse(s(r.scopes)) as string[],
        revoked: Number(r.revoked) === 1,
        expiresAt: s(r.expires_at),
        hash: s(r.hash),
        accountStatus: sn(r.account_status),
        accountEmail: sn(r.account_email),
        productAccountId: sn(r.product_account_id),
        accountDisplayName: sn(r.account_display_name),
      }
    );
  }

  touchToken(id: string, now: string): void {
    this.q("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  // ----- OAuth 2.0 clients -------------------------------------------------------------

  insertOAuthClient(orgId: string, c: OAuthClientRecord): OAuthClientRecord {
    this.q(
      `INSERT INTO oauth_clients (client_id, org_id, service_account_id, name, status, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(c.clientId, orgId, c.serviceAccountId, c.name, c.status, c.createdAt, c.updatedAt);
    return c;
  }

  /** A page of the org's clients, or (with `serviceAccountId`) of one account's. */
  listOAuthClients(orgId: string, serviceAccountId: string | undefined, after: number, limit: number): { items: OAuthClientRecord[]; seqs: number[]; total: number } {
    const rows = (
      serviceAccountId === undefined
        ? this.q(SQL.oauthClientsPage).all(orgId, after, limit)
        : this.q(SQL.oauthClientsByAccountPage).all(serviceAccountId, after, limit)
    ) as Row[];
    const total = (serviceAccountId === undefined ? this.q(SQL.oauthClientsCount).get(orgId) : this.q(SQL.oauthClientsByAccountCount).get(serviceAccountId)) as Row;
    return { items: rows.map(toOAuthClient), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  // ----- scope bindings ----------------------------------------------------------------

  bindingByResource(serviceAccountId: string, resource: string): ScopeBinding | undefined {
    const r = this.q("SELECT * FROM scope_bindings WHERE service_account_id = ? AND resource = ?").get(serviceAccountId, resource) as
      | Row
      | undefined;
    return r && toBinding(r);
  }

  binding(serviceAccountId: string, id: string): ScopeBinding | undefined {
    const r = this.q("SELECT * FROM scope_bindings WHERE service_account_id = ? AND id = ?").get(serviceAccountId, id) as Row | undefined;
    return r && toBinding(r);
  }

  insertBinding(orgId: string, b: ScopeBinding): ScopeBinding {
    this.q(
      `INSERT INTO scope_bindings (id, org_id, service_account_id, resource, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(b.id, orgId, b.serviceAccountId, b.resource, b.role, b.createdAt, b.updatedAt);
    return this.binding(b.serviceAccountId, b.id)!;
  }

  updateBinding(serviceAccountId: string, id: string, role: Role, now: string): ScopeBinding | undefined {
    this.q("UPDATE scope_bindings SET role = ?, updated_at = ? WHERE service_account_id = ? AND id = ?").run(role, now, serviceAccountId, id);
    return this.binding(serviceAccountId, id);
  }

  deleteBinding(serviceAccountId: string, id: string): boolean {
    return Number(this.q("DELETE FROM scope_bindings WHERE service_account_id = ? AND id = ?").run(serviceAccountId, id).changes) > 0;
  }

  listBindings(serviceAccountId: string, after: number, limit: number): { items: ScopeBinding[]; seqs: number[]; total: number } {
    const rows = this.q(SQL.bindingsPage).all(serviceAccountId, after, limit) as Row[];
    const total = this.q(SQL.bindingsCount).get(serviceAccountId) as Row;
    return { items: rows.map(toBinding), seqs: rows.map((r) => Number(r.seq)), total: Number(total.n) };
  }

  // ----- product plane -----------------------------------------------------------------

  /** The next number of a per-org counter (issue numbers per project, page ids). */
  nextCounter(orgId: string, name: string): number {
    const r = this.q(
      "INSERT INTO counters (org_id, name, n) VALUES (?, ?, 1) ON CONFLICT (org_id, name) DO UPDATE SET n = n + 1 RETURNING n",
    ).get(orgId, name) as Row;
    return Number(r.n);
  }

  /** Records a Jira issue (`kind` "jira-issue") or a Confluence page ("confluence-page"). */
  insertItem(orgId: string, kind: ProductItemKind, item: ProductItem): ProductItem {
    this.q("INSERT INTO product_items (org_id, kind, id, key, place_key, title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
      orgId, kind, item.id, item.key, item.placeKey, item.title, item.createdAt,
    );
    return item;
  }

  /** An issue or page by its id, or by its key (an issue's `ENG-12`). */
  item(orgId: string, kind: ProductItemKind, idOrKey: string): ProductItem | undefined {
    const r = this.q("SELECT id, key, place_key, title, created_at FROM product_items WHERE org_id = ? AND kind = ? AND (id = ? OR key = ?)").get(
      orgId, kind, idOrKey, idOrKey,
    ) as Row | undefined;
    return r && { id: String(r.id), key: String(r.key), placeKey: String(r.place_key), title: String(r.title), createdAt: String(r.created_at) };
  }

  // ----- audit events ------------------------------------------------------------------

  /**
   * Appends an event. Its time is the later of `time` and the org's last event time: when the
   * clock steps back (NTP, or a test's clock), the event keeps its place in the log and gets
   * its predecessor's time. So within an org, times never decrease with seq, a time window is
   * a seq range, and `from`/`to` filters agree with the log's order.
   */
  insertEvent(e: EventInput, id: string, time: string): void {
    const last = (this.q(SQL.eventsLastTime).get(e.orgId) as Row).t as string | null;
    if (last !== null && last > time) time = last;
    this.q(
      `INSERT INTO events (id, org_id, time, action, actor_type, actor_id, target_type, target_id, outcome, request_id, user_agent, client_context)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      e.orgId,
      time,
      e.action,
      e.actor.type,
      e.actor.id,
      e.target.type,
      e.target.id,
      e.outcome,
      e.requestId,
      e.userAgent,
      e.clientContext,
    );
  }

  listEvents(orgId: string, f: EventFilter, after: number, limit: number): { items: AuditEvent[]; seqs: number[] } {
    const done = (rows: Row[]) => ({ items: rows.map(toEvent), seqs: rows.map((r) => Number(r.seq)) });
    if (!this.eventsTimeOrdered) {
      const { action = null, from = null, to = null } = f;
      return done(this.q(EVENTS_SCAN).all(orgId, after, action, action, from, from, to, to, limit) as Row[]);
    }
    // Times never decrease with seq (insertEvent), so [first at or after `from`, last at or
    // before `to`] holds exactly the events of the window.
    let lo = after;
    let hi = Number.MAX_SAFE_INTEGER;
    if (f.from !== undefined) {
      const r = this.q(SQL.eventsFirstFrom).get(orgId, f.from) as Row | undefined;
      if (!r) return done([]);
      lo = Math.max(lo, Number(r.seq) - 1);
    }
    if (f.to !== undefined) {
      const r = this.q(SQL.eventsLastTo).get(orgId, f.to) as Row | undefined;
      if (!r) return done([]);
      hi = Number(r.seq);
    }
    if (lo >= hi) return done([]);
    return done(
      (f.action === undefined
        ? this.q(SQL.eventsPage).all(orgId, lo, hi, limit)
        : this.q(SQL.eventsByActionPage).all(orgId, f.action, lo, hi, limit)) as Row[],
    );
  }

  /**
   * Deletes at most `batch` events older than `before` (the oldest first, org by org) in one
   * transaction, and returns how many it deleted: fewer than `batch` means none is left.
   */
  pruneEvents(before: string, batch: number): number {
    return this.transaction(() => {
      let deleted = 0;
      let org = "";
      while (deleted < batch) {
        const next = (this.q(SQL.eventsNextOrg).get(org) as Row).o as string | null;
        if (next === null) break;
        org = next;
        deleted += Number(this.q(SQL.eventsPruneBatch).run(org, before, batch - deleted).changes);
      }
      return deleted;
    });
  }

  // ----- idempotency -------------------------------------------------------------------

  idempotency(scope: string, keyHash: string): IdempotencyRecord | undefined {
    const r = this.q("SELECT * FROM idempotency WHERE scope = ? AND key_hash = ?").get(scope, keyHash) as Row | undefined;
    return (
      r && {
        fingerprint: s(r.fingerprint),
        status: Number(r.status),
        body: sn(r.body),
        secretBox: sn(r.secret_box),
        createdAtMs: Number(r.created_at_ms),
      }
    );
  }

  saveIdempotency(scope: string, keyHash: string, rec: IdempotencyRecord): void {
    this.q(
      `INSERT INTO idempotency (scope, key_hash, fingerprint, status, body, secret_box, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, key_hash) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
       body = excluded.body, secret_box = excluded.secret_box, created_at_ms = excluded.created_at_ms`,
    ).run(scope, keyHash, rec.fingerprint, rec.status, rec.body, rec.secretBox, rec.createdAtMs);
  }

  /** Erases replay copies of secrets older than `secretCutoffMs` and records older than `recordCutoffMs`. */
  sweepIdempotency(secretCutoffMs: number, recordCutoffMs: number): void {
    this.q("UPDATE idempotency SET secret_box = NULL WHERE secret_box IS NOT NULL AND created_at_ms < ?").run(secretCutoffMs);
    this.q("DELETE FROM idempotency WHERE created_at_ms < ?").run(recordCutoffMs);
  }
}

export type { Durability };
