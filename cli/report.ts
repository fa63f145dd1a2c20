/**
 * `pulumi-atlassian-service-accounts report`: the org's credential report. Every service
 * account of the org (managed by a stack or not), its tokens (label, created, expiry, last
 * used, days left) and its OAuth clients, sorted by days left, as text, `--json` or
 * `--markdown`. `--expiring-within 14d` exits 1 when an active token expires within that
 * time, for a scheduled CI job. Never a secret: Atlassian's lists hold none, and the API key
 * is never printed.
 *
 * Settings come from the environment as the provider reads them (`ATLASSIAN_BASE_URL`,
 * `ATLASSIAN_ORG_ID`, `ATLASSIAN_API_KEY`; see `provider/config.ts`); stacks from
 * `pulumi stack export` (`--stack`, repeatable).
 */
import { parseArgs } from "node:util";
import * as config from "../provider/config";
import { DAY_MS, now } from "../provider/clock";
import { APIError, Client } from "../sdk/index";
import type { Command } from "./index";
import { collect, type AccountEntry, type Inventory, type OAuthClientEntry, type Progress, type TokenEntry } from "./inventory";
import { NOTHING_MANAGED, pulumiExporter, readStacks, type StackExporter } from "./stacks";

/** Exit codes: what a CI job branches on. */
export const EXIT = { ok: 0, expiring: 1, error: 2 } as const;

/** An org at least this large gets a progress line on stderr. */
export const LARGE_ORG = 100;

export const REPORT_USAGE = `usage: pulumi-atlassian-service-accounts report [options]

Every service account of the org, its API tokens and OAuth clients, sorted by days left.
Reads ATLASSIAN_ORG_ID, ATLASSIAN_API_KEY and ATLASSIAN_BASE_URL (default Atlassian's) from
the environment. The key needs read:service-accounts:admin and
read:service-accounts-tokens:admin, and read:events:admin for last use from the audit log.

options:
  --expiring-within <n>d   exit 1 when an active token expires within n days (or <n>h hours)
  --stack <name>           a Pulumi stack whose state says what it manages (repeatable;
                           read with \`pulumi stack export\` in the current folder)
  --json                   the report as JSON
  --markdown               the report as Markdown (an issue or a pull-request comment)
  --quiet                  no progress line on stderr
  --stand-in               run against the embedded backend (Atlassian's public surfaces only),
                           seeded with a few accounts, tokens and an OAuth client: try it in a clone
  --help                   this text

exit codes: 0 nothing expires within the window, 1 some token does, 2 a usage or API error`;

export interface ReportIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (the progress line rewrites itself there). */
  stderrIsTTY: boolean;
  exportStack: StackExporter;
  now: () => Date;
}

const defaultIO = (): ReportIO => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
  exportStack: pulumiExporter(),
  now,
});

/** `14d`, `36h` or `14` (days) as milliseconds; throws naming the option and the fix. */
export function parseWindow(text: string): number {
  const m = /^(\d{1,4})\s*(d|h)?$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n > (m[2]?.toLowerCase() === "h" ? 24 * 366 : 366)) {
    throw new UsageError(`--expiring-within ${JSON.stringify(text.slice(0, 40))} is not a time span; give days or hours, e.g. 14d or 36h (at most a year)`);
  }
  return n * (m[2]?.toLowerCase() === "h" ? DAY_MS / 24 : DAY_MS);
}

class UsageError extends Error {}

interface Options {
  windowMs: number | undefined;
  windowText: string | undefined;
  stacks: string[];
  format: "text" | "json" | "markdown";
  quiet: boolean;
  help: boolean;
  standIn: boolean;
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "expiring-within": { type: "string" },
        stack: { type: "string", multiple: true },
        json: { type: "boolean" },
        markdown: { type: "boolean" },
        quiet: { type: "boolean" },
        "stand-in": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see --help`);
  }
  if (values.json && values.markdown) throw new UsageError("give --json or --markdown, not both");
  const windowText = values["expiring-within"];
  return {
    windowMs: windowText === undefined ? undefined : parseWindow(windowText),
    windowText,
    stacks: values.stack ?? [],
    format: values.json ? "json" : values.markdown ? "markdown" : "text",
    quiet: values.quiet === true,
    help: values.help === true,
    standIn: values["stand-in"] === true,
  };
}

/** One line on stderr that says how far the report has got, for an org large enough to wait for. */
function progressLine(io: ReportIO, quiet: boolean): { update: (p: Progress) => void; end: () => void } {
  const what = { accounts: "listing service accounts", tokens: "reading tokens", "oauth-clients": "reading OAuth clients", "audit-log": "reading the audit log" };
  let large = false;
  let open = false;
  let last = "";
  return {
    update(p) {
      if (quiet) return;
      if (p.phase === "accounts" && ((p.total ?? 0) >= LARGE_ORG || p.done >= LARGE_ORG)) large = true;
      if (!large) return;
      const line = `${what[p.phase]}: ${p.done}${p.total === undefined ? "" : `/${p.total}`}${p.phase === "accounts" ? "" : " accounts"}`;
      if (io.stderrIsTTY) {
        io.stderr(`\r${line}\x1b[K`);
        open = true;
        return;
      }
      // Not a terminal (a CI log): a line as each phase starts and at each quarter of it.
      const key = `${p.phase}:${p.total ? Math.floor((4 * p.done) / p.total) : 0}`;
      if (key !== last) {
        last = key;
        io.stderr(`${line}\n`);
      }
    },
    end() {
      if (open) io.stderr("\r\x1b[K");
      open = false;
    },
  };
}

export const report: Command & { runWith(argv: string[], io: ReportIO): Promise<number> } = {
  summary: "the org's service accounts, tokens and OAuth clients, sorted by days left; --expiring-within exits 1 for CI",

  run(argv) {
    return report.runWith(argv, defaultIO());
  },

  async runWith(argv, io) {
    let client: Client | undefined;
    let line: ReturnType<typeof progressLine> | undefined;
    let standIn: { close(): Promise<void> } | undefined;
    try {
      const opts = parseOptions(argv);
      if (opts.help) {
        io.stdout(`${REPORT_USAGE}\n`);
        return EXIT.ok;
      }
      if (opts.standIn) {
        // Required here only: the stand-in brings the backend's server stack, a development dependency.
        const { startStandIn } = require("./stand-in") as typeof import("./stand-in");
        const { useConfig } = require("./settings") as typeof import("./settings");
        const s = await startStandIn();
        standIn = s;
        await useConfig(s.config);
      }
      const s = config.settings();
      client = new Client({ baseUrl: s.baseUrl, orgId: s.orgId, apiKey: s.apiKey, userAgent: "report" });
      const managed = opts.stacks.length > 0 ? await readStacks(opts.stacks, io.exportStack) : NOTHING_MANAGED;
      line = progressLine(io, opts.quiet);
      const at = io.now();
      const inv = await collect(client, { now: at, managed, onProgress: line.update });
      line.end();
      const expiring = opts.windowMs === undefined ? [] : expiringWithin(inv, at, opts.windowMs);
      const render = opts.format === "json" ? renderJson : opts.format === "markdown" ? renderMarkdown : renderText;
      io.stdout(render(inv, { expiring, windowText: opts.windowText, stacks: opts.stacks }));
      for (const n of inv.notes) io.stderr(`note: ${n}\n`);
      return expiring.length > 0 ? EXIT.expiring : EXIT.ok;
    } catch (err) {
      line?.end();
      let message = err instanceof Error ? err.message : String(err);
      if (err instanceof APIError && (err.status === 401 || err.status === 403)) {
        message += "; check ATLASSIAN_API_KEY and ATLASSIAN_ORG_ID: the key must be the org's admin key, current, holding read:service-accounts:admin and read:service-accounts-tokens:admin (or unscoped)";
      }
      io.stderr(`report: ${message}${err instanceof UsageError ? "\n\n" + REPORT_USAGE : ""}\n`);
      return EXIT.error;
    } finally {
      client?.close();
      await standIn?.close();
    }
  },
};

/** Active tokens whose expiry is within the window from `at` (expired ones are past the point of warning). */
export function expiringWithin(inv: Inventory, at: Date, windowMs: number): TokenEntry[] {
  const until = at.getTime() + windowMs;
  return inv.tokens.filter((t) => t.status === "active" && t.expiresAt !== undefined && Date.parse(t.expiresAt) <= until);
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

interface RenderContext {
  expiring: TokenEntry[];
  windowText: string | undefined;
  stacks: string[];
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : "-");
const stacksText = (stacks: string[]) => (stacks.length > 0 ? stacks.join(", ") : "no");

/** A token's last use: its day; "never" when the whole audit log since its creation shows none; else "unknown". */
function lastUsedText(t: TokenEntry): string {
  if (t.lastUsedAt) return `${day(t.lastUsedAt)}${t.lastUsedFrom === "audit-log-partial" ? "+" : ""}`;
  return t.lastUsedFrom === "audit-log" ? "never" : "unknown";
}

function summaryOf(inv: Inventory, ctx: RenderContext): string {
  const managed = inv.accounts.filter((a) => a.managedBy.length > 0).length;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return [
    `${plural(inv.accounts.length, "service account")}${ctx.stacks.length > 0 ? ` (${managed} managed by ${ctx.stacks.join(", ")})` : ""}`,
    plural(inv.tokens.length, "token"),
    plural(inv.oauthClients.length, "OAuth client"),
  ].join(", ");
}

function verdict(ctx: RenderContext): string | undefined {
  if (ctx.windowText === undefined) return undefined;
  const n = ctx.expiring.length;
  return n === 0 ? `No active token expires within ${ctx.windowText}.` : `${n} active token${n === 1 ? "" : "s"} expire${n === 1 ? "s" : ""} within ${ctx.windowText}.`;
}

/** Printable on one line: control characters (a display name may hold any) become spaces. */
const oneLine = (s: string | undefined) => (s ?? "-").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");

/**
 * The columns of each table, the same for text and Markdown: `cell` gives the raw text, which
 * each format escapes its own way. "managed by" only when stacks were given.
 */
function tokenColumns(ctx: RenderContext): [string, (t: TokenEntry) => string][] {
  return [
    ["days left", (t) => (t.daysLeft === undefined ? "-" : String(t.daysLeft))],
    ["expires", (t) => day(t.expiresAt)],
    ["account", (t) => t.account.displayName],
    ["label", (t) => t.label ?? "-"],
    ["created", (t) => day(t.createdAt)],
    ["last used", lastUsedText],
    ["status", (t) => t.status],
    ...(ctx.stacks.length > 0 ? [["managed by", (t: TokenEntry) => stacksText(t.managedBy)] as [string, (t: TokenEntry) => string]] : []),
  ];
}

function accountColumns(ctx: RenderContext): [string, (a: AccountEntry) => string][] {
  return [
    ["account", (a) => a.displayName],
    ["email", (a) => a.email],
    ["status", (a) => a.status ?? "-"],
    ...(ctx.stacks.length > 0 ? [["managed by", (a: AccountEntry) => stacksText(a.managedBy)] as [string, (a: AccountEntry) => string]] : []),
  ];
}

const CLIENT_COLUMNS: [string, (c: OAuthClientEntry) => string][] = [
  ["name", (c) => c.name ?? "-"],
  ["client id", (c) => c.clientId],
  ["account", (c) => c.account?.displayName ?? "(unknown)"],
  ["created", (c) => day(c.createdAt)],
  ["status", (c) => c.status ?? "-"],
];

/** Columns padded to their widest cell; the first column right-aligned (days left). */
function textTable<T>(columns: [string, (x: T) => string][], rows: T[], mark: (x: T) => boolean = () => false): string {
  if (rows.length === 0) return "  (none)";
  const cells = [columns.map(([h]) => h.toUpperCase()), ...rows.map((r) => columns.map(([, f]) => oneLine(f(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c, n) => `${n > 0 && mark(rows[n - 1]!) ? "!" : " "} ${c.map((x, i) => (i === 0 && columns[0]![0] === "days left" ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ")}`.trimEnd())
    .join("\n");
}

export function renderText(inv: Inventory, ctx: RenderContext): string {
  const soon = new Set(ctx.expiring.map((t) => t.id));
  const out = [`Service-account credentials of org ${inv.orgId} at ${inv.generatedAt}: ${summaryOf(inv, ctx)}.`];
  out.push("", `Tokens, by days left${soon.size > 0 ? ` (! expires within ${ctx.windowText})` : ""}:`, textTable(tokenColumns(ctx), inv.tokens, (t) => soon.has(t.id)));
  out.push("", "Accounts without tokens:", textTable(accountColumns(ctx), inv.accounts.filter((a) => a.tokens === 0)));
  out.push("", "OAuth clients:", textTable(CLIENT_COLUMNS, inv.oauthClients));
  const v = verdict(ctx);
  if (v) out.push("", v);
  if (inv.tokens.some((t) => t.lastUsedFrom === "audit-log-partial")) out.push("", "LAST USED with +: at least then (the audit log was read in part).");
  return `${out.join("\n")}\n`;
}

/** Markdown-safe text: no table break, no markup, no @mention, on one line. */
function md(s: string): string {
  return oneLine(s)
    .replace(/([\\`*_[\]<>|#~])/g, "\\$1")
    .replace(/(^|\s)@/g, "$1@\u200b");
}

function mdTable<T>(columns: [string, (x: T) => string][], rows: T[]): string {
  if (rows.length === 0) return "None.";
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(columns.map(([h]) => h)), line(columns.map(() => "---")), ...rows.map((r) => line(columns.map(([, f]) => md(f(r)))))].join("\n");
}

export function renderMarkdown(inv: Inventory, ctx: RenderContext): string {
  const out = [`## Service-account credentials of org ${md(inv.orgId)}`, "", `${summaryOf(inv, ctx)}, at ${inv.generatedAt}.`];
  const v = verdict(ctx);
  if (v) {
    out.push("", `**${v}**`);
    if (ctx.expiring.length > 0) out.push("", `### Expiring within ${md(ctx.windowText ?? "")}`, "", mdTable(tokenColumns(ctx), ctx.expiring));
  }
  out.push("", "### Tokens, by days left", "", mdTable(tokenColumns(ctx), inv.tokens));
  out.push("", "### Accounts without tokens", "", mdTable(accountColumns(ctx), inv.accounts.filter((a) => a.tokens === 0)));
  out.push("", "### OAuth clients", "", mdTable(CLIENT_COLUMNS, inv.oauthClients));
  if (inv.tokens.some((t) => t.lastUsedFrom === "audit-log-partial")) out.push("", "Last used with +: at least then (the audit log was read in part).");
  if (inv.notes.length > 0) out.push("", ...inv.notes.map((n) => `> ${md(n)}`));
  return `${out.join("\n")}\n`;
}

/** The inventory as JSON; a value not known is `null`, so every entry has every key. */
export function renderJson(inv: Inventory, ctx: RenderContext): string {
  const body = {
    ...inv,
    stacks: ctx.stacks,
    expiringWithin: ctx.windowText === undefined ? null : { window: ctx.windowText, tokens: ctx.expiring.map((t) => t.id) },
  };
  return `${JSON.stringify(body, (_k, v: unknown) => (v === undefined ? null : v), 2)}\n`;
}
