/**
 * `pulumi-atlassian-service-accounts doctor`: will the package work on this org? One probe per
 * assumption the package makes about Atlassian's APIs (`sdk/atlassian-assumptions.ts`, and the
 * readings the stand-in plays by default), each reported as `holds`, `differs: <what was
 * seen>` or `not checked: <why>`, then what to change where something differs.
 *
 * Read-only by default. `--write` adds what needs a throwaway service account, which it
 * deletes again, also on Ctrl-C or a failure half way, naming anything it could not remove.
 * `--app-access` (the account made with Jira access: a product seat until it is deleted) and
 * `--group` (the account in a group, at and after its creation) add to `--write` on request.
 * It reads the provider's settings the provider's way (`cli/settings.ts`); no secret reaches
 * its output, error bodies quoted back included (`mask`).
 *
 * Exit status: 0 when every checked assumption holds; 1 when one differs, something was left
 * behind, or the org's service-account list could not be read (then nothing that matters was
 * checked); 2 for bad usage or settings; 130 (SIGINT) or 143 (SIGTERM) when interrupted.
 */
import { parseArgs } from "node:util";
import { atlassianOptions, parseAtlassian, type AtlassianOptions } from "../backend/atlassian";
import { client as configuredClient, consoleRoutes, raw, resetConfiguration, roleMapping, settings, siteSettings } from "../provider/config";
import { SERVICE_ACCOUNT_LIST_PAGE_SIZE } from "../sdk/atlassian-assumptions";
import { VERSION, type Client } from "../sdk/client";
import { PROJECT_KEY, SPACE_KEY } from "../sdk/resources/product";
import type { ServiceAccount } from "../sdk/resources/service-accounts";
import { CONSOLE_LINES, probeConsoleTokens } from "./probes/console";
import { probeAuditLog, probeOAuthClients } from "./probes/inventory";
import { judgeErrors, judgeListedAccounts, probeErrors, probeLinks, probeList, probePageSize, probeTokenLists, probeTokenPaths, type ErrorSample } from "./probes/admin";
import { listAccounts, type Probe } from "./probes/context";
import { PRODUCT_LINES, probeConfluence, probeJiraRoles, probeProductId, probeSiteBase, type Site } from "./probes/product";
import { AccessProbe, ACCESS_WAIT_DEFAULT_S, findGroup, type AccessOptions } from "./probes/access";
import { describeError, Report, type Finding, type LineName } from "./probes/report";
import { Cleanup, QUOTA_LINES, throwaway, throwawayName, WRITE_LINES, type ThrowawayRecord } from "./probes/throwaway";
import { mask, secretsInForce, useConfig, useSettings } from "./settings";
import type { StandIn } from "./stand-in";

export const summary = "check, against your org, every assumption this package makes about Atlassian's APIs";

export const USAGE = `usage: pulumi-atlassian-service-accounts doctor [options]     (in a clone: npm run doctor -- [options])

Checks every assumption the package makes about Atlassian's APIs (sdk/atlassian-assumptions.ts)
against your org, with the settings the provider uses: one line each, holds / differs / not checked,
then what to change. Read-only unless --write.

  --stack <name>            read the settings from this Pulumi stack's config, through the pulumi
                            command (secrets included, never printed); default: ATLASSIAN_* variables
  --cwd <dir>               with --stack: the Pulumi project's folder (default: here)
  --jira-project <KEY>      a Jira project whose roles to read (with --write: to grant a role in)
  --confluence-space <KEY>  a Confluence space whose roles to read (with --write: to grant access in)
  --write                   also check what needs a throwaway service account (pasa-doctor-<random>):
                            create it, update it, grant and remove access, revoke its tokens, delete
                            it; it is deleted on Ctrl-C or a failure too. With atlassian:consoleRoutes
                            on, also mint one token through the console's route and revoke it alone
  --app-access              with --write: create the throwaway account with Jira access (one permission
                            rule: the user role on atlassian:cloudId's Jira) and, with atlassian:consoleRoutes
                            on, check that a token of it reaches Jira. IT TAKES A PRODUCT SEAT (a Jira
                            licence) until the throwaway account is deleted, at the end of the run
  --group <name or id>      with --write: create the throwaway account in this group, read the membership,
                            take it out, add it again after its creation, and take it out again (the
                            group routes need an unscoped org key)
  --access-wait <seconds>   how long --app-access and --group wait for access or a membership to land
                            (0-600, default ${ACCESS_WAIT_DEFAULT_S})
  --json                    print one JSON document (for a ticket) instead of the report
  --stand-in                run against the embedded backend (Atlassian's public surfaces only),
                            seeded, instead of an org; project ALPHA and space DOCS unless given
  --atlassian <k=v,...>     with --stand-in: the readings it plays, e.g. linksNext=cursor
                            (see: npm run backend -- --help)
  --console-routes          with --stand-in: it also serves the admin console's routes, and
                            atlassian:consoleRoutes is on (its seeded group is "Doctor seed group": try
                            --stand-in --console-routes --write --app-access --group "Doctor seed group")

Exit status: 0 when every checked assumption holds, 1 when one differs, something was left
behind or the org's service-account list could not be read, 2 for bad usage or settings, 130 or
143 when interrupted.`;

interface Options {
  write: boolean;
  appAccess: boolean;
  group?: string;
  accessWaitMs: number;
  json: boolean;
  stack?: string;
  cwd?: string;
  jiraProject?: string;
  confluenceSpace?: string;
  standIn: boolean;
  atlassian?: Partial<AtlassianOptions>;
  /** `--console-routes`: the stand-in also serves the admin console's routes, and `atlassian:consoleRoutes` is on. */
  consoleRoutes: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        write: { type: "boolean", default: false },
        "app-access": { type: "boolean", default: false },
        group: { type: "string" },
        "access-wait": { type: "string" },
        json: { type: "boolean", default: false },
        stack: { type: "string" },
        cwd: { type: "string" },
        "jira-project": { type: "string" },
        "confluence-space": { type: "string" },
        "stand-in": { type: "boolean", default: false },
        atlassian: { type: "string" },
        "console-routes": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const o: Options = { write: values.write, appAccess: values["app-access"], accessWaitMs: ACCESS_WAIT_DEFAULT_S * 1000, json: values.json, standIn: values["stand-in"], consoleRoutes: values["console-routes"], help: values.help };
  if (o.appAccess && !o.write) throw new UsageError("--app-access goes with --write: it creates the throwaway account with Jira access (a product seat until the account is deleted)");
  if (values.group !== undefined) {
    if (!o.write) throw new UsageError("--group goes with --write: it adds the throwaway account to the group, then removes it");
    if (values.group.trim() === "") throw new UsageError("--group must name a group of the org's directory (its name or id), e.g. --group pasa-doctor");
    o.group = values.group.trim();
  }
  if (values["access-wait"] !== undefined) {
    if (!o.appAccess && o.group === undefined) throw new UsageError("--access-wait goes with --app-access or --group (how long they wait for access or a membership to land)");
    const s = values["access-wait"];
    if (!/^\d+$/.test(s) || Number(s) > 600) throw new UsageError(`--access-wait must be a whole number of seconds from 0 to 600, e.g. ${ACCESS_WAIT_DEFAULT_S}`);
    o.accessWaitMs = Number(s) * 1000;
  }
  if (values.stack !== undefined) o.stack = values.stack;
  if (values.cwd !== undefined) {
    if (values.stack === undefined) throw new UsageError("--cwd goes with --stack (the folder of the stack's Pulumi project)");
    o.cwd = values.cwd;
  }
  if (o.standIn && o.stack !== undefined) throw new UsageError("--stand-in and --stack exclude each other: the stand-in brings its own settings");
  const project = values["jira-project"] ?? (o.standIn ? "ALPHA" : undefined);
  if (project !== undefined && !PROJECT_KEY.test(project)) throw new UsageError(`--jira-project must be a Jira project key (an uppercase letter, then 1-9 uppercase letters or digits), e.g. ALPHA`);
  const space = values["confluence-space"] ?? (o.standIn ? "DOCS" : undefined);
  if (space !== undefined && !SPACE_KEY.test(space)) throw new UsageError(`--confluence-space must be a Confluence space key (letters and digits), e.g. DOCS`);
  if (project !== undefined) o.jiraProject = project;
  if (space !== undefined) o.confluenceSpace = space;
  if (o.consoleRoutes && !o.standIn) {
    throw new UsageError("--console-routes makes the stand-in serve the admin console's routes: give it with --stand-in (for an org, set atlassian:consoleRoutes)");
  }
  if (values.atlassian !== undefined) {
    if (!o.standIn) throw new UsageError("--atlassian chooses what the stand-in plays: give it with --stand-in");
    try {
      o.atlassian = parseAtlassian(values.atlassian);
      atlassianOptions(o.atlassian, true);
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/^atlassian\./, "--atlassian "));
    }
  }
  return o;
}

/** What a run found, for the report and the JSON document. */
interface Outcome {
  findings: Finding[];
  throwaway: ThrowawayRecord | null;
  left: { what: string; id: string; error: string }[];
  interrupted: NodeJS.Signals | null;
  /** Whether the org's service-account list was read (a run that could not read it does not pass). */
  listRead: boolean;
  exitCode: number;
}

export async function run(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`doctor: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let standIn: StandIn | undefined;
  if (o.standIn) {
    try {
      // Required here only: the stand-in brings the backend's server stack, a development dependency.
      const { startStandIn } = require("./stand-in") as typeof import("./stand-in");
      standIn = await startStandIn({ ...(o.atlassian ? { atlassian: o.atlassian } : {}), ...(o.consoleRoutes ? { consoleRoutes: true } : {}) });
    } catch (err) {
      process.stderr.write(`doctor: the stand-in did not start: ${(err as Error).message}\n`);
      return 2;
    }
  }
  try {
    let source: string;
    let client: Client;
    try {
      if (standIn) {
        await useConfig(standIn.config);
        source = `the stand-in (the embedded backend, Atlassian's public surfaces only${o.consoleRoutes ? " and the admin console's routes" : ""}${o.atlassian ? `, ${Object.entries(o.atlassian).map(([k, v]) => `${k}=${v}`).join(",")}` : ""})`;
      } else {
        source = await useSettings({ ...(o.stack !== undefined ? { stack: o.stack } : {}), ...(o.cwd !== undefined ? { cwd: o.cwd } : {}) });
      }
      settings();
      client = configuredClient().withOptions({ userAgent: "doctor", maxRetries: 2, retryMaxDelayMs: 2_000, timeoutMs: 30_000 });
    } catch (err) {
      process.stderr.write(`doctor: ${mask((err as Error).message)}\n`);
      return 2;
    }
    try {
      return await diagnose(o, source, client);
    } catch (err) {
      // Not a probe's failure (those are findings): a fault of the doctor itself, told without secrets.
      process.stderr.write(`doctor: ${mask(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
      return 1;
    }
  } finally {
    resetConfiguration();
    await standIn?.close();
  }
}

async function diagnose(o: Options, source: string, client: Client): Promise<number> {
  const secrets = secretsInForce();
  const say = (line: string) => process.stderr.write(mask(`doctor: ${line}\n`, secrets));
  const { orgId, baseUrl } = settings();
  const controller = new AbortController();
  const cleanup = new Cleanup();
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      const left = cleanup.pending();
      say(`${signal} again: stopping now${left.length ? `, leaving behind ${left.map((m) => `${m.what} (${m.id})`).join(", ")}` : ""}`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    interrupted = signal;
    say(`${signal}: stopping, then removing what doctor made (${signal} again to leave it)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const report = new Report();
  const p: Probe = { client, report, signal: controller.signal, say, state: { listLimit: SERVICE_ACCOUNT_LIST_PAGE_SIZE } };
  const record: ThrowawayRecord | null = o.write ? { displayName: throwawayName(), deleted: false } : null;
  let left: Outcome["left"] = [];
  try {
    await probeAll(p, o, cleanup, record);
  } catch (err) {
    if (!controller.signal.aborted) say(`stopped: ${describeError(err)}`);
  } finally {
    if (cleanup.pending().length > 0) left = (await cleanup.run(say)).left;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    client.close();
  }
  if (interrupted) report.notCheckedRest(report.findings().map((f) => f.name as LineName), `interrupted (${interrupted})`);
  const findings = report.findings();
  const differs = findings.some((f) => f.status === "differs");
  // A run that could not even read the org's list checked nothing of what matters: it does not pass.
  const listRead = report.status("atlassian:apiKey") === "holds";
  const exitCode = interrupted ? (interrupted === "SIGINT" ? 130 : 143) : differs || left.length > 0 || !listRead ? 1 : 0;
  const outcome: Outcome = { findings, throwaway: record, left, interrupted, listRead, exitCode };
  const header = { orgId, baseUrl, source, write: o.write, appAccess: o.appAccess, group: o.group, jiraProject: o.jiraProject, confluenceSpace: o.confluenceSpace };
  process.stdout.write(mask(o.json ? `${JSON.stringify(document(header, outcome), null, 2)}\n` : text(header, outcome), secrets));
  return exitCode;
}

/** Every probe in turn; each failure marks its own lines not checked and the run goes on. */
async function probeAll(p: Probe, o: Options, cleanup: Cleanup, record: ThrowawayRecord | null): Promise<void> {
  const { report } = p;
  const step = async (lines: readonly LineName[], probe: () => Promise<void>): Promise<void> => {
    try {
      await probe();
    } catch (err) {
      if (p.signal.aborted) throw err;
      report.notCheckedRest(lines, `the probe failed: ${describeError(err)}`);
    }
  };
  const errors: ErrorSample[] = [];
  let accounts: ServiceAccount[] = [];

  p.say(`reading the service-account list of org ${settings().orgId}`);
  let readable = false;
  await step(["atlassian:apiKey", "ADMIN_API_ROOT"], async () => {
    readable = await probeList(p);
  });
  const tokenLines = ["SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD", "TOKEN_LIST_ITEMS_FIELD", "TOKEN_LIST_ITEM_FIELDS", "TOKEN_STATUS_VALUES"] as const;
  if (readable) {
    await step(["SERVICE_ACCOUNT_LIST_PAGE_SIZE"], () => probePageSize(p));
    await step(["LINKS_NEXT_FORMS", "LINKS_NEXT_DEFAULT_FORM"], () => probeLinks(p));
    await step(["SERVICE_ACCOUNT_LIST_UPDATED_AT", "SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE", ...tokenLines], async () => {
      accounts = await listAccounts(p);
      judgeListedAccounts(p, accounts);
    });
    if (accounts[0]) await step(["SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD"], () => probeTokenPaths(p, accounts[0]!));
    else report.notChecked("SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD", "the org has no service account (with --write, the throwaway account is one)");
    await step(tokenLines, () => probeTokenLists(p, accounts));
    // What the credential report reads besides: OAuth clients and the audit log.
    await step(["OAUTH_CLIENT_PAGE_SIZE", "OAUTH_CLIENT_STATUS_ACTIVE", "OAUTH_CLIENT_ACCOUNT_LINK"], () => probeOAuthClients(p, accounts));
    await step(["AUDIT_TOKEN_USE", "AUDIT_LOG_REQUESTS_PER_MINUTE"], () => probeAuditLog(p));
    await step(["ADMIN_ERROR_CODES"], async () => {
      errors.push(...(await probeErrors(p)));
    });
  }

  // Jira and Confluence, with the site admin's credential.
  const site: Site = {};
  let siteWorks = false;
  let noSite: string | undefined;
  try {
    siteSettings();
  } catch (err) {
    // Short, as it is every product line's reason: which settings are missing, not how to set each.
    const missing = (["siteAdminEmail", "siteAdminToken"] as const).filter((n) => raw(n) === undefined).map((n) => `atlassian:${n}`);
    if (raw("cloudId") === undefined && raw("siteUrl") === undefined) missing.unshift("atlassian:cloudId (or atlassian:siteUrl)");
    noSite = missing.length > 0 ? `no site admin credentials: set ${missing.join(", ")} (or their ATLASSIAN_* variables)` : `the site settings are not usable: ${(err as Error).message}`;
  }
  const mapping = roleMapping();
  if (noSite === undefined) {
    p.say("reading Jira and Confluence as the site admin");
    await step(["site admin base"], async () => {
      siteWorks = await probeSiteBase(p, { ...(raw("cloudId") !== undefined ? { cloudId: raw("cloudId")! } : {}) });
    });
    if (siteWorks) {
      if (accounts[0]) await step(["SERVICE_ACCOUNT_PRODUCT_ID_FIELD", "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE"], () => probeProductId(p, accounts[0]!));
      if (o.jiraProject !== undefined)
        await step(["JIRA_DEFAULT_ROLES"], async () => {
          const project = await probeJiraRoles(p, o.jiraProject!, mapping);
          if (project) site.jiraProject = project;
        });
      else report.notChecked("JIRA_DEFAULT_ROLES", "give --jira-project KEY to read a project's roles");
      await step(["space-role-mode endpoint", "CONFLUENCE_DEFAULT_ROLES", "CONFLUENCE_SYSTEM_ROLE_NAMES", "CONFLUENCE_LEVEL_PERMISSIONS"], async () => {
        const confluence = await probeConfluence(p, o.confluenceSpace, mapping);
        if (confluence) site.confluence = confluence;
      });
    }
  }

  let withConsole = false;
  try {
    withConsole = consoleRoutes();
  } catch (err) {
    report.notCheckedRest(CONSOLE_LINES, (err as Error).message);
  }
  if (!withConsole) report.notCheckedRest(CONSOLE_LINES, "atlassian:consoleRoutes is off: the provider uses neither route");

  // --app-access and --group: what the create carries besides a name, judged on the throwaway account.
  let access: AccessProbe | undefined;
  if (record && readable && (o.appAccess || o.group !== undefined)) {
    const ao: AccessOptions = { waitMs: o.accessWaitMs };
    const cloudId = raw("cloudId");
    if (!o.appAccess) {
      // Not asked for: the reason is given at the end.
    } else if (cloudId === undefined) report.notChecked("APP_ACCESS_PERMISSION_RULE", "--app-access needs atlassian:cloudId: the rule names the site by it");
    else ao.appAccess = { cloudId, withConsole };
    if (o.group !== undefined)
      await step(["GROUP_ADD_AFTER_CREATE"], async () => {
        const g = await findGroup(p, o.group!);
        if (typeof g === "string") report.notChecked("GROUP_ADD_AFTER_CREATE", g);
        else ao.group = g;
      });
    access = new AccessProbe(p, ao, cleanup);
  }
  const extras = access?.extras();

  if (record && readable) {
    p.say(`--write: making the throwaway service account ${record.displayName}${extras ? ` with ${Object.keys(extras.body).join(" and ")}` : ""}`);
    await step(WRITE_LINES, () =>
      throwaway(
        p,
        {
          site: siteWorks ? site : undefined,
          mapping,
          errors,
          ...(extras ? { extras } : {}),
          withAccount: async (account) => {
            // What the org's own accounts could not show, the throwaway account can.
            if (!report.judged("SERVICE_ACCOUNT_LIST_UPDATED_AT")) judgeListedAccounts(p, [account]);
            if (!report.judged("LINKS_NEXT_FORMS")) await step(["LINKS_NEXT_FORMS", "LINKS_NEXT_DEFAULT_FORM"], () => probeLinks(p));
            if (!report.judged("SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD")) await step(["SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD"], () => probeTokenPaths(p, account));
            if (!report.judged("TOKEN_LIST_ITEMS_FIELD")) await step(tokenLines.slice(1), () => probeTokenLists(p, [account]));
            if (siteWorks && !report.judged("SERVICE_ACCOUNT_PRODUCT_ID_FIELD")) await step(["SERVICE_ACCOUNT_PRODUCT_ID_FIELD", "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE"], () => probeProductId(p, account));
            // The console's mint and the single revoke, only when the provider would use them.
            if (withConsole) await step(CONSOLE_LINES, () => probeConsoleTokens(p, account));
            if (access) {
              await step(["APP_ACCESS_PERMISSION_RULE"], () => access.appAccess(account));
              await step(["GROUP_ADD_AFTER_CREATE"], () => access.groups(account));
            }
          },
        },
        cleanup,
        record,
      ),
    );
  }
  if (readable) judgeErrors(p, errors);

  // Whatever is still open says why.
  if (!readable) report.notCheckedRest(report.findings().map((f) => f.name as LineName).filter((n) => !PRODUCT_LINES.includes(n)), "the service-account list could not be read");
  if (noSite !== undefined) report.notCheckedRest(PRODUCT_LINES, noSite);
  else if (!siteWorks) report.notCheckedRest(PRODUCT_LINES, "the site admin's credential was refused");
  report.notCheckedRest(QUOTA_LINES, "needs a create in a full org (--write when the org's plan is full)");
  report.notCheckedRest(["CONFLUENCE_LEVEL_PERMISSIONS"], "needs --write on a site not in role mode");
  report.notCheckedRest(WRITE_LINES, "needs --write (a throwaway account)");
  // Probing it gives the throwaway account app access (and a seat): only when asked for.
  report.notChecked(
    "APP_ACCESS_PERMISSION_RULE",
    o.appAccess ? "no throwaway account was made with the rule" : "needs --write --app-access: a create with a permission rule, which takes a product seat until the throwaway account is deleted",
  );
  report.notChecked("GROUP_ADD_AFTER_CREATE", o.group !== undefined ? "no throwaway account was made to add to the group" : "needs --write --group <name or id>: the throwaway account added to that group after its creation, then removed");
  report.notChecked("SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ", o.appAccess ? "no throwaway account was made with a permission rule" : "needs --write --app-access: a service account created with a permission rule, whose role assignments are then read");
  report.notCheckedRest(CONSOLE_LINES, "needs --write (a throwaway account)");
  report.notCheckedRest(["SERVICE_ACCOUNT_PRODUCT_ID_FIELD", "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE"], "the org has no service account to look up (with --write, the throwaway account is one)");
}

interface Header {
  orgId: string;
  baseUrl: string;
  source: string;
  write: boolean;
  appAccess: boolean;
  group: string | undefined;
  jiraProject: string | undefined;
  confluenceSpace: string | undefined;
}

/** The report for a terminal: a line per assumption, the count, what to change, and the throwaway account's fate. */
function text(h: Header, r: Outcome): string {
  const out: string[] = [];
  out.push(`doctor ${VERSION}: org ${h.orgId} at ${h.baseUrl}, settings from ${h.source}`);
  out.push(
    `${h.write ? `--write: with a throwaway service account${h.appAccess ? " made with Jira access (a product seat until it is deleted)" : ""}${h.group !== undefined ? `, in group ${JSON.stringify(h.group)}` : ""}` : "read-only (--write also checks what needs a throwaway account)"}; ` +
      `Jira project ${h.jiraProject ?? "(none: --jira-project)"}, Confluence space ${h.confluenceSpace ?? "(none: --confluence-space)"}`,
  );
  out.push("");
  const width = Math.max(...r.findings.map((f) => f.name.length));
  for (const f of r.findings) out.push(`${f.name.padEnd(width)}  ${f.status}: ${f.text}`);
  out.push("");
  const count = (s: Finding["status"]) => r.findings.filter((f) => f.status === s).length;
  out.push(`${count("holds")} hold, ${count("differs")} differ, ${count("not checked")} not checked.`);
  if (!r.listRead) out.push("The org's service-account list could not be read: see atlassian:apiKey and ADMIN_API_ROOT above.");
  const fixes = r.findings.filter((f) => f.status === "differs");
  if (fixes.length > 0) {
    out.push("", "To change:");
    for (const f of fixes) out.push(`  ${f.name} (${f.where}): ${f.fix}`);
  }
  if (r.throwaway) {
    const t = r.throwaway;
    out.push("");
    out.push(
      t.id
        ? `Throwaway account ${t.displayName}: id ${t.id}, atlassianId ${t.atlassianId}, email ${t.email}; created with fields ${t.fields?.join(", ")}; ${t.deleted ? "deleted" : "NOT deleted by its own probe"}.`
        : `Throwaway account ${t.displayName}: not made.`,
    );
  }
  if (r.left.length > 0) {
    out.push("", "LEFT BEHIND (remove by hand in admin.atlassian.com, Jira or Confluence):");
    for (const l of r.left) out.push(`  ${l.what}: ${l.id} (${l.error})`);
  } else if (r.throwaway?.id) {
    out.push("Nothing left behind.");
  }
  if (r.interrupted) out.push("", `Interrupted by ${r.interrupted}.`);
  return `${out.join("\n")}\n`;
}

/** The JSON document (`--json`), for a ticket. */
function document(h: Header, r: Outcome): unknown {
  const count = (s: Finding["status"]) => r.findings.filter((f) => f.status === s).length;
  return {
    doctor: VERSION,
    ...h,
    findings: r.findings.map((f) => ({
      name: f.name,
      kind: f.kind,
      where: f.where,
      status: f.status,
      ...(f.status === "not checked" ? { why: f.text } : { seen: f.text }),
      ...(f.fix !== undefined ? { fix: f.fix } : {}),
    })),
    summary: { holds: count("holds"), differs: count("differs"), notChecked: count("not checked") },
    throwaway: r.throwaway,
    leftBehind: r.left,
    interrupted: r.interrupted,
    listRead: r.listRead,
    exitCode: r.exitCode,
  };
}
