import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SQL, Store } from "../../backend/store";
import { writeDataDir010 } from "./fixtures/data-dir-0.1.0";

/** The tables that grow with a fleet: reading one of them whole is what a page must never do. */
const BIG = /^SCAN (api_keys|service_accounts|api_tokens|scope_bindings|events|oauth_clients)\b/;

/** The index each paging statement should read (the others just must not scan or sort). */
const EXPECTED_INDEX: Partial<Record<keyof typeof SQL, RegExp>> = {
  apiKeysPage: /SEARCH api_keys USING INDEX api_keys_org \(org_id=\? AND seq>\?\)/,
  accountsPage: /SEARCH service_accounts USING INDEX service_accounts_org \(org_id=\? AND seq>\?\)/,
  tokensPage: /SEARCH api_tokens USING INDEX api_tokens_account \(service_account_id=\? AND seq>\?\)/,
  oauthClientsPage: /SEARCH oauth_clients USING INDEX oauth_clients_org \(org_id=\? AND seq>\?\)/,
  oauthClientsByAccountPage: /SEARCH oauth_clients USING INDEX oauth_clients_account \(service_account_id=\? AND seq>\?\)/,
  bindingsPage: /SEARCH scope_bindings USING INDEX scope_bindings_account \(service_account_id=\? AND seq>\?\)/,
  eventsPage: /SEARCH events USING INDEX events_org \(org_id=\? AND seq>\? AND seq<\?\)/,
  eventsByActionPage: /SEARCH events USING INDEX events_org_action \(org_id=\? AND action=\? AND seq>\? AND seq<\?\)/,
  eventsFirstFrom: /SEARCH events USING COVERING INDEX events_org_time \(org_id=\? AND time>\?\)/,
  eventsLastTo: /SEARCH events USING COVERING INDEX events_org_time \(org_id=\? AND time<\?\)/,
  eventsPruneBatch: /SEARCH events USING COVERING INDEX events_org_time \(org_id=\? AND time<\?\)/,
};

function plan(store: Store, sql: string): string[] {
  const params = Array.from(sql.matchAll(/\?/g), () => 1);
  return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

describe("backend store: query plans of lists and filtered event reads", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  const cases: [string, (dir: string) => void][] = [
    ["a fresh data dir", () => undefined],
    ["a data dir upgraded from 0.1.0", (dir) => writeDataDir010(dir)],
  ];
  for (const [where, prepare] of cases) {
    describe(`in ${where}`, () => {
      let store: Store;
      before(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-plans-"));
        dirs.push(dir);
        prepare(dir);
        store = new Store(dir);
      });
      after(() => store.close());

      for (const [name, sql] of Object.entries(SQL) as [keyof typeof SQL, string][]) {
        it(`${name} reads an index, without a full scan or a sort`, () => {
          const lines = plan(store, sql);
          const text = lines.join("\n");
          expect(lines.filter((l) => BIG.test(l)), `${sql}\n${text}`).to.deep.equal([]);
          expect(text, sql).to.not.contain("USE TEMP B-TREE");
          expect(text, sql).to.match(/SEARCH /);
          const want = EXPECTED_INDEX[name];
          if (want) expect(text, sql).to.match(want);
        });
      }
    });
  }
});
