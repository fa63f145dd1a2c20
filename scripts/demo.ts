/**
 * `npm run demo [-- --keep]`: the quickstart, end to end, on this machine.
 *
 * Starts the embedded identity backend on a free port with a fresh data folder, runs the
 * quickstart program (examples/quickstart) through the real Pulumi engine with a file state
 * backend, shows the engine's preview and `up`, prints the outputs (the token masked), uses
 * the token on the product plane (one call it may make, two it may not), shows the audit
 * log, previews a scope change (a replacement), destroys everything and stops the backend.
 *
 * Any failing step ends the demo with a non-zero exit status. Everything it made is
 * removed, unless `--keep`: then the backend keeps running (until Ctrl-C) and the stack
 * stays, with instructions for using both with `pulumi` directly.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend } from "../backend";
import { SECRET_PATTERN } from "../sdk/schemas";
import { memberRule } from "../sdk/resources/console";
import { enginePathDirs, engineStack, ensureBuilt, type EngineStack } from "./engine";

const keep = process.argv.includes("--keep");
const unknown = process.argv.slice(2).filter((a) => a !== "--keep");
if (unknown.length > 0) {
  process.stderr.write(`unknown argument ${unknown.join(" ")}; usage: npm run demo [-- --keep]\n`);
  process.exit(2);
}

const tty = process.stdout.isTTY === true;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const out = (s = "") => process.stdout.write(`${s}\n`);

const STEPS = 10;
let step = 0;
function heading(title: string): void {
  step += 1;
  const text = `── ${step}/${STEPS}  ${title} `;
  out();
  out(bold(text + "─".repeat(Math.max(4, 88 - text.length))));
}

class DemoFailure extends Error {}
function expect(ok: boolean, what: string): void {
  if (!ok) throw new DemoFailure(what);
  out(green(`   ✓ ${what}`));
}

/** `pasat_••••••••` : the prefix (which scanners know) and nothing of the secret. */
function mask(secret: string): string {
  const prefix = /^[a-z]+_/.exec(secret)?.[0] ?? "";
  return `${prefix}${"•".repeat(8)} ${dim(`(${secret.length} characters, secret)`)}`;
}

/** Engine output, indented, streamed as it comes. */
function engineOutput(): (s: string) => void {
  let atLineStart = true;
  return (s: string) => {
    const text = s.replace(/\n(?=.)/g, "\n   ");
    process.stdout.write((atLineStart ? "   " : "") + text);
    atLineStart = s.endsWith("\n");
  };
}

async function productCall(
  baseUrl: string,
  method: "GET" | "POST",
  route: string,
  auth: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: auth, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const short = text.length > 160 ? `${text.slice(0, 160)}…` : text;
  out(`   ${method} ${route}`);
  out(`     → ${res.status >= 400 ? red(String(res.status)) : green(String(res.status))} ${dim(short)}`);
  return { status: res.status, text };
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        process.stderr.write(`cleanup: ${(err as Error).message}\n`);
      }
    }
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    out(`\n${signal}: stopping`);
    void runCleanups().then(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    out(bold("Atlassian service accounts as code: the quickstart, end to end"));
    out(dim("A service account, a scoped expiring API token, a Jira project and a Confluence space binding,"));
    out(dim("declared in examples/quickstart/program.ts and applied by the Pulumi engine."));

    heading("Start the embedded identity backend");
    ensureBuilt((line) => out(dim(`   ${line}`)));
    // Loaded only now: the example imports the package by name, as a user's program does,
    // and that resolves to dist/, which a fresh clone has not built until the line above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { quickstart, QUICKSTART_DEFAULTS } = require("../examples/quickstart/program") as typeof import("../examples/quickstart/program");
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "atlassian-demo-backend-"));
    if (!keep) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // App access enforced, as on Atlassian (which creates a service account with none: a token
    // reaches a product only where the account was given access); and the admin console's
    // routes served, for step 8's invite.
    const backend = await startBackend({ dataDir, port: 0, atlassian: { appAccess: "enforced" }, consoleRoutes: true });
    cleanups.push(() => backend.close());
    out(`   listening on ${backend.url}`);
    out(`   org ${backend.orgId}, cloud ${backend.cloudId}, data in ${dataDir}`);
    out(dim("   (a fresh org with a fresh admin API key, kept out of this output)"));

    const engine = await engineStack({
      projectName: "atlassian-quickstart",
      stackName: "demo",
      label: "demo",
      program: async () => quickstart({ appAccess: APP_ACCESS }),
      config: {
        "atlassian:baseUrl": { value: backend.url },
        "atlassian:orgId": { value: backend.orgId },
        "atlassian:apiKey": { value: backend.adminKey, secret: true },
        // Bindings are Jira and Confluence role memberships, granted as the site's admin.
        "atlassian:cloudId": { value: backend.cloudId },
        "atlassian:siteAdminEmail": { value: backend.siteAdmin.email },
        "atlassian:siteAdminToken": { value: backend.siteAdmin.token, secret: true },
      },
      // The machine's own credentials must not reach this throwaway stack.
      env: {
        ATLASSIAN_BASE_URL: "",
        ATLASSIAN_ORG_ID: "",
        ATLASSIAN_API_KEY: "",
        ATLASSIAN_TARGET: "",
        ATLASSIAN_CLOUD_ID: "",
        ATLASSIAN_SITE_ADMIN_EMAIL: "",
        ATLASSIAN_SITE_ADMIN_TOKEN: "",
        ATLASSIAN_ROLE_MAPPING: "",
      },
    });
    const { stack } = engine;
    if (!keep) cleanups.push(() => engine.cleanup());
    const color = tty ? "always" : "never";

    heading("pulumi preview: what the engine would do");
    out(dim(`   engine: ${engine.binDir}/pulumi; state: ${engine.stateDir}`));
    const preview = await stack.preview({ onOutput: engineOutput(), color, diff: false });
    expect((preview.changeSummary.create ?? 0) === 5, "preview plans 5 creates (the stack, an account, a token, two bindings)");

    heading("pulumi up: create them");
    const up = await stack.up({ onOutput: engineOutput(), color });
    expect(up.summary.result === "succeeded", "up succeeded");

    heading("Stack outputs");
    const outputs = await stack.outputs();
    for (const [name, o] of Object.entries(outputs)) {
      const value = typeof o.value === "string" ? o.value : JSON.stringify(o.value);
      out(`   ${name.padEnd(18)} ${o.secret ? mask(String(o.value)) : value}`);
    }
    const email = String(outputs.email?.value ?? "");
    const token = String(outputs.token?.value ?? "");
    out(dim(`   The program declares the account by its display name, "${QUICKSTART_DEFAULTS.displayName}"; Atlassian generated`));
    out(dim(`   its email and ids (a slug of the display name and a random suffix), read here from the outputs.`));
    expect(outputs.token?.secret === true && SECRET_PATTERN.test(token), "the token is a secret output");

    heading("Use the token (Basic <email>:<token>, as Atlassian's product APIs take it)");
    const auth = `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
    const { jiraProject, confluenceSpace } = QUICKSTART_DEFAULTS;
    const jira = `/ex/jira/${backend.cloudId}/rest/api/3`;
    const confluence = `/ex/confluence/${backend.cloudId}/wiki/api/v2`;
    const allowed = await productCall(backend.url, "GET", `${jira}/project/${jiraProject}`, auth);
    expect(allowed.status === 200, `reads Jira project ${jiraProject}: bound, and read:jira-work is granted`);
    const unbound = await productCall(backend.url, "GET", `${jira}/project/FIN`, auth);
    expect(unbound.status === 403, "denied Jira project FIN: no binding for it");
    const unscoped = await productCall(backend.url, "POST", `${confluence}/pages`, auth, {
      spaceKey: confluenceSpace,
      title: "Release notes",
    });
    expect(unscoped.status === 403, `denied a page in space ${confluenceSpace}: no write:confluence-content scope, and only viewer`);

    heading("The audit log: every change and every use, traced to the code that made it");
    const events = await auditLog(backend);
    for (const e of events) {
      const resource = /resource=([^;]+)/.exec(e.context.clientContext ?? "")?.[1]?.split("::").pop();
      const outcome = e.outcome === "denied" ? red(e.outcome.padEnd(7)) : e.outcome.padEnd(7);
      out(`   ${e.time.slice(11, 19)}  ${e.action.padEnd(24)} ${outcome} ${e.actor.type.padEnd(15)} ${dim(resource ? `from ${resource}` : "")}`);
    }
    // Accounts and tokens are changed with the org's admin key; access, as the site admin (Jira and Confluence roles).
    const changes = events.filter((e) => e.actor.type === "api-key" || e.actor.type === "site-admin");
    expect(
      changes.length === 4 && changes.every((e) => e.context.clientContext?.includes("stack=demo")),
      "each of the 4 changes names the stack and resource that made it (X-Client-Context)",
    );
    expect(
      events.filter((e) => e.action === "api-token.used").length === 1 &&
        events.filter((e) => e.outcome === "denied").length === 2,
      "the token's one use and its two refusals are recorded",
    );

    heading("A scope change, previewed: Atlassian cannot edit a token's scopes, so it is replaced");
    const scopes = [...QUICKSTART_DEFAULTS.scopes, "write:confluence-content"];
    out(dim(`   scopes: ${scopes.join(", ")}`));
    stack.workspace.program = async () => quickstart({ scopes, appAccess: APP_ACCESS });
    const change = await stack.preview({ onOutput: engineOutput(), color, diff: false });
    expect((change.changeSummary.replace ?? 0) === 1, "preview plans the token's replacement (create the new one, then revoke the old)");
    stack.workspace.program = async () => quickstart({ appAccess: APP_ACCESS });

    heading("App access: Atlassian creates a service account with none");
    out(dim("   The program gives the account Jira and Confluence with its create (appAccess). An account created"));
    out(dim("   without it authenticates, and is refused on every product call:"));
    const bare = await tokenWithoutAppAccess(backend);
    const refused = await productCall(backend.url, "GET", `${jira}/myself`, bare.auth);
    expect(refused.status === 401, "a token of an account created without Jira access: 401 on Jira");
    const withAccess = await productCall(backend.url, "GET", `${jira}/myself`, auth);
    expect(withAccess.status === 200, "the same call with the token of the account created with it: 200");
    out(dim("   Jira given to the first account afterwards, by the admin console's invite (unsupported by Atlassian;"));
    out(dim("   the provider sends it, with atlassian:consoleRoutes on, when appAccess gains a product):"));
    expect(await bare.giveJira() === 202, "the console's invite answers 202 (on Atlassian, access lands minutes later)");
    const after = await productCall(backend.url, "GET", `${jira}/myself`, bare.auth);
    expect(after.status === 200, "the same token, once the access has landed: 200 on Jira");
    await bare.remove();
    out(dim("   No API takes app access back (the console's invite only grants); the preview says what to do:"));
    stack.workspace.program = async () => quickstart({ appAccess: [] });
    const noAccess = await stack.preview({ color }).then(
      () => "",
      (err: Error) => err.message,
    );
    out(`   ${red("error:")} ${dim(/cannot take [^\n]*/.exec(noAccess)?.[0]?.slice(0, 150) ?? "")}…`);
    expect(/cannot take [^\n]*jira/.test(noAccess), "removing appAccess fails at preview, saying what to do");
    stack.workspace.program = async () => quickstart({ appAccess: APP_ACCESS });

    if (keep) {
      heading("Kept: the backend and the stack are yours to try");
      printKeepInstructions(engine, backend, dataDir, QUICKSTART_DEFAULTS.jiraProject);
      await new Promise<void>(() => {
        // Runs until Ctrl-C; onSignal stops the backend and leaves the folders.
      });
    }

    heading("pulumi destroy: revoke the token, remove the bindings and the account");
    const destroy = await stack.destroy({ onOutput: engineOutput(), color });
    expect(destroy.summary.result === "succeeded", "destroy succeeded");
    const gone = await productCall(backend.url, "GET", `${jira}/project/${jiraProject}`, auth);
    expect(gone.status === 401, "the token no longer works");

    heading("Stop the backend and remove every temporary folder");
    await runCleanups();
    expect(!existsSync(engine.root) && !existsSync(dataDir), "backend stopped; state, config and data folders removed");
    out();
    out(bold("Done. Next: README.md (quickstart, examples, CI recipe), or `npm run demo -- --keep`."));
  } catch (err) {
    out();
    if (err instanceof DemoFailure) out(red(`   ✗ ${err.message}`));
    else out(red(`   ✗ ${(err as Error).stack ?? String(err)}`));
    await runCleanups();
    process.exitCode = 1;
  }
}

/** The products the demo's account may use (its create gives them). */
const APP_ACCESS: { product: "jira" | "confluence" }[] = [{ product: "jira" }, { product: "confluence" }];

/**
 * An account made with the admin API, without app access, and a token of it (the token mint
 * is the embedded backend's extension); `giveJira` sends the admin console's invite of Jira
 * for it (and returns the status), `remove` deletes the account.
 */
async function tokenWithoutAppAccess(backend: { url: string; orgId: string; cloudId: string; adminKey: string }): Promise<{ auth: string; giveJira: () => Promise<number>; remove: () => Promise<void> }> {
  const base = `${backend.url}/admin/api-access/v1/orgs/${backend.orgId}/service-accounts`;
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${backend.adminKey}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status >= 300) throw new DemoFailure(`${method} ${url.replace(backend.url, "")} answered ${res.status}`);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, string>);
  };
  const account = (await call("POST", base, { displayName: "No app access" }))!;
  const token = (await call("POST", `${base}/${account.id}/api-tokens`, { label: "demo", scopes: ["read:jira-user"], expiresInDays: 1 }))!;
  const invite = `/admin/account-management/v1/orgs/${backend.orgId}/service-accounts/invite`;
  return {
    auth: `Basic ${Buffer.from(`${account.email}:${token.token}`).toString("base64")}`,
    giveJira: async () => {
      const body = { userIds: [account.atlassianId ?? account.accountId], permissionRules: [memberRule("jira-software", backend.cloudId)] };
      out(`   ${bold("POST")} ${invite}`);
      out(dim(`     ${JSON.stringify(body)}`));
      const res = await fetch(`${backend.url}${invite}`, {
        method: "POST",
        headers: { authorization: `Bearer ${backend.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      out(`     → ${res.status}`);
      return res.status;
    },
    remove: async () => void (await call("DELETE", `${base}/${account.id}`)),
  };
}

interface AuditEntry {
  time: string;
  action: string;
  outcome: string;
  actor: { type: string; id: string };
  context: { clientContext: string | null };
}

/** The org's audit log, oldest first, read with the admin key (`read:events:admin`). */
async function auditLog(backend: { url: string; orgId: string; adminKey: string }): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let next: string | undefined = `${backend.url}/admin/v1/orgs/${backend.orgId}/events?limit=100`;
  while (next) {
    const res = await fetch(next, { headers: { authorization: `Bearer ${backend.adminKey}` } });
    if (res.status !== 200) throw new DemoFailure(`reading the audit log answered ${res.status}`);
    const page = (await res.json()) as { data: { attributes: AuditEntry }[]; links: { next?: string } };
    entries.push(...page.data.map((d) => d.attributes));
    next = page.links.next ? new URL(page.links.next, backend.url).toString() : undefined;
  }
  return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.time.localeCompare(b.e.time) || a.i - b.i).map(({ e }) => e);
}

function printKeepInstructions(
  engine: EngineStack,
  backend: { url: string; orgId: string; cloudId: string; adminKey: string },
  dataDir: string,
  jiraProject: string,
): void {
  const keyFile = path.join(engine.root, "admin-key");
  writeFileSync(keyFile, backend.adminKey, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const envFile = path.join(engine.root, "env.sh");
  const lines = [
    `# Source this file to use the demo's stack and backend with pulumi directly.`,
    // The engine's own folders, ahead of whatever PATH the reader's shell has.
    `export PATH=${quote(enginePathDirs(engine.binDir).join(path.delimiter))}:"$PATH"`,
    `export PULUMI_BACKEND_URL=${quote(engine.env.PULUMI_BACKEND_URL ?? "")}`,
    `export PULUMI_CONFIG_PASSPHRASE=${quote(engine.passphrase)}`,
    `export PULUMI_HOME=${quote(engine.pulumiHome)}`,
    `export PULUMI_SKIP_UPDATE_CHECK=true`,
    `export ATLASSIAN_BASE_URL=${quote(backend.url)}`,
    `export ATLASSIAN_ORG_ID=${quote(backend.orgId)}`,
    `export ATLASSIAN_API_KEY="$(cat ${quote(keyFile)})"`,
    `cd ${quote(engine.workDir)} && pulumi stack select demo`,
  ];
  writeFileSync(envFile, lines.join("\n") + "\n", { mode: 0o600 });
  out(`   In another terminal:`);
  out();
  out(`     source ${envFile}`);
  out(dim(`     # sets PATH (pulumi and its Node.js plugin), PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE,`));
  out(dim(`     # PULUMI_HOME, ATLASSIAN_BASE_URL/ORG_ID/API_KEY; enters the stack folder, selects the stack`));
  out(`     pulumi stack --show-urns              # the account, the token, the bindings`);
  out(`     pulumi stack output                   # the token shows as [secret]`);
  out(`     pulumi stack output token --show-secrets`);
  out(`     pulumi refresh                        # compare state with the backend`);
  out(`     pulumi destroy                        # remove everything`);
  out(`     curl -u "$(pulumi stack output email):$(pulumi stack output token --show-secrets)" \\`);
  out(`       "$ATLASSIAN_BASE_URL/ex/jira/${backend.cloudId}/rest/api/3/project/${jiraProject}"`);
  out();
  out(`   The stack's program is the quickstart function, run inline by the Automation API; commands that`);
  out(`   read state (stack, output, refresh, destroy, export) need no program and work as above.`);
  out();
  out(`   Stack folder:   ${engine.root}`);
  out(`   Backend data:   ${dataDir}`);
  out(`   Backend:        ${backend.url} (org ${backend.orgId}, cloud ${backend.cloudId}), running in this process.`);
  out();
  out(bold(`   Press Ctrl-C to stop the backend. The folders stay; remove them with:`));
  out(`     rm -rf ${quote(engine.root)} ${quote(dataDir)}`);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

void main();
