import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { AuditEvent, EventsPage } from "../../sdk/schemas";
import { V1_ADMIN_KEY, V1_ORG, writeDataDir010 } from "./fixtures/data-dir-0.1.0";
import { harness, uniqueName, type Harness } from "./helper";

async function read(b: Harness, orgId: string, query: string, limit: number): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let next: string | undefined = `/admin/v1/orgs/${orgId}/events?limit=${limit}${query}`;
  while (next) {
    const page = EventsPage.parse(await b.ok("GET", next));
    out.push(...page.data);
    next = page.links.next;
  }
  return out;
}

/** Every filter over the log's own times (on, between, before and after them), paged small and large, against the same filter in JS. */
async function expectFiltersAgree(b: Harness, orgId: string): Promise<number> {
  const all = await read(b, orgId, "", 100);
  const times = [...new Set(all.map((e) => e.attributes.time))].sort();
  const shift = (t: string, ms: number) => new Date(Date.parse(t) + ms).toISOString();
  const bounds = [undefined, shift(times[0]!, -1), ...times.filter((_, i) => i % 3 === 0), shift(times[2]!, 1), shift(times.at(-1)!, 1)];
  const actions = [undefined, ...new Set(all.map((e) => e.attributes.action))];
  let checked = 0;
  for (const from of bounds) {
    for (const to of [undefined, times[1], times.at(-2), shift(times[4]!, 1)]) {
      for (const action of actions) {
        const want = all
          .filter((e) => (from === undefined || e.attributes.time >= from) && (to === undefined || e.attributes.time <= to))
          .filter((e) => action === undefined || e.attributes.action === action)
          .map((e) => e.id);
        const q = `${from ? `&from=${encodeURIComponent(from)}` : ""}${to ? `&to=${encodeURIComponent(to)}` : ""}${action ? `&action=${action}` : ""}`;
        for (const limit of [2, 100]) {
          expect((await read(b, orgId, q, limit)).map((e) => e.id), `${q} limit=${limit}`).to.deep.equal(want);
          checked++;
        }
      }
    }
  }
  return checked;
}

describe("backend: filtered event reads", function () {
  this.timeout(60_000);

  describe("when the clock steps back", () => {
    let b: Harness;
    before(async () => {
      b = await harness();
      for (let i = 0; i < 6; i++) {
        const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("flt") });
        b.advance(1_000);
        await b.ok("PATCH", `/service-accounts/${a.id}`, { description: `d${i}` });
        // Every third step the clock goes back 5 s, as NTP or a test clock may do.
        b.advance(i % 3 === 2 ? -5_000 : 1_000);
      }
    });
    after(() => b.close());

    it("gives an event its predecessor's time, so times never decrease along the log", async () => {
      const times = (await read(b, b.orgId, "", 100)).map((e) => e.attributes.time);
      expect(times).to.deep.equal([...times].sort());
      expect(new Set(times).size, "the stepped-back events share a time").to.be.lessThan(times.length);
    });

    it("returns for every window and action exactly the events the unfiltered log holds, on every page size", async () => {
      expect(await expectFiltersAgree(b, b.orgId)).to.be.greaterThan(100);
    });
  });

  describe("when a data dir from 0.1.0 already had times going backwards", () => {
    let dir: string;
    let b: Harness;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-unordered-"));
      writeDataDir010(dir);
      const db = new DatabaseSync(path.join(dir, "identity.sqlite"));
      db.exec("UPDATE events SET time = '2025-12-31T00:00:00.000Z' WHERE id = 'legacy-event-20'");
      db.close();
      b = await harness({ dataDir: dir, adminKey: V1_ADMIN_KEY });
    });
    after(async () => {
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("still filters exactly (by reading the log in order)", async () => {
      const early = await read(b, V1_ORG, `&to=${encodeURIComponent("2026-01-01T00:00:00.000Z")}`, 100);
      expect(early.map((e) => e.id)).to.deep.equal(["legacy-event-0", "legacy-event-20"]);
      expect(await expectFiltersAgree(b, V1_ORG)).to.be.greaterThan(100);
    });
  });
});
