/**
 * The SQL of access on the product plane: Jira projects and Confluence spaces, site admins,
 * each site's Confluence space-role mode, and grants. A grant is one fact Atlassian stores:
 * an account's membership of a Jira project role, its Confluence space role assignment, or one
 * v1 space permission (`op_key`/`op_target`, with the row's `seq` as the permission id).
 * Scope bindings are not stored: they are a view of the grants (see `backend/access.ts`).
 *
 * `ACCESS_DDL` is schema version 3 (see `db.ts`). `binding_ids` keeps the ids of bindings made
 * before version 3; any other binding's id derives from its account and resource.
 */
import type { StatementSync } from "node:sqlite";

export const ACCESS_DDL = `
CREATE TABLE IF NOT EXISTS jira_projects (
  org_id TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (org_id, key), UNIQUE (org_id, id)
);
CREATE TABLE IF NOT EXISTS confluence_spaces (
  org_id TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (org_id, key), UNIQUE (org_id, id)
);
CREATE TABLE IF NOT EXISTS site_admins (
  org_id TEXT NOT NULL, email TEXT NOT NULL, account_id TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, PRIMARY KEY (org_id, email)
);
CREATE TABLE IF NOT EXISTS site_settings (org_id TEXT PRIMARY KEY, confluence_mode TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_grants (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL, resource TEXT NOT NULL,
  account_id TEXT NOT NULL, role_id TEXT NOT NULL DEFAULT '', op_key TEXT NOT NULL DEFAULT '',
  op_target TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (org_id, resource, account_id, role_id, op_key, op_target)
);
CREATE INDEX IF NOT EXISTS access_grants_account ON access_grants (account_id, resource);
CREATE INDEX IF NOT EXISTS access_grants_resource ON access_grants (org_id, resource, seq);
CREATE TABLE IF NOT EXISTS binding_ids (
  service_account_id TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL UNIQUE,
  PRIMARY KEY (service_account_id, resource)
);
`;

export type ConfluenceMode = "PRE_ROLES" | "ROLES_TRANSITION" | "ROLES";

export interface Place {
  key: string;
  id: number;
  createdAt: string;
}

export interface Grant {
  seq: number;
  resource: string;
  accountId: string;
  /** A role id; "" for a v1 space permission. */
  roleId: string;
  opKey: string;
  opTarget: string;
  createdAt: string;
  updatedAt: string;
}

export interface SiteAdmin {
  orgId: string;
  email: string;
  accountId: string;
  displayName: string;
  hash: string;
}

type Row = Record<string, unknown>;
const toGrant = (r: Row): Grant => ({
  seq: Number(r.seq),
  resource: String(r.resource),
  accountId: String(r.account_id),
  roleId: String(r.role_id),
  opKey: String(r.op_key),
  opTarget: String(r.op_target),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});
const toPlace = (r: Row): Place => ({ key: String(r.key), id: Number(r.id), createdAt: String(r.created_at) });
const toAdmin = (r: Row): SiteAdmin => ({
  orgId: String(r.org_id),
  email: String(r.email),
  accountId: String(r.account_id),
  displayName: String(r.display_name),
  hash: String(r.hash),
});

const PLACE_TABLE = { jira: "jira_projects", confluence: "confluence_spaces" } as const;
/** First ids, near Atlassian's own ranges (Jira projects 10000+, Confluence spaces large numbers). */
const FIRST_ID = { jira: 10000, confluence: 65537 } as const;

export class AccessStore {
  /** `q` is the Store's cached prepare: one statement cache for the database, cleared on close. */
  constructor(private readonly q: (sql: string) => StatementSync) {}

  // ----- projects and spaces -----------------------------------------------------------

  place(kind: "jira" | "confluence", orgId: string, key: string): Place | undefined {
    const r = this.q(`SELECT * FROM ${PLACE_TABLE[kind]} WHERE org_id = ? AND key = ?`).get(orgId, key) as Row | undefined;
    return r && toPlace(r);
  }

  placeById(kind: "jira" | "confluence", orgId: string, id: number): Place | undefined {
    const r = this.q(`SELECT * FROM ${PLACE_TABLE[kind]} WHERE org_id = ? AND id = ?`).get(orgId, id) as Row | undefined;
    return r && toPlace(r);
  }

  /** The project or space of this key, made on first reference. */
  ensurePlace(kind: "jira" | "confluence", orgId: string, key: string, now: string): Place {
    const existing = this.place(kind, orgId, key);
    if (existing) return existing;
    const t = PLACE_TABLE[kind];
    this.q(
      `INSERT INTO ${t} (org_id, key, id, created_at)
       VALUES (?, ?, coalesce((SELECT max(id) + 1 FROM ${t} WHERE org_id = ?), ?), ?) ON CONFLICT DO NOTHING`,
    ).run(orgId, key, orgId, FIRST_ID[kind], now);
    return this.place(kind, orgId, key)!;
  }

  listPlaces(kind: "jira" | "confluence", orgId: string, after: number, limit: number): { items: Place[]; seqs: number[] } {
    const rows = this.q(`SELECT * FROM ${PLACE_TABLE[kind]} WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?`).all(orgId, after, limit) as Row[];
    return { items: rows.map(toPlace), seqs: rows.map((r) => Number(r.id)) };
  }

  // ----- site admins and settings ------------------------------------------------------

  siteAdminByHash(hash: string): SiteAdmin | undefined {
    const r = this.q("SELECT * FROM site_admins WHERE hash = ?").get(hash) as Row | undefined;
    return r && toAdmin(r);
  }

  siteAdminByEmail(orgId: string, email: string): SiteAdmin | undefined {
    const r = this.q("SELECT * FROM site_admins WHERE org_id = ? AND email = ?").get(orgId, email) as Row | undefined;
    return r && toAdmin(r);
  }

  firstSiteAdmin(orgId: string): SiteAdmin | undefined {
    const r = this.q("SELECT * FROM site_admins WHERE org_id = ? ORDER BY created_at, email LIMIT 1").get(orgId) as Row | undefined;
    return r && toAdmin(r);
  }

  siteAdminByAccountId(orgId: string, accountId: string): SiteAdmin | undefined {
    const r = this.q("SELECT * FROM site_admins WHERE org_id = ? AND account_id = ?").get(orgId, accountId) as Row | undefined;
    return r && toAdmin(r);
  }

  /** Adds the admin, or gives an existing one of that email this token hash. */
  upsertSiteAdmin(a: Omit<SiteAdmin, "displayName"> & { displayName: string; createdAt: string }): void {
    this.q(
      `INSERT INTO site_admins (org_id, email, account_id, display_name, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, email) DO UPDATE SET hash = excluded.hash`,
    ).run(a.orgId, a.email, a.accountId, a.displayName, a.hash, a.createdAt);
  }

  confluenceMode(orgId: string): ConfluenceMode {
    const r = this.q("SELECT confluence_mode FROM site_settings WHERE org_id = ?").get(orgId) as Row | undefined;
    return r ? (String(r.confluence_mode) as ConfluenceMode) : "ROLES";
  }

  setConfluenceMode(orgId: string, mode: ConfluenceMode): void {
    this.q("INSERT INTO site_settings (org_id, confluence_mode) VALUES (?, ?) ON CONFLICT (org_id) DO UPDATE SET confluence_mode = excluded.confluence_mode").run(
      orgId,
      mode,
    );
  }

  /** Binding ids kept from before version 3, by resource. */
  bindingIds(serviceAccountId: string): Map<string, string> {
    const rows = this.q("SELECT resource, id FROM binding_ids WHERE service_account_id = ?").all(serviceAccountId) as Row[];
    return new Map(rows.map((r) => [String(r.resource), String(r.id)]));
  }

  // ----- grants ------------------------------------------------------------------------

  grantsOf(accountId: string, resource?: string): Grant[] {
    const rows = (
      resource === undefined
        ? this.q("SELECT * FROM access_grants WHERE account_id = ? ORDER BY seq").all(accountId)
        : this.q("SELECT * FROM access_grants WHERE account_id = ? AND resource = ? ORDER BY seq").all(accountId, resource)
    ) as Row[];
    return rows.map(toGrant);
  }

  grantsOn(orgId: string, resource: string): Grant[] {
    return (this.q("SELECT * FROM access_grants WHERE org_id = ? AND resource = ? ORDER BY seq").all(orgId, resource) as Row[]).map(toGrant);
  }

  grantBySeq(orgId: string, resource: string, seq: number): Grant | undefined {
    const r = this.q("SELECT * FROM access_grants WHERE org_id = ? AND resource = ? AND seq = ?").get(orgId, resource, seq) as Row | undefined;
    return r && toGrant(r);
  }

  /** Adds a grant (a no-op when it exists); returns it. */
  addGrant(orgId: string, g: { resource: string; accountId: string; roleId?: string; opKey?: string; opTarget?: string; createdAt: string; updatedAt: string }): Grant {
    const args = [orgId, g.resource, g.accountId, g.roleId ?? "", g.opKey ?? "", g.opTarget ?? ""] as const;
    this.q(
      `INSERT INTO access_grants (org_id, resource, account_id, role_id, op_key, op_target, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(...args, g.createdAt, g.updatedAt);
    return toGrant(
      this.q("SELECT * FROM access_grants WHERE org_id = ? AND resource = ? AND account_id = ? AND role_id = ? AND op_key = ? AND op_target = ?").get(
        ...args,
      ) as Row,
    );
  }

  /** Removes the grants of an account on a resource that match (all of them without a filter); returns how many. */
  removeGrants(orgId: string, resource: string, accountId: string, match: { roleId?: string; permissions?: boolean; roles?: boolean } = {}): number {
    let sql = "DELETE FROM access_grants WHERE org_id = ? AND resource = ? AND account_id = ?";
    const args: string[] = [orgId, resource, accountId];
    if (match.roleId !== undefined) {
      sql += " AND role_id = ?";
      args.push(match.roleId);
    }
    if (match.permissions) sql += " AND role_id = ''";
    if (match.roles) sql += " AND role_id <> ''";
    return Number(this.q(sql).run(...args).changes);
  }

  removeGrantBySeq(seq: number): void {
    this.q("DELETE FROM access_grants WHERE seq = ?").run(seq);
  }

  removeAllGrantsOf(accountId: string): void {
    this.q("DELETE FROM access_grants WHERE account_id = ?").run(accountId);
  }
}
