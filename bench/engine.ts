/**
 * Benchmark of a fleet through the real engine: the `pulumi` command, a file state backend,
 * the package installed from its `npm pack` tarball into a project of its own (as a user
 * installs it), the embedded backend as the identity API (rate limits off).
 *
 * The fleet: N service accounts, each with one API token and two scope bindings (4N
 * resources). The floor: the same resources, the same dependencies, in the same project
 * and run, through a do-nothing dynamic provider (create returns an id and the inputs,
 * update the new inputs, delete nothing), which is the least a dynamic provider can cost.
 *
 * Prints
 *   1. per phase (`up`, `preview` with no change, `refresh`, an update of 20 accounts,
 *      `destroy`) of a fleet of 100: wall time, requests the backend counted
 *      (/metrics, every route), the exported state's size, the floor's figures and the ratios;
 *   2. `up` for 50, 100, 200, 400 accounts, both, and the ratio (`--quick`: 50 and 100);
 *   3. `up` of the fleet with 150 ms per request (the backend's fault injection) against a
 *      direct sdk script doing the same creates at the same concurrency (8), beside the
 *      floor's `up` and the package's with PULUMI_SKIP_CHECKPOINTS=true;
 *   4. with `--settings`: `up` and `destroy` of the fleet with `--parallel 4/16/32`, with
 *      PULUMI_SKIP_CHECKPOINTS=true, and as two stacks of half the fleet.
 *
 * Run with `npm run bench:engine`, with after `--`: `--quick` (growth for 50 and 100 only),
 * `--settings` (adds 4.), `--only=phases,growth,latency,settings`. Env: BENCH_ACCOUNTS, the
 * fleet of 1., 3. and 4. (default 100); BENCH_GROWTH, the sizes of 2. (e.g. `50,100,200`);
 * BENCH_TARBALL, a package tarball to measure instead of this checkout's (an earlier
 * version's, say). On 2 busy cores: `--quick` about 5 minutes; growth up to 200 about 10;
 * 400 accounts about 12 more; `--settings` about 6 more.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend, type Backend } from "../backend";
import { Client } from "../sdk";
import { CliProject } from "../test/cli/project";
import { REPO_ROOT } from "../scripts/engine";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const SETTINGS = args.includes("--settings");
/** `--only growth,latency`: just those scenarios (phases, growth, latency, settings). */
const ONLY = args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const wanted = (scenario: string) => (ONLY ? ONLY.includes(scenario) : scenario !== "settings" || SETTINGS);
const FLEET = Number(process.env.BENCH_ACCOUNTS ?? 100);
const CHANGED = 20;
const GROWTH = process.env.BENCH_GROWTH ? process.env.BENCH_GROWTH.split(",").map(Number) : QUICK ? [50, 100] : [50, 100, 200, 400];
const CONCURRENCY = 8;
const LATENCY_MS = 150;

type Kind = "package" | "floor";

// ----- the bench project ----------------------------------------------------------------

/**
 * The program: `bench:kind` picks this package's resources or the do-nothing ones,
 * `bench:accounts` the fleet's size, `bench:changed` how many accounts get a new
 * description (an in-place update), `bench:prefix` what the account names (and display
 * names, the accounts' key in the org) start with.
 */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as sa from "pulumi-atlassian-service-accounts";

const cfg = new pulumi.Config("bench");
const kind = cfg.require("kind");
const accounts = cfg.requireNumber("accounts");
const changed = cfg.getNumber("changed") ?? 0;
const prefix = cfg.get("prefix") ?? "bench";

// The least a dynamic provider can do: no request, no check, no diff of its own.
const nothing: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: \`\${Date.now()}-\${Math.random().toString(36).slice(2)}\`, outs: inputs };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete() {},
};

class Nothing extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(nothing, name, props);
  }
}

for (let i = 0; i < accounts; i++) {
  const name = \`\${prefix}-\${String(i).padStart(4, "0")}\`;
  const account = {
    displayName: \`Bench account \${name}\`,
    description: i < changed ? "changed by the bench" : "made by the bench",
  };
  const token = { label: "ci", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 90 };
  const jira = { resource: "jira:project/OPS", role: "editor" as const };
  const confluence = { resource: "confluence:space/ENG", role: "viewer" as const };
  if (kind === "floor") {
    const a = new Nothing(name, account);
    new Nothing(\`\${name}-token\`, { serviceAccountId: a.id, ...token });
    new Nothing(\`\${name}-jira\`, { serviceAccountId: a.id, ...jira });
    new Nothing(\`\${name}-confluence\`, { serviceAccountId: a.id, ...confluence });
  } else {
    const a = new sa.ServiceAccount(name, account);
    new sa.ApiToken(\`\${name}-token\`, { serviceAccountId: a.id, ...token });
    new sa.ScopeBinding(\`\${name}-jira\`, { serviceAccountId: a.id, accountId: a.accountId, ...jira });
    new sa.ScopeBinding(\`\${name}-confluence\`, { serviceAccountId: a.id, accountId: a.accountId, ...confluence });
  }
}
`;

/** Writes the bench project (the quickstart's manifest and tsconfig, the program above) to a temp folder. */
function benchProjectSource(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "atlassian-bench-src-"));
  const quickstart = path.join(REPO_ROOT, "examples", "quickstart");
  const manifest = JSON.parse(readFileSync(path.join(quickstart, "package.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify({ ...manifest, name: "atlassian-engine-bench", description: "bench/engine.ts's fleet" }, null, 2)}\n`,
  );
  writeFileSync(path.join(dir, "tsconfig.json"), readFileSync(path.join(quickstart, "tsconfig.json")));
  writeFileSync(path.join(dir, "Pulumi.yaml"), "name: atlassian-engine-bench\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
  writeFileSync(path.join(dir, "index.ts"), PROGRAM);
  return dir;
}

// ----- measuring ------------------------------------------------------------------------

/** Requests the backend has counted, from its /metrics: every route but /metrics itself. */
async function requestsCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)$/gm)) {
    if (!/route="\/metrics"/.test(m[1]!)) n += Number(m[2]);
  }
  return n;
}

interface Figures {
  seconds: number;
  requests: number;
  stateBytes: number;
  /** Bytes of `__provider` text in the exported state. */
  providerBytes: number;
}

function providerBytes(exported: string): number {
  let n = 0;
  const walk = (v: unknown, key?: string) => {
    if (typeof v === "string") {
      if (key === "__provider") n += v.length;
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(JSON.parse(exported));
  return n;
}

/** Stacks are numbered across the run: the project, and so its stack names, are shared. */
let seq = 0;

class Bench {
  constructor(
    readonly project: CliProject,
    readonly backend: Backend,
  ) {}

  /** A new stack for `kind` with `accounts` accounts, pointed at the backend. */
  async stack(kind: Kind, accounts: number, extra: Record<string, string> = {}): Promise<string> {
    const name = `${kind}-${accounts}-${++seq}`;
    await this.project.pulumi(["stack", "init", name]);
    await this.project.pulumi(["config", "set", "atlassian:baseUrl", this.backend.url]);
    await this.project.pulumi(["config", "set", "atlassian:orgId", this.backend.orgId]);
    await this.project.pulumi(["config", "set", "--secret", "atlassian:apiKey"], { input: this.backend.adminKey, record: false });
    // A backend that serves Jira and Confluence access through a site admin (and a cloud
    // id) names them; the provider needs them for bindings there.
    const site = this.backend as Backend & { cloudId?: string; siteAdmin?: { email: string; token: string } };
    if (site.cloudId) await this.project.pulumi(["config", "set", "atlassian:cloudId", site.cloudId]);
    if (site.siteAdmin) {
      await this.project.pulumi(["config", "set", "atlassian:siteAdminEmail", site.siteAdmin.email]);
      await this.project.pulumi(["config", "set", "--secret", "atlassian:siteAdminToken"], { input: site.siteAdmin.token, record: false });
    }
    await this.project.pulumi(["config", "set", "bench:kind", kind]);
    await this.project.pulumi(["config", "set", "bench:accounts", String(accounts)]);
    await this.project.pulumi(["config", "set", "bench:prefix", `b${seq}`]);
    for (const [k, v] of Object.entries(extra)) await this.project.pulumi(["config", "set", k, v]);
    return name;
  }

  /** Runs one engine command on `stack` and measures it. */
  async run(stack: string, cmd: string[], env: Record<string, string> = {}): Promise<Figures> {
    await this.project.pulumi(["stack", "select", stack]);
    const before = await requestsCounted(this.backend.url);
    const t0 = performance.now();
    await this.project.pulumi([...cmd, "--suppress-progress", "--suppress-outputs"], { env, record: false });
    const seconds = (performance.now() - t0) / 1000;
    const requests = (await requestsCounted(this.backend.url)) - before;
    const { stdout } = await this.project.pulumi(["stack", "export"], { record: false });
    return { seconds, requests, stateBytes: Buffer.byteLength(stdout), providerBytes: providerBytes(stdout) };
  }

  /** Forgets a stack without deleting what it made (the growth runs leave their backend behind). */
  async forget(stack: string): Promise<void> {
    await this.project.pulumi(["stack", "rm", "--force", "--yes", stack], { record: false });
  }
}

// ----- printing -------------------------------------------------------------------------

const s = (x: number) => `${x.toFixed(1)} s`;
const kb = (x: number) => (x >= 1024 * 1024 ? `${(x / 1024 / 1024).toFixed(2)} MB` : `${(x / 1024).toFixed(0)} KB`);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "-");
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log();
}

async function newBackend(faults?: string): Promise<{ backend: Backend; dispose: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "atlassian-bench-data-"));
  const backend = await startBackend({ dataDir, port: 0, plan: "enterprise", rateLimit: "0", faults });
  return {
    backend,
    dispose: async () => {
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ----- the scenarios --------------------------------------------------------------------

async function phases(project: CliProject): Promise<void> {
  const { backend, dispose } = await newBackend();
  try {
    const bench = new Bench(project, backend);
    const results: Record<Kind, Record<string, Figures>> = { package: {}, floor: {} };
    // The floor first, then the package, phase by phase, so both meet the same load.
    const stacks = { floor: await bench.stack("floor", FLEET), package: await bench.stack("package", FLEET) };
    const steps: [string, (k: Kind) => Promise<Figures>][] = [
      ["up", (k) => bench.run(stacks[k], ["up", "--yes"])],
      ["preview (no change)", (k) => bench.run(stacks[k], ["preview"])],
      // --skip-preview: a refresh's preview reads every resource once more.
      ["refresh", (k) => bench.run(stacks[k], ["refresh", "--yes", "--skip-preview"])],
      [
        `update of ${CHANGED}`,
        async (k) => {
          await project.pulumi(["stack", "select", stacks[k]]);
          await project.pulumi(["config", "set", "bench:changed", String(CHANGED)]);
          return bench.run(stacks[k], ["up", "--yes"]);
        },
      ],
      ["destroy", (k) => bench.run(stacks[k], ["destroy", "--yes"])],
    ];
    for (const [phase, step] of steps) {
      for (const k of ["floor", "package"] as const) results[k][phase] = await step(k);
      process.stderr.write(`  ${phase} done (load ${load()})\n`);
    }
    console.log(`## A fleet of ${FLEET} accounts (${FLEET * 4} resources), per phase\n`);
    table(
      ["phase", "package", "floor", "ratio", "requests", "state (package)", "of it __provider", "state (floor)"],
      steps.map(([phase]) => {
        const p = results.package[phase]!;
        const f = results.floor[phase]!;
        return [phase, s(p.seconds), s(f.seconds), ratio(p.seconds, f.seconds), String(p.requests), kb(p.stateBytes), kb(p.providerBytes), kb(f.stateBytes)];
      }),
    );
  } finally {
    await dispose();
  }
}

async function growth(project: CliProject): Promise<void> {
  const rows: string[][] = [];
  for (const n of GROWTH) {
    const fig: Partial<Record<Kind, Figures>> = {};
    for (const k of ["floor", "package"] as const) {
      // An org of its own per run, as in latency(): leftover accounts would lengthen the lookups.
      const { backend, dispose } = await newBackend();
      try {
        const bench = new Bench(project, backend);
        const stack = await bench.stack(k, n);
        fig[k] = await bench.run(stack, ["up", "--yes"]);
        await bench.forget(stack);
      } finally {
        await dispose();
      }
    }
    const [p, f] = [fig.package!, fig.floor!];
    rows.push([String(n), String(n * 4), s(p.seconds), s(f.seconds), ratio(p.seconds, f.seconds), kb(p.stateBytes), kb(f.stateBytes)]);
    process.stderr.write(`  growth ${n} done (load ${load()})\n`);
  }
  console.log("## `up` as the fleet grows\n");
  table(["accounts", "resources", "package", "floor", "ratio", "state (package)", "state (floor)"], rows);
}

/** The same creates as the engine's `up`, straight through the sdk, at most CONCURRENCY at a time. */
async function sdkFleet(backend: Backend, accounts: number, prefix: string): Promise<number> {
  const client = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: backend.adminKey, maxRetries: 0 });
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async <T>(f: () => Promise<T>): Promise<T> => {
    if (running >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await f();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: accounts }, async (_, i) => {
      const name = `${prefix}-${String(i).padStart(4, "0")}`;
      const a = await slot(() => client.serviceAccounts.create({ displayName: `Bench account ${name}`, description: "made by the bench" }));
      await Promise.all([
        slot(() => client.apiTokens.create(a.id, { label: "ci", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 90 })),
        slot(() => client.scopeBindings.create(a.id, { resource: "jira:project/OPS", role: "editor" })),
        slot(() => client.scopeBindings.create(a.id, { resource: "confluence:space/ENG", role: "viewer" })),
      ]);
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function latency(project: CliProject): Promise<void> {
  // Each run gets an org of its own: the provider finds accounts by listing the org, so
  // accounts left by an earlier run would make its lookups page through them.
  const faults = `latencyMs=${LATENCY_MS}-${LATENCY_MS}`;
  const up = async (kind: Kind, env: Record<string, string> = {}) => {
    const { backend, dispose } = await newBackend(faults);
    try {
      const bench = new Bench(project, backend);
      const stack = await bench.stack(kind, FLEET);
      const fig = await bench.run(stack, ["up", "--yes", "--parallel", String(CONCURRENCY)], env);
      await bench.forget(stack);
      return fig;
    } finally {
      await dispose();
    }
  };
  const engine = await up("package");
  const { backend, dispose } = await newBackend(faults);
  let direct: number;
  try {
    direct = await sdkFleet(backend, FLEET, "direct");
  } finally {
    await dispose();
  }
  const floor = await up("floor");
  const skipping = await up("package", { PULUMI_SKIP_CHECKPOINTS: "true" });
  process.stderr.write(`  latency done (load ${load()})\n`);
  console.log(`## \`up\` of ${FLEET} accounts with ${LATENCY_MS} ms per request, against a direct sdk script (concurrency ${CONCURRENCY})\n`);
  table(
    ["", "seconds", "requests", "ratio to the sdk script"],
    [
      ["pulumi up", s(engine.seconds), String(engine.requests), ratio(engine.seconds, direct)],
      ["sdk script", s(direct), String(FLEET * 4), "1.00x"],
      ["the floor's pulumi up (no requests)", s(floor.seconds), String(floor.requests), ratio(floor.seconds, direct)],
      ["pulumi up, PULUMI_SKIP_CHECKPOINTS=true", s(skipping.seconds), String(skipping.requests), ratio(skipping.seconds, direct)],
    ],
  );
}

async function settings(project: CliProject): Promise<void> {
  const { backend, dispose } = await newBackend();
  try {
    const bench = new Bench(project, backend);
    const rows: string[][] = [];
    const measure = async (label: string, flags: string[], env: Record<string, string> = {}) => {
      const stack = await bench.stack("package", FLEET);
      const up = await bench.run(stack, ["up", "--yes", ...flags], env);
      const down = await bench.run(stack, ["destroy", "--yes", ...flags], env);
      await bench.forget(stack);
      rows.push([label, s(up.seconds), s(down.seconds)]);
      process.stderr.write(`  settings: ${label}: up ${s(up.seconds)}, destroy ${s(down.seconds)} (load ${load()})\n`);
    };
    await measure("default (--parallel 8)", []);
    for (const p of [4, 16, 32]) await measure(`--parallel ${p}`, ["--parallel", String(p)]);
    await measure("PULUMI_SKIP_CHECKPOINTS=true", [], { PULUMI_SKIP_CHECKPOINTS: "true" });
    // Two stacks of half the fleet each, run at the same time.
    // Made one after the other: `config set` applies to the selected stack.
    const halves = [await bench.stack("package", FLEET / 2), await bench.stack("package", FLEET / 2)];
    const split = async (cmd: string[]) => {
      const t0 = performance.now();
      // `stack select` is per project folder: each half names its stack instead.
      await Promise.all(halves.map((h) => project.pulumi([...cmd, "--stack", h, "--suppress-progress", "--suppress-outputs"], { record: false })));
      return (performance.now() - t0) / 1000;
    };
    const up = await split(["up", "--yes"]);
    const down = await split(["destroy", "--yes"]);
    for (const h of halves) await bench.forget(h);
    rows.push([`two stacks of ${FLEET / 2}, side by side`, s(up), s(down)]);
    console.log(`## Settings for a large fleet (${FLEET} accounts, this package)\n`);
    table(["setting", "up", "destroy"], rows);
  } finally {
    await dispose();
  }
}

async function main(): Promise<void> {
  const source = benchProjectSource();
  const t0 = performance.now();
  process.stderr.write("installing the bench project (npm pack, npm install)...\n");
  let project: CliProject;
  try {
    project = await CliProject.install({ source, label: "engine-bench", tarball: process.env.BENCH_TARBALL });
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
  try {
    console.log(
      `pulumi-atlassian-service-accounts ${project.installedVersion("pulumi-atlassian-service-accounts")}, ` +
        `@pulumi/pulumi ${project.installedVersion("@pulumi/pulumi")}, ${(await project.pulumi(["version"])).stdout.trim()}, ` +
        `Node ${process.version}, ${os.cpus().length} cores, load ${load()} at start\n`,
    );
    if (wanted("phases")) await phases(project);
    if (wanted("growth")) await growth(project);
    if (wanted("latency")) await latency(project);
    if (wanted("settings")) await settings(project);
    console.log(`load average at the end: ${load()}; the bench took ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
  } finally {
    project.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
