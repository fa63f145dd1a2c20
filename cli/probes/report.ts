/**
 * What `doctor` says: one finding per assumption, in a fixed order. A finding holds, differs
 * (saying what was seen and what to change), or was not checked (saying why). The lines are
 * the constants of `sdk/atlassian-assumptions.ts` (every one of them: a test holds the
 * catalogue to the module), the stand-in's default readings that no constant records, and the
 * two settings a probe can judge.
 */
import { atlassianOptions } from "../../backend/atlassian";
import { APIError, IdentityError } from "../../sdk/errors";

export type Status = "holds" | "differs" | "not checked";

/** `constant`: in sdk/atlassian-assumptions.ts; `reading`: a default of the stand-in's switches; `setting`: the user's. */
export type Kind = "constant" | "reading" | "setting";

export interface Finding {
  name: string;
  kind: Kind;
  /** Where the value lives. */
  where: string;
  status: Status;
  /** What was seen (holds, differs), or why nothing was (not checked). */
  text: string;
  /** What to change, when it differs. */
  fix?: string;
}

const ASSUMPTIONS = "sdk/atlassian-assumptions.ts";
const SWITCHES = "backend/atlassian.ts";
const CONFIG = "stack config or ATLASSIAN_* variables";

/**
 * The readings the stand-in plays by default (`--public-only`): what the package takes
 * Atlassian to do where no constant records it, and so what a `reading` line expects.
 */
export const STAND_IN_DEFAULTS = atlassianOptions(undefined, true);

/** Every line, in the order printed. */
export const CATALOGUE = [
  { name: "atlassian:apiKey", kind: "setting", where: CONFIG },
  { name: "ADMIN_API_ROOT", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_LIST_PAGE_SIZE", kind: "constant", where: ASSUMPTIONS },
  { name: "LINKS_NEXT_FORMS", kind: "constant", where: ASSUMPTIONS },
  { name: "LINKS_NEXT_DEFAULT_FORM", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_LIST_UPDATED_AT", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD", kind: "constant", where: ASSUMPTIONS },
  { name: "TOKEN_LIST_ITEMS_FIELD", kind: "constant", where: ASSUMPTIONS },
  { name: "TOKEN_LIST_ITEM_FIELDS", kind: "constant", where: ASSUMPTIONS },
  { name: "TOKEN_STATUS_VALUES", kind: "constant", where: ASSUMPTIONS },
  { name: "OAUTH_CLIENT_PAGE_SIZE", kind: "constant", where: ASSUMPTIONS },
  { name: "OAUTH_CLIENT_STATUS_ACTIVE", kind: "constant", where: ASSUMPTIONS },
  { name: "OAUTH_CLIENT_ACCOUNT_LINK", kind: "constant", where: ASSUMPTIONS },
  { name: "AUDIT_TOKEN_USE", kind: "constant", where: ASSUMPTIONS },
  { name: "AUDIT_LOG_REQUESTS_PER_MINUTE", kind: "constant", where: ASSUMPTIONS },
  { name: "ADMIN_ERROR_CODES", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_CREATE_FIELDS", kind: "constant", where: ASSUMPTIONS },
  { name: "APP_ACCESS_PERMISSION_RULE", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ", kind: "constant", where: ASSUMPTIONS },
  { name: "GROUP_ADD_AFTER_CREATE", kind: "constant", where: ASSUMPTIONS },
  { name: "QUOTA_ERROR_CODES", kind: "constant", where: ASSUMPTIONS },
  { name: "QUOTA_ERROR_TEXT", kind: "constant", where: ASSUMPTIONS },
  { name: "quota refusal status", kind: "reading", where: `${SWITCHES} (quotaStatus)` },
  { name: "SERVICE_ACCOUNT_PATCH_ID_FIELD", kind: "constant", where: ASSUMPTIONS },
  { name: "PATCH reply", kind: "reading", where: `${SWITCHES} (patchReply)` },
  { name: "SERVICE_ACCOUNT_PATH_ID_FIELD", kind: "constant", where: ASSUMPTIONS },
  { name: "site admin base", kind: "setting", where: "atlassian:cloudId or atlassian:siteUrl" },
  { name: "SERVICE_ACCOUNT_PRODUCT_ID_FIELD", kind: "constant", where: ASSUMPTIONS },
  { name: "SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE", kind: "constant", where: ASSUMPTIONS },
  { name: "JIRA_DEFAULT_ROLES", kind: "constant", where: ASSUMPTIONS },
  { name: "NEW_ACCOUNT_GRANT_RETRY", kind: "constant", where: ASSUMPTIONS },
  { name: "space-role-mode endpoint", kind: "reading", where: `${SWITCHES} (roleModeEndpoint)` },
  { name: "CONFLUENCE_DEFAULT_ROLES", kind: "constant", where: ASSUMPTIONS },
  { name: "CONFLUENCE_SYSTEM_ROLE_NAMES", kind: "constant", where: ASSUMPTIONS },
  { name: "CONFLUENCE_LEVEL_PERMISSIONS", kind: "constant", where: ASSUMPTIONS },
  { name: "console token mint", kind: "setting", where: "atlassian:consoleRoutes (sdk/resources/console.ts; a route of the admin console, unsupported by Atlassian)" },
  { name: "single token revoke", kind: "setting", where: "atlassian:consoleRoutes (sdk/resources/user-api-tokens.ts)" },
] as const satisfies readonly { name: string; kind: Kind; where: string }[];

export type LineName = (typeof CATALOGUE)[number]["name"];

/** The findings of one run. A verdict (holds, differs) is never replaced by a "not checked", nor a reason by a later one. */
export class Report {
  readonly #found = new Map<LineName, Pick<Finding, "status" | "text" | "fix">>();

  holds(name: LineName, seen: string): void {
    this.#found.set(name, { status: "holds", text: seen });
  }

  differs(name: LineName, seen: string, fix: string): void {
    this.#found.set(name, { status: "differs", text: seen, fix });
  }

  /** Says why the line was not checked, unless it has a verdict or an earlier (nearer) reason. */
  notChecked(name: LineName, why: string): void {
    if (!this.#found.has(name)) this.#found.set(name, { status: "not checked", text: why });
  }

  /** Marks every line still open as not checked, for `why`. */
  notCheckedRest(names: readonly LineName[], why: string): void {
    for (const n of names) if (!this.judged(n)) this.notChecked(n, why);
  }

  /** Whether the line has a verdict (holds or differs). */
  judged(name: LineName): boolean {
    const s = this.#found.get(name)?.status;
    return s === "holds" || s === "differs";
  }

  status(name: LineName): Status | undefined {
    return this.#found.get(name)?.status;
  }

  text(name: LineName): string | undefined {
    return this.#found.get(name)?.text;
  }

  /** Every line, in catalogue order; a line no probe reached says so. */
  findings(): Finding[] {
    return CATALOGUE.map((c) => ({ ...c, ...(this.#found.get(c.name) ?? { status: "not checked" as const, text: "not reached (the run stopped before its probe)" }) }));
  }
}

/** An error as one line to quote back: status, code, title and detail for an API's answer. */
export function describeError(err: unknown): string {
  let text: string;
  if (err instanceof APIError) {
    const detail = err.detail !== undefined && err.detail !== err.title ? `: ${err.detail}` : "";
    text = `${err.status}${err.code !== undefined ? ` ${err.code}` : ""} ${err.title}${detail}`;
  } else if (err instanceof IdentityError || err instanceof Error) {
    text = err.message;
  } else {
    text = String(err);
  }
  return clip(text.replace(/\s+/g, " ").trim(), 300);
}

/** `text` cut to `max` characters, marked when cut. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value as it is quoted in a finding. */
export const q = (v: unknown): string => clip(JSON.stringify(v) ?? String(v), 100);
