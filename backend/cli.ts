#!/usr/bin/env node
/**
 * `serve`: runs the identity backend until SIGTERM/SIGINT, which drain in-flight requests
 * and close the database. When ready it prints one JSON line to stdout:
 * `{"event":"listening","url":...,"orgId":...,"cloudId":...}` (plus `"adminKey"` only when
 * it generated a fresh key). Errors go to stderr with exit status 2 (usage) or 1.
 */
import { parseArgs } from "node:util";
// First: fails clearly when the optional server packages are not installed.
import "./requirements";
import { Plan } from "../sdk/schemas";
import type { OrgSeed } from "./bootstrap";
import { startServer } from "./server";
import { ATLASSIAN_USAGE, atlassianOptions, parseAtlassian } from "./atlassian";

const USAGE = `usage: backend serve --data-dir <dir> [--port <n|0>] [--host 127.0.0.1] [--org <id>] [--admin-key <key>]
                     [--plan free|standard|enterprise] [--cloud-id <id>] [--rate-limit <n>/<seconds>|0]
                     [--faults <spec>] [--extra-org <id>:<key>[:<plan>]]... [--sync normal|full] [--audit-retention-days <n>] [--log]
                     [--site-admin <email>:<token>] [--confluence-mode roles|roles-transition|pre-roles] [--public-only]
                     [--console-routes] [--atlassian <k=v,...>]

--faults <spec>  injected failures on the admin API and the product plane's access routes, e.g.
  error5xx=0.1,throttle=0.05,reset=0.02,lost=0.05,latencyMs=20-200,seed=42
  (error5xx, throttle, reset fail before the handler; lost: the change lands, the answer is lost as a reset or a 500)
--console-routes also serves routes of Atlassian's admin console, which Atlassian does not support
  (POST /users/{atlassianId}/manage/api-tokens, POST /admin/account-management/v1/orgs/{orgId}/service-accounts/invite)
${ATLASSIAN_USAGE}`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (command !== "serve") throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : "missing command");
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        port: { type: "string", default: "0" },
        host: { type: "string", default: "127.0.0.1" },
        "data-dir": { type: "string" },
        org: { type: "string" },
        "admin-key": { type: "string" },
        plan: { type: "string" },
        "cloud-id": { type: "string" },
        "rate-limit": { type: "string" },
        faults: { type: "string" },
        "extra-org": { type: "string", multiple: true },
        sync: { type: "string", default: "normal" },
        "audit-retention-days": { type: "string", default: "0" },
        log: { type: "boolean", default: false },
        "site-admin": { type: "string" },
        "confluence-mode": { type: "string" },
        "public-only": { type: "boolean", default: false },
        "console-routes": { type: "boolean", default: false },
        atlassian: { type: "string" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values["data-dir"]) throw new UsageError("--data-dir is required");
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError("--port must be 0-65535");
  const plan = values.plan === undefined ? undefined : Plan.safeParse(values.plan);
  if (plan && !plan.success) throw new UsageError("--plan must be free, standard or enterprise");
  if (values.sync !== "normal" && values.sync !== "full") throw new UsageError("--sync must be normal or full");
  const retention = values["audit-retention-days"];
  if (!/^\d{1,6}$/.test(retention)) throw new UsageError("--audit-retention-days must be a whole number of days (0 keeps every event)");
  const orgs: OrgSeed[] = (values["extra-org"] ?? []).map((spec) => {
    const [orgId, adminKey, p, ...more] = spec.split(":");
    const extraPlan = p === undefined ? undefined : Plan.safeParse(p);
    if (!orgId || !adminKey || more.length || (extraPlan && !extraPlan.success)) {
      throw new UsageError("--extra-org is <id>:<key>[:<plan>] with plan free, standard or enterprise");
    }
    return { orgId, adminKey, plan: extraPlan?.data };
  });

  let siteAdmin: { email: string; token: string } | undefined;
  if (values["site-admin"] !== undefined) {
    const i = values["site-admin"].indexOf(":");
    if (i <= 0 || i === values["site-admin"].length - 1) throw new UsageError("--site-admin is <email>:<token>");
    siteAdmin = { email: values["site-admin"].slice(0, i), token: values["site-admin"].slice(i + 1) };
  }
  const modes = { roles: "ROLES", "roles-transition": "ROLES_TRANSITION", "pre-roles": "PRE_ROLES" } as const;
  const modeFlag = values["confluence-mode"];
  if (modeFlag !== undefined && !(modeFlag in modes)) throw new UsageError("--confluence-mode must be roles, roles-transition or pre-roles");
  const confluenceMode = modeFlag === undefined ? undefined : modes[modeFlag as keyof typeof modes];

  let atlassian;
  try {
    atlassian = values.atlassian === undefined ? undefined : parseAtlassian(values.atlassian);
    atlassianOptions(atlassian, values["public-only"]);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^atlassian\./, "--atlassian "));
  }

  const b = await startServer({
    dataDir: values["data-dir"],
    port,
    host: values.host,
    orgId: values.org,
    adminKey: values["admin-key"],
    plan: plan?.data,
    cloudId: values["cloud-id"],
    rateLimit: values["rate-limit"],
    faults: values.faults,
    orgs,
    durability: values.sync,
    auditRetentionDays: Number(retention),
    logger: values.log,
    siteAdmin,
    confluenceMode,
    publicOnly: values["public-only"],
    consoleRoutes: values["console-routes"],
    atlassian,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: draining requests and closing the database\n`);
    b.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`close failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  process.stdout.write(
    JSON.stringify({
      event: "listening",
      url: b.url,
      orgId: b.orgId,
      cloudId: b.cloudId,
      ...(b.freshKey ? { adminKey: b.adminKey } : {}),
      // The site admin's token is printed only by a start that made it and printed a fresh admin
      // key too: an operator who chose the key gets the file the token is kept in, not the token.
      siteAdmin: {
        email: b.siteAdmin.email,
        accountId: b.siteAdmin.accountId,
        ...(b.freshSiteAdmin && b.freshKey ? { token: b.siteAdmin.token } : {}),
        ...(b.siteAdminFile ? { tokenFile: b.siteAdminFile } : {}),
      },
      ...(values["public-only"] ? { publicOnly: true } : {}),
      ...(values["console-routes"] ? { consoleRoutes: true } : {}),
    }) + "\n",
  );
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`backend: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`backend: ${(e as Error).message}\n`);
  process.exit(1);
});
