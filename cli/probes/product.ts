/**
 * Read-only probes of Jira and Confluence with the site admin's credential, as the
 * provider's ScopeBindings use them: which base the credential works on, which listed id Jira
 * knows an account by, a named project's roles, the site's space-role mode, and a named
 * space's roles.
 */
import { z } from "zod";
import {
  CONFLUENCE_SYSTEM_ROLE_NAMES,
  JIRA_DEFAULT_ROLES,
  CONFLUENCE_DEFAULT_ROLES,
  SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE,
  SERVICE_ACCOUNT_PRODUCT_ID_FIELD,
  type AccessLevel,
} from "../../sdk/atlassian-assumptions";
import { APIError, isProductNotFound } from "../../sdk/errors";
import { Role } from "../../sdk/schemas";
import { SpaceRoleMode, type ConfluenceSpace, type ConfluenceSpaceRole } from "../../sdk/resources/confluence-spaces";
import type { JiraRoleRef } from "../../sdk/resources/jira-project-roles";
import type { ServiceAccount } from "../../sdk/resources/service-accounts";
import type { roleMapping } from "../../provider/config";
import { call, type Probe } from "./context";
import { describeError, q, STAND_IN_DEFAULTS, type LineName } from "./report";

const LEVELS: readonly AccessLevel[] = Role.options;

/** The role names in force (the defaults, or `atlassian:roleMapping` laid over them). */
export type RoleMapping = ReturnType<typeof roleMapping>;

/** What the product probes learn, for the write probes. */
export interface Site {
  jiraProject?: { key: string; roles: JiraRoleRef[] };
  confluence?: { mode: SpaceRoleMode; space?: ConfluenceSpace; roles?: ConfluenceSpaceRole[] };
}

/** The product lines, marked not checked together when there is no site admin to check them with. */
export const PRODUCT_LINES: readonly LineName[] = [
  "site admin base",
  "SERVICE_ACCOUNT_PRODUCT_ID_FIELD",
  "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE",
  "JIRA_DEFAULT_ROLES",
  "NEW_ACCOUNT_GRANT_RETRY",
  "space-role-mode endpoint",
  "CONFLUENCE_DEFAULT_ROLES",
  "CONFLUENCE_SYSTEM_ROLE_NAMES",
  "CONFLUENCE_LEVEL_PERMISSIONS",
];

/**
 * `GET /rest/api/3/myself` as the site admin, on the base in force (the gateway's
 * `/ex/jira/{cloudId}`, or `atlassian:siteUrl`); when refused there, on the other base if it is
 * known. False when the credential works on neither.
 */
export async function probeSiteBase(p: Probe, known: { cloudId?: string }): Promise<boolean> {
  const client = p.client;
  const onSite = client.siteUrl !== undefined;
  const here = onSite ? `on the site's URL (${client.siteUrl})` : `through the gateway (${client.baseUrl}/ex/jira/{cloudId})`;
  const myself = async (c: typeof client, path: string): Promise<APIError | undefined> => {
    try {
      await c.request({ method: "GET", auth: "site", path, schema: z.unknown(), opts: { signal: p.signal } });
      return undefined;
    } catch (err) {
      if (err instanceof APIError && (err.status === 401 || err.status === 403)) return err;
      throw err;
    }
  };
  const refused = await myself(client, `${client.productPath("jira")}/rest/api/3/myself`);
  if (refused === undefined) {
    p.report.holds("site admin base", `the site admin's credential works ${here}`);
    return true;
  }
  // The gateway is reachable from a site-URL setting when the cloud id is known too; the site's URL never is from the gateway's.
  const gatewayOrigin = /^https?:\/\/[^/]+$/.test(client.baseUrl) ? client.baseUrl : undefined;
  if (onSite && known.cloudId !== undefined && gatewayOrigin !== undefined) {
    const viaGateway = client.withOptions({ siteUrl: gatewayOrigin });
    try {
      if ((await myself(viaGateway, `/ex/jira/${encodeURIComponent(known.cloudId)}/rest/api/3/myself`)) === undefined) {
        p.report.differs(
          "site admin base",
          `refused ${here} (${describeError(refused)}), accepted through the gateway`,
          "leave atlassian:siteUrl unset (a scoped token works through the gateway only); keep atlassian:cloudId",
        );
        return false;
      }
    } finally {
      viaGateway.close();
    }
  }
  p.report.differs(
    "site admin base",
    `refused ${here}: ${describeError(refused)}`,
    onSite
      ? "check atlassian:siteAdminEmail and atlassian:siteAdminToken (a classic token of a site admin works on the site's URL)"
      : "a classic (unscoped) token works on the site's URL only: set atlassian:siteUrl to https://<site>.atlassian.net; a scoped one needs the scopes in the README; check atlassian:siteAdminEmail and atlassian:siteAdminToken",
  );
  return false;
}

/**
 * `GET /rest/api/3/user?accountId=` with the account's `SERVICE_ACCOUNT_PRODUCT_ID_FIELD` (and,
 * if Jira does not know it, with its `id`): the id Jira knows a service account by, and the
 * `accountType` it reports.
 */
export async function probeProductId(p: Probe, account: ServiceAccount): Promise<void> {
  const lookup = async (accountId: string): Promise<{ body: Record<string, unknown> } | { error: APIError }> => {
    try {
      const body = await call(p, "GET", `${p.client.productPath("jira")}/rest/api/3/user`, { query: { accountId }, site: true });
      return { body: body && typeof body === "object" ? (body as Record<string, unknown>) : {} };
    } catch (err) {
      if (isProductNotFound(err)) return { error: err };
      throw err;
    }
  };
  const field = SERVICE_ACCOUNT_PRODUCT_ID_FIELD;
  const productId = account[field];
  const first = productId ? await lookup(productId) : undefined;
  if (first && "body" in first) {
    p.report.holds("SERVICE_ACCOUNT_PRODUCT_ID_FIELD", `Jira knows the listed account ${q(account.displayName)} by its ${field}`);
    const type = first.body.accountType;
    if (typeof type !== "string") p.report.notChecked("SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE", "Jira's user carries no accountType");
    else if (type === SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE) p.report.holds("SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE", `Jira's accountType for a service account is ${q(type)}`);
    else
      p.report.differs(
        "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE",
        `Jira's accountType for a service account is ${q(type)}`,
        `SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE = ${q(type)} (only the stand-in's /myself answers it)`,
      );
    return;
  }
  const why = first ? describeError(first.error) : `the listed account has no ${field}`;
  const byId = await lookup(account.id);
  if ("body" in byId) {
    p.report.differs(
      "SERVICE_ACCOUNT_PRODUCT_ID_FIELD",
      `Jira knows the account by its id, not its ${field} (${why})`,
      `SERVICE_ACCOUNT_PRODUCT_ID_FIELD = "id": grants name the account by it`,
    );
  } else {
    p.report.notChecked("SERVICE_ACCOUNT_PRODUCT_ID_FIELD", `Jira knows neither of the account's ids (by ${field}: ${why}); --write settles it with a role grant`);
  }
  p.report.notChecked("SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE", "Jira's user lookup did not find the account");
}

const isDefault = (mapping: Record<AccessLevel, string>, defaults: Record<AccessLevel, string>) => LEVELS.every((l) => mapping[l] === defaults[l]);

/**
 * JIRA_DEFAULT_ROLES or CONFLUENCE_DEFAULT_ROLES: whether `where` (a project or a space) has the
 * role name in force for every level; `fix` is given the missing levels as JSON members.
 */
function judgeRoleNames(
  p: Probe,
  line: LineName,
  where: string,
  has: string,
  names: string[],
  want: Record<AccessLevel, string>,
  defaults: Record<AccessLevel, string>,
  fix: (levels: string) => string,
): void {
  const via = isDefault(want, defaults) ? "" : " (atlassian:roleMapping in force)";
  const missing = LEVELS.filter((l) => !names.includes(want[l]));
  if (missing.length === 0) {
    p.report.holds(line, `${where} ${has} ${LEVELS.map((l) => want[l]).join(", ")}${via}`);
  } else {
    p.report.differs(
      line,
      `${where} lacks ${missing.map((l) => `${q(want[l])} (${l})`).join(", ")}${via}; its roles: ${names.join(", ")}`,
      fix(missing.map((l) => `"${l}":"<role>"`).join(",")),
    );
  }
}

/** The project's roles against the role names the provider would grant (the defaults, or `atlassian:roleMapping`). */
export async function probeJiraRoles(p: Probe, key: string, mapping: RoleMapping): Promise<Site["jiraProject"]> {
  const roles = await p.client.jiraProjectRoles.list(key, { signal: p.signal });
  if (roles === null) {
    p.report.notChecked("JIRA_DEFAULT_ROLES", `the site has no Jira project ${key} (404)`);
    return undefined;
  }
  judgeRoleNames(p, "JIRA_DEFAULT_ROLES", `project ${key}`, "has", roles.map((r) => r.name), mapping.jira, JIRA_DEFAULT_ROLES, (levels) =>
    `set atlassian:roleMapping to roles ${key} has, e.g. '{"jira":{${levels}}}' (JIRA_DEFAULT_ROLES fits team-managed projects)`,
  );
  return { key, roles };
}

/** The site's space-role mode (and whether the endpoint exists), and a named space's roles. */
export async function probeConfluence(p: Probe, spaceKey: string | undefined, mapping: RoleMapping): Promise<Site["confluence"]> {
  const base = p.client.productPath("confluence");
  let mode: SpaceRoleMode;
  let endpoint: "present" | "absent";
  let seen: string;
  try {
    const body = await call(p, "GET", `${base}/wiki/api/v2/space-role-mode`, { site: true });
    const parsed = z.object({ mode: SpaceRoleMode }).safeParse(body);
    if (!parsed.success) {
      p.report.differs("space-role-mode endpoint", `GET /wiki/api/v2/space-role-mode answered ${q(body)}, not a mode`, "SpaceRoleMode in sdk/resources/confluence-spaces.ts");
      return undefined;
    }
    mode = parsed.data.mode;
    endpoint = "present";
    seen = `GET /wiki/api/v2/space-role-mode answers ${mode}`;
  } catch (err) {
    if (!isProductNotFound(err)) throw err;
    mode = "PRE_ROLES";
    endpoint = "absent";
    seen = `GET /wiki/api/v2/space-role-mode answered ${describeError(err)}: no such endpoint on this site, which the provider takes for PRE_ROLES (v1 space permissions)`;
  }
  if (endpoint === STAND_IN_DEFAULTS.roleModeEndpoint) p.report.holds("space-role-mode endpoint", seen);
  else
    p.report.differs(
      "space-role-mode endpoint",
      seen,
      `nothing in the provider (it reads a 404 as PRE_ROLES); if sites like this are the rule, the stand-in's roleModeEndpoint default (backend/atlassian.ts) = "${endpoint}"`,
    );
  const roleLines = ["CONFLUENCE_DEFAULT_ROLES", "CONFLUENCE_SYSTEM_ROLE_NAMES"] as const;
  if (spaceKey === undefined) {
    p.report.notCheckedRest([...roleLines, "CONFLUENCE_LEVEL_PERMISSIONS"], "give --confluence-space KEY to read a space's roles");
    return { mode };
  }
  const space = await p.client.confluenceSpaces.byKey(spaceKey, { signal: p.signal });
  if (space === null) {
    p.report.notCheckedRest([...roleLines, "CONFLUENCE_LEVEL_PERMISSIONS"], `the site has no Confluence space ${spaceKey}`);
    return { mode };
  }
  if (mode === "PRE_ROLES") {
    p.report.notCheckedRest(roleLines, "the site is not in role mode (PRE_ROLES): the provider grants v1 space permissions there");
    p.report.notChecked("CONFLUENCE_LEVEL_PERMISSIONS", "needs --write (grants the editor set to the throwaway account, then removes it)");
    return { mode, space };
  }
  p.report.notChecked("CONFLUENCE_LEVEL_PERMISSIONS", `the site is in role mode (${mode}): v1 space permissions are used only before roles`);
  const roles = await p.client.confluenceSpaceRoles.ofSpace(space.id, { signal: p.signal });
  judgeRoleNames(p, "CONFLUENCE_DEFAULT_ROLES", `space ${spaceKey}`, "offers", roles.map((r) => r.name), mapping.confluence, CONFLUENCE_DEFAULT_ROLES, (levels) =>
    `set atlassian:roleMapping to roles the space has, e.g. '{"confluence":{${levels}}}'`,
  );
  const typed = roles.filter((r) => r.type !== undefined);
  if (typed.length === 0) {
    p.report.notChecked("CONFLUENCE_SYSTEM_ROLE_NAMES", "the space's roles carry no type (SYSTEM or CUSTOM)");
  } else {
    const system = typed.filter((r) => r.type === "SYSTEM").map((r) => r.name);
    const expected: readonly string[] = CONFLUENCE_SYSTEM_ROLE_NAMES;
    const lacking = expected.filter((n) => !system.includes(n));
    const more = system.filter((n) => !expected.includes(n));
    if (lacking.length === 0 && more.length === 0) p.report.holds("CONFLUENCE_SYSTEM_ROLE_NAMES", `the system roles are ${system.join(", ")}`);
    else
      p.report.differs(
        "CONFLUENCE_SYSTEM_ROLE_NAMES",
        `the system roles are ${system.join(", ") || "none"}${lacking.length ? `; no ${lacking.join(", ")}` : ""}`,
        `CONFLUENCE_SYSTEM_ROLE_NAMES = [${system.map((n) => q(n)).join(", ")}]`,
      );
  }
  return { mode, space, roles };
}
