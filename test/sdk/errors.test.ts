/** The error hierarchy's pure parts: which answers are retryable, Retry-After, redaction. */
import { expect } from "chai";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  IdentityError,
  InternalServerError,
  isAmbiguousWriteFailure,
  isNotFound,
  isProductNotFound,
  isQuotaExceeded,
  isRetryable,
  TimeoutError,
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

  it("generate reads Atlassian's admin errors, which carry no id, and quotes their title and detail", () => {
    const body = { errors: [{ code: "ADMIN-401-2", status: "401", title: "INSUFFICIENT_SCOPE", detail: "needs write:service-accounts:admin" }] };
    const err = APIError.generate(401, body, none, target);
    expect(err).to.be.instanceOf(AuthenticationError).and.include({ code: "ADMIN-401-2", title: "INSUFFICIENT_SCOPE", errorId: undefined });
    expect(err.message).to.equal("GET /x failed with 401 ADMIN-401-2: INSUFFICIENT_SCOPE: needs write:service-accounts:admin");
    // Odd entries are skipped, not fatal; a body of nothing usable keeps the status.
    const odd = APIError.generate(404, { errors: [42, { code: 404, title: "NOT_FOUND" }] }, none, target);
    expect(odd).to.be.instanceOf(NotFoundError).and.include({ code: "404", title: "NOT_FOUND" });
    expect(APIError.generate(403, { errors: [] }, none, target)).to.be.instanceOf(PermissionDeniedError).with.property("title", "HTTP 403");
  });

  it("isNotFound: any 404 but one that says the route is missing", () => {
    const gen = (body: unknown) => APIError.generate(404, body, none, target);
    for (const body of [doc("not.found"), { errors: [{ code: "ADMIN-404-1", status: "404", title: "NOT_FOUND" }] }, undefined, { errorMessages: ["No project"] }]) {
      expect(isNotFound(gen(body)), JSON.stringify(body)).to.equal(true);
      expect(isProductNotFound(gen(body)), JSON.stringify(body)).to.equal(true);
    }
    for (const body of [doc("endpoint.notFound"), doc("endpoint.notPublic"), { message: "Request failed to match any route" }, { message: "Route GET:/x not found" }]) {
      expect(isNotFound(gen(body)), JSON.stringify(body)).to.equal(false);
    }
    expect(isNotFound(APIError.generate(410, undefined, none, target))).to.equal(false);
  });

  it("isQuotaExceeded: 402, a quota code, or a 409/403/400 that speaks of a quota, licence, limit or plan", () => {
    const gen = (status: number, title: string, code = "X", detail?: string) =>
      APIError.generate(status, { errors: [{ code, status: String(status), title, ...(detail ? { detail } : {}) }] }, none, target);
    expect(isQuotaExceeded(APIError.generate(402, undefined, none, target))).to.equal(true);
    expect(isQuotaExceeded(gen(409, "Product License Limit Exceeded", "ADMIN-UAM-409-3"))).to.equal(true);
    expect(isQuotaExceeded(gen(409, "conflict", "quota.exceeded"))).to.equal(true);
    expect(isQuotaExceeded(gen(403, "FORBIDDEN", "ADMIN-403-1", "your plan allows 5"))).to.equal(true);
    expect(isQuotaExceeded(gen(400, "Licence limit exceeded"))).to.equal(true);
    expect(gen(402, "LICENSE_LIMIT_EXCEEDED")).to.be.instanceOf(ConflictError).with.property("status", 402);
    expect(isQuotaExceeded(gen(409, "Resource Conflicts", "ADMIN-UAM-409-2"))).to.equal(false);
    expect(isQuotaExceeded(gen(404, "plan not found"))).to.equal(false);
    expect(isQuotaExceeded(gen(500, "quota service down"))).to.equal(false);
  });

  it("isAmbiguousWriteFailure: no answer in time, a broken connection, a 5xx or a 408 may have landed; a refusal did not", () => {
    const conn = (errno: string | undefined) => new ConnectionError("x", errno);
    expect(isAmbiguousWriteFailure(new TimeoutError("x", 10))).to.equal(true);
    for (const errno of ["ECONNRESET", "EPIPE", "ETIMEDOUT", undefined]) expect(isAmbiguousWriteFailure(conn(errno)), String(errno)).to.equal(true);
    for (const errno of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]) expect(isAmbiguousWriteFailure(conn(errno)), errno).to.equal(false);
    expect(isAmbiguousWriteFailure(APIError.generate(502, undefined, none, target))).to.equal(true);
    expect(isAmbiguousWriteFailure(APIError.generate(408, undefined, none, target))).to.equal(true);
    for (const status of [400, 401, 403, 404, 409, 429]) expect(isAmbiguousWriteFailure(APIError.generate(status, undefined, none, target)), String(status)).to.equal(false);
    expect(isAmbiguousWriteFailure(new IdentityError("x"))).to.equal(false);
    expect(isAmbiguousWriteFailure(new Error("x"))).to.equal(false);
  });
});
