import { expect } from "chai";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { expectError, harness, uniqueName, type Harness } from "./helper";

describe("backend: operations", () => {
  let b: Harness;
  before(async () => {
    b = await harness({ rateLimit: "1000/60" });
  });
  after(() => b.close());

  it("answers /healthz", async () => {
    const res = await b.call("GET", "/healthz", undefined, { key: null });
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal("ok");
  });

  it("echoes the caller's X-Request-Id, or makes one, on every response (errors included)", async () => {
    expect((await b.call("GET", "/service-accounts", undefined, { headers: { "x-request-id": "req-123" } })).headers.get("x-request-id")).to.equal("req-123");
    const made = await b.call("GET", "/nowhere", undefined, { headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
    expect(made.body.errors[0].meta.requestId).to.equal(made.headers.get("x-request-id"));
    const unauth = await b.call("GET", "/service-accounts", undefined, { key: null });
    expect(unauth.headers.get("x-request-id")).to.be.a("string");
    expect(unauth.headers.get("x-ratelimit-limit")).to.equal("1000");
  });

  it("serves Prometheus metrics: requests by route and status, and a latency histogram", async () => {
    await b.ok("POST", "/service-accounts", { displayName: uniqueName("m") });
    const text = await (await fetch(`${b.url}/metrics`)).text();
    expect(text).to.match(/# TYPE http_requests_total counter/);
    expect(text).to.match(/http_requests_total\{method="POST",route="\/admin\/api-access\/v1\/orgs\/:orgId\/service-accounts",status="201"\} 1/);
    expect(text).to.match(/http_request_duration_seconds_bucket\{method="POST",route="[^"]+",le="\+Inf"\} \d+/);
    expect(text).to.not.match(SECRET_PATTERN);
  });

  it("serves a generated OpenAPI document of every endpoint", async () => {
    const doc = (await (await fetch(`${b.url}/openapi.json`)).json()) as any;
    expect(doc.openapi).to.match(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      "/admin/api-access/v1/orgs/{orgId}/service-accounts",
      "/admin/api-access/v1/orgs/{orgId}/service-accounts/{id}",
      "/admin/api-access/v1/orgs/{orgId}/service-accounts/{id}/api-tokens",
      "/admin/api-access/v1/orgs/{orgId}/service-accounts/{id}/api-tokens/{tokenId}",
      "/admin/api-access/v1/orgs/{orgId}/service-accounts/{id}/scope-bindings/{bindingId}",
      "/admin/api-access/v1/orgs/{orgId}/api-keys",
      "/admin/v1/orgs/{orgId}/events",
      "/ex/jira/{cloudId}/rest/api/3/project/{projectIdOrKey}",
      "/ex/jira/{cloudId}/rest/api/3/project/{projectIdOrKey}/role/{id}",
      "/ex/confluence/{cloudId}/wiki/api/v2/spaces/{id}/role-assignments",
      "/ex/confluence/{cloudId}/wiki/api/v2/pages",
    ]) {
      expect(paths).to.include(p);
    }
    const create = doc.paths["/admin/api-access/v1/orgs/{orgId}/service-accounts"].post;
    expect(create.requestBody).to.be.an("object");
    expect(create.responses).to.have.keys("201", "4XX", "5XX");
  });

  it("answers a server-side failure with a plain 500 internal, retryable, without internals", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("broken") });
    // Break the database under the running server: its next binding query (bindings are a view of the grants) fails.
    const db = new DatabaseSync(path.join(b.dataDir, "identity.sqlite"));
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("ALTER TABLE access_grants RENAME TO access_grants_gone");
    try {
      const res = await b.call("GET", `/service-accounts/${a.id}/scope-bindings`);
      expectError(res, 500, "internal");
      expect(res.text).to.not.match(/sqlite|access_grants|no such table|\.ts|at \w+ \(/i);
      expect(res.body.errors[0].detail).to.include(res.headers.get("x-request-id"));
    } finally {
      db.exec("ALTER TABLE access_grants_gone RENAME TO access_grants");
      db.close();
    }
    expect((await b.call("GET", `/service-accounts/${a.id}/scope-bindings`)).status).to.equal(200);
  });
});
