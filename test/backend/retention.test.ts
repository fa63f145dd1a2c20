import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend } from "../../backend";
import { Store, type EventInput } from "../../backend/store";
import { EventRetention } from "../../backend/store/retention";
import { EventsPage } from "../../sdk/schemas";
import { harness, uniqueName } from "./helper";

const DAY = 86_400_000;
const ROOT = path.resolve(__dirname, "../..");

const event = (orgId: string, i: number): EventInput => ({
  orgId,
  action: "api-token.used",
  actor: { type: "service-account", id: "sa" },
  target: { type: "api-token", id: `t${i}` },
  outcome: "success",
  requestId: `r${i}`,
  userAgent: null,
  clientContext: null,
});

describe("backend: audit log retention", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-retention-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("a pass over a log with old events in two orgs", () => {
    let store: Store;
    const now = Date.parse("2026-06-01T00:00:00.000Z");
    beforeEach(() => {
      store = new Store(dir);
      for (const org of ["org-a", "org-b"]) {
        // 200 events 40 days old, then 10 from yesterday, per org.
        for (let i = 0; i < 200; i++) store.insertEvent(event(org, i), randomUUID(), new Date(now - 40 * DAY + i * 1000).toISOString());
        for (let i = 0; i < 10; i++) store.insertEvent(event(org, 1000 + i), randomUUID(), new Date(now - DAY + i * 1000).toISOString());
      }
    });
    afterEach(() => store.close());

    const remaining = () => (["org-a", "org-b"] as const).map((o) => store.listEvents(o, {}, 0, 1000).items.length);

    it("deletes only events older than the period, in batches, yielding to the event loop between them", async () => {
      const batches: number[] = [];
      // A callback queued after each batch must run before the next one: the pass gives the
      // event loop (and so waiting requests) a turn between batches.
      const ranBeforeNext: boolean[] = [];
      let ran = true;
      const r = new EventRetention(store, {
        days: 30,
        now: () => new Date(now),
        batch: 150,
        onBatch: (n) => {
          batches.push(n);
          ranBeforeNext.push(ran);
          ran = false;
          setImmediate(() => (ran = true));
        },
      });
      await r.pass();
      expect(batches).to.deep.equal([150, 150, 100]);
      expect(ranBeforeNext).to.deep.equal([true, true, true]);
      expect(remaining()).to.deep.equal([10, 10]);
      const left = store.listEvents("org-a", {}, 0, 1000).items.map((e) => e.attributes.time);
      expect(left.every((t) => t >= new Date(now - 30 * DAY).toISOString())).to.equal(true);
    });

    it("runs on its timer, with the clock the backend is given", async () => {
      let clock = now - 60 * DAY; // nothing is old yet
      const r = new EventRetention(store, { days: 30, now: () => new Date(clock), intervalMs: 20 });
      r.start();
      try {
        await new Promise((res) => setTimeout(res, 100));
        expect(remaining()).to.deep.equal([210, 210]);
        clock = now;
        const deadline = Date.now() + 5_000;
        while (remaining()[1] !== 10 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
        expect(remaining()).to.deep.equal([10, 10]);
      } finally {
        await r.stop();
      }
    });

    it("stops between batches when the backend closes", async () => {
      const batches: number[] = [];
      const r = new EventRetention(store, { days: 30, now: () => new Date(now), batch: 10, onBatch: (n) => batches.push(n) });
      const pass = r.pass();
      await new Promise((res) => setImmediate(res));
      await r.stop();
      await pass;
      expect(batches.length).to.be.lessThan(40);
      expect(remaining()[0]! + remaining()[1]!).to.be.greaterThan(20);
    });
  });

  it("startBackend({ auditRetentionDays }) prunes the log it opens, and keeps recent events", async () => {
    const first = await harness({ dataDir: dir });
    const a = await first.ok("POST", "/service-accounts", { displayName: uniqueName("ret") });
    await first.close();
    const later = Date.now() + 10 * DAY;
    const b = await startBackend({ dataDir: dir, port: 0, adminKey: first.adminKey, rateLimit: "0", auditRetentionDays: 7, now: () => new Date(later) });
    try {
      const events = async () => {
        const res = await fetch(`${b.url}/admin/v1/orgs/${b.orgId}/events?limit=100`, { headers: { authorization: `Bearer ${b.adminKey}` } });
        return EventsPage.parse(await res.json()).data;
      };
      const deadline = Date.now() + 5_000;
      while ((await events()).some((e) => e.attributes.target.id === a.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const left = await events();
      expect(left.some((e) => e.attributes.target.id === a.id), "the 10-day-old creation is gone").to.equal(false);
      // An event written after the pass is recent and stays.
      await fetch(`${b.url}/admin/api-access/v1/orgs/${b.orgId}/service-accounts`, {
        method: "POST",
        headers: { authorization: `Bearer ${b.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ displayName: uniqueName("ret2") }),
      });
      expect((await events()).map((e) => e.attributes.action)).to.include("service-account.created");
    } finally {
      await b.close();
    }
  });

  it("refuses a retention that is not a whole number of days, naming the option", async () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      let err: Error | undefined;
      await startBackend({ dataDir: dir, port: 0, auditRetentionDays: bad }).then(
        (b) => b.close(),
        (e: Error) => (err = e),
      );
      expect(err?.message, String(bad)).to.match(/auditRetentionDays must be a whole number of days/);
    }
    const cli = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "backend/cli.ts"), "serve", "--data-dir", dir, "--audit-retention-days", "30d"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(cli.status).to.equal(2);
    expect(cli.stderr).to.contain("--audit-retention-days must be a whole number of days");
  });
});
