/**
 * The contract's error body, built in one place: `{"errors":[{id,status,code,title,detail,source?,meta?}]}`.
 * Handlers throw `ApiError`; the app's error handler turns anything else into a 400 or a
 * 500 that says nothing about internals.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ADMIN_ERROR_CODES } from "../sdk/atlassian-assumptions";
import type { ErrorBody, ErrorCode } from "../sdk/schemas";

const TITLES: Record<ErrorCode, string> = {
  "validation.failed": "The request is not valid",
  "not.found": "Not found",
  "endpoint.notFound": "No such endpoint",
  "endpoint.notPublic": "Not one of Atlassian's public endpoints",
  "user.notFound": "User not found",
  "conflict.nameTaken": "The name is taken",
  "conflict.bindingExists": "The binding exists",
  "quota.exceeded": "Quota exceeded",
  unauthorized: "Unauthorized",
  "forbidden.insufficientScope": "The API key lacks a scope",
  "forbidden.orgMismatch": "The API key belongs to another org",
  "rate.limited": "Too many requests",
  "idempotency.mismatch": "Idempotency key reused with a different request",
  "idempotency.inProgress": "A request with this idempotency key is still running",
  "payload.tooLarge": "The request body is too large",
  "request.malformed": "The request is not valid HTTP",
  "headers.tooLarge": "The request headers are too large",
  "request.timeout": "The request did not arrive in time",
  "unsupported.mediaType": "The body's encoding is not supported",
  internal: "Internal error",
};

const RETRYABLE = new Set<ErrorCode>(["rate.limited", "idempotency.inProgress", "request.timeout", "internal"]);

export interface ErrorItem {
  code: ErrorCode;
  detail: string;
  pointer?: string;
}

export class ApiError extends Error {
  readonly items: ErrorItem[];
  /** The body already sent once and stored for replay under an Idempotency-Key: sent as is. */
  rendered?: ErrorBody;
  constructor(
    readonly status: number,
    code: ErrorCode | ErrorItem[],
    detail?: string,
    pointer?: string,
    readonly headers: Record<string, string> = {},
  ) {
    const items = Array.isArray(code) ? code : [{ code, detail: detail ?? TITLES[code], pointer }];
    super(items[0]!.detail);
    this.items = items;
  }
  get code(): ErrorCode {
    return this.items[0]!.code;
  }
}

export function errorBody(status: number, items: ErrorItem[], requestId: string): ErrorBody {
  return {
    errors: items.map((it) => ({
      id: randomUUID(),
      status: String(status),
      code: it.code,
      title: TITLES[it.code],
      detail: it.detail,
      ...(it.pointer === undefined ? {} : { source: { pointer: it.pointer } }),
      meta: { ...(RETRYABLE.has(it.code) || status >= 500 ? { retryable: true } : {}), requestId },
    })),
  };
}

export const notFound = (what: string, pointer?: string) => new ApiError(404, "not.found", `${what} was not found`, pointer);
export const invalid = (detail: string, pointer?: string) => new ApiError(400, "validation.failed", detail, pointer);

/**
 * Atlassian's admin error body, which the public admin routes answer (the extensions keep the
 * contract's, above): `{"errors":[{code:"ADMIN-<status>-<n>",status,title,detail}]}`, no `id`
 * (https://jira.atlassian.com/browse/AX-196; codes as the Organizations spec lists them).
 */
export const AdminErrorBody = z.object({
  errors: z.array(z.object({ code: z.string(), status: z.string(), title: z.string(), detail: z.string() })).min(1),
});
export type AdminErrorBody = z.infer<typeof AdminErrorBody>;

/** Atlassian's code and title for one of ours; the number after the status is Atlassian's where known. */
function adminCode(status: number, it: ErrorItem): { code: string; title: string } {
  const at = (n: number, title: string) => ({ code: `ADMIN-${status}-${n}`, title });
  switch (it.code) {
    case "unauthorized":
      return at(1, "UNAUTHORIZED");
    case "forbidden.insufficientScope":
      return at(2, "INSUFFICIENT_SCOPE");
    case "forbidden.orgMismatch":
      return at(1, "FORBIDDEN");
    case "not.found":
      return at(1, "NOT_FOUND");
    case "user.notFound":
      return { code: ADMIN_ERROR_CODES.userNotFound, title: "User not found" };
    case "quota.exceeded":
      // A 409 as jira.js's admin client names it.
      return status === 409 ? { code: ADMIN_ERROR_CODES.licenceLimitExceeded, title: "Product License Limit Exceeded" } : at(1, "LICENSE_LIMIT_EXCEEDED");
    case "rate.limited":
      return at(1, "TOO_MANY_REQUESTS");
    case "validation.failed":
      if (status === 415) return at(1, "UNSUPPORTED_MEDIA_TYPE");
      if (status !== 400) return at(1, "BAD_REQUEST");
      return it.pointer === "/cursor" ? at(1, "INVALID_CURSOR") : at(24, "INVALID_BODY");
    case "payload.tooLarge":
      return at(1, "PAYLOAD_TOO_LARGE");
    case "internal":
      return at(1, "INTERNAL_SERVER_ERROR");
    case "unsupported.mediaType":
      return at(1, "UNSUPPORTED_MEDIA_TYPE");
    case "request.malformed":
      return at(1, "BAD_REQUEST");
    default:
      return at(1, TITLES[it.code].toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, ""));
  }
}

export function adminErrorBody(status: number, items: ErrorItem[]): AdminErrorBody {
  return { errors: items.map((it) => ({ ...adminCode(status, it), status: String(status), detail: it.detail })) };
}
