/**
 * Benchmark of the identity backend: the built CLI runs as its own process, and autocannon
 * drives it from this one over loopback. Prints requests/s and p50/p99 latency for
 *   1. the product-plane check of a valid token (GET a Jira project, Basic auth),
 *   2. listing service accounts (a page of 50),
 *   3. minting tokens (POST .../api-tokens, each a durable write with an audit event),
 * then, on a second data dir seeded with 10,000 service accounts and 200,000 audit events
 * (written straight through the store before the server starts: the API would take minutes),
 *   4. a page of 50 accounts from the middle of the list (a cursor at account 5,000),
 *   5. a page of events filtered by action (an action that is 1% of the log, from a cursor mid-log),
 *   6. a page of events in a one-hour window in the middle of the log,
 * each once by one connection (the read's own latency) and once by all of them.
 * Rate limits are off. Run with `npm run bench:backend` (it builds first).
 *
 * Options (env): BENCH_SECONDS (default 10; the one-connection runs take half),
 * BENCH_CONNECTIONS (default 32).
 */
import autocannon from "autocannon";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { Store } from "../backend/store";
import { serveBackend } from "./serve";

const ROOT = path.resolve(__dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const KEY = `pasak_${"b".repeat(43)}`;
const CLI = path.join(ROOT, "dist/backend/cli.js");
const SCALE_ACCOUNTS = 10_000;
const SCALE_EVENTS = 200_000;
/** One event in a hundred is the filtered action; the rest are token uses, as in a busy org. */
const RARE_ACTION = "service-account.updated";
const EVENT_SPACING_MS = 10_000;
const EVENTS_START = Date.parse("2026-01-01T00:00:00.000Z");

/** Starts the built CLI on `dataDir` and returns its ready line and a stop function. */
const serve = (dataDir: string) => serveBackend(dataDir, { org: "bench", adminKey: KEY, plan: "enterprise" });

/** 10,000 accounts and 200,000 events of org `bench`, one transaction each, 10 s apart from 2026-01-01. */
function seed(dataDir: string): number {
  const started = performance.now();
  const store = new Store(dataDir);
  try {
    const t0 = new Date(EVENTS_START).toISOString();
    store.transaction(() => {
      for (let i = 0; i < SCALE_ACCOUNTS; i++) {
        const id = randomUUID();
        const name = `scale-${String(i).padStart(5, "0")}`;
        store.insertAccount("bench", {
          id,
          accountId: `712020:${randomUUID()}`,
          name,
          displayName: name,
          email: `${name}@serviceaccount.atlassian.com`,
          description: "",
          status: "active",
          createdAt: t0,
          updatedAt: t0,
        });
      }
    });
    store.transaction(() => {
      for (let i = 0; i < SCALE_EVENTS; i++) {
        const rare = i % 100 === 37;
        store.insertEvent(
          {
            orgId: "bench",
            action: rare ? RARE_ACTION : "api-token.used",
            actor: rare ? { type: "api-key", id: "bench-key" } : { type: "service-account", id: `sa-${i % SCALE_ACCOUNTS}` },
            target: { type: rare ? "service-account" : "api-token", id: `t-${i % SCALE_ACCOUNTS}` },
            outcome: "success",
            requestId: `seed-${i}`,
            userAgent: "bench-seed",
            clientContext: null,
          },
          randomUUID(),
          new Date(EVENTS_START + i * EVENT_SPACING_MS).toISOString(),
        );
      }
    });
  } finally {
    store.close();
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error("dist/backend/cli.js is missing: run `npm run build` (npm run bench:backend does)");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-bench-"));
  const scaleDir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-bench-scale-"));
  const { url, cloudId, stop } = await serve(dataDir);
  let stopScale: (() => Promise<void>) | undefined;
  try {
    const base = `${url}/admin/api-access/v1/orgs/bench`;
    const admin = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${base}${p}`, { method: "POST", headers: admin, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`setup ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };

    const accounts: Record<string, string>[] = [];
    for (let i = 0; i < 60; i++) accounts.push(await post("/service-accounts", { displayName: `Bench account ${i}` }));
    const holder = accounts[0]!;
    const token = await post(`/service-accounts/${holder.id}/api-tokens`, { label: "bench", scopes: ["read:jira-work"], expiresInDays: 30 });
    await post(`/service-accounts/${holder.id}/scope-bindings`, { resource: "jira:project/ENG", role: "viewer" });
    const basic = `Basic ${Buffer.from(`${holder.email}:${token.token}`).toString("base64")}`;

    console.log(`identity backend benchmark: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s each, rate limits off`);
    console.log("scenario                                                  conns   req/s     p50 ms   p99 ms   non-2xx  errors");
    const run = async (name: string, opts: autocannon.Options) => {
      const connections = opts.connections ?? CONNECTIONS;
      const r = await autocannon({ connections, duration: connections === 1 ? SECONDS / 2 : SECONDS, ...opts });
      console.log(
        `${name.padEnd(56)} ${String(connections).padStart(6)} ${r.requests.average.toFixed(0).padStart(7)} ${String(r.latency.p50).padStart(10)} ${String(r.latency.p99).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)}`,
      );
      return r;
    };

    await run("1. product plane: valid token check", {
      url: `${url}/ex/jira/${cloudId}/rest/api/3/project/ENG`,
      headers: { authorization: basic },
    });
    await run("2. list service accounts (50/page)", {
      url: `${base}/service-accounts?limit=50`,
      headers: { authorization: `Bearer ${KEY}` },
    });
    await run("3. mint tokens", {
      url: `${base}/service-accounts/${accounts[1]!.id}/api-tokens`,
      method: "POST",
      headers: admin,
      body: JSON.stringify({ label: "bench", scopes: ["read:jira-work"], expiresInDays: 1 }),
    });
    await stop();

    const seedMs = seed(scaleDir);
    const scale = await serve(scaleDir);
    stopScale = scale.stop;
    const scaleBase = `${scale.url}/admin/api-access/v1/orgs/bench`;
    const bearer = { authorization: `Bearer ${KEY}` };
    const get = async (u: string) => {
      const res = await fetch(u, { headers: bearer });
      if (res.status !== 200) throw new Error(`setup GET ${u}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { items?: unknown[]; data?: unknown[]; links: { next?: string } };
    };
    // The cursors come from the API (they are signed): walk to the middle of each list.
    let accountsNext = `${scaleBase}/service-accounts?limit=100`;
    for (let i = 0; i < SCALE_ACCOUNTS / 200; i++) accountsNext = new URL((await get(accountsNext)).links.next!, scale.url).toString();
    const midAccounts = accountsNext.replace("limit=100", "limit=50");
    const events = `${scale.url}/admin/v1/orgs/bench/events`;
    let actionNext = `${events}?action=${RARE_ACTION}&limit=100`;
    for (let i = 0; i < SCALE_EVENTS / 100 / 2 / 100; i++) actionNext = new URL((await get(actionNext)).links.next!, scale.url).toString();
    const midAction = actionNext.replace("limit=100", "limit=50");
    const mid = EVENTS_START + (SCALE_EVENTS / 2) * EVENT_SPACING_MS;
    const windowUrl = `${events}?from=${new Date(mid).toISOString()}&to=${new Date(mid + 3_600_000).toISOString()}&limit=50`;
    const sizes = [(await get(midAccounts)).items!.length, (await get(midAction)).data!.length, (await get(windowUrl)).data!.length];
    if (sizes.some((n) => n !== 50)) throw new Error(`setup: the scale pages are not full (${sizes.join(", ")})`);
    const dbMb = fs.statSync(path.join(scaleDir, "identity.sqlite")).size / 1e6;
    console.log(
      `scale data dir: ${SCALE_ACCOUNTS.toLocaleString("en")} accounts, ${SCALE_EVENTS.toLocaleString("en")} events, seeded in ${(seedMs / 1000).toFixed(1)} s, ${dbMb.toFixed(0)} MB`,
    );
    for (const connections of [1, CONNECTIONS]) {
      await run("4. accounts page 50, cursor at 5,000 of 10,000", { url: midAccounts, headers: bearer, connections });
      await run(`5. events by action (1%), cursor mid-log`, { url: midAction, headers: bearer, connections });
      await run("6. events in a 1-hour window mid-log", { url: windowUrl, headers: bearer, connections });
    }
  } finally {
    await stop();
    await stopScale?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(scaleDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
