/** The error hierarchy's pure parts: which answers are retryable, Retry-After, redaction. */
import { expect } from "chai";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  isRetryable,
  NotFoundError,
  parseRetryAfter,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  redact,
} from "../../sdk";

const none = () => undefined;
const target = { method: "GET", path: "/x" };
const doc = (code: string, retryable?: boolean) => ({
  errors: [{ id: "e", status: "0", code, title: code, ...(retryable === undefined ? {} : { meta: { retryable } }) }],
});

describe("sdk errors", () => {
  it("APIError.generate picks one class per meaning", () => {
    const cases: [number, string, Function][] = [
      [400, "validation.failed", BadRequestError],
      [413, "payload.tooLarge", BadRequestError],
      [422, "idempotency.mismatch", BadRequestError],
      [401, "unauthorized", AuthenticationError],
      [403, "forbidden.orgMismatch", PermissionDeniedError],
      [404, "not.found", NotFoundError],
      [409, "conflict.nameTaken", ConflictError],
      [409, "quota.exceeded", QuotaExceededError],
      [429, "rate.limited", RateLimitError],
      [500, "internal", InternalServerError],
      [503, "internal", InternalServerError],
    ];
    for (const [status, code, cls] of cases) {
      const err = APIError.generate(status, doc(code), none, target);
      expect(err, `${status} ${code}`).to.be.instanceOf(cls);
      expect(err.code).to.equal(code);
    }
    expect(APIError.generate(418, {}, none, target).constructor).to.equal(APIError);
  });

  it("retryable: 408, 429, 5xx, and whatever the body says", () => {
    expect([408, 429, 500, 502, 503, 504].map((s) => isRetryable(s, undefined))).to.deep.equal([true, true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 422].map((s) => isRetryable(s, undefined))).to.deep.equal([false, false, false, false, false, false]);
    expect(isRetryable(409, true)).to.equal(true);
    expect(isRetryable(503, false)).to.equal(false);
  });

  it("Retry-After reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).to.equal(2000);
    expect(parseRetryAfter("0.5", now)).to.equal(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).to.equal(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).to.equal(0);
    expect(parseRetryAfter("soon", now)).to.equal(undefined);
    expect(parseRetryAfter(undefined, now)).to.equal(undefined);
  });

  it("redact hides every issued secret and the given literals", () => {
    const t = "pasat_" + "a".repeat(43);
    const k = "pasak_" + "b".repeat(43);
    expect(redact(`x ${t} y ${k} z`)).to.equal("x [REDACTED] y [REDACTED] z");
    expect(redact("key=hunter2-long-key", ["hunter2-long-key"])).to.equal("key=[REDACTED]");
  });
});
