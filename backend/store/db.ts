/**
 * The SQLite file under the data dir: opening it, its schema versions, and transactions.
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit is written to the WAL file (the
 * kernel's page cache) before the statement returns, so once the HTTP response is sent the
 * write survives a `kill -9` of this process: the kernel still holds the pages and SQLite
 * replays the WAL on the next open. NORMAL skips the fsync per commit, so a power cut or a
 * kernel crash can lose the last transactions; `durability: "full"` (`--sync full`) fsyncs
 * every commit for that case at a large cost in write throughput.
 */
import { DatabaseSync } from "node:sqlite";
import * as fs from "node:fs";
import * as path from "node:path";
import { ACCESS_DDL } from "./access";

export type Durability = "normal" | "full";

/**
 * Version 1: the schema of 0.1.0. Its statements say `IF NOT EXISTS` because 0.1.0 ran them at
 * every open without recording a version: on a data dir from 0.1.0 (tables present,
 * `user_version` 0) they create nothing, and the dir is then marked as version 1.
 */
const V1 = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (
  id TEXT PRIMARY KEY, cloud_id TEXT NOT NULL UNIQUE, plan TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
  label TEXT NOT NULL, scopes TEXT, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
  expires_at TEXT, last_used_at TEXT, deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_org ON api_keys (org_id, seq);
CREATE TABLE IF NOT EXISTS service_accounts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
  account_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, display_name TEXT NOT NULL,
  email TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS api_tokens (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
  service_account_id TEXT NOT NULL, label TEXT NOT NULL, scopes TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_account ON api_tokens (service_account_id, seq);
CREATE TABLE IF NOT EXISTS scope_bindings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
  service_account_id TEXT NOT NULL, resource TEXT NOT NULL, role TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (service_account_id, resource)
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
  time TEXT NOT NULL, action TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT NOT NULL,
  target_type TEXT NOT NULL, target_id TEXT NOT NULL, outcome TEXT NOT NULL,
  request_id TEXT NOT NULL, user_agent TEXT, client_context TEXT
);
CREATE INDEX IF NOT EXISTS events_org ON events (org_id, seq);
CREATE TABLE IF NOT EXISTS idempotency (
  scope TEXT NOT NULL, key_hash TEXT NOT NULL, fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL, body TEXT, secret_box TEXT, created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, key_hash)
);
CREATE TABLE IF NOT EXISTS counters (org_id TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (org_id, name));
`;

/** One step of the schema: SQL, or a function for a step that must read data to decide. */
export interface Migration {
  /** What it changes, for the error message when it fails. */
  name: string;
  up: string | ((db: DatabaseSync) => void);
}

/**
 * The schema's history. Entry i (0-based) takes a database from `user_version` i to i + 1, so
 * the code's schema version is `MIGRATIONS.length`.
 *
 * To change the schema, append an entry; never edit or reorder a released one (a data dir
 * that already ran it would not run it again, and would differ from a fresh one). At open,
 * each missing step runs in its own IMMEDIATE transaction together with the new
 * `PRAGMA user_version`, so a crash or a failing step leaves the database at the last whole
 * version. Write a step for a populated database: `ALTER TABLE ... ADD COLUMN` with a
 * default (or fill it in the same step), `CREATE INDEX` (it builds over existing rows), new
 * tables. A step must not need anything outside the database. test/backend/migrations.test.ts
 * opens a 0.1.0 data dir and reads its rows back through the API: extend it when a step
 * changes existing rows. A new list statement belongs in `SQL` (store/index.ts), whose
 * query plans test/backend/query-plans.test.ts checks.
 */
export const MIGRATIONS: readonly Migration[] = [
  { name: "the 0.1.0 schema", up: V1 },
  {
    // Every list pages by seq within its parent, and an index on (parent, seq) serves a page
    // as a range read in order. Events filtered by action read (org, action, seq); a time
    // filter becomes a seq range through (org, time), which needs times that never decrease
    // with seq within an org (see `insertEvent`): recorded here for the rows already stored.
    name: "indexes for paging and filtered event reads",
    up: (db) => {
      db.exec(`
        CREATE INDEX service_accounts_org ON service_accounts (org_id, seq);
        CREATE INDEX scope_bindings_account ON scope_bindings (service_account_id, seq);
        CREATE INDEX events_org_action ON events (org_id, action, seq);
        CREATE INDEX events_org_time ON events (org_id, time);
      `);
      const backwards = db
        .prepare(
          `SELECT 1 FROM (SELECT time, lag(time) OVER (PARTITION BY org_id ORDER BY seq) AS prev FROM events)
           WHERE time < prev LIMIT 1`,
        )
        .get();
      db.prepare("INSERT INTO meta (k, v) VALUES ('events_time_ordered', ?)").run(backwards ? "0" : "1");
    },
  },
  {
    // Access becomes what Atlassian stores: role grants (Jira project roles, Confluence space
    // roles, v1 space permissions) of projects and spaces, plus site admins. Each binding of
    // version 2 becomes its level's default role (ids as `backend/access.ts` has them today,
    // written out because a released step must not change) and keeps its id.
    name: "projects, spaces, site admins and role grants; bindings become grants",
    up: (db) => {
      db.exec(ACCESS_DDL);
      const jiraRole: Record<string, string> = { viewer: "10004", editor: "10003", admin: "10002" };
      const spaceRole: Record<string, string> = {
        viewer: "7e5a1d30-0a4f-4c37-9d1b-000000000004",
        editor: "7e5a1d30-0a4f-4c37-9d1b-000000000003",
        admin: "7e5a1d30-0a4f-4c37-9d1b-000000000001",
      };
      const rows = db
        .prepare(
          `SELECT b.id, b.org_id, b.resource, b.role, b.created_at, b.updated_at, b.service_account_id, a.account_id
           FROM scope_bindings b JOIN service_accounts a ON a.id = b.service_account_id ORDER BY b.seq`,
        )
        .all() as Record<string, string>[];
      for (const r of rows) {
        const jira = r.resource!.startsWith("jira:");
        const table = jira ? "jira_projects" : "confluence_spaces";
        db.prepare(
          `INSERT INTO ${table} (org_id, key, id, created_at)
           VALUES (?, ?, coalesce((SELECT max(id) + 1 FROM ${table} WHERE org_id = ?), ?), ?) ON CONFLICT DO NOTHING`,
        ).run(r.org_id!, r.resource!.slice(r.resource!.indexOf("/") + 1), r.org_id!, jira ? 10000 : 65537, r.created_at!);
        db.prepare(
          `INSERT INTO access_grants (org_id, resource, account_id, role_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        ).run(r.org_id!, r.resource!, r.account_id!, (jira ? jiraRole : spaceRole)[r.role!]!, r.created_at!, r.updated_at!);
        db.prepare("INSERT INTO binding_ids (service_account_id, resource, id) VALUES (?, ?, ?)").run(r.service_account_id!, r.resource!, r.id!);
      }
      db.exec("DELETE FROM scope_bindings");
    },
  },
  {
    // What the product plane's clients read back: a Jira issue by id or key, a Confluence page by id.
    name: "Jira issues and Confluence pages",
    up: (db) => {
      db.exec(`
        CREATE TABLE product_items (
          org_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL,
          place_key TEXT NOT NULL, title TEXT NOT NULL, created_at TEXT NOT NULL,
          PRIMARY KEY (org_id, kind, id)
        );
        CREATE UNIQUE INDEX product_items_key ON product_items (org_id, kind, key);
      `);
    },
  },
  {
    // What Atlassian's OAuth client lists read: the org's clients, and each account's.
    name: "OAuth 2.0 clients of service accounts",
    up: `
      CREATE TABLE oauth_clients (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL,
        service_account_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL
      );
      CREATE INDEX oauth_clients_org ON oauth_clients (org_id, seq);
      CREATE INDEX oauth_clients_account ON oauth_clients (service_account_id, seq);
    `,
  },
  {
    // What a create may give an account (Atlassian's "permission rules and optional additional
    // group memberships"), and the org directory's groups and their members. Accounts made
    // before app access was modelled reached Jira and Confluence on their org's site: they keep
    // it (the rules APP_ACCESS_PERMISSION_RULE names), so their tokens work as they did.
    name: "permission rules of accounts; directory groups and memberships",
    up: `
      CREATE TABLE account_permission_rules (
        service_account_id TEXT NOT NULL, role TEXT NOT NULL, resource TEXT NOT NULL,
        PRIMARY KEY (service_account_id, resource, role)
      );
      INSERT INTO account_permission_rules (service_account_id, role, resource)
        SELECT a.id, 'atlassian/user', 'ari:cloud:' || p.key || '::site/' || o.cloud_id
        FROM service_accounts a JOIN orgs o ON o.id = a.org_id
        CROSS JOIN (SELECT 'jira-software' AS key UNION ALL SELECT 'confluence') p;
      CREATE TABLE directory_groups (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL, id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL, description TEXT NOT NULL, created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX directory_groups_name ON directory_groups (org_id, name);
      CREATE TABLE group_memberships (
        group_id TEXT NOT NULL, account_id TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (group_id, account_id)
      );
      CREATE INDEX group_memberships_account ON group_memberships (account_id);
    `,
  },
  {
    // Atlassian applies app access asynchronously: each rule records when it takes effect
    // (epoch ms). Rules given before this step took effect at once: 0, "always".
    name: "the time each permission rule takes effect",
    up: "ALTER TABLE account_permission_rules ADD COLUMN landed_at_ms INTEGER NOT NULL DEFAULT 0",
  },
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to the last version of `migrations`; refuses one written by newer code. */
export function migrate(db: DatabaseSync, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.length;
  const version = () => Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  const tooNew = (v: number) =>
    new Error(
      `${file} has schema version ${v}, but this backend knows versions up to ${latest}: it was written by a newer ` +
        `pulumi-atlassian-service-accounts. Upgrade the package, or start with another --data-dir.`,
    );
  if (version() > latest) throw tooNew(version());
  for (let target = version() + 1; target <= latest; target++) {
    const step = migrations[target - 1]!;
    transaction(db, () => {
      // Another process may have migrated between our read and this lock.
      const now = version();
      if (now > latest) throw tooNew(now);
      if (now >= target) return;
      try {
        if (typeof step.up === "string") db.exec(step.up);
        else step.up(db);
      } catch (e) {
        throw new Error(`${file}: migration to schema version ${target} (${step.name}) failed: ${(e as Error).message}`);
      }
      db.exec(`PRAGMA user_version = ${target}`);
    });
  }
}

export function openDatabase(dataDir: string, durability: Durability = "normal"): DatabaseSync {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "identity.sqlite");
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Runs `fn` in one IMMEDIATE transaction: all of it commits, or none of it. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = fn();
    db.exec("COMMIT");
    return out;
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}
