/**
 * The contract's error body, built in one place: `{"errors":[{id,status,code,title,detail,source?,meta?}]}`.
 * Handlers throw `ApiError`; the app's error handler turns anything else into a 400 or a
 * 500 that says nothing about internals.
 */
import { randomUUID } from "node:crypto";
import type { ErrorBody, ErrorCode } from "../sdk/schemas";

const TITLES: Record<ErrorCode, string> = {
  "validation.failed": "The request is not valid",
  "not.found": "Not found",
  "endpoint.notFound": "No such endpoint",
  "endpoint.notPublic": "Not one of Atlassian's public endpoints",
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
  internal: "Internal error",
};

const RETRYABLE = new Set<ErrorCode>(["rate.limited", "idempotency.inProgress", "internal"]);

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
