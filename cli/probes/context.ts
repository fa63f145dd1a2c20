/**
 * What every probe shares: the sdk's client (its auth, retries, timeouts and error
 * translation, whose messages are already free of secret-shaped text), the report, the run's
 * abort signal (Ctrl-C), a progress line to stderr, and what earlier probes learnt.
 *
 * Probes send raw requests through `client.request` with a schema that takes any body: they
 * judge the body themselves, where the sdk's resources would read it as the package assumes.
 */
import { z } from "zod";
import type { Client, Query } from "../../sdk/client";
import { RequestAbortedError } from "../../sdk/errors";
import { nextPageQuery } from "../../sdk/pagination";
import { ServiceAccount, ServiceAccountPage } from "../../sdk/resources/service-accounts";
import type { Report } from "./report";

export interface Probe {
  client: Client;
  report: Report;
  /** Fires on Ctrl-C (SIGINT) or SIGTERM: every request and wait of the probes stops. */
  signal: AbortSignal;
  /** One progress line (stderr). */
  say(line: string): void;
  state: ProbeState;
}

export interface ProbeState {
  /** The page size the doctor lists with: the assumed one, or less when the list refuses it. */
  listLimit: number;
  /** Which id the token routes answered to. */
  tokenIdField?: "id" | "atlassianId";
}

const AnyBody = z.unknown();

/** One request with the admin key (or, `site`, the site admin's credential): the body as sent, or the sdk's error. */
export function call(p: Probe, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, options: { query?: Query; body?: unknown; site?: boolean } = {}): Promise<unknown> {
  return p.client.request({
    method,
    path,
    auth: options.site ? "site" : "admin",
    query: options.query,
    body: options.body,
    schema: AnyBody,
    opts: { signal: p.signal },
  });
}

/** The admin path of the service-account collection. */
export const accountsPath = (p: Probe): string => `${p.client.adminPath}/service-accounts`;

/** The admin path of one account's tokens, by either of its ids. */
export const tokensPath = (p: Probe, id: string): string => `${accountsPath(p)}/${encodeURIComponent(id)}/api-tokens`;

/** Waits, unless the run is interrupted first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RequestAbortedError("interrupted"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError("interrupted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// One odd item must not hide the others: items are read one by one.
const LenientPage = ServiceAccountPage.extend({ items: z.array(z.unknown()) });

/** The most pages the doctor reads of a list (Atlassian's largest plan has 1,000 accounts). */
const MAX_PAGES = 100;

/** Every account of the org, page by page (`links.next` in any form the sdk reads); items that do not read as accounts are skipped. */
export async function listAccounts(p: Probe): Promise<ServiceAccount[]> {
  const out: ServiceAccount[] = [];
  let query: URLSearchParams | undefined = new URLSearchParams({ limit: String(p.state.listLimit) });
  const seen = new Set<string>();
  for (let page = 0; query && page < MAX_PAGES; page++) {
    seen.add(query.toString());
    const body = LenientPage.parse(await call(p, "GET", accountsPath(p), { query }));
    for (const item of body.items) {
      const a = ServiceAccount.safeParse(item);
      if (a.success) out.push(a.data);
    }
    const next = nextPageQuery(body.links?.next ?? undefined, query);
    query = next && !seen.has(next.toString()) ? next : undefined;
  }
  return out;
}
