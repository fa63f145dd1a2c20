import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startBackend } from "../../backend";
import { MIGRATIONS, SCHEMA_VERSION, migrate, openDatabase } from "../../backend/store/db";
import { basic, harness } from "./helper";
import { V1_ACCOUNT, V1_ADMIN_KEY, V1_BINDING_ID, V1_EVENTS, V1_ORG, V1_TOKEN, V1_TOKEN_ID, writeDataDir010 } from "./fixtures/data-dir-0.1.0";

const userVersion = (dataDir: string): number => {
  const db = new DatabaseSync(path.join(dataDir, "identity.sqlite"));
  try {
    return Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
};

describe("backend: schema versions and migrations", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-migrate-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a fresh data dir gets the current schema version", async () => {
    const b = await harness({ dataDir: dir });
    await b.close();
    expect(SCHEMA_VERSION).to.be.greaterThan(0);
    expect(userVersion(dir)).to.equal(SCHEMA_VERSION);
  });

  describe("when the data dir was written by 0.1.0 (no schema version)", () => {
    beforeEach(() => writeDataDir010(dir));

    it("opens it, upgrades it to the current version and serves its rows", async () => {
      expect(userVersion(dir)).to.equal(0);
      // App access enforced, as the backend's default: the account 0.1.0 made keeps reaching the products.
      const b = await harness({ dataDir: dir, adminKey: V1_ADMIN_KEY, atlassian: { appAccess: "enforced" } });
      try {
        expect(b.orgId).to.equal(V1_ORG);
        expect(b.cloudId).to.equal("cloud-legacy");
        const accounts = await b.ok("GET", "/service-accounts");
        expect(accounts.items).to.have.length(1);
        expect(accounts.items[0]).to.include({ id: V1_ACCOUNT.id, email: V1_ACCOUNT.email, description: "made by 0.1.0", status: "active" });
        expect((await b.ok("GET", `/service-accounts/${V1_ACCOUNT.id}`)).name).to.equal(V1_ACCOUNT.name);

        const tokens = await b.ok("GET", `/service-accounts/${V1_ACCOUNT.id}/api-tokens`);
        expect(tokens.items.map((t: any) => [t.id, t.status])).to.deep.equal([[V1_TOKEN_ID, "active"]]);
        const bindings = await b.ok("GET", `/service-accounts/${V1_ACCOUNT.id}/scope-bindings`);
        expect(bindings.items.map((x: any) => [x.id, x.resource, x.role])).to.deep.equal([[V1_BINDING_ID, "jira:project/OLD", "viewer"]]);

        // The token minted under 0.1.0 still works on the product plane: its account was given
        // Jira and Confluence by the upgrade, as it had them before app access was modelled.
        const res = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/OLD", basic(V1_ACCOUNT.email, V1_TOKEN));
        expect(res.status, res.text).to.equal(200);

        const old = await b.ok("GET", `/admin/v1/orgs/${V1_ORG}/events?limit=100&to=2026-06-01T00:00:00Z`);
        expect(old.data.map((e: any) => e.id)).to.deep.equal(Array.from({ length: V1_EVENTS }, (_, i) => `legacy-event-${i}`));
        const updates = await b.ok("GET", `/admin/v1/orgs/${V1_ORG}/events?limit=100&action=service-account.updated&to=2026-06-01T00:00:00Z`);
        expect(updates.data).to.have.length(V1_EVENTS / 3);

        // And it takes new writes beside the old rows.
        await b.ok("POST", "/service-accounts", { displayName: "after-upgrade" });
        expect((await b.ok("GET", "/service-accounts")).items.map((a: any) => a.email.split("@")[0])).to.deep.equal([V1_ACCOUNT.name, (await b.ok("GET", "/service-accounts")).items[1].email.split("@")[0]]);
        expect((await b.ok("GET", "/service-accounts")).items.map((a: any) => a.displayName)).to.include("after-upgrade");
        // An account made after the upgrade, with no permission rule, has none: a flat 401.
        const fresh = await b.ok("POST", "/service-accounts", { displayName: "no-access-after-upgrade" });
        const minted = await b.ok("POST", `/service-accounts/${fresh.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 1 });
        expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/OLD", basic(fresh.email, minted.token))).status).to.equal(401);
      } finally {
        await b.close();
      }
      expect(userVersion(dir)).to.equal(SCHEMA_VERSION);
    });

    it("keeps serving its rows on the next start after the upgrade", async () => {
      await (await harness({ dataDir: dir, adminKey: V1_ADMIN_KEY })).close();
      const b = await harness({ dataDir: dir, adminKey: V1_ADMIN_KEY });
      try {
        expect((await b.ok("GET", "/service-accounts")).items).to.have.length(1);
      } finally {
        await b.close();
      }
      expect(userVersion(dir)).to.equal(SCHEMA_VERSION);
    });
  });

  it("refuses a data dir from a newer version, naming both versions, and leaves it as it was", async () => {
    await (await harness({ dataDir: dir })).close();
    const db = new DatabaseSync(path.join(dir, "identity.sqlite"));
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    let err: Error | undefined;
    try {
      const b = await startBackend({ dataDir: dir, port: 0 });
      await b.close();
    } catch (e) {
      err = e as Error;
    }
    expect(err, "startBackend should have failed").to.be.instanceOf(Error);
    expect(err!.message).to.contain(`schema version ${SCHEMA_VERSION + 5}`);
    expect(err!.message).to.contain(`versions up to ${SCHEMA_VERSION}`);
    expect(err!.message).to.match(/newer/);
    expect(userVersion(dir)).to.equal(SCHEMA_VERSION + 5);
  });

  it("rolls a failing step back whole and stays at the last good version", () => {
    openDatabase(dir).close();
    const db = new DatabaseSync(path.join(dir, "identity.sqlite"));
    try {
      const broken = [
        ...MIGRATIONS,
        { name: "half a step", up: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);" },
      ];
      expect(() => migrate(db, "identity.sqlite", broken)).to.throw(`migration to schema version ${SCHEMA_VERSION + 1} (half a step) failed`);
      expect(Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version)).to.equal(SCHEMA_VERSION);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).to.equal(undefined);
    } finally {
      db.close();
    }
  });
});
