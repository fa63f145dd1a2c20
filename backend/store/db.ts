/**
 * The SQLite file under the data dir: opening it, its schema, and transactions.
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

export type Durability = "normal" | "full";

const SCHEMA = `
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

export function openDatabase(dataDir: string, durability: Durability = "normal"): DatabaseSync {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(path.join(dataDir, "identity.sqlite"));
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(SCHEMA);
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
