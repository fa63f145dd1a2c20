/**
 * The typed client for Atlassian's admin and product APIs and for the embedded backend's
 * extensions. Every rule about talking to them lives here once: authentication, request ids,
 * retries with backoff, timeouts, turning responses into typed objects or into one error
 * hierarchy.
 *
 *   const client = new Client({ baseUrl, orgId, apiKey });
 *   const sa = await client.serviceAccounts.create({ displayName: "CI deployer" });
 *   const { token } = await client.extensions.apiTokens.create(sa.id, { label: "ci", scopes, expiresInDays: 90 }); // embedded backend only
 *
 * Which API is which: Atlassian's public operations are the top-level resources
 * (`serviceAccounts`, `serviceAccountTokens`, `apiKeys`, `events`, `jiraProjectRoles`,
 * `confluence*`); the embedded backend's extensions, the routes Atlassian does not publish
 * (`backend/extensions.ts`), are all under `client.extensions`; routes of Atlassian's admin
 * console, which Atlassian does not support (minting a token, the service-account invite),
 * are under `client.console`.
 *
 * Retries: a request is retried only when repeating it cannot do harm. Reads, PUT, PATCH and
 * DELETE are idempotent and are retried on 408, 429, 5xx, timeouts and broken connections. A
 * POST is not: nothing says Atlassian honours `Idempotency-Key`, so a create that timed out
 * and was sent again could make (and bill) a second account. A POST is retried only when it
 * provably did not land (429; a connection refused, unresolved or unreachable); otherwise the
 * failure goes to the caller, and `isAmbiguousWriteFailure(err)` tells it to read before
 * writing again. `Idempotency-Key` is sent only to the embedded backend's extensions (token
 * mint and revoke, bindings, api keys), which honour it, so their POSTs are retried as well.
 *
 * Axios is used at exactly one place (`#send`); its errors are translated there and never
 * escape, because they carry the request config, whose headers carry the API key.
 */
import axios, { type AxiosInstance } from "axios";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import type { z } from "zod";
import {
  APIError,
  ConnectionError,
  IdentityError,
  InvalidRequestError,
  InvalidResponseError,
  isNotFound,
  NEVER_CONNECTED_ERRNOS,
  RequestAbortedError,
  TimeoutError,
} from "./errors";
import { ADMIN_API_ROOT } from "./atlassian-assumptions";
import { PagePromise, type PageData } from "./pagination";
import { describeIssues, Id } from "./schemas";
import { ApiKeys } from "./resources/api-keys";
import { Events } from "./resources/events";
import { Console } from "./resources/console";
import { Extensions } from "./resources/extensions";
import { UserApiTokens } from "./resources/user-api-tokens";
import { ServiceAccounts } from "./resources/service-accounts";
import { ServiceAccountTokens } from "./resources/service-account-tokens";
import { OAuthClients } from "./resources/oauth-clients";
import { DirectoryGroups } from "./resources/directory-groups";
import { DirectoryUsers } from "./resources/directory-users";
import { JiraProjectRoles } from "./resources/jira-project-roles";
import { ConfluenceSpacePermissions, ConfluenceSpaceRoles, ConfluenceSpaces } from "./resources/confluence-spaces";

const PACKAGE_NAME = "pulumi-atlassian-service-accounts";

/** The package version, read from package.json (found upwards from this file, in sources and in dist/). */
export const VERSION: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    } catch {
      // no package.json here; keep climbing
    }
    if (path.dirname(dir) === dir) return "0.0.0";
  }
})();

export interface ClientOptions {
  /** Where the identity API is, e.g. `http://127.0.0.1:8080`. Default: env `ATLASSIAN_BASE_URL`. */
  baseUrl?: string;
  /** The org every admin call is about. Default: env `ATLASSIAN_ORG_ID`. */
  orgId?: string;
  /** An org admin API key (`pasak_...`). Default: env `ATLASSIAN_API_KEY`. Never printed. */
  apiKey?: string;
  /** Time allowed for each attempt, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 3; 0 turns retries off. */
  maxRetries?: number;
  /** Sent as `X-Client-Context` (the audit log records it); per call overridable. */
  clientContext?: string;
  /** Appended to the `User-Agent`, e.g. `my-tool/1.2`. */
  userAgent?: string;
  /** Base of the exponential backoff, in ms. Default 500. */
  retryBaseDelayMs?: number;
  /** Longest backoff between attempts when the server gave no `Retry-After`, in ms. Default 8 000. */
  retryMaxDelayMs?: number;
  /** Longest wait the client grants a `Retry-After`, in ms. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Called before each retry, with why and how long the client will wait. Holds no secret. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * The cloud id of the Jira/Confluence site the product APIs (`/ex/jira/{cloudId}`,
   * `/ex/confluence/{cloudId}`) are about, through the gateway at `baseUrl`. Default: env
   * `ATLASSIAN_CLOUD_ID`. Needed only by `jiraProjectRoles` and the `confluence*` resources,
   * and not at all when `siteUrl` is set.
   */
  cloudId?: string;
  /**
   * The Jira/Confluence site itself, e.g. `https://acme.atlassian.net` (default: env
   * `ATLASSIAN_SITE_URL`). When set, product calls go to `${siteUrl}/rest/api/3/...` and
   * `${siteUrl}/wiki/...` instead of the gateway `${baseUrl}/ex/{product}/{cloudId}/...`: a site
   * admin with a classic (unscoped) API token must use the site; a scoped token must use the
   * gateway. http(s), the site's root: no path, credentials, query or fragment.
   */
  siteUrl?: string;
  /**
   * A site admin's email and API token, sent as HTTP Basic to the product APIs (the admin
   * key works only on the admin API). Never printed. Needed only by the product resources.
   */
  siteAdmin?: { email: string; apiToken: string };
}

/** Per-call options, the trailing optional argument of every method. */
export interface RequestOptions {
  /**
   * Idempotency key of a write to one of the embedded backend's extensions (token mint and
   * revoke, bindings, api keys). Default: a new UUID per call, reused by its retries. Ignored
   * by Atlassian's public operations, which are sent without one.
   */
  idempotencyKey?: string;
  /** Overrides the client's `X-Client-Context` for this call. */
  clientContext?: string;
  /** Overrides the client's `timeoutMs` for this call (per attempt). */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Aborts the call (and any wait between its attempts) with `RequestAbortedError`. */
  signal?: AbortSignal;
}

export interface RetryInfo {
  method: string;
  path: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** The status that failed, or undefined for a connection error or timeout. */
  status: number | undefined;
  /** The error the failed attempt would have thrown. */
  error: IdentityError;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** The server's `Retry-After`, in ms, when it gave one. */
  retryAfterMs: number | undefined;
}

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
export type Query = Record<string, string | number | undefined> | URLSearchParams;

export interface RequestSpec<T> {
  method: Method;
  /**
   * Which credential and base: the org admin key at `baseUrl` (default) or the site admin's at
   * `siteUrl` when set, else at `baseUrl` (the product APIs).
   */
  auth?: "admin" | "site";
  /** Path under the base, starting with `/`. */
  path: string;
  query?: Query;
  body?: unknown;
  /** The schema of a 2xx body; without one the body is ignored (204). */
  schema?: z.ZodType<T>;
  opts?: RequestOptions | undefined;
  /**
   * Whether sending the request twice does no more than sending it once. Default: true for
   * GET, PUT, PATCH and DELETE, false for POST. A non-idempotent request is retried only when
   * it provably did not land (429, a connection never made), never after a 5xx, a timeout or
   * a reset.
   */
  idempotent?: boolean;
  /** Extra request headers (plain, printable values), e.g. Confluence v1's `X-Atlassian-Token: no-check`. */
  headers?: Record<string, string>;
  /**
   * Send an `Idempotency-Key` (the caller's `opts.idempotencyKey`, or a new UUID reused by
   * every retry). Only for the embedded backend's extensions, which honour it; Atlassian's
   * public operations are sent without one.
   */
  idempotencyKey?: boolean;
}

interface RawResponse {
  status: number;
  body: unknown;
  header: (name: string) => string | undefined;
  requestId: string;
}

// System error codes that mean "no HTTP answer came back". Whether the request may have
// landed depends on which (see NEVER_CONNECTED_ERRNOS in ./errors); reads retry on any.
const CONNECTION_ERRNOS = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_SOCKET",
]);

// Header values must be plain printable text: a line break would let a value forge headers.
const HEADER_VALUE = /^[\x20-\x7e]*$/;

export class Client {
  readonly baseUrl: string;
  readonly orgId: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly clientContext: string | undefined;
  readonly userAgent: string;

  /** Atlassian public: service accounts (list, find by listing, create, PATCH without id, delete). */
  readonly serviceAccounts: ServiceAccounts;
  /** Atlassian public: a service account's tokens (list, revoke all). */
  readonly serviceAccountTokens: ServiceAccountTokens;
  /** Atlassian public (user management): revoke one token of an account, `/users/{accountId}/manage/api-tokens/{tokenId}`. */
  readonly userApiTokens: UserApiTokens;
  /** Atlassian public: the list of the org's admin API keys (creating and deleting one are extensions). */
  readonly apiKeys: ApiKeys;
  /**
   * Atlassian public: the org's audit log, `/admin/v1/orgs/{orgId}/events`. Its items are read
   * in the embedded backend's own event shape.
   */
  readonly events: Events;
  /** Atlassian public: OAuth 2.0 clients, the org's and one account's (lists only). */
  readonly oauthClients: OAuthClients;
  /** Atlassian public (Organizations API v2): the org directory's groups and their members. */
  readonly directoryGroups: DirectoryGroups;
  /** Atlassian public (Organizations API v2): a directory user's role assignments (app access; for a service account, see `SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ`). */
  readonly directoryUsers: DirectoryUsers;
  /** Atlassian public (Jira Cloud REST v3): project roles and their members, with the site admin's credentials. */
  readonly jiraProjectRoles: JiraProjectRoles;
  /** Atlassian public (Confluence v2): spaces (key to id) and the site's space-role mode. */
  readonly confluenceSpaces: ConfluenceSpaces;
  /** Atlassian public (Confluence v2): space roles and role assignments. */
  readonly confluenceSpaceRoles: ConfluenceSpaceRoles;
  /** Atlassian public (Confluence v1 writes, v2 reads): space permissions, for sites not in role mode. */
  readonly confluenceSpacePermissions: ConfluenceSpacePermissions;
  /**
   * EXTENSIONS of the embedded backend, the routes Atlassian does not publish: service
   * accounts by id (get, PATCH with `status`), minting and reading or revoking one token,
   * scope bindings, creating and deleting API keys. Against Atlassian each fails (404).
   */
  readonly extensions: Extensions;
  /**
   * UNSUPPORTED BY ATLASSIAN: routes its admin console uses, which can change without notice
   * (mint a service account's token, give an existing account product access). Need an
   * unscoped org key. The embedded backend serves them only when started with `consoleRoutes`.
   */
  readonly console: Console;
  readonly cloudId: string | undefined;
  /** The product site's URL (no trailing slash) when product calls go to the site rather than the gateway. */
  readonly siteUrl: string | undefined;

  // Private fields: invisible to util.inspect, JSON.stringify, Object.keys and spreading.
  readonly #apiKey: string;
  readonly #siteAuth: string | undefined;
  readonly #http: AxiosInstance;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #onRetry: ((info: RetryInfo) => void) | undefined;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    const baseUrl = options.baseUrl ?? process.env.ATLASSIAN_BASE_URL;
    const orgId = options.orgId ?? process.env.ATLASSIAN_ORG_ID;
    const apiKey = options.apiKey ?? process.env.ATLASSIAN_API_KEY;
    if (!baseUrl) throw new IdentityError("baseUrl is missing: pass { baseUrl } or set ATLASSIAN_BASE_URL");
    if (!orgId) throw new IdentityError("orgId is missing: pass { orgId } or set ATLASSIAN_ORG_ID");
    if (!apiKey) throw new IdentityError("apiKey is missing: pass { apiKey } or set ATLASSIAN_API_KEY");
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new IdentityError(`baseUrl is not a URL; give one such as "http://127.0.0.1:8080"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new IdentityError(`baseUrl must start with http:// or https://, not ${url.protocol}//`);
    }
    if (url.username || url.password || url.search || url.hash) {
      throw new IdentityError("baseUrl must not carry credentials, a query or a fragment; pass the key as { apiKey }");
    }
    if (!Id.safeParse(orgId).success) throw new IdentityError("orgId may hold only letters, digits, '-' and '_'");
    // The key's value never goes into a message: only what is wrong with it.
    if (!HEADER_VALUE.test(apiKey) || apiKey.trim() !== apiKey) {
      throw new IdentityError("apiKey holds whitespace or characters that cannot go in an HTTP header");
    }
    const cloudId = options.cloudId ?? (process.env.ATLASSIAN_CLOUD_ID || undefined);
    if (cloudId !== undefined && !Id.safeParse(cloudId).success) {
      throw new IdentityError("cloudId may hold only letters, digits, '-' and '_'");
    }
    const siteUrl = checkSiteUrl(options.siteUrl ?? (process.env.ATLASSIAN_SITE_URL || undefined));
    if (options.siteAdmin !== undefined) {
      const { email, apiToken } = options.siteAdmin;
      if (typeof email !== "string" || !/^[^\s:@]+@[^\s:@]+$/.test(email)) {
        throw new IdentityError("siteAdmin.email must be an email address (no spaces or ':')");
      }
      if (typeof apiToken !== "string" || apiToken === "" || !HEADER_VALUE.test(apiToken) || apiToken.trim() !== apiToken) {
        throw new IdentityError("siteAdmin.apiToken is empty or holds whitespace or characters that cannot go in an HTTP header");
      }
    }
    if (options.clientContext !== undefined) checkHeaderValue("clientContext", options.clientContext);
    if (options.userAgent !== undefined) checkHeaderValue("userAgent", options.userAgent);

    this.baseUrl = url.toString().replace(/\/+$/, "");
    this.orgId = orgId;
    this.timeoutMs = positive("timeoutMs", options.timeoutMs, 30_000);
    this.maxRetries = nonNegativeInt("maxRetries", options.maxRetries, 3);
    this.clientContext = options.clientContext;
    this.userAgent = `${PACKAGE_NAME}/${VERSION}` + (options.userAgent ? ` ${options.userAgent}` : "");
    this.#apiKey = apiKey;
    this.cloudId = cloudId;
    this.siteUrl = siteUrl;
    this.#siteAuth =
      options.siteAdmin === undefined
        ? undefined
        : `Basic ${Buffer.from(`${options.siteAdmin.email}:${options.siteAdmin.apiToken}`).toString("base64")}`;
    this.#retryBaseDelayMs = nonNegative("retryBaseDelayMs", options.retryBaseDelayMs, 500);
    this.#retryMaxDelayMs = nonNegative("retryMaxDelayMs", options.retryMaxDelayMs, 8_000);
    this.#maxRetryAfterMs = nonNegative("maxRetryAfterMs", options.maxRetryAfterMs, 60_000);
    this.#onRetry = options.onRetry;
    this.#options = { ...options, baseUrl, orgId, apiKey };
    this.#agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
    };
    this.#http = axios.create({
      adapter: "http",
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      // Statuses are ours to translate (APIError.generate), and bodies ours to parse (zod).
      validateStatus: () => true,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      // A redirect would carry the Authorization header to wherever it points.
      maxRedirects: 0,
      maxContentLength: 16 * 1024 * 1024,
      maxBodyLength: 16 * 1024 * 1024,
    });

    this.serviceAccounts = new ServiceAccounts(this);
    this.serviceAccountTokens = new ServiceAccountTokens(this);
    this.apiKeys = new ApiKeys(this);
    this.events = new Events(this);
    this.oauthClients = new OAuthClients(this);
    this.directoryGroups = new DirectoryGroups(this);
    this.directoryUsers = new DirectoryUsers(this);
    this.jiraProjectRoles = new JiraProjectRoles(this);
    this.confluenceSpaces = new ConfluenceSpaces(this);
    this.confluenceSpaceRoles = new ConfluenceSpaceRoles(this);
    this.confluenceSpacePermissions = new ConfluenceSpacePermissions(this);
    this.extensions = new Extensions(this);
    this.userApiTokens = new UserApiTokens(this);
    this.console = new Console(this);
  }

  /** A client with some options changed (for example another `clientContext`), sharing nothing mutable. */
  withOptions(overrides: ClientOptions): Client {
    return new Client({ ...this.#options, ...overrides });
  }

  /** Closes idle keep-alive connections. The client still works afterwards (it opens new ones). */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /** Base path of the admin API for this org. */
  get adminPath(): string {
    return `${ADMIN_API_ROOT}/orgs/${encodeURIComponent(this.orgId)}`;
  }

  /**
   * Base path of a product's API: `""` when `siteUrl` is set (the site serves `/rest/api/3`
   * and `/wiki` at its root), else the gateway's `/ex/jira/{cloudId}` or `/ex/confluence/{cloudId}`.
   */
  productPath(product: "jira" | "confluence"): string {
    if (this.siteUrl !== undefined) return "";
    if (this.cloudId === undefined) {
      throw new IdentityError(
        `cloudId is missing: the ${product} API needs the site's cloud id (pass { cloudId } or set ATLASSIAN_CLOUD_ID), or the site's URL (pass { siteUrl } or set ATLASSIAN_SITE_URL)`,
      );
    }
    return `/ex/${product}/${encodeURIComponent(this.cloudId)}`;
  }

  /** Base path of the org's audit API (a different root than the admin API, as Atlassian's). */
  get orgPath(): string {
    return `/admin/v1/orgs/${encodeURIComponent(this.orgId)}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.baseUrl,
      orgId: this.orgId,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      clientContext: this.clientContext,
      userAgent: this.userAgent,
      cloudId: this.cloudId,
      siteUrl: this.siteUrl,
    };
  }

  // -------------------------------------------------------------------------------------
  // Verbs the resource classes build on
  // -------------------------------------------------------------------------------------

  get<T>(path: string, schema: z.ZodType<T>, query?: Query, opts?: RequestOptions): Promise<T> {
    return this.request({ method: "GET", path, schema, query, opts });
  }

  /** `request` with the site admin's credentials: the product APIs, at `siteUrl` or under the gateway's `/ex/{product}/{cloudId}`. */
  site<T>(spec: Omit<RequestSpec<T>, "auth">): Promise<T> {
    return this.request({ ...spec, auth: "site" });
  }

  /** A POST to a public operation: not idempotent, so not retried unless it provably did not land. */
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> {
    return this.request({ method: "POST", path, body, schema, opts });
  }

  patch<T>(path: string, body: unknown, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> {
    return this.request({ method: "PATCH", path, body, schema, opts });
  }

  /**
   * DELETE; any 404 counts as success (the thing is gone either way), whatever the body
   * says, except one that says the route itself does not exist (a wrong base URL).
   * `extension: true` sends an Idempotency-Key (the embedded backend's extensions only).
   */
  async delete(path: string, opts?: RequestOptions, options: { extension?: boolean } = {}): Promise<void> {
    try {
      await this.request({ method: "DELETE", path, opts, idempotencyKey: options.extension === true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * A write to one of the embedded backend's extensions: sent with an Idempotency-Key (the
   * same on every retry), which the backend honours, so even a POST is retried safely.
   */
  extensionWrite<T>(method: "POST" | "PATCH", path: string, body: unknown, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> {
    return this.request({ method, path, body, schema, opts, idempotent: true, idempotencyKey: true });
  }

  /** GET of one object; a 404 (see `isNotFound`) is `null`. */
  async getOrNull<T>(path: string, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T | null> {
    try {
      return await this.get(path, schema, undefined, opts);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * A lazily fetched, iterable list. `prepare` (checking parameters, building the path) runs
   * on first use; `toPage` maps the endpoint's own body shape to `{items, total, next}` (the
   * admin lists say `items`, the events list says `data`).
   */
  getList<T, B>(
    prepare: () => { path: string; query?: Query },
    schema: z.ZodType<B>,
    toPage: (body: B) => PageData<T>,
    opts?: RequestOptions,
  ): PagePromise<T> {
    let path = "";
    return new PagePromise(
      () => {
        const prepared = prepare();
        path = prepared.path;
        return toSearchParams(prepared.query);
      },
      async (query) => toPage(await this.request({ method: "GET", path, schema, query, opts })),
    );
  }

  /** Sends one logical call: retries it as needed, and returns its validated body. */
  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const opts = spec.opts ?? {};
    if (opts.clientContext !== undefined) checkHeaderValue("clientContext", opts.clientContext);
    if (opts.idempotencyKey !== undefined) checkHeaderValue("idempotencyKey", opts.idempotencyKey);
    for (const [name, value] of Object.entries(spec.headers ?? {})) checkHeaderValue(`header ${name}`, value);
    const maxRetries = nonNegativeInt("maxRetries", opts.maxRetries, this.maxRetries);
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    // One key per logical call, the same on every attempt: an extension write whose answer
    // was lost is replayed by the embedded backend, never performed twice.
    const idempotencyKey = spec.idempotencyKey === true && spec.method !== "GET" ? (opts.idempotencyKey ?? randomUUID()) : undefined;
    const search = toSearchParams(spec.query).toString();
    const base = spec.auth === "site" && this.siteUrl !== undefined ? this.siteUrl : this.baseUrl;
    const url = base + spec.path + (search ? `?${search}` : "");

    for (let attempt = 1; ; attempt++) {
      let failure: IdentityError;
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.#send(spec.method, url, spec.path, spec.body, idempotencyKey, opts, spec.auth ?? "admin", spec.headers);
        if (res.status >= 200 && res.status < 300) return this.#parse(spec, res);
        status = res.status;
        const error = APIError.generate(res.status, res.body, res.header, {
          method: spec.method,
          path: spec.path,
          requestId: res.requestId,
        });
        failure = error;
        retryAfterMs = error.retryAfterMs;
      } catch (err) {
        if (!(err instanceof IdentityError)) throw err;
        failure = err;
      }
      if (!failure.retryable || attempt > maxRetries) throw failure;
      if (!idempotent && !provablyNotLanded(failure)) throw failure;
      const delayMs =
        retryAfterMs !== undefined ? Math.min(retryAfterMs, this.#maxRetryAfterMs) : this.#backoff(attempt);
      try {
        this.#onRetry?.({ method: spec.method, path: spec.path, attempt, status, error: failure, delayMs, retryAfterMs });
      } catch {
        // An observer's failure must not turn a call that can still succeed into a failed one.
      }
      await sleep(delayMs, opts.signal);
    }
  }

  /** Full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))]. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#retryMaxDelayMs, this.#retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(Math.random() * ceiling);
  }

  #parse<T>(spec: RequestSpec<T>, res: RawResponse): T {
    if (!spec.schema) return undefined as T;
    const target = {
      method: spec.method,
      path: spec.path,
      status: res.status,
      requestId: res.header("x-request-id") ?? res.requestId,
    };
    if (res.body === undefined) {
      // A schema that accepts no body (a PATCH that may answer 204) gets none; the rest need one.
      const empty = spec.schema.safeParse(undefined);
      if (empty.success) return empty.data;
      throw new InvalidResponseError(target, [{ pointer: "/", message: "expected a JSON body, got none or not JSON" }]);
    }
    const parsed = spec.schema.safeParse(res.body);
    if (!parsed.success) throw new InvalidResponseError(target, describeIssues(parsed.error));
    return parsed.data;
  }

  /**
   * The one boundary with axios: one attempt, one HTTP request. Whatever goes wrong leaves
   * here as an IdentityError that holds no config, no headers, no request.
   */
  async #send(
    method: Method,
    url: string,
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    opts: RequestOptions,
    auth: "admin" | "site",
    extraHeaders: Record<string, string> | undefined,
  ): Promise<RawResponse> {
    if (opts.signal?.aborted) throw new RequestAbortedError(`${method} ${path} was aborted by the caller`);
    if (auth === "site" && this.#siteAuth === undefined) {
      throw new IdentityError(`${method} ${path} needs a site admin's credentials: pass { siteAdmin: { email, apiToken } }`);
    }
    const timeoutMs = positive("timeoutMs", opts.timeoutMs, this.timeoutMs);
    // A new id per attempt: each attempt is its own request on the server (its own log line
    // and audit event); on an extension write, the Idempotency-Key ties the attempts of one call together.
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      ...extraHeaders,
      Accept: "application/json",
      Authorization: auth === "site" ? this.#siteAuth! : `Bearer ${this.#apiKey}`,
      "User-Agent": this.userAgent,
      "X-Request-Id": requestId,
    };
    const clientContext = opts.clientContext ?? this.clientContext;
    if (clientContext !== undefined) headers["X-Client-Context"] = clientContext;
    if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;
    if (body !== undefined) headers["Content-Type"] = "application/json";

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort();
    opts.signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      const res = await this.#http.request<string>({
        method,
        url,
        headers,
        data: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      let parsed: unknown;
      if (typeof res.data === "string" && res.data.length > 0) {
        try {
          parsed = JSON.parse(res.data);
        } catch {
          parsed = undefined;
        }
      }
      const responseHeaders = res.headers;
      return {
        status: res.status,
        body: parsed,
        header: (name) => {
          const value: unknown = responseHeaders[name.toLowerCase()];
          return typeof value === "string" ? value : undefined;
        },
        requestId,
      };
    } catch (err) {
      // Only plain facts cross this line: the axios error (config, headers, request) stays here.
      const errno = errorCode(err);
      if (timedOut) {
        throw new TimeoutError(`${method} ${path} got no answer within ${timeoutMs} ms [request ${requestId}]`, timeoutMs);
      }
      if (opts.signal?.aborted) throw new RequestAbortedError(`${method} ${path} was aborted by the caller`);
      if (errno !== undefined && (CONNECTION_ERRNOS.has(errno) || /^E[A-Z0-9]+$/.test(errno))) {
        throw new ConnectionError(
          `${method} ${path} to ${new URL(url).origin} failed: ${describeErrno(errno)} [request ${requestId}]`,
          errno,
        );
      }
      throw new IdentityError(`${method} ${path} could not be sent (${errno ?? "unknown error"}) [request ${requestId}]`);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onCallerAbort);
    }
  }
}

/**
 * Whether a failed attempt certainly changed nothing on the server: it was refused with 429
 * (the server turned it away unread), or the connection was never made.
 */
function provablyNotLanded(failure: IdentityError): boolean {
  if (failure instanceof APIError) return failure.status === 429;
  return failure instanceof ConnectionError && failure.errno !== undefined && NEVER_CONNECTED_ERRNOS.has(failure.errno);
}

/** Checks the `siteUrl` option: the site's root over http(s), and nothing a request should not carry. */
function checkSiteUrl(siteUrl: string | undefined): string | undefined {
  if (siteUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(siteUrl);
  } catch {
    throw new IdentityError(`siteUrl is not a URL; give the site's, such as "https://acme.atlassian.net"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new IdentityError(`siteUrl must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new IdentityError("siteUrl must not carry credentials, a query or a fragment; pass the site admin's as { siteAdmin }");
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new IdentityError(`siteUrl must be the site's root (such as "https://acme.atlassian.net"), without a path such as "${url.pathname}"`);
  }
  return url.origin;
}

/** The system error code of a failed request, looked up through axios's wrapper and causes. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "ERR_BAD_RESPONSE" && code !== "ERR_NETWORK" && code !== "ERR_CANCELED") {
      return code;
    }
    if ((e as { message?: unknown }).message === "socket hang up") return "ECONNRESET";
    e = (e as { cause?: unknown }).cause;
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function describeErrno(errno: string): string {
  switch (errno) {
    case "ECONNRESET":
      return "the connection was reset (ECONNRESET)";
    case "ECONNREFUSED":
      return "the connection was refused; is the server running? (ECONNREFUSED)";
    case "ENOTFOUND":
      return "the host name does not resolve (ENOTFOUND)";
    default:
      return errno;
  }
}

function checkHeaderValue(name: string, value: string): void {
  if (!HEADER_VALUE.test(value) || value.length > 1024) {
    throw new InvalidRequestError(`option ${name}`, [
      { pointer: `/${name}`, message: `${name} must be printable ASCII without line breaks, at most 1024 characters` },
    ]);
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new IdentityError(`${name} must be a positive number of milliseconds`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new IdentityError(`${name} must be zero or more milliseconds`);
  return value;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new IdentityError(`${name} must be a whole number, 0 or more`);
  return value;
}

function toSearchParams(query: Query | undefined): URLSearchParams {
  if (query instanceof URLSearchParams) return new URLSearchParams(query);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RequestAbortedError("the call was aborted by the caller"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError("the call was aborted by the caller while waiting to retry"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
