/**
 * Read-only probes of Atlassian's admin "API Access" API with the org admin key: the
 * service-account list (served? its shape, page size, `links.next`, `updatedAt`), one
 * account's tokens (by which id, their shape and statuses), and the errors it answers.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  ADMIN_API_ROOT,
  ADMIN_ERROR_CODES,
  LINKS_NEXT_DEFAULT_FORM,
  SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE,
  SERVICE_ACCOUNT_LIST_PAGE_SIZE,
  SERVICE_ACCOUNT_LIST_UPDATED_AT,
  SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD,
  TOKEN_LIST_ITEM_FIELDS,
  TOKEN_LIST_ITEMS_FIELD,
  type LinksNextForm,
} from "../../sdk/atlassian-assumptions";
import { APIError, isNotFound, NotFoundError } from "../../sdk/errors";
import { nextPageQuery } from "../../sdk/pagination";
import { ServiceAccountPage, type ServiceAccount } from "../../sdk/resources/service-accounts";
import { tokenStatus } from "../../sdk/resources/service-account-tokens";
import { accountsPath, call, tokensPath, type Probe } from "./context";
import { clip, describeError, q } from "./report";

const SWITCHES = "backend/atlassian.ts";
const LenientPage = ServiceAccountPage.extend({ items: z.array(z.unknown()) });

/**
 * `GET …/service-accounts`, as the provider's first request of a run: served, readable, and
 * the key accepted? False when the list cannot be read (nothing else of the admin API can then).
 */
export async function probeList(p: Probe): Promise<boolean> {
  const where = `GET ${ADMIN_API_ROOT}/orgs/{orgId}/service-accounts`;
  let body: unknown;
  try {
    body = await call(p, "GET", accountsPath(p));
  } catch (err) {
    if (p.signal.aborted) throw err;
    if (err instanceof APIError && (err.status === 401 || err.status === 403)) {
      p.report.differs(
        "atlassian:apiKey",
        `refused: ${describeError(err)}`,
        "give an org admin API key of this org (admin.atlassian.com → Settings → API keys) holding read:service-accounts:admin, or an unscoped one; check atlassian:orgId",
      );
      p.report.notChecked("ADMIN_API_ROOT", "the key was refused");
      return false;
    }
    if (err instanceof NotFoundError) {
      p.report.notChecked("atlassian:apiKey", "the list is not served");
      p.report.differs(
        "ADMIN_API_ROOT",
        `${where} answered ${describeError(err)}${isNotFound(err) ? "" : " (no such route)"}`,
        `ADMIN_API_ROOT (sdk/atlassian-assumptions.ts): the root that serves the service-account collection; until then no ServiceAccount operation works (check atlassian:orgId too)`,
      );
      return false;
    }
    throw err;
  }
  p.report.holds("atlassian:apiKey", "reads the org's service accounts");
  const page = LenientPage.safeParse(body);
  if (!page.success) {
    const keys = body && typeof body === "object" ? Object.keys(body).join(", ") : typeof body;
    p.report.differs(
      "ADMIN_API_ROOT",
      `${where} is served, but its body does not read as {items, links, total} (it has: ${clip(keys, 120)})`,
      "the list's schema, ServiceAccountPage in sdk/resources/service-accounts.ts",
    );
    return false;
  }
  const count = page.data.total ?? page.data.items.length;
  p.report.holds("ADMIN_API_ROOT", `${where} answers the list, {items, links, total} (${count} account${count === 1 ? "" : "s"})`);
  return true;
}

/** `?limit=` at the assumed page size and one above: accepted, then refused? Otherwise, the largest accepted. */
export async function probePageSize(p: Probe): Promise<void> {
  const refusal = async (limit: number): Promise<APIError | undefined> => {
    try {
      await call(p, "GET", accountsPath(p), { query: { limit } });
      return undefined;
    } catch (err) {
      if (err instanceof APIError && err.status === 400) return err;
      throw err;
    }
  };
  // The largest accepted limit above `lo` (accepted, or 0) and below `hi` (refused).
  const largest = async (lo: number, hi: number): Promise<number> => {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await refusal(mid)) === undefined) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const n = SERVICE_ACCOUNT_LIST_PAGE_SIZE;
  const at = await refusal(n);
  if (at === undefined) {
    const above = await refusal(n + 1);
    if (above !== undefined) {
      p.report.holds("SERVICE_ACCOUNT_LIST_PAGE_SIZE", `limit=${n} accepted, limit=${n + 1} refused (${clip(describeError(above), 120)})`);
      return;
    }
    const ceiling = 1000;
    const max = (await refusal(ceiling)) === undefined ? ceiling : await largest(n + 1, ceiling);
    p.report.differs(
      "SERVICE_ACCOUNT_LIST_PAGE_SIZE",
      `the list takes limit up to ${max === ceiling ? `at least ${ceiling}` : max}, not ${n}`,
      `SERVICE_ACCOUNT_LIST_PAGE_SIZE = ${max} (fewer pages for a large org), and the stand-in's maxPageSize default (${SWITCHES})`,
    );
    return;
  }
  const max = await largest(0, n);
  p.state.listLimit = max;
  p.report.differs(
    "SERVICE_ACCOUNT_LIST_PAGE_SIZE",
    `limit=${n} refused (${clip(describeError(at), 120)}); ${max > 0 ? `the largest accepted is ${max}` : "no limit is accepted"}`,
    `SERVICE_ACCOUNT_LIST_PAGE_SIZE = ${max > 0 ? max : "(send none)"}: until then every listing of the provider fails; and the stand-in's maxPageSize default (${SWITCHES})`,
  );
}

/** Which of the forms the sdk reads a `links.next` is. */
export function linkForm(next: string): LinksNextForm | "other" {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(next)) return "absolute";
  if (/^[/?]/.test(next)) return "relative";
  return /[?/]/.test(next) ? "other" : "cursor";
}

const FORM_WORDS: Record<LinksNextForm | "other", string> = {
  absolute: "an absolute URL",
  relative: "a relative URL",
  cursor: "a bare cursor",
  other: "neither a URL nor a bare cursor",
};

/** A page of one account: what `links.next` looks like, and whether following it (as the sdk does) reaches the second page. */
export async function probeLinks(p: Probe): Promise<void> {
  if (p.state.listLimit < 1) {
    p.report.notCheckedRest(["LINKS_NEXT_FORMS", "LINKS_NEXT_DEFAULT_FORM"], "the list takes no limit, so no small page can be asked for");
    return;
  }
  const first = LenientPage.parse(await call(p, "GET", accountsPath(p), { query: { limit: 1 } }));
  const total = first.total ?? first.items.length;
  const next = first.links?.next ?? undefined;
  if (!next) {
    if (total >= 2 && first.items.length === 1) {
      p.report.differs("LINKS_NEXT_FORMS", `a page of 1 of ${total} accounts has no links.next`, "the sdk pages by links.next only (sdk/pagination.ts): say how this list pages");
      p.report.notChecked("LINKS_NEXT_DEFAULT_FORM", "no links.next was given");
    } else {
      p.report.notCheckedRest(["LINKS_NEXT_FORMS", "LINKS_NEXT_DEFAULT_FORM"], `the org has ${total} service account${total === 1 ? "" : "s"}, so no list has a second page (with --write, the throwaway account adds one)`);
    }
    return;
  }
  const form = linkForm(next);
  const shown = q(clip(next, 90));
  const query = nextPageQuery(next, new URLSearchParams({ limit: "1" }));
  if (!query) {
    p.report.differs("LINKS_NEXT_FORMS", `links.next ${shown} is ${FORM_WORDS[form]}: the sdk cannot follow it`, "nextPageQuery in sdk/pagination.ts, and LINKS_NEXT_FORMS");
  } else {
    const second = LenientPage.parse(await call(p, "GET", accountsPath(p), { query }));
    const idOf = (item: unknown) => (item && typeof item === "object" ? (item as { id?: unknown }).id : undefined);
    if (second.items.length > 0 && idOf(second.items[0]) !== idOf(first.items[0])) {
      p.report.holds("LINKS_NEXT_FORMS", `links.next (${FORM_WORDS[form]}) leads to the second page`);
    } else {
      p.report.differs("LINKS_NEXT_FORMS", `following links.next ${shown} as the sdk does gave ${second.items.length ? "the first page again" : "an empty page"}`, "nextPageQuery in sdk/pagination.ts, and LINKS_NEXT_FORMS");
    }
  }
  if (form === LINKS_NEXT_DEFAULT_FORM) {
    p.report.holds("LINKS_NEXT_DEFAULT_FORM", `links.next is ${FORM_WORDS[form]}: ${shown}`);
  } else {
    p.report.differs(
      "LINKS_NEXT_DEFAULT_FORM",
      `links.next is ${FORM_WORDS[form]} (${shown}), not ${FORM_WORDS[LINKS_NEXT_DEFAULT_FORM]}`,
      form === "other"
        ? "LINKS_NEXT_FORMS and nextPageQuery in sdk/pagination.ts: a form the sdk does not know"
        : `LINKS_NEXT_DEFAULT_FORM = "${form}", and the stand-in's linksNext default (${SWITCHES}); the sdk follows every form already`,
    );
  }
}

/** What the listed accounts show: the form of `updatedAt`, and whether display names repeat. */
export function judgeListedAccounts(p: Probe, accounts: readonly ServiceAccount[]): void {
  const values = accounts.map((a) => a.updatedAt).filter((v) => v !== undefined && v !== null);
  if (values.length === 0) {
    p.report.notChecked("SERVICE_ACCOUNT_LIST_UPDATED_AT", accounts.length === 0 ? "the org has no service account (with --write, the throwaway account is one)" : "no listed account carries updatedAt");
  } else {
    const epochMs = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 1e12 && v < 1e14;
    const iso = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
    const seen = values.every(epochMs) ? "epoch-ms" : values.every(iso) ? "an ISO-8601 string" : "neither epoch milliseconds nor an ISO-8601 string";
    if (seen === SERVICE_ACCOUNT_LIST_UPDATED_AT) {
      p.report.holds("SERVICE_ACCOUNT_LIST_UPDATED_AT", `updatedAt is epoch milliseconds (e.g. ${values[0]})`);
    } else {
      p.report.differs(
        "SERVICE_ACCOUNT_LIST_UPDATED_AT",
        `updatedAt is ${seen} (e.g. ${q(values.find((v) => !epochMs(v)))}), not epoch milliseconds`,
        "SERVICE_ACCOUNT_LIST_UPDATED_AT, and listItem in backend/routes/service-accounts.ts (the stand-in's); the sdk reads a number or a string",
      );
    }
  }
  const byName = new Map<string, number>();
  for (const a of accounts) byName.set(a.displayName, (byName.get(a.displayName) ?? 0) + 1);
  const repeated = [...byName].find(([, n]) => n > 1);
  if (!repeated) {
    p.report.notChecked(
      "SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE",
      `no two of the org's ${accounts.length} accounts share a display name, and doctor makes no second account to find out`,
    );
  } else if (!SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE) {
    p.report.holds("SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE", `${repeated[1]} accounts share the display name ${q(repeated[0])}`);
  } else {
    p.report.differs("SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE", `${repeated[1]} accounts share the display name ${q(repeated[0])}`, "SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE = false");
  }
}

type TokenListAnswer = { body: unknown } | { error: NotFoundError };

async function tokenList(p: Probe, id: string): Promise<TokenListAnswer> {
  try {
    return { body: await call(p, "GET", tokensPath(p, id)) };
  } catch (err) {
    if (isNotFound(err)) return { error: err };
    throw err;
  }
}

/**
 * `GET …/service-accounts/{id}/api-tokens` with each of the account's ids: which answers?
 * Remembers the one that did for the other token probes.
 */
export async function probeTokenPaths(p: Probe, account: ServiceAccount): Promise<void> {
  const assumed = SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD;
  const other = assumed === "id" ? "atlassianId" : "id";
  const ids = { id: account.id, atlassianId: account.atlassianId ?? undefined };
  const answers: Partial<Record<"id" | "atlassianId", TokenListAnswer>> = {};
  for (const field of [assumed, other] as const) {
    const id = ids[field];
    if (id) answers[field] = await tokenList(p, id);
  }
  const said = (a: TokenListAnswer | undefined) => (a === undefined ? "no such id listed" : "body" in a ? "answers" : describeError(a.error));
  const path = (f: string) => `GET …/service-accounts/{${f}}/api-tokens`;
  const mine = answers[assumed];
  const theirs = answers[other];
  if (mine && "body" in mine) {
    p.state.tokenIdField = assumed;
    p.report.holds("SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD", `${path(assumed)} answers; by ${other}: ${said(theirs)}`);
  } else if (theirs && "body" in theirs) {
    p.state.tokenIdField = other;
    p.report.differs(
      "SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD",
      `the token routes take the ${other}: ${path(other)} answers; by ${assumed}: ${said(mine)}`,
      `SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD = "${other}" (the sdk falls back to it already, at one more request per run), and the stand-in's tokenPathId default (${SWITCHES})`,
    );
  } else {
    p.report.differs(
      "SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD",
      `neither id answers: by id: ${said(answers.id)}; by atlassianId: ${said(answers.atlassianId)}`,
      "the token routes' path in sdk/resources/service-account-tokens.ts",
    );
  }
}

/** The items of a token list, as the sdk reads them (`items`, or a bare array, `data`, `values`). */
function itemsOf(body: unknown): Record<string, unknown>[] {
  const isItem = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
  if (Array.isArray(body)) return body.filter(isItem);
  if (!isItem(body)) return [];
  for (const key of [TOKEN_LIST_ITEMS_FIELD, "data", "values"]) {
    const v = body[key];
    if (Array.isArray(v)) return v.filter(isItem);
  }
  return [];
}

function judgeTokenListShape(p: Probe, body: unknown): void {
  const fix = (what: string) => `TOKEN_LIST_ITEMS_FIELD: ${what}`;
  if (Array.isArray(body)) {
    p.report.differs("TOKEN_LIST_ITEMS_FIELD", "the token list is a bare array", fix("record a bare array (the sdk reads one already)"));
    return;
  }
  const o = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  if (Array.isArray(o[TOKEN_LIST_ITEMS_FIELD])) {
    const rest = Object.keys(o).filter((k) => k !== TOKEN_LIST_ITEMS_FIELD);
    p.report.holds("TOKEN_LIST_ITEMS_FIELD", `the token list is {${[TOKEN_LIST_ITEMS_FIELD, ...rest].join(", ")}}`);
    return;
  }
  const known = ["data", "values"].find((k) => Array.isArray(o[k]));
  p.report.differs(
    "TOKEN_LIST_ITEMS_FIELD",
    `the token list is {${Object.keys(o).join(", ")}}, without ${TOKEN_LIST_ITEMS_FIELD}`,
    fix(known ? `"${known}" (the sdk reads it already)` : "the field that holds the items; the sdk cannot read this list (sdk/resources/service-account-tokens.ts)"),
  );
}

/** The most accounts whose tokens are listed in search of one holding a token. */
const TOKEN_SEARCH = 25;

/** The token list's shape, and its items' fields and statuses, from the first accounts that hold tokens. */
export async function probeTokenLists(p: Probe, accounts: readonly ServiceAccount[]): Promise<void> {
  const lines = ["TOKEN_LIST_ITEMS_FIELD", "TOKEN_LIST_ITEM_FIELDS", "TOKEN_STATUS_VALUES"] as const;
  const field = p.state.tokenIdField;
  if (field === undefined) {
    p.report.notCheckedRest(lines, accounts.length === 0 ? "the org has no service account" : "no token list answered");
    return;
  }
  let looked = 0;
  const items: Record<string, unknown>[] = [];
  for (const a of accounts.slice(0, TOKEN_SEARCH)) {
    const id = field === "id" ? a.id : a.atlassianId;
    if (!id) continue;
    const answer = await tokenList(p, id);
    if (!("body" in answer)) continue;
    if (looked++ === 0) judgeTokenListShape(p, answer.body);
    items.push(...itemsOf(answer.body));
    if (items.length > 0) break;
  }
  if (items.length === 0) {
    p.report.notCheckedRest(lines, `none of the ${looked} account${looked === 1 ? "" : "s"} looked at holds a token (tokens are made in admin.atlassian.com)`);
    return;
  }
  const want: string[] = Object.values(TOKEN_LIST_ITEM_FIELDS);
  const have = new Set(items.flatMap((i) => Object.keys(i)));
  const missing = want.filter((f) => !have.has(f));
  const extra = [...have].filter((k) => !want.includes(k));
  if (missing.length === 0) {
    p.report.holds("TOKEN_LIST_ITEM_FIELDS", `items carry ${want.join(", ")}${extra.length ? ` (and ${extra.join(", ")})` : ""}`);
  } else {
    p.report.differs(
      "TOKEN_LIST_ITEM_FIELDS",
      `items lack ${missing.join(", ")}; they carry ${[...have].join(", ")}`,
      "TOKEN_LIST_ITEM_FIELDS: the names seen (the sdk also reads tokenId, name, created, expiry, expirationDate, lastAccess, lastUsedAt)",
    );
  }
  const statuses = [...new Set(items.map((i) => i.status).filter((s): s is string => typeof s === "string"))];
  if (statuses.length === 0) {
    p.report.notChecked("TOKEN_STATUS_VALUES", "the listed tokens carry no status");
    return;
  }
  const unknown = statuses.filter((s) => tokenStatus(s) === undefined);
  if (unknown.length === 0) {
    p.report.holds("TOKEN_STATUS_VALUES", `seen: ${statuses.map((s) => `${q(s)} (${tokenStatus(s)})`).join(", ")}`);
  } else {
    p.report.differs("TOKEN_STATUS_VALUES", `${unknown.map(q).join(", ")} read${unknown.length === 1 ? "s" : ""} as no known state (seen: ${statuses.map(q).join(", ")})`, `TOKEN_STATUS_VALUES: add ${unknown.map(q).join(", ")} to active, revoked or expired`);
  }
}

/** One error the admin API answered, and what the package expects of it. */
export interface ErrorSample {
  what: string;
  expect: "not found" | "missing scope";
  error?: APIError;
  /** Why there is no error to show. */
  note?: string;
}

/** A 404 on a random account id, and a read the key lacks a scope for (the audit log, `read:events:admin`). */
export async function probeErrors(p: Probe): Promise<ErrorSample[]> {
  const sample = async (what: string, expect: ErrorSample["expect"], send: () => Promise<unknown>, whenAnswered: string): Promise<ErrorSample> => {
    try {
      await send();
      return { what, expect, note: whenAnswered };
    } catch (err) {
      if (err instanceof APIError) return { what, expect, error: err };
      throw err;
    }
  };
  return [
    await sample("GET …/service-accounts/{random id}/api-tokens", "not found", () => call(p, "GET", tokensPath(p, randomUUID())), "a random account id was answered, not refused"),
    await sample(
      "GET /admin/v1/orgs/{orgId}/events without read:events:admin",
      "missing scope",
      () => call(p, "GET", `${p.client.orgPath}/events`, { query: { limit: 1 } }),
      "no scope refusal seen: the key holds read:events:admin (a key without it shows one)",
    ),
  ];
}

const KNOWN_CODES: readonly string[] = Object.values(ADMIN_ERROR_CODES);

/** ADMIN_ERROR_CODES from the errors seen: a 404's code is one the package knows; a missing scope is 401 ADMIN-401-2. */
export function judgeErrors(p: Probe, samples: readonly ErrorSample[]): void {
  const seen = samples.filter((s): s is ErrorSample & { error: APIError } => s.error !== undefined);
  const notes = samples.filter((s) => s.error === undefined).map((s) => s.note!);
  if (seen.length === 0) {
    p.report.notChecked("ADMIN_ERROR_CODES", notes.join("; ") || "no error seen");
    return;
  }
  const fixes: string[] = [];
  for (const s of seen) {
    const e = s.error;
    if (s.expect === "not found") {
      if (e.status !== 404) fixes.push(`${s.what} answered ${e.status}, not 404`);
      else if (e.code === undefined || !KNOWN_CODES.includes(e.code)) fixes.push(`add ${q(e.code ?? "(none)")} (${e.title}) for a 404; the sdk reads any 404 as not found already`);
    } else if (e.status !== 401 || e.code !== ADMIN_ERROR_CODES.insufficientScope) {
      fixes.push(`insufficientScope = ${q(e.code ?? "(none)")}; a missing scope answered ${e.status}, not 401 ${ADMIN_ERROR_CODES.insufficientScope}`);
    }
  }
  const text = seen.map((s) => `${s.what}: ${clip(describeError(s.error), 110)}`).join("; ") + (notes.length ? `; ${notes.join("; ")}` : "");
  if (fixes.length === 0) p.report.holds("ADMIN_ERROR_CODES", text);
  else p.report.differs("ADMIN_ERROR_CODES", text, `ADMIN_ERROR_CODES: ${fixes.join("; ")}`);
}
