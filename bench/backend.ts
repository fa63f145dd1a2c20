/**
 * Benchmark of the identity backend: the built CLI runs as its own process, and autocannon
 * drives it from this one over loopback. Prints requests/s and p50/p99 latency for
 *   1. the product-plane check of a valid token (GET a Jira project, Basic auth),
 *   2. listing service accounts (a page of 50),
 *   3. minting tokens (POST .../api-tokens, each a durable write with an audit event).
 * Rate limits are off. Run with `npm run bench:backend` (it builds first).
 *
 * Options (env): BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32).
 */
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";

const ROOT = path.resolve(__dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const KEY = `pasak_${"b".repeat(43)}`;

async function main(): Promise<void> {
  const cli = path.join(ROOT, "dist/backend/cli.js");
  if (!fs.existsSync(cli)) throw new Error("dist/backend/cli.js is missing: run `npm run build` (npm run bench:backend does)");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-bench-"));
  const server = spawn(process.execPath, [cli, "serve", "--port", "0", "--data-dir", dataDir, "--org", "bench", "--admin-key", KEY, "--plan", "enterprise", "--rate-limit", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).once("line", resolve);
      server.once("exit", (code) => reject(new Error(`backend exited with ${code}`)));
    });
    const { url, cloudId } = JSON.parse(line) as { url: string; cloudId: string };
    const base = `${url}/admin/api-access/v1/orgs/bench`;
    const admin = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${base}${p}`, { method: "POST", headers: admin, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`setup ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };

    const accounts: Record<string, string>[] = [];
    for (let i = 0; i < 60; i++) accounts.push(await post("/service-accounts", { name: `bench-account-${i}` }));
    const holder = accounts[0]!;
    const token = await post(`/service-accounts/${holder.id}/api-tokens`, { label: "bench", scopes: ["read:jira-work"], expiresInDays: 30 });
    await post(`/service-accounts/${holder.id}/scope-bindings`, { resource: "jira:project/ENG", role: "viewer" });
    const basic = `Basic ${Buffer.from(`${holder.email}:${token.token}`).toString("base64")}`;

    console.log(`identity backend benchmark: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s each, rate limits off`);
    console.log("scenario                                   req/s     p50 ms   p99 ms   non-2xx  errors");
    const run = async (name: string, opts: autocannon.Options) => {
      const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
      console.log(
        `${name.padEnd(40)} ${r.requests.average.toFixed(0).padStart(7)} ${String(r.latency.p50).padStart(10)} ${String(r.latency.p99).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)}`,
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
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
