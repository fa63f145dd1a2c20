/**
 * Benchmark of the credential report (`report`) on the stand-in: 200 service accounts and
 * 400 API tokens (expiries spread over a year, a tenth of them used once), 20 OAuth clients,
 * seeded through the API (Atlassian's create for accounts, the stand-in's extensions for
 * tokens and clients). The built backend runs as its own process (rate limits off), as in
 * `bench:backend`. Prints, for each of RUNS runs:
 *   1. `collect` in this process (the report's reading, through the sdk),
 *   2. the built command as a user runs it, `node dist/cli/index.js report --json
 *      --expiring-within 14d` (Node's start included), with its exit code,
 * and the requests each run sent, by route (from /metrics). The target is under 5 s.
 * Run with `npm run bench:report` (it builds first). Env: BENCH_RUNS (default 5).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { collect } from "../cli/inventory";
import { Client } from "../sdk";
import { serveBackend } from "./serve";

const ROOT = path.resolve(__dirname, "..");
const BACKEND = path.join(ROOT, "dist/backend/cli.js");
const CLI = path.join(ROOT, "dist/cli/index.js");
const KEY = `pasak_${"r".repeat(43)}`;
const ORG = "bench-report";
const ACCOUNTS = 200;
const TOKENS = 400;
const CLIENTS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 5_000;

const serve = (dataDir: string) => serveBackend(dataDir, { org: ORG, adminKey: KEY, plan: "standard" });

/** Runs `fn` over `items`, 8 at a time. */
async function eightAtATime<T>(items: T[], fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

async function seed(url: string, cloudId: string): Promise<number> {
  const started = performance.now();
  const base = `${url}/admin/api-access/v1/orgs/${ORG}`;
  const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  const post = async (p: string, body: unknown) => {
    const res = await fetch(`${base}${p}`, { method: "POST", headers, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`seed ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const accounts: Record<string, string>[] = new Array(ACCOUNTS);
  await eightAtATime(Array.from({ length: ACCOUNTS }), async (_, i) => {
    accounts[i] = await post("/service-accounts", { displayName: `bench account ${i}`, description: "made by bench/report.ts" });
  });
  await eightAtATime(Array.from({ length: TOKENS }), async (_, i) => {
    const a = accounts[i % ACCOUNTS]!;
    const t = await post(`/service-accounts/${a.id}/api-tokens`, { label: `token ${i}`, scopes: ["read:jira-work"], expiresInDays: 1 + ((i * 37) % 365) });
    if (i % 10 === 0) {
      // A tenth are used once on the product plane, so the list has a last use for them.
      if (i < ACCOUNTS) await post(`/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/BENCH", role: "viewer" });
      const auth = `Basic ${Buffer.from(`${a.email}:${t.token}`).toString("base64")}`;
      const res = await fetch(`${url}/ex/jira/${cloudId}/rest/api/3/project/BENCH`, { headers: { authorization: auth } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`seed: a token's use answered ${res.status}`);
    }
  });
  await eightAtATime(Array.from({ length: CLIENTS }), async (_, i) => post(`/service-accounts/${accounts[i * 7]!.id}/oauth-clients`, { name: `bench client ${i}` }));
  return performance.now() - started;
}

/** Requests by "METHOD route" from /metrics. */
async function routeCounts(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await (await fetch(`${url}/metrics`)).text()).split("\n")) {
    const m = /^http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.method} ${labels.route}`;
    if (!key.endsWith(" /metrics")) out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

const diff = (a: Map<string, number>, b: Map<string, number>) =>
  [...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const).filter(([, d]) => d > 0);

function runCli(env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, "report", "--json", "--expiring-within", "14d"], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
      resolve({ ms: performance.now() - started, code: err ? Number(err.code) : 0, stdout }),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  for (const f of [BACKEND, CLI]) if (!fs.existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: run \`npm run build\` (npm run bench:report does)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "report-bench-"));
  const { url, cloudId, stop } = await serve(dataDir);
  const client = new Client({ baseUrl: url, orgId: ORG, apiKey: KEY });
  try {
    const seedMs = await seed(url, cloudId);
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(`credential report benchmark: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${load}`);
    console.log(`stand-in: ${ACCOUNTS} service accounts, ${TOKENS} tokens (${TOKENS / 10} used once), ${CLIENTS} OAuth clients; seeded through the API in ${(seedMs / 1000).toFixed(1)} s; rate limits off`);

    const inProcess: number[] = [];
    const cli: number[] = [];
    let requests: (readonly [string, number])[] = [];
    let summary = "";
    for (let i = 0; i < RUNS; i++) {
      const before = await routeCounts(url);
      const started = performance.now();
      const inv = await collect(client, { now: new Date() });
      inProcess.push(performance.now() - started);
      requests = diff(before, await routeCounts(url));
      const env = { ...process.env, ATLASSIAN_BASE_URL: url, ATLASSIAN_ORG_ID: ORG, ATLASSIAN_API_KEY: KEY };
      const r = await runCli(env);
      cli.push(r.ms);
      const json = JSON.parse(r.stdout) as { accounts: unknown[]; tokens: unknown[]; oauthClients: unknown[]; expiringWithin: { tokens: unknown[] } };
      summary = `${json.accounts.length} accounts, ${json.tokens.length} tokens, ${json.oauthClients.length} OAuth clients, ${json.expiringWithin.tokens.length} expiring within 14d (exit ${r.code})`;
      console.log(`run ${i + 1}: collect in-process ${inProcess.at(-1)!.toFixed(0)} ms (${inv.tokens.length} tokens); the command ${r.ms.toFixed(0)} ms, ${summary}`);
    }
    console.log(`\nrequests per run (/metrics, by route): ${requests.reduce((n, [, d]) => n + d, 0)}`);
    for (const [route, n] of requests.sort()) console.log(`  ${String(n).padStart(4)}  ${route}`);
    const worst = Math.max(...cli);
    console.log(`\nmedian of ${RUNS}: collect in-process ${median(inProcess).toFixed(0)} ms; the command (Node's start included) ${median(cli).toFixed(0)} ms; slowest command ${worst.toFixed(0)} ms`);
    console.log(`target: the report in under ${TARGET_MS / 1000} s: ${worst < TARGET_MS ? "met" : "NOT met"} (slowest run)`);
  } finally {
    client.close();
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
