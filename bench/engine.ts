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
 *      (/metrics, every route), the exported state's size, the floor's figures, the ratios
 *      and whether `up` and `destroy` are within 1.3x of the floor; then the request budget
 *      (issue 15): per phase, the writes against the resources changed, the reads grouped as
 *      account listing pages, per-project/space lookups and per-resource reads, the bound
 *      the issue states and whether it is met (by how much not, and on which routes); then
 *      the requests per route and phase;
 *   2. `up` for 50, 100, 200, 400 accounts, both, the ratio and the package's requests
 *      (writes + reads) (`--quick`: 50 and 100);
 *   3. `up` of the fleet with 150 ms per request (the backend's fault injection): the floor's
 *      `up` and the package's, one right after the other, their ratio and whether it is
 *      within 1.3x; beside them a direct sdk script doing the same creates at the same
 *      concurrency (8) and the package's `up` with PULUMI_SKIP_CHECKPOINTS=true;
 *   4. with `--settings`: `up` and `destroy` of the fleet with `--parallel 4/16/32`, with
 *      PULUMI_SKIP_CHECKPOINTS=true, and as two stacks of half the fleet.
 *
 * Run with `npm run bench:engine`, with after `--`: `--quick` (growth for 50 and 100 only),
 * `--settings` (adds 4.), `--only=phases,growth,latency,settings`. Env: BENCH_ACCOUNTS, the
 * fleet of 1., 3. and 4. (default 100); BENCH_GROWTH, the sizes of 2. (e.g. `50,100,200`);
 * BENCH_TARBALL, a package tarball to measure instead of this checkout's (an earlier
 * version's, say); BENCH_ENGINE_LOGS, a folder where each phase of 1. leaves the engine's log
 * (`-v=7`, one file per phase and stack; `bench/provider-calls.ts` reads them). On 2 busy cores: `--quick` about 8 minutes; growth up to 200 about 10;
 * 400 accounts about 12 more; `--settings` about 6 more.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend, type Backend } from "../backend";
import { Client } from "../sdk";
import { SERVICE_ACCOUNT_LIST_PAGE_SIZE } from "../sdk/atlassian-assumptions";
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
/** Where 1. writes each phase's engine log (`pulumi … --logflow -v=7 --logtostderr`), if set. */
const ENGINE_LOGS = process.env.BENCH_ENGINE_LOGS;
const GROWTH = process.env.BENCH_GROWTH ? process.env.BENCH_GROWTH.split(",").map(Number) : QUICK ? [50, 100] : [50, 100, 200, 400];
const CONCURRENCY = 8;
const LATENCY_MS = 150;
/** Issue 15: `up` and `destroy` (and `up` with 150 ms per request) within this of the floor. */
const FLOOR_BOUND = 1.3;
/** The projects and spaces the program's bindings name (jira:project/OPS, confluence:space/ENG). */
const PROJECTS = 1;
const SPACES = 1;
/** Atlassian's (and the embedded backend's) page of service accounts: the sdk's SERVICE_ACCOUNT_LIST_PAGE_SIZE. */
const LISTING_PAGE = SERVICE_ACCOUNT_LIST_PAGE_SIZE;

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

/** `METHOD route` -> requests, and how many of them failed (4xx, 5xx, reset), from /metrics; /metrics itself left out. */
interface Routes {
  count: Map<string, number>;
  failed: Map<string, number>;
}

async function routesCounted(url: string): Promise<Routes> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Routes = { count: new Map(), failed: new Map() };
  for (const m of text.matchAll(/^http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? "";
    const route = label("route");
    if (route === "/metrics") continue;
    const k = `${label("method")} ${route}`;
    out.count.set(k, (out.count.get(k) ?? 0) + Number(m[2]));
    if (!/^[23]/.test(label("status"))) out.failed.set(k, (out.failed.get(k) ?? 0) + Number(m[2]));
  }
  return out;
}

function routesDiff(after: Routes, before: Routes): Routes {
  const diff = (a: Map<string, number>, b: Map<string, number>) =>
    new Map([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)] as [string, number]).filter(([, v]) => v > 0));
  return { count: diff(after.count, before.count), failed: diff(after.failed, before.failed) };
}

/** The engine's summary ("+ 401 created", "~ 20 to update", ...): resources created, updated, deleted, replaced. */
function changesOf(stdout: string): number {
  let n = 0;
  // `up` prints its preview's summary, then its own: the last one counts.
  const summary = stdout.slice(Math.max(0, stdout.lastIndexOf("Resources:")));
  for (const m of summary.matchAll(/^\s*[-+~]*\s*(\d+) (?:to )?(create|created|update|updated|delete|deleted|replace|replaced)\b/gm)) n += Number(m[1]);
  return n;
}

interface Figures {
  seconds: number;
  requests: number;
  /** Requests by route. */
  routes: Routes;
  /** Resources the engine's summary counts as changed (the stack included). */
  changed: number;
  /** Resources in the state after the run, the stack and providers left out. */
  resources: number;
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

/** Resources in an exported state, the stack and providers (types `pulumi:...`) left out. */
function resourcesIn(exported: string): number {
  const state = JSON.parse(exported) as { deployment?: { resources?: { type: string }[] } };
  return (state.deployment?.resources ?? []).filter((r) => !r.type.startsWith("pulumi:")).length;
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
  /** Runs one pulumi command on the stack; `phase` names it for BENCH_ENGINE_LOGS. */
  async run(stack: string, cmd: string[], env: Record<string, string> = {}, phase?: string): Promise<Figures> {
    await this.project.pulumi(["stack", "select", stack]);
    const before = await routesCounted(this.backend.url);
    const t0 = performance.now();
    const logged = ENGINE_LOGS && phase ? ["--logflow", "-v=7", "--logtostderr"] : [];
    const ran = await this.project.pulumi([...cmd, "--suppress-progress", "--suppress-outputs", ...logged], { env, record: false });
    if (ENGINE_LOGS && phase) {
      mkdirSync(ENGINE_LOGS, { recursive: true });
      writeFileSync(path.join(ENGINE_LOGS, `${phase.replace(/\W+/g, "-")}.${stack}.log`), ran.stderr);
    }
    const seconds = (performance.now() - t0) / 1000;
    const routes = routesDiff(await routesCounted(this.backend.url), before);
    const requests = [...routes.count.values()].reduce((a, b) => a + b, 0);
    const { stdout } = await this.project.pulumi(["stack", "export"], { record: false });
    return {
      seconds,
      requests,
      routes,
      changed: changesOf(ran.stdout),
      resources: resourcesIn(stdout),
      stateBytes: Buffer.byteLength(stdout),
      providerBytes: providerBytes(stdout),
    };
  }

  /** Forgets a stack without deleting what it made (the growth runs leave their backend behind). */
  async forget(stack: string): Promise<void> {
    await this.project.pulumi(["stack", "rm", "--force", "--yes", stack], { record: false });
  }
}

// ----- the request budget (issue 15) -----------------------------------------------------

type Group = "write" | "listing" | "lookup" | "per-resource";

/**
 * What a request is, by method and route. A GET of the org's accounts is the listing. Role
 * lists, a space by key, the site's space-role mode and space roles are looked up once per
 * run per project, space or site. A role's members (GET .../role/{id}) and a space's role
 * assignments are read once per role or space by `up` before granting (a lookup), but once
 * per binding by `refresh` and `destroy` (a per-resource read). Any other GET (a token list,
 * ...) is a per-resource read.
 */
function groupOf(key: string, phase: Phase): Group {
  const [method, route] = key.split(" ") as [string, string];
  if (method !== "GET" && method !== "HEAD") return "write";
  if (/\/service-accounts$/.test(route)) return "listing";
  if (/\/project\/:projectIdOrKey(\/role|\/roledetails)?$/.test(route) || /\/wiki\/api\/v2\/(spaces|space-role-mode|space-roles)$/.test(route)) return "lookup";
  if (/\/project\/:projectIdOrKey\/role\/:id$/.test(route) || /\/spaces\/:id\/(role-assignments|permissions)$/.test(route)) {
    return phase === "up" ? "lookup" : "per-resource";
  }
  return "per-resource";
}

/** A route without the admin base and the product gateway's prefix, for the tables. */
function shortRoute(key: string): string {
  return key.replace("/admin/api-access/v1/orgs/:orgId", "").replace(/\/ex\/(jira|confluence)\/:cloudId/, "");
}

type Phase = "up" | "preview" | "refresh" | "update" | "destroy";

interface Budget {
  changed: number;
  writes: number;
  listing: number;
  lookups: number;
  perResource: number;
  bound: string;
  met: string;
  notes: string[];
}

/** The org's accounts, counted by listing them through the sdk (call it outside a measured run). */
async function countAccounts(backend: Backend): Promise<number> {
  const client = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: backend.adminKey, maxRetries: 0 });
  let n = 0;
  for await (const _ of client.serviceAccounts.list()) n++;
  return n;
}

/**
 * A phase's requests against the bound issue 15 states for it:
 * - `up`: at most one write per resource, plus one lookup per project/space (and, read as
 *   literally, nothing else);
 * - `refresh`: one request per token and binding, plus the listing's pages;
 * - `preview` with no change: none;
 * - `destroy` and the update: no bound stated (shown for what they cost).
 */
function budget(phase: Phase, fig: Figures, changed: number, orgAccounts: number): Budget {
  const by: Record<Group, [string, number][]> = { write: [], listing: [], lookup: [], "per-resource": [] };
  for (const [k, v] of fig.routes.count) by[groupOf(k, phase)].push([shortRoute(k), v]);
  const sum = (g: Group) => by[g].reduce((a, [, v]) => a + v, 0);
  const list = (g: Group) => by[g].map(([r, v]) => `${r} ${v}`).join(", ");
  const b: Budget = {
    changed,
    writes: sum("write"),
    listing: sum("listing"),
    lookups: sum("lookup"),
    perResource: sum("per-resource"),
    bound: "",
    met: "",
    notes: [],
  };
  const reads = b.listing + b.lookups + b.perResource;
  let excess = 0;
  const over = (what: string, n: number, limit: number, groups: Group[]) => {
    if (n <= limit) return;
    excess += n - limit;
    const routes = groups.filter((g) => by[g].length > 0).map((g) => `${g}: ${list(g)}`);
    b.notes.push(`${what} ${n} against at most ${limit}, ${n - limit} over (${routes.join("; ")})`);
  };
  const tokens = FLEET;
  const bindings = FLEET * 2;
  const pages = Math.max(1, Math.ceil(orgAccounts / LISTING_PAGE));
  switch (phase) {
    case "up": {
      const lookups = PROJECTS + SPACES;
      b.bound = `writes <= ${changed}, reads <= ${lookups}`;
      over("writes", b.writes, changed, ["write"]);
      over("reads", reads, lookups, ["listing", "lookup", "per-resource"]);
      break;
    }
    case "preview":
      b.bound = "0 requests";
      over("requests", b.writes + reads, 0, ["write", "listing", "lookup", "per-resource"]);
      break;
    case "refresh":
      b.bound = `${tokens} + ${bindings} + ${pages} page${pages === 1 ? "" : "s"} = ${tokens + bindings + pages}`;
      over("writes", b.writes, 0, ["write"]);
      over("listing pages", b.listing, pages, ["listing"]);
      over("per-resource reads and lookups", b.perResource + b.lookups, tokens + bindings, ["lookup", "per-resource"]);
      break;
    default:
      b.bound = "none stated";
      b.met = "-";
      b.notes.push(`${(b.writes / Math.max(1, changed)).toFixed(2)} writes per resource changed (${list("write")}); reads: ${[list("listing"), list("lookup"), list("per-resource")].filter(Boolean).join(", ") || "none"}`);
      return b;
  }
  b.met = excess === 0 ? "yes" : `no, ${excess} over`;
  return b;
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
    let orgAccounts = 0;
    const steps: [string, (k: Kind) => Promise<Figures>][] = [
      ["up", (k) => bench.run(stacks[k], ["up", "--yes"], {}, "up")],
      ["preview (no change)", (k) => bench.run(stacks[k], ["preview"], {}, "preview")],
      // --skip-preview: a refresh's preview reads every resource once more.
      [
        "refresh",
        async (k) => {
          const fig = await bench.run(stacks[k], ["refresh", "--yes", "--skip-preview"], {}, "refresh");
          // The accounts the refresh listed (counted after it, outside the measured run): its
          // bound counts the listing's pages.
          if (k === "package") orgAccounts = await countAccounts(backend);
          return fig;
        },
      ],
      [
        `update of ${CHANGED}`,
        async (k) => {
          await project.pulumi(["stack", "select", stacks[k]]);
          await project.pulumi(["config", "set", "bench:changed", String(CHANGED)]);
          return bench.run(stacks[k], ["up", "--yes"], {}, "update");
        },
      ],
      ["destroy", (k) => bench.run(stacks[k], ["destroy", "--yes"], {}, "destroy")],
    ];
    for (const [phase, step] of steps) {
      for (const k of ["floor", "package"] as const) results[k][phase] = await step(k);
      process.stderr.write(`  ${phase} done (load ${load()})\n`);
    }
    console.log(`## A fleet of ${FLEET} accounts (${FLEET * 4} resources), per phase\n`);
    table(
      ["phase", "package", "floor", "ratio", `within ${FLOOR_BOUND}x`, "requests", "state (package)", "of it __provider", "state (floor)"],
      steps.map(([phase]) => {
        const p = results.package[phase]!;
        const f = results.floor[phase]!;
        const bounded = phase === "up" || phase === "destroy";
        return [
          phase,
          s(p.seconds),
          s(f.seconds),
          ratio(p.seconds, f.seconds),
          bounded ? (p.seconds <= FLOOR_BOUND * f.seconds ? "yes" : "no") : "",
          String(p.requests),
          kb(p.stateBytes),
          kb(p.providerBytes),
          kb(f.stateBytes),
        ];
      }),
    );
    const p = results.package;
    const budgetRows: [string, Budget][] = [
      ["up", budget("up", p["up"]!, p["up"]!.resources, orgAccounts)],
      ["preview (no change)", budget("preview", p["preview (no change)"]!, p["preview (no change)"]!.changed, orgAccounts)],
      ["refresh", budget("refresh", p["refresh"]!, p["refresh"]!.changed, orgAccounts)],
      [`update of ${CHANGED}`, budget("update", p[`update of ${CHANGED}`]!, p[`update of ${CHANGED}`]!.changed, orgAccounts)],
      // What destroy changed: everything the state held before it.
      ["destroy", budget("destroy", p["destroy"]!, p[`update of ${CHANGED}`]!.resources, orgAccounts)],
    ];
    console.log(
      `## Request budget, ${FLEET} accounts with ${FLEET} tokens and ${FLEET * 2} bindings (${PROJECTS} Jira project, ${SPACES} Confluence space; ` +
        `${orgAccounts} accounts in the org, ${LISTING_PAGE} a page)\n`,
    );
    table(
      ["phase", "resources changed", "writes", "listing pages", "project/space lookups", "per-resource reads", "bound (issue 15)", "met"],
      budgetRows.map(([phase, b]) => [phase, String(b.changed), String(b.writes), String(b.listing), String(b.lookups), String(b.perResource), b.bound, b.met]),
    );
    for (const [phase, b] of budgetRows) for (const line of b.notes) console.log(`- ${phase}: ${line}`);
    console.log();
    // Every route, per phase: what the groups above are made of.
    const keys = [...new Set(budgetRows.flatMap(([phase]) => [...p[phase]!.routes.count.keys()]))].sort((a, b) => shortRoute(a).localeCompare(shortRoute(b)));
    console.log("## Requests per route and phase (the package; the floor makes none)\n");
    table(
      ["route", ...budgetRows.map(([phase]) => phase)],
      keys.map((k) => [shortRoute(k), ...budgetRows.map(([phase]) => String(p[phase]!.routes.count.get(k) ?? 0))]),
    );
    for (const [phase] of budgetRows) {
      const failed = [...p[phase]!.routes.failed].map(([k, v]) => `${shortRoute(k)} ${v}`);
      if (failed.length > 0) console.log(`- ${phase}: answered with an error (4xx, 5xx, reset): ${failed.join(", ")}`);
    }
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
    const writes = [...p.routes.count].filter(([k]) => groupOf(k, "up") === "write").reduce((a, [, v]) => a + v, 0);
    rows.push([String(n), String(n * 4), s(p.seconds), s(f.seconds), ratio(p.seconds, f.seconds), `${writes} + ${p.requests - writes}`, kb(p.stateBytes), kb(f.stateBytes)]);
    process.stderr.write(`  growth ${n} done (load ${load()})\n`);
  }
  console.log("## `up` as the fleet grows\n");
  table(["accounts", "resources", "package", "floor", "ratio", "requests (writes + reads)", "state (package)", "state (floor)"], rows);
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
        slot(() => client.extensions.apiTokens.create(a.id, { label: "ci", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 90 })),
        slot(() => client.extensions.scopeBindings.create(a.id, { resource: "jira:project/OPS", role: "editor" })),
        slot(() => client.extensions.scopeBindings.create(a.id, { resource: "confluence:space/ENG", role: "viewer" })),
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
  // The floor and the package one right after the other, so that both meet the same load.
  const floor = await up("floor");
  const engine = await up("package");
  const { backend, dispose } = await newBackend(faults);
  let direct: number;
  try {
    direct = await sdkFleet(backend, FLEET, "direct");
  } finally {
    await dispose();
  }
  const skipping = await up("package", { PULUMI_SKIP_CHECKPOINTS: "true" });
  process.stderr.write(`  latency done (load ${load()})\n`);
  console.log(`## \`up\` of ${FLEET} accounts with ${LATENCY_MS} ms per request, against the floor and a direct sdk script (concurrency ${CONCURRENCY})\n`);
  table(
    ["", "seconds", "requests", "ratio to the floor", "ratio to the sdk script"],
    [
      ["the floor's pulumi up (no requests)", s(floor.seconds), String(floor.requests), "1.00x", ratio(floor.seconds, direct)],
      ["pulumi up", s(engine.seconds), String(engine.requests), ratio(engine.seconds, floor.seconds), ratio(engine.seconds, direct)],
      ["sdk script", s(direct), String(FLEET * 4), ratio(direct, floor.seconds), "1.00x"],
      ["pulumi up, PULUMI_SKIP_CHECKPOINTS=true", s(skipping.seconds), String(skipping.requests), ratio(skipping.seconds, floor.seconds), ratio(skipping.seconds, direct)],
    ],
  );
  const within = engine.seconds <= FLOOR_BOUND * floor.seconds;
  console.log(
    `The package's up with ${LATENCY_MS} ms per request: ${ratio(engine.seconds, floor.seconds)} of the floor's, measured just before it ` +
      `(${within ? "within" : "not within"} ${FLOOR_BOUND}x).\n`,
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
