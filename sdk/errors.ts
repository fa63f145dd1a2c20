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
 *   │   │   └── QuotaExceededError 409 quota.exceeded
 *   │   ├── RateLimitError         429
 *   │   └── InternalServerError    5xx
 *   ├── ConnectionError     the request never got an answer (refused, reset, hang-up)
 *   ├── TimeoutError        no answer within `timeoutMs`
 *   ├── RequestAbortedError the caller's AbortSignal fired
 *   ├── InvalidRequestError the sdk refused to send a request that breaks the schema
 *   └── InvalidResponseError the server's answer does not match the schema
 *
 * Security: an error holds no request, no headers and no axios object, only the plain
 * facts below; every text taken from a response is passed through `redact` first. That
 * way `message`, `stack`, `toString()`, `toJSON()` and `util.inspect(err)` cannot carry
 * the API key or a token secret.
 */
import { ErrorBody, SECRET_PATTERN, type ErrorCode } from "./schemas";

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
  /** Whether repeating the same call may succeed (the client has already retried it `maxRetries` times). */
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
  /** The contract's error code (`not.found`, `conflict.nameTaken`, ...); undefined when the body was not an error document. */
  readonly code: ErrorCode | (string & {}) | undefined;
  readonly title: string;
  readonly detail: string | undefined;
  /** JSON pointer to the request field at fault (`/scopes/2`), when one field is. */
  readonly pointer: string | undefined;
  /** The `X-Request-Id` of the attempt that failed: quote it when asking about a failure. */
  readonly requestId: string | undefined;
  /** The id of the error object in the body. */
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
   * The one place a response becomes an error: picks the class from the status (and, for
   * 409, the code), and decides whether it may be retried.
   */
  static generate(
    status: number,
    body: unknown,
    header: (name: string) => string | undefined,
    target: RequestTarget & { requestId?: string },
  ): APIError {
    const parsed = ErrorBody.safeParse(body);
    const first = parsed.success ? parsed.data.errors[0] : undefined;
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
    if (status === 400 || status === 413 || status === 422) return new BadRequestError(init);
    if (status === 401) return new AuthenticationError(init);
    if (status === 403) return new PermissionDeniedError(init);
    if (status === 404) return new NotFoundError(init);
    if (status === 409) return init.code === "quota.exceeded" ? new QuotaExceededError(init) : new ConflictError(init);
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

/** 400 `validation.failed`, 413 `payload.tooLarge`, 422 `idempotency.mismatch`: the request itself is wrong. */
export class BadRequestError extends APIError {}
/** 401 `unauthorized`: no key, an unknown, deleted or expired key. */
export class AuthenticationError extends APIError {}
/** 403 `forbidden.insufficientScope` or `forbidden.orgMismatch`. */
export class PermissionDeniedError extends APIError {}
/** 404 `not.found`. `retrieve` turns it into `null`, `delete`/`revoke` into success. */
export class NotFoundError extends APIError {}
/** 409: `conflict.nameTaken`, `conflict.bindingExists`, or `idempotency.inProgress` (retried). */
export class ConflictError extends APIError {}
/** 409 `quota.exceeded`: the org's plan allows no more service accounts. */
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

/**
 * True when a product API (Jira, Confluence) says the thing asked for does not exist: a 404
 * from a route the server has. A 404 `endpoint.notFound` (no such route: a wrong base URL) or
 * `endpoint.notPublic` (an extension a public-only server refuses) is not "gone".
 */
export function isProductNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError && err.code !== "endpoint.notFound" && err.code !== "endpoint.notPublic";
}

/** True when `err` says the thing asked for does not exist (404 `not.found`). */
export function isNotFound(err: unknown): err is NotFoundError {
  // A 404 without the contract's code is a wrong URL (a bad baseUrl), not a missing object:
  // treating it as "gone" would make the provider recreate everything.
  return err instanceof NotFoundError && err.code === "not.found";
}
