/**
 * The sdk's one error hierarchy. Every failure a caller can meet is an `IdentityError`:
 *
 *   IdentityError
 *   ├── APIError (the server answered with an error status; built by `APIError.generate`)
 *   │   ├── BadRequestError        400, 413, 422
 *   │   ├── AuthenticationError    401
 *   │   ├── PermissionDeniedError  403
 *   │   ├── NotFoundError          404
 *   │   ├── ConflictError          409
 *   │   │   └── QuotaExceededError 402, or a 409/403/400 that speaks of a quota, licence or plan
 *   │   ├── RateLimitError         429
 *   │   └── InternalServerError    5xx
 *   ├── ConnectionError     the request never got an answer (refused, reset, hang-up)
 *   ├── TimeoutError        no answer within `timeoutMs`
 *   ├── RequestAbortedError the caller's AbortSignal fired
 *   ├── InvalidRequestError the sdk refused to send a request that breaks the schema
 *   └── InvalidResponseError the server's answer does not match the schema
 *
 * Classes follow the HTTP status, never a code the body must carry: Atlassian's admin errors
 * (`{"errors":[{"code":"ADMIN-401-2","status":"401","title":"INSUFFICIENT_SCOPE","detail":…}]}`,
 * no `id`), the embedded backend's extensions (dotted codes with an `id`) and the product
 * APIs' own bodies all read. Messages quote the body's `title` and `detail`.
 *
 * Security: an error holds no request, no headers and no axios object, only the plain
 * facts below; every text taken from a response is passed through `redact` first. That
 * way `message`, `stack`, `toString()`, `toJSON()` and `util.inspect(err)` cannot carry
 * the API key or a token secret.
 */
import { z } from "zod";
import { QUOTA_ERROR_CODES, QUOTA_ERROR_TEXT } from "./atlassian-assumptions";
import { SECRET_PATTERN, type ErrorCode } from "./schemas";

const SECRET_PATTERN_GLOBAL = new RegExp(SECRET_PATTERN.source, "g");
export const REDACTED = "[REDACTED]";

/** Replaces every secret this system issues, and any extra literal (the caller's key), in `text`. */
export function redact(text: string, extra: readonly string[] = []): string {
  let out = text.replace(SECRET_PATTERN_GLOBAL, REDACTED);
  for (const literal of extra) {
    // A very short "key" would shred ordinary words; such a key is rejected by the client anyway.
    if (literal.length >= 8) out = out.split(literal).join(REDACTED);
  }
  return out;
}

export class IdentityError extends Error {
  /**
   * Whether repeating the same call may succeed (the client has already retried it
   * `maxRetries` times, or, for a POST that may have landed, not at all: check
   * `isAmbiguousWriteFailure` and read before writing again).
   */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean } = {}) {
    super(redact(message));
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, retryable: this.retryable };
  }
}

/** Where a request went, for messages: method and path only (no query, no host credentials). */
export interface RequestTarget {
  method: string;
  path: string;
}

export interface APIErrorInit extends RequestTarget {
  status: number;
  code: string | undefined;
  title: string;
  detail: string | undefined;
  pointer: string | undefined;
  requestId: string | undefined;
  errorId: string | undefined;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

/** The server answered with an error status. */
export class APIError extends IdentityError {
  readonly status: number;
  /**
   * The body's error code: Atlassian's (`ADMIN-404-1`, `ADMIN-401-2`, ...) or an extension's
   * (`not.found`, `conflict.bindingExists`, ...); undefined when the body was not an error document.
   */
  readonly code: ErrorCode | (string & {}) | undefined;
  readonly title: string;
  readonly detail: string | undefined;
  /** JSON pointer to the request field at fault (`/scopes/2`), when one field is. */
  readonly pointer: string | undefined;
  /** The `X-Request-Id` of the attempt that failed: quote it when asking about a failure. */
  readonly requestId: string | undefined;
  /** The id of the error object in the body (the extensions send one; Atlassian does not). */
  readonly errorId: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: APIErrorInit) {
    super(APIError.#message(init), { retryable: init.retryable });
    this.status = init.status;
    this.code = init.code;
    this.title = redact(init.title);
    this.detail = init.detail === undefined ? undefined : redact(init.detail);
    this.pointer = init.pointer;
    this.requestId = init.requestId;
    this.errorId = init.errorId;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }

  static #message(init: APIErrorInit): string {
    const what = init.code ? `${init.status} ${init.code}` : `${init.status}`;
    const detail = init.detail && init.detail !== init.title ? `: ${init.detail}` : "";
    const at = init.pointer ? ` (at ${init.pointer})` : "";
    const id = init.requestId ? ` [request ${init.requestId}]` : "";
    return `${init.method} ${init.path} failed with ${what}: ${init.title}${detail}${at}${id}`;
  }

  /**
   * The one place a response becomes an error: picks the class from the status (and, for a
   * quota failure, what the body says), and decides whether it may be retried.
   */
  static generate(
    status: number,
    body: unknown,
    header: (name: string) => string | undefined,
    target: RequestTarget & { requestId?: string },
  ): APIError {
    const parsed = LenientErrorBody.safeParse(body);
    const first = parsed.success ? parsed.data.errors.find((e) => e.code !== undefined || e.title !== undefined || e.detail !== undefined) : undefined;
    const fallbackTitle = productMessage(body)?.slice(0, 500) ?? `HTTP ${status}`;
    const init: APIErrorInit = {
      ...target,
      status,
      code: first?.code,
      title: first?.title ?? fallbackTitle,
      detail: first?.detail,
      pointer: first?.source?.pointer,
      requestId: header("x-request-id") ?? target.requestId,
      errorId: first?.id,
      retryable: isRetryable(status, first?.meta?.retryable),
      retryAfterMs: parseRetryAfter(header("retry-after")),
    };
    if (isQuotaAnswer(status, init)) return new QuotaExceededError(init);
    if (status === 400 || status === 413 || status === 422) return new BadRequestError(init);
    if (status === 401) return new AuthenticationError(init);
    if (status === 403) return new PermissionDeniedError(init);
    if (status === 404) return new NotFoundError(init);
    if (status === 409) return new ConflictError(init);
    if (status === 429) return new RateLimitError(init);
    if (status >= 500) return new InternalServerError(init);
    return new APIError(init);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      code: this.code,
      title: this.title,
      detail: this.detail,
      pointer: this.pointer,
      requestId: this.requestId,
      errorId: this.errorId,
      method: this.method,
      path: this.path,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** 400 (Atlassian's `ADMIN-400-24` INVALID_BODY, `validation.failed`), 413, 422 `idempotency.mismatch`: the request itself is wrong. */
export class BadRequestError extends APIError {}
/**
 * 401: no key, an unknown, deleted or expired key (`ADMIN-401-1`, `unauthorized`), and on
 * Atlassian also a key that lacks a scope (`ADMIN-401-2` INSUFFICIENT_SCOPE): `code`,
 * `title` and `detail` tell which, so a caller can name the credential and the scope.
 */
export class AuthenticationError extends APIError {}
/** 403: the extensions' `forbidden.insufficientScope` or `forbidden.orgMismatch`; a product's refusal. */
export class PermissionDeniedError extends APIError {}
/** 404. `retrieve` turns it into `null`, `delete`/`revoke` into success (see `isNotFound`). */
export class NotFoundError extends APIError {}
/** 409: `conflict.bindingExists`, Atlassian's `ADMIN-UAM-409-2`, or `idempotency.inProgress` (retried). */
export class ConflictError extends APIError {}
/**
 * The org's plan allows no more service accounts: 402, or a 409/403/400 whose code, title or
 * detail speaks of a quota, licence, limit or plan (see `QUOTA_ERROR_CODES`, `QUOTA_ERROR_TEXT`
 * in `./atlassian-assumptions`). A ConflictError whatever its status, so that older
 * `instanceof ConflictError` checks still see it; `status` says which it was.
 */
export class QuotaExceededError extends ConflictError {}
/** 429 `rate.limited`; `retryAfterMs` says how long the server asked to wait. */
export class RateLimitError extends APIError {}
/** 5xx; the server hides its internals, `requestId` ties it to the server's log. */
export class InternalServerError extends APIError {}

/** The request got no HTTP answer: connection refused, reset, or the socket hung up. */
export class ConnectionError extends IdentityError {
  /** The system error code (`ECONNRESET`, `ECONNREFUSED`, ...). */
  readonly errno: string | undefined;
  constructor(message: string, errno: string | undefined) {
    super(message, { retryable: true });
    this.errno = errno;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errno: this.errno };
  }
}

/** No answer within `timeoutMs` (per attempt). */
export class TimeoutError extends IdentityError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message, { retryable: true });
    this.timeoutMs = timeoutMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/** The caller's `signal` aborted the call; never retried. */
export class RequestAbortedError extends IdentityError {}

export interface Issue {
  pointer: string;
  message: string;
}

const describe = (issues: readonly Issue[]) =>
  issues
    .slice(0, 10)
    .map((i) => `${i.pointer === "/" ? "(body)" : i.pointer}: ${i.message}`)
    .join("; ") + (issues.length > 10 ? `; and ${issues.length - 10} more` : "");

/** The sdk refused to send a request whose parameters break the shared schema; nothing was sent. */
export class InvalidRequestError extends IdentityError {
  readonly issues: readonly Issue[];
  /** The first field at fault. */
  readonly pointer: string | undefined;
  constructor(what: string, issues: readonly Issue[]) {
    super(`invalid ${what}: ${describe(issues)}`);
    this.issues = issues.map((i) => ({ pointer: i.pointer, message: redact(i.message) }));
    this.pointer = issues[0]?.pointer;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), pointer: this.pointer, issues: this.issues };
  }
}

/** The server answered 2xx with a body that does not match the schema (or is not JSON). */
export class InvalidResponseError extends IdentityError {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly issues: readonly Issue[];
  /** The first field at fault, as a JSON pointer into the response body. */
  readonly pointer: string | undefined;
  constructor(target: RequestTarget & { status: number; requestId: string | undefined }, issues: readonly Issue[]) {
    super(
      `${target.method} ${target.path} returned ${target.status} with a body that does not match the schema: ${describe(issues)}` +
        (target.requestId ? ` [request ${target.requestId}]` : ""),
    );
    this.status = target.status;
    this.requestId = target.requestId;
    this.method = target.method;
    this.path = target.path;
    this.issues = issues.map((i) => ({ pointer: i.pointer, message: redact(i.message) }));
    this.pointer = issues[0]?.pointer;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      pointer: this.pointer,
      issues: this.issues,
    };
  }
}

/**
 * Whether a response status may succeed when sent again: 408, 429 and 5xx, and any answer
 * whose body says `meta.retryable: true` (409 `idempotency.inProgress`: the first request
 * with this key is still running). An explicit `retryable: false` wins.
 */
export function isRetryable(status: number, bodySays: boolean | undefined): boolean {
  if (bodySays !== undefined) return bodySays;
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The message of a product API's error body, which is not the admin API's shape: Jira's
 * `{errorMessages:[…], errors:{field: message}}`, Confluence v1's `{message}`, Confluence
 * v2's `{errors:[{title, detail}]}` (without the ids the admin API's errors carry).
 */
function productMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as { message?: unknown; errorMessages?: unknown; errors?: unknown };
  if (typeof b.message === "string") return b.message;
  const texts: string[] = [];
  if (Array.isArray(b.errorMessages)) texts.push(...b.errorMessages.filter((m): m is string => typeof m === "string"));
  if (Array.isArray(b.errors)) {
    for (const e of b.errors) {
      if (e && typeof e === "object") {
        const { title, detail } = e as { title?: unknown; detail?: unknown };
        const t = [title, detail].filter((x): x is string => typeof x === "string" && x !== "");
        if (t.length > 0) texts.push(t.join(": "));
      }
    }
  } else if (b.errors && typeof b.errors === "object") {
    for (const [field, m] of Object.entries(b.errors)) if (typeof m === "string") texts.push(`${field}: ${m}`);
  }
  return texts.length > 0 ? texts.join("; ") : undefined;
}

// An error object as any of the servers writes it: Atlassian's admin APIs (no `id`), the
// extensions (with `id`, `source`, `meta`), Confluence v2 (numeric `status`). Every field is
// optional: a body that says less must still become the right class, never a parse failure.
const LenientErrorObject = z.looseObject({
  id: z.string().optional().catch(undefined),
  code: z.union([z.string(), z.number().transform(String)]).optional().catch(undefined),
  title: z.string().optional().catch(undefined),
  detail: z.string().optional().catch(undefined),
  source: z.looseObject({ pointer: z.string() }).optional().catch(undefined),
  meta: z.looseObject({ retryable: z.boolean().optional() }).optional().catch(undefined),
});
const LenientErrorBody = z.looseObject({ errors: z.array(z.unknown()).min(1).transform((a) => a.map((e) => LenientErrorObject.safeParse(e)).flatMap((r) => (r.success ? [r.data] : []))) });

function isQuotaAnswer(status: number, init: Pick<APIErrorInit, "code" | "title" | "detail">): boolean {
  if (status === 402) return true;
  if (init.code !== undefined && QUOTA_ERROR_CODES.includes(init.code)) return true;
  if (status !== 409 && status !== 403 && status !== 400) return false;
  return [init.code, init.title, init.detail].some((t) => t !== undefined && QUOTA_ERROR_TEXT.test(t));
}

// The words of a 404 that means "no route here", not "no such object": Atlassian's gateway
// ("Request failed to match any route", [3p-obs]) and Fastify's default ("Route GET:/x not
// found"), i.e. a wrong base URL or a route the server does not serve.
const NO_ROUTE = /failed to match any route|^Route \S+ not found/i;

/** A 404 that says the route does not exist (a wrong base URL, an unserved API), not the object. */
function isUnknownRoute(err: NotFoundError): boolean {
  return err.code === "endpoint.notFound" || err.code === "endpoint.notPublic" || NO_ROUTE.test(err.title) || (err.detail !== undefined && NO_ROUTE.test(err.detail));
}

/**
 * True when a product API (Jira, Confluence) says the thing asked for does not exist: a 404
 * from a route the server has. A 404 `endpoint.notFound` (no such route: a wrong base URL) or
 * `endpoint.notPublic` (an extension a public-only server refuses) is not "gone".
 */
export function isProductNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError && !isUnknownRoute(err);
}

/**
 * True when `err` says the thing asked for does not exist: a 404, whatever its code
 * (Atlassian's `ADMIN-404-…`, the extensions' `not.found`, or none), except a 404 that says
 * the route itself is missing (`endpoint.notFound`, `endpoint.notPublic`, "failed to match
 * any route"): treating a wrong base URL as "gone" would make the provider recreate everything.
 */
export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError && !isUnknownRoute(err);
}

/** True when the org's plan or licence allows no more service accounts (see `QuotaExceededError`). */
export function isQuotaExceeded(err: unknown): err is QuotaExceededError {
  return err instanceof QuotaExceededError;
}

// System errors that happen before any byte reached the server: the request cannot have landed.
export const NEVER_CONNECTED_ERRNOS: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * True when a write failed in a way that says nothing about whether it landed: no answer in
 * time (TimeoutError), a connection that broke after it was made (ConnectionError other than
 * refused/unresolved/unreachable), a 5xx, or a 408. The caller must read (list, membership)
 * before writing again: Atlassian honours no Idempotency-Key, so a blind retry of a create can
 * make, and bill, a second account.
 */
export function isAmbiguousWriteFailure(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  if (err instanceof ConnectionError) return err.errno === undefined || !NEVER_CONNECTED_ERRNOS.has(err.errno);
  if (err instanceof InternalServerError) return true;
  return err instanceof APIError && err.status === 408;
}
