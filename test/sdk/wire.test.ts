/**
 * Wire-level behaviour of the client against a scripted server: the headers of every request,
 * which answers are retried and how, the translation of every failure into the error
 * hierarchy, and what never leaves the client. The same behaviours on the real backend are
 * in client.test.ts; here are the answers the backend cannot be asked to give on demand.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  Client,
  ConnectionError,
  IdentityError,
  InternalServerError,
  InvalidRequestError,
  InvalidResponseError,
  isAmbiguousWriteFailure,
  isNotFound,
  isQuotaExceeded,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  RequestAbortedError,
  SECRET_PATTERN,
  TimeoutError,
  type ClientOptions,
  type RetryInfo,
} from "../../sdk";
import { errorDoc, startScriptedServer, type ScriptedServer } from "./scripted-server";
import { rejection as rejected } from "../rejection";

/** As unknown: each test narrows the error it expects. */
const rejection = (p: Promise<unknown>): Promise<unknown> => rejected(p);

const KEY = "pasak_" + "k".repeat(43);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }).version;

const account = (id = "sa_1", name = "ci-deployer") => ({
  id,
  accountId: `acc-${id}`,
  name,
  displayName: name,
  email: `${name}@serviceaccount.atlassian.com`,
  description: "",
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});
const page = (items: unknown[], next?: string) => ({ items, links: next ? { next } : {}, total: 5 });
/** A service account as Atlassian's list shows it (and as the s15 stand-in's create answers). */
const listItem = (id = "sa_1", displayName = "CI deployer") => ({
  atlassianId: `712020:${id}`,
  id,
  email: `ci-deployer-x1axxw94zz@serviceaccount.atlassian.com`,
  displayName,
  picture: "https://avatar.example/48",
  container: "org-1",
  updatedAt: 1764642980899,
  status: "ACTIVE",
  createdById: "557058:admin",
  description: "",
});
const TOKEN_PARAMS = { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };
const minted = () => ({
  id: "t1", serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], status: "active",
  createdAt: "2026-01-01T00:00:00Z", expiresAt: "2026-02-01T00:00:00Z", lastUsedAt: null, token: "pasat_" + "t".repeat(43),
});
/** An error document as Atlassian's admin APIs write it: no id. */
const adminError = (status: number, code: string, title: string, detail?: string) => ({
  errors: [{ code, status: String(status), title, ...(detail === undefined ? {} : { detail }) }],
});


describe("sdk client on the wire", () => {
  let server: ScriptedServer;
  let client: Client;
  const retries: RetryInfo[] = [];
  const make = (extra: ClientOptions = {}) =>
    new Client({
      baseUrl: server.url,
      orgId: "org-1",
      apiKey: KEY,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
      onRetry: (info) => retries.push(info),
      ...extra,
    });

  beforeEach(async () => {
    server = await startScriptedServer();
    client = make();
    retries.length = 0;
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  describe("every request", () => {
    it("carries the bearer key, a fresh request id, the user agent with the package version, and the client context", async () => {
      client = make({ clientContext: "proj/stack/urn", userAgent: "my-tool/2.0" });
      server.script({ status: 200, body: account() }, { status: 200, body: account() });
      await client.extensions.serviceAccounts.retrieve("sa_1");
      await client.extensions.serviceAccounts.retrieve("sa_1", { clientContext: "override" });
      const [a, b] = server.requests;
      expect(a!.url).to.equal("/admin/api-access/v1/orgs/org-1/service-accounts/sa_1");
      expect(a!.headers.authorization).to.equal(`Bearer ${KEY}`);
      expect(a!.headers["user-agent"]).to.equal(`pulumi-atlassian-service-accounts/${VERSION} my-tool/2.0`);
      expect(a!.headers["x-client-context"]).to.equal("proj/stack/urn");
      expect(b!.headers["x-client-context"]).to.equal("override");
      expect(a!.headers["x-request-id"]).to.match(UUID);
      expect(b!.headers["x-request-id"]).to.match(UUID).and.not.equal(a!.headers["x-request-id"]);
      expect(a!.headers["idempotency-key"], "a GET needs no idempotency key").to.equal(undefined);
    });

    it("sends no X-Client-Context when none is set", async () => {
      server.script({ status: 200, body: account() });
      await client.extensions.serviceAccounts.retrieve("sa_1");
      expect(server.requests[0]!.headers).not.to.have.property("x-client-context");
    });

    it("reuses one connection (keep-alive)", async () => {
      server.fallback = { status: 200, body: account() };
      for (let i = 0; i < 3; i++) await client.extensions.serviceAccounts.retrieve("sa_1");
      expect(server.requests).to.have.length(3);
      expect(new Set(server.requests.map((r) => r.remotePort)).size).to.equal(1);
    });
  });

  describe("idempotency keys", () => {
    it("are one fresh UUID per extension write, the same on every retry of it", async () => {
      server.script({ status: 503, body: errorDoc(503, "internal") }, "reset", { status: 201, body: minted() });
      server.script({ status: 201, body: minted() });
      await client.extensions.apiTokens.create("sa_1", TOKEN_PARAMS);
      await client.extensions.apiTokens.create("sa_1", TOKEN_PARAMS);
      const keys = server.requests.map((r) => r.headers["idempotency-key"]);
      expect(keys[0]).to.match(UUID);
      expect(keys.slice(0, 3)).to.deep.equal([keys[0], keys[0], keys[0]]);
      expect(keys[3]).to.match(UUID).and.not.equal(keys[0]);
      const requestIds = new Set(server.requests.map((r) => r.headers["x-request-id"]));
      expect(requestIds.size, "each attempt has its own X-Request-Id").to.equal(4);
    });

    it("are the caller's when given, on an extension's PATCH and DELETE too", async () => {
      server.script({ status: 200, body: account() }, { status: 204 });
      await client.extensions.serviceAccounts.update("sa_1", { description: "x" }, { idempotencyKey: "mine-1" });
      await client.extensions.apiTokens.revoke("sa_1", "t1", { idempotencyKey: "mine-2" });
      expect(server.requests.map((r) => r.headers["idempotency-key"])).to.deep.equal(["mine-1", "mine-2"]);
      expect(server.requests[0]!.headers["content-type"]).to.equal("application/json");
      expect(server.requests[1]!.headers, "a DELETE sends no body, so no content type").not.to.have.property("content-type");
    });

    it("are never sent to Atlassian's public operations, even when the caller gives one", async () => {
      server.script({ status: 201, body: listItem() }, { status: 200, body: listItem() }, { status: 204 }, { status: 204 }, { status: 200, body: { items: [], links: {} } });
      const opts = { idempotencyKey: "ignored" };
      await client.serviceAccounts.create({ displayName: "CI deployer" }, opts);
      await client.serviceAccounts.update("sa_1", { description: "x" }, opts);
      await client.serviceAccounts.delete("sa_1", opts);
      await client.serviceAccountTokens.revokeAll("sa_1", opts);
      await client.serviceAccountTokens.list("sa_1", {}, opts);
      expect(server.requests).to.have.length(5);
      for (const r of server.requests) expect(r.headers, `${r.method} ${r.url}`).not.to.have.property("idempotency-key");
    });
  });

  describe("a create (a POST to a public operation)", () => {
    it("is not retried after a 5xx, a reset or a timeout: the failure may have landed, and says so", async () => {
      const cases: [string, () => void, Function][] = [
        ["503", () => server.script({ status: 503, body: errorDoc(503, "internal") }), InternalServerError],
        ["reset", () => server.script("reset"), ConnectionError],
        ["timeout", () => server.script({ status: 201, body: listItem(), delayMs: 300 }), TimeoutError],
      ];
      for (const [what, arrange, cls] of cases) {
        server.requests.length = 0;
        retries.length = 0;
        arrange();
        const err = await rejection(client.serviceAccounts.create({ displayName: "CI deployer" }, { timeoutMs: 100 }));
        expect(err, what).to.be.instanceOf(cls);
        expect(isAmbiguousWriteFailure(err), what).to.equal(true);
        await new Promise((r) => setTimeout(r, what === "timeout" ? 250 : 0));
        expect(server.requests, what).to.have.length(1);
        expect(retries, what).to.deep.equal([]);
      }
    });

    it("is retried after a 429: the server turned it away unread", async () => {
      server.script({ status: 429, body: errorDoc(429, "rate.limited"), headers: { "retry-after": "0" } }, { status: 201, body: listItem() });
      const made = await client.serviceAccounts.create({ displayName: "CI deployer" });
      expect(made.id).to.equal("sa_1");
      expect(server.requests).to.have.length(2);
    });

    it("is retried when the connection was never made (refused), and that failure is not ambiguous", async () => {
      const url = server.url;
      await server.close();
      const c = new Client({ baseUrl: url, orgId: "o", apiKey: KEY, maxRetries: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 2, onRetry: (r) => retries.push(r) });
      const err = await rejection(c.serviceAccounts.create({ displayName: "CI deployer" }));
      c.close();
      expect(err).to.be.instanceOf(ConnectionError).with.property("errno", "ECONNREFUSED");
      expect(isAmbiguousWriteFailure(err)).to.equal(false);
      expect(retries.map((r) => r.attempt)).to.deep.equal([1, 2]);
      server = await startScriptedServer();
    });

    it("a Jira role POST and a Confluence v1 permission POST are not retried after a 5xx; a Confluence role assignment (it sets the role) is", async () => {
      const site = make({ cloudId: "c1", siteAdmin: { email: "admin@example.com", apiToken: "site-token-00000001" } });
      server.script({ status: 502, body: { message: "bad gateway" } });
      expect(await rejection(site.jiraProjectRoles.addUsers("OPS", "10002", ["712020:abc"]))).to.be.instanceOf(InternalServerError);
      server.script({ status: 502, body: { message: "bad gateway" } });
      expect(await rejection(site.confluenceSpacePermissions.add("ENG", "712020:abc", { key: "read", target: "space" }))).to.be.instanceOf(InternalServerError);
      expect(server.requests).to.have.length(2);
      server.script({ status: 502, body: { message: "bad gateway" } }, { status: 200, body: { results: [] } });
      await site.confluenceSpaceRoles.assign("123", "712020:abc", "role-1");
      expect(server.requests).to.have.length(4);
      site.close();
    });
  });

  describe("retries", () => {
    const retried = async (reply: { status: number; body?: unknown; headers?: Record<string, string> }) => {
      server.script(reply);
      server.fallback = { status: 200, body: account() };
      await client.extensions.serviceAccounts.retrieve("sa_1");
      return server.requests.length === 2;
    };

    it("retry 408, 429, 500, 502, 503 and a 409 that says it is retryable", async () => {
      expect(await retried({ status: 408 })).to.equal(true);
      for (const [status, code] of [[429, "rate.limited"], [500, "internal"], [502, "internal"], [503, "internal"]] as const) {
        server.requests.length = 0;
        expect(await retried({ status, body: errorDoc(status, code) }), String(status)).to.equal(true);
      }
      server.requests.length = 0;
      expect(await retried({ status: 409, body: errorDoc(409, "idempotency.inProgress", { retryable: true }) })).to.equal(true);
    });

    it("do not retry 400, 401, 403, 404, 422, a plain 409, or a 5xx whose body says it is not retryable", async () => {
      const cases: [number, string, boolean?][] = [
        [400, "validation.failed"],
        [401, "unauthorized"],
        [403, "forbidden.insufficientScope"],
        [404, "not.found"],
        [409, "conflict.bindingExists"],
        [422, "idempotency.mismatch"],
        [503, "internal", false],
      ];
      for (const [status, code, retryable] of cases) {
        server.requests.length = 0;
        server.script({ status, body: errorDoc(status, code, retryable === undefined ? {} : { retryable }) });
        const err = await rejection(client.extensions.serviceAccounts.update("sa_1", { description: "x" }));
        expect(err, `${status}`).to.be.instanceOf(APIError).with.property("status", status);
        expect((err as APIError).retryable, `${status}`).to.equal(false);
        expect(server.requests, `${status} ${code}`).to.have.length(1);
      }
    });

    it("stop after maxRetries and throw the last failure", async () => {
      server.fallback = { status: 500, body: errorDoc(500, "internal") };
      const err = await rejection(client.serviceAccounts.list());
      expect(err).to.be.instanceOf(InternalServerError).with.property("retryable", true);
      expect(server.requests).to.have.length(4);
      expect(retries.map((r) => r.attempt)).to.deep.equal([1, 2, 3]);

      server.requests.length = 0;
      await rejection(client.serviceAccounts.list({}, { maxRetries: 0 }));
      expect(server.requests).to.have.length(1);
    });

    it("wait the server's Retry-After, in seconds", async () => {
      server.script({ status: 429, body: errorDoc(429, "rate.limited"), headers: { "retry-after": "1" } });
      server.fallback = { status: 200, body: account() };
      const started = Date.now();
      await client.extensions.serviceAccounts.retrieve("sa_1");
      expect(Date.now() - started).to.be.at.least(990);
      expect(retries[0]).to.include({ retryAfterMs: 1000, delayMs: 1000, status: 429 });
    });

    it("cap a long Retry-After at maxRetryAfterMs", async () => {
      client = make({ maxRetryAfterMs: 50 });
      server.script({ status: 503, body: errorDoc(503, "internal"), headers: { "retry-after": "3600" } });
      server.fallback = { status: 200, body: account() };
      const started = Date.now();
      await client.extensions.serviceAccounts.retrieve("sa_1");
      expect(Date.now() - started).to.be.below(1000);
      expect(retries[0]).to.include({ retryAfterMs: 3_600_000, delayMs: 50 });
    });

    it("back off exponentially with jitter when there is no Retry-After", async () => {
      client = make({ retryBaseDelayMs: 40, retryMaxDelayMs: 100, maxRetries: 4 });
      server.fallback = { status: 502, body: errorDoc(502, "internal") };
      await rejection(client.extensions.serviceAccounts.retrieve("sa_1"));
      const ceilings = [40, 80, 100, 100];
      retries.forEach((r, i) => expect(r.delayMs).to.be.within(0, ceilings[i]!));
    });

    it("can be aborted while waiting, and an abort is never retried", async () => {
      server.fallback = { status: 429, body: errorDoc(429, "rate.limited"), headers: { "retry-after": "30" } };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await rejection(client.extensions.serviceAccounts.retrieve("sa_1", { signal: controller.signal }));
      expect(err).to.be.instanceOf(RequestAbortedError);
      expect(server.requests).to.have.length(1);
    });
  });

  describe("failures without an HTTP answer", () => {
    it("a connection reset is a retryable ConnectionError", async () => {
      server.fallback = "reset";
      const err = await rejection(client.extensions.serviceAccounts.retrieve("sa_1", { maxRetries: 1 }));
      expect(err).to.be.instanceOf(ConnectionError).and.instanceOf(IdentityError);
      expect(err).to.include({ errno: "ECONNRESET", retryable: true });
      expect(server.requests).to.have.length(2);
    });

    it("a refused connection is a ConnectionError that names the origin", async () => {
      const url = server.url;
      await server.close();
      const err = await rejection(new Client({ baseUrl: url, orgId: "o", apiKey: KEY, maxRetries: 0 }).serviceAccounts.list());
      expect(err).to.be.instanceOf(ConnectionError).with.property("errno", "ECONNREFUSED");
      expect((err as Error).message).to.contain(url);
      server = await startScriptedServer();
    });

    it("no answer within timeoutMs is a TimeoutError, per attempt", async () => {
      server.fallback = { status: 200, body: account(), delayMs: 400 };
      const started = Date.now();
      const err = await rejection(client.extensions.serviceAccounts.retrieve("sa_1", { timeoutMs: 50, maxRetries: 1 }));
      expect(err).to.be.instanceOf(TimeoutError).with.property("timeoutMs", 50);
      expect(Date.now() - started).to.be.below(350);
      expect(server.requests).to.have.length(2);
    });
  });

  describe("errors", () => {
    it("are built from the error document: class, status, code, detail, pointer, request id", async () => {
      server.script({
        status: 400,
        body: errorDoc(400, "validation.failed", { detail: 'unknown scope "read:jira-wrok"', pointer: "/scopes/0" }),
        headers: { "x-request-id": "req-42" },
      });
      const err = (await rejection(client.serviceAccounts.list())) as BadRequestError;
      expect(err).to.be.instanceOf(BadRequestError);
      expect(err).to.include({ status: 400, code: "validation.failed", pointer: "/scopes/0", requestId: "req-42" });
      expect(err.detail).to.equal('unknown scope "read:jira-wrok"');
      expect(err.message).to.contain("/scopes/0").and.contain("read:jira-wrok").and.contain("req-42");
    });

    it("tell a full plan (QuotaExceededError) from another conflict, whatever code or status Atlassian uses", async () => {
      const quotas: [number, unknown][] = [
        [402, adminError(402, "ADMIN-402-1", "LICENSE_LIMIT_EXCEEDED", "the free plan allows 5 service accounts")],
        [402, undefined],
        [409, adminError(409, "ADMIN-UAM-409-3", "Product License Limit Exceeded")],
        [409, errorDoc(409, "quota.exceeded")],
        [403, adminError(403, "ADMIN-403-9", "FORBIDDEN", "Your plan does not allow more service accounts")],
        [400, adminError(400, "ADMIN-400-7", "BAD_REQUEST", "licence limit exceeded")],
      ];
      for (const [status, body] of quotas) {
        server.script({ status, body });
        const err = await rejection(client.serviceAccounts.create({ displayName: "CI deployer" }));
        expect(err, `${status} ${JSON.stringify(body)}`).to.be.instanceOf(QuotaExceededError).with.property("status", status);
        expect(isQuotaExceeded(err)).to.equal(true);
      }
      const quota = (await (async () => {
        server.script({ status: 402, body: quotas[0]![1] });
        return rejection(client.serviceAccounts.create({ displayName: "CI deployer" }));
      })()) as QuotaExceededError;
      expect(quota.message).to.contain("LICENSE_LIMIT_EXCEEDED").and.contain("the free plan allows 5 service accounts");
      const others: [number, unknown][] = [
        [409, adminError(409, "ADMIN-UAM-409-2", "Resource Conflicts")],
        [409, errorDoc(409, "conflict.bindingExists")],
        [403, adminError(403, "ADMIN-403-5", "FORBIDDEN", "not allowed to manage the group")],
        [400, adminError(400, "ADMIN-400-24", "INVALID_BODY", "displayName is too long")],
      ];
      for (const [status, body] of others) {
        server.script({ status, body });
        const err = await rejection(client.serviceAccounts.create({ displayName: "CI deployer" }));
        expect(err, `${status} ${JSON.stringify(body)}`).to.be.instanceOf(APIError).and.not.instanceOf(QuotaExceededError);
        expect(isQuotaExceeded(err)).to.equal(false);
      }
    });

    it("read Atlassian's admin shape (no id): the class by status, and code, title and detail kept for the caller", async () => {
      server.script(
        { status: 401, body: adminError(401, "ADMIN-401-2", "INSUFFICIENT_SCOPE", "the key lacks write:service-accounts:admin") },
        { status: 404, body: adminError(404, "ADMIN-404-1", "NOT_FOUND", "no service account sa_9") },
        { status: 400, body: adminError(400, "ADMIN-400-24", "INVALID_BODY") },
      );
      const scope = (await rejection(client.serviceAccounts.create({ displayName: "CI deployer" }))) as AuthenticationError;
      expect(scope).to.be.instanceOf(AuthenticationError);
      expect(scope).to.include({ status: 401, code: "ADMIN-401-2", title: "INSUFFICIENT_SCOPE", detail: "the key lacks write:service-accounts:admin", errorId: undefined });
      expect(scope.message).to.contain("ADMIN-401-2").and.contain("INSUFFICIENT_SCOPE").and.contain("write:service-accounts:admin");
      const gone = await rejection(client.serviceAccounts.update("sa_9", { description: "x" }));
      expect(gone).to.be.instanceOf(NotFoundError).and.include({ code: "ADMIN-404-1", title: "NOT_FOUND" });
      expect(isNotFound(gone)).to.equal(true);
      const bad = await rejection(client.serviceAccounts.update("sa_9", { description: "x" }));
      expect(bad).to.be.instanceOf(BadRequestError).and.include({ code: "ADMIN-400-24", title: "INVALID_BODY", detail: undefined });
    });

    it("a DELETE answered 404 is success whatever the body; a 404 that says no route matched is not", async () => {
      const bodies: unknown[] = [adminError(404, "ADMIN-404-1", "NOT_FOUND"), adminError(404, "ADMIN-UAM-404-1", "Unknown Resource"), errorDoc(404, "not.found"), undefined, { errorMessages: ["gone"] }];
      for (const body of bodies) {
        server.script({ status: 404, body });
        await client.serviceAccounts.delete("sa_1");
      }
      server.script({ status: 404, body: { message: "Request failed to match any route" } });
      expect(await rejection(client.serviceAccounts.delete("sa_1"))).to.be.instanceOf(NotFoundError);
      server.script({ status: 404, body: errorDoc(404, "endpoint.notFound") });
      expect(await rejection(client.serviceAccounts.delete("sa_1"))).to.be.instanceOf(NotFoundError);
    });

    it("keep the status when the body is not an error document", async () => {
      server.script({ status: 502, raw: "<html>bad gateway</html>", headers: { "content-type": "text/html" } });
      const err = await rejection(client.serviceAccounts.list({}, { maxRetries: 0 }));
      expect(err).to.be.instanceOf(InternalServerError).with.property("status", 502);
      expect(err).to.have.property("code", undefined);
    });

    it("a 404 without the contract's code (a wrong baseUrl) is an error, not a missing object", async () => {
      server.script({ status: 404, body: { message: "Route GET:/x not found", error: "Not Found", statusCode: 404 } });
      const err = await rejection(client.extensions.serviceAccounts.retrieve("sa_1"));
      expect(err).to.be.instanceOf(NotFoundError).with.property("code", undefined);
      expect(isNotFound(err)).to.equal(false);
    });

    it("a 429 is a RateLimitError that tells how long to wait", async () => {
      server.fallback = { status: 429, body: errorDoc(429, "rate.limited"), headers: { "retry-after": "0" } };
      const err = await rejection(client.serviceAccounts.list());
      expect(err).to.be.instanceOf(RateLimitError).with.property("retryAfterMs", 0);
    });
  });

  describe("response bodies", () => {
    it("that do not match the schema fail with InvalidResponseError naming the field", async () => {
      server.script({ status: 200, body: { ...account(), status: "deleted", createdAt: 12 } });
      const err = (await rejection(client.extensions.serviceAccounts.retrieve("sa_1"))) as InvalidResponseError;
      expect(err).to.be.instanceOf(InvalidResponseError);
      expect(err.issues.map((i) => i.pointer)).to.have.members(["/status", "/createdAt"]);
      expect(err.message).to.contain("/status").and.contain("/createdAt");
      expect(err.requestId).to.match(UUID);
    });

    it("that are not JSON fail with InvalidResponseError", async () => {
      server.script({ status: 200, raw: "not json" });
      expect(await rejection(client.extensions.serviceAccounts.retrieve("sa_1"))).to.be.instanceOf(InvalidResponseError);
    });

    it("a token without its secret on create is an error, not a token without a secret", async () => {
      const { token: _drop, ...noSecret } = {
        id: "t1", serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], status: "active",
        createdAt: "2026-01-01T00:00:00Z", expiresAt: "2026-02-01T00:00:00Z", lastUsedAt: null, token: "x",
      };
      server.script({ status: 201, body: noSecret });
      const err = (await rejection(
        client.extensions.apiTokens.create("sa_1", { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 }),
      )) as InvalidResponseError;
      expect(err).to.be.instanceOf(InvalidResponseError).with.property("pointer", "/token");
    });
  });

  describe("parameters", () => {
    it("that break the schema fail before anything is sent, naming the field", async () => {
      const err = (await rejection(
        client.extensions.apiTokens.create("sa_1", { label: "ci", scopes: ["read:jira-wrok"], expiresInDays: 400 }),
      )) as InvalidRequestError;
      expect(err).to.be.instanceOf(InvalidRequestError);
      expect(err.issues.map((i) => i.pointer)).to.include.members(["/scopes/0", "/expiresInDays"]);
      expect(err.message).to.contain('did you mean "read:jira-work"');
      expect(server.requests).to.have.length(0);
    });

    it("an unknown field is refused rather than dropped (a create takes no name)", async () => {
      const err = await rejection(client.serviceAccounts.create({ displayName: "x", name: "ci-deployer" } as never));
      expect(err).to.be.instanceOf(InvalidRequestError).with.property("pointer", "/name");
      expect(await rejection(client.serviceAccounts.create({} as never))).to.be.instanceOf(InvalidRequestError).with.property("pointer", "/displayName");
      expect(server.requests).to.have.length(0);
    });

    it("an id that could reach another route is refused", async () => {
      for (const id of ["../api-keys", "a/b", "", "x?y"]) {
        expect(await rejection(client.extensions.serviceAccounts.retrieve(id)), id).to.be.instanceOf(InvalidRequestError);
      }
      expect(server.requests).to.have.length(0);
    });

    it("a header value with a line break is refused", async () => {
      expect(() => make({ clientContext: "a\r\nX-Evil: 1" })).to.throw(InvalidRequestError, /clientContext/);
      const err = await rejection(client.serviceAccounts.list({}, { clientContext: "a\nb" }));
      expect(err).to.be.instanceOf(InvalidRequestError);
    });

    it("missing or malformed client options say which and how to fix them", () => {
      const saved = process.env.ATLASSIAN_API_KEY;
      delete process.env.ATLASSIAN_API_KEY;
      try {
        expect(() => new Client({ baseUrl: server.url, orgId: "o" })).to.throw(IdentityError, /apiKey is missing.*ATLASSIAN_API_KEY/);
        expect(() => new Client({ baseUrl: "ftp://x", orgId: "o", apiKey: KEY })).to.throw(/http:\/\/ or https:\/\//);
        expect(() => new Client({ baseUrl: "http://u:p@h", orgId: "o", apiKey: KEY })).to.throw(/credentials/);
        expect(() => new Client({ baseUrl: server.url, orgId: "o/../x", apiKey: KEY })).to.throw(/orgId/);
        expect(() => new Client({ baseUrl: server.url, orgId: "o", apiKey: KEY, maxRetries: -1 })).to.throw(/maxRetries/);
      } finally {
        if (saved !== undefined) process.env.ATLASSIAN_API_KEY = saved;
      }
    });
  });

  describe("redirects", () => {
    it("are not followed, so the key never goes where one points", async () => {
      const elsewhere = await startScriptedServer();
      try {
        server.script({ status: 302, headers: { location: `${elsewhere.url}/steal` } });
        const err = await rejection(client.serviceAccounts.list());
        expect(err).to.be.instanceOf(APIError).with.property("status", 302);
        expect(elsewhere.requests).to.have.length(0);
      } finally {
        await elsewhere.close();
      }
    });
  });

  describe("lists", () => {
    it("make no request until awaited or iterated, and one request per page needed", async () => {
      server.script(
        { status: 200, body: page([account("a"), account("b")], "/whatever?cursor=c1&limit=2") },
        { status: 200, body: page([account("c"), account("d")], "/whatever?cursor=c2&limit=2") },
        { status: 200, body: page([account("e")]) },
      );
      const list = client.serviceAccounts.list({ limit: 2 });
      expect(server.requests).to.have.length(0);
      const first = await list;
      expect(first.items.map((a) => a.id)).to.deep.equal(["a", "b"]);
      expect(first.total).to.equal(5);
      expect(first.nextCursor).to.equal("c1");
      expect(server.requests).to.have.length(1);

      const seen: string[] = [];
      for await (const sa of list) {
        seen.push(sa.id);
        if (seen.length === 3) break;
      }
      expect(seen).to.deep.equal(["a", "b", "c"]);
      expect(server.requests, "the first page is shared; iteration fetched only page 2").to.have.length(2);
      expect(server.requests[1]!.url).to.equal("/admin/api-access/v1/orgs/org-1/service-accounts?cursor=c1&limit=2");
    });

    it("follow links.next only by its query, on the configured host and the list's own path", async () => {
      const elsewhere = await startScriptedServer();
      try {
        server.script(
          { status: 200, body: page([account("a")], `${elsewhere.url}/steal?cursor=c1`) },
          { status: 200, body: page([account("b")]) },
        );
        const ids: string[] = [];
        for await (const sa of client.serviceAccounts.list()) ids.push(sa.id);
        expect(ids).to.deep.equal(["a", "b"]);
        expect(elsewhere.requests).to.have.length(0);
        expect(server.requests[1]!.url).to.equal("/admin/api-access/v1/orgs/org-1/service-accounts?cursor=c1");
      } finally {
        await elsewhere.close();
      }
    });

    it("stop when links.next leads back to the same page", async () => {
      // The link repeats the query sent (the list always sends a limit), so it is the same page.
      server.fallback = { status: 200, body: page([account("a")], "/x?cursor=same&limit=2") };
      server.script({ status: 200, body: page([account("a")], "/x?cursor=same&limit=2") });
      let n = 0;
      for await (const _ of client.serviceAccounts.list({ cursor: "same", limit: 2 })) n++;
      expect(n).to.equal(1);
      expect(server.requests).to.have.length(1);
    });

    it("read the events list's {data, links} shape", async () => {
      const event = (id: string) => ({
        id,
        type: "events",
        attributes: {
          time: "2026-01-01T00:00:00Z",
          action: "service-account.created",
          actor: { type: "api-key", id: "k1" },
          target: { type: "service-account", id: "sa_1" },
          outcome: "success",
          context: { requestId: "r", userAgent: null, clientContext: null },
        },
      });
      const first1 = { status: 200, body: { data: [event("e1")], links: { next: "/e?cursor=x" } } };
      server.script(first1, first1, { status: 200, body: { data: [event("e2")], links: {} } });
      const first = await client.events.list({ action: "service-account.created" });
      expect(first.total).to.equal(undefined);
      const all = await client.events.list({ action: "service-account.created" }).toArray();
      expect(all.map((e) => e.id)).to.deep.equal(["e1", "e2"]);
      expect(server.requests[0]!.url).to.equal("/admin/v1/orgs/org-1/events?action=service-account.created");
    });
  });

  describe("secrets", () => {
    const texts = (err: unknown) => {
      const e = err as Error;
      return [e.message, e.stack ?? "", String(e), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })];
    };

    it("the client shows no key when inspected or serialised", () => {
      for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client), JSON.stringify({ ...client })]) {
        expect(text).not.to.contain(KEY);
      }
      expect(Object.keys(client)).not.to.include("apiKey");
    });

    it("a key that is not in the issued format stays hidden too", async () => {
      const custom = "my-own-secret-admin-key-1234567890";
      const c = new Client({ baseUrl: server.url, orgId: "o", apiKey: custom, maxRetries: 0 });
      server.fallback = "reset";
      const err = await rejection(c.serviceAccounts.list());
      for (const text of [...texts(err), inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c)]) {
        expect(text).not.to.contain(custom);
      }
    });

    it("no failure of any kind shows the key or a secret the server echoed", async () => {
      const leak = "pasat_" + "s".repeat(43);
      server.script(
        { status: 400, body: errorDoc(400, "validation.failed", { detail: `bad token ${leak}`, pointer: "/token" }) },
        { status: 200, body: { ...account(), status: leak } },
        "reset",
        { status: 200, body: account(), delayMs: 300 },
        { status: 500, body: { message: `boom ${leak}` } },
      );
      const failures = [
        await rejection(client.serviceAccounts.list({}, { maxRetries: 0 })),
        await rejection(client.extensions.serviceAccounts.retrieve("sa_1")),
        await rejection(client.serviceAccounts.list({}, { maxRetries: 0 })),
        await rejection(client.serviceAccounts.list({}, { maxRetries: 0, timeoutMs: 50 })),
        await rejection(client.serviceAccounts.list({}, { maxRetries: 0 })),
        await rejection(client.extensions.apiTokens.create("sa_1", { label: leak, scopes: [leak], expiresInDays: 1 })),
      ];
      expect(failures.map((f) => (f as Error).constructor.name)).to.deep.equal([
        "BadRequestError",
        "InvalidResponseError",
        "ConnectionError",
        "TimeoutError",
        "InternalServerError",
        "InvalidRequestError",
      ]);
      for (const failure of failures) {
        for (const text of texts(failure)) {
          expect(text).not.to.match(SECRET_PATTERN);
          expect(text).not.to.contain(KEY);
        }
      }
      expect((failures[0] as BadRequestError).detail).to.equal("bad token [REDACTED]");
    });
  });
});
