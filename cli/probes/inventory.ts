/**
 * Read-only probes of what the credential report (`report`) reads beyond the accounts and
 * their tokens: the org's OAuth 2.0 clients (the list's page size, the clients' statuses, and
 * whether one account's clients are listed at all, which is how the report ties a client to
 * its account), and the audit log it reads a token's last use from.
 */
import {
  AUDIT_LOG_REQUESTS_PER_MINUTE,
  AUDIT_TOKEN_USE,
  OAUTH_CLIENT_ACCOUNT_LINK,
  OAUTH_CLIENT_PAGE_SIZE,
  OAUTH_CLIENT_STATUS_ACTIVE,
  SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD,
} from "../../sdk/atlassian-assumptions";
import { APIError, isNotFound } from "../../sdk/errors";
import type { ServiceAccount } from "../../sdk/resources/service-accounts";
import { DAY_MS } from "../../sdk/schemas";
import { accountsPath, call, type Probe } from "./context";
import { describeError, q } from "./report";


/** The items of a list in any of the shapes the sdk reads (`{data}`, `{items}`, `{values}`, an array), or null. */
function listed(body: unknown): Record<string, unknown>[] | null {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (body && typeof body === "object") {
    for (const key of ["data", "items", "values"]) {
      const v = (body as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as Record<string, unknown>[];
    }
  }
  return null;
}

/**
 * `GET …/oauth-clients?pageSize=` (the org's clients), then `GET …/service-accounts/{id}/oauth-clients`
 * for one account, by the id the token routes took.
 */
export async function probeOAuthClients(p: Probe, accounts: readonly ServiceAccount[]): Promise<void> {
  let clients: Record<string, unknown>[] | null;
  try {
    clients = listed(await call(p, "GET", `${p.client.adminPath}/oauth-clients`, { query: { pageSize: OAUTH_CLIENT_PAGE_SIZE } }));
  } catch (err) {
    if (p.signal.aborted || !(err instanceof APIError)) throw err;
    if (err.status === 400) {
      p.report.differs("OAUTH_CLIENT_PAGE_SIZE", `pageSize=${OAUTH_CLIENT_PAGE_SIZE} was refused: ${describeError(err)}`, "OAUTH_CLIENT_PAGE_SIZE: the largest page the list takes");
    }
    p.report.notCheckedRest(["OAUTH_CLIENT_PAGE_SIZE", "OAUTH_CLIENT_STATUS_ACTIVE"], `the org's OAuth client list answered ${describeError(err)}`);
    clients = null;
  }
  if (clients !== null) {
    p.report.holds("OAUTH_CLIENT_PAGE_SIZE", `pageSize=${OAUTH_CLIENT_PAGE_SIZE} taken: ${clients.length} client${clients.length === 1 ? "" : "s"} on the first page`);
    const statuses = [...new Set(clients.map((c) => c.status).filter((s): s is string => typeof s === "string"))];
    if (statuses.length === 0) p.report.notChecked("OAUTH_CLIENT_STATUS_ACTIVE", clients.length === 0 ? "the org has no OAuth client" : "the listed clients carry no status");
    else if (statuses.includes(OAUTH_CLIENT_STATUS_ACTIVE)) p.report.holds("OAUTH_CLIENT_STATUS_ACTIVE", `statuses seen: ${statuses.map((s) => q(s)).join(", ")}`);
    else {
      p.report.differs(
        "OAUTH_CLIENT_STATUS_ACTIVE",
        `statuses seen: ${statuses.map((s) => q(s)).join(", ")}; none is ${q(OAUTH_CLIENT_STATUS_ACTIVE)}`,
        "OAUTH_CLIENT_STATUS_ACTIVE: the status an active client is listed with (the report shows statuses as listed; nothing else depends on it)",
      );
    }
  } else if (!p.report.judged("OAUTH_CLIENT_PAGE_SIZE")) {
    p.report.notChecked("OAUTH_CLIENT_PAGE_SIZE", "the org's OAuth client list could not be read");
  }

  const account = accounts[0];
  if (!account) {
    p.report.notChecked("OAUTH_CLIENT_ACCOUNT_LINK", "the org has no service account (with --write, the throwaway account is one)");
    return;
  }
  const field = p.state.tokenIdField ?? SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD;
  const id = field === "atlassianId" ? (account.atlassianId ?? account.id) : account.id;
  const where = `GET …/service-accounts/{${field}}/oauth-clients`;
  try {
    const body = await call(p, "GET", `${accountsPath(p)}/${encodeURIComponent(id)}/oauth-clients`);
    const items = listed(body);
    if (items === null) {
      p.report.differs(
        "OAUTH_CLIENT_ACCOUNT_LINK",
        `${where} answered a body that is no list: ${q(body)}`,
        `OAUTH_CLIENT_ACCOUNT_LINK (${q(OAUTH_CLIENT_ACCOUNT_LINK)}) and the reader in sdk/resources/oauth-clients.ts: the shape seen`,
      );
    } else {
      p.report.holds("OAUTH_CLIENT_ACCOUNT_LINK", `${where} answers a list (${items.length} client${items.length === 1 ? "" : "s"} of one account)`);
    }
  } catch (err) {
    if (p.signal.aborted || !(err instanceof APIError)) throw err;
    p.report.differs(
      "OAUTH_CLIENT_ACCOUNT_LINK",
      `${where} answered ${describeError(err)}${isNotFound(err) ? "" : " (no such route)"}`,
      "OAUTH_CLIENT_ACCOUNT_LINK: no account's client list, so the report cannot tie a client to its account (it lists the org's clients with the account unknown)",
    );
  }
}

/**
 * `GET /admin/v1/orgs/{orgId}/events?from=<epoch ms>`: taken in that form, and do the token
 * uses in it carry `actor.auth.tokenId`? The log's request limit cannot be seen without
 * going past it, so it is never checked.
 */
export async function probeAuditLog(p: Probe): Promise<void> {
  p.report.notChecked(
    "AUDIT_LOG_REQUESTS_PER_MINUTE",
    `only going past it would show it: the report sends at most ${AUDIT_LOG_REQUESTS_PER_MINUTE} requests a run to the log, and the sdk waits out a 429's Retry-After`,
  );
  const since = new Date(Date.now() - 30 * DAY_MS);
  let body: unknown;
  try {
    body = await call(p, "GET", `${p.client.orgPath}/events`, { query: { from: String(since.getTime()), limit: 100 } });
  } catch (err) {
    if (p.signal.aborted || !(err instanceof APIError)) throw err;
    if (err.status === 400) {
      p.report.differs("AUDIT_TOKEN_USE", `from=<epoch ms> was refused: ${describeError(err)}`, "AUDIT_TOKEN_USE.fromFormat: the form the log's from takes");
    } else {
      p.report.notChecked(
        "AUDIT_TOKEN_USE",
        `the audit log answered ${describeError(err)}${err.status === 401 || err.status === 403 ? ": the report shows a token's last use from it only with a key holding read:events:admin" : ""}`,
      );
    }
    return;
  }
  const events = listed(body) ?? [];
  const auths = events
    .map((e) => ((e.attributes as Record<string, unknown> | undefined)?.actor as Record<string, unknown> | undefined)?.auth as Record<string, unknown> | undefined)
    .filter((a): a is Record<string, unknown> => a !== undefined && a !== null && a.authType === AUDIT_TOKEN_USE.authType);
  if (auths.length === 0) {
    p.report.notChecked("AUDIT_TOKEN_USE", `from=<epoch ms> was taken; no event of an API token's use since ${since.toISOString().slice(0, 10)} (${events.length} event${events.length === 1 ? "" : "s"} read)`);
  } else if (auths.some((a) => typeof a[AUDIT_TOKEN_USE.idField] === "string")) {
    p.report.holds("AUDIT_TOKEN_USE", `from=<epoch ms> taken; ${auths.length} token use${auths.length === 1 ? "" : "s"} carry actor.auth.${AUDIT_TOKEN_USE.idField}`);
  } else {
    p.report.differs(
      "AUDIT_TOKEN_USE",
      `token uses carry actor.auth without ${AUDIT_TOKEN_USE.idField}: fields ${[...new Set(auths.flatMap((a) => Object.keys(a)))].join(", ")}`,
      "AUDIT_TOKEN_USE.idField: the field naming the token",
    );
  }
}
