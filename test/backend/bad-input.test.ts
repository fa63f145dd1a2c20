import { expect } from "chai";
import { expectAdminError, expectError, harness, uniqueName, type Harness } from "./helper";

/** Atlassian's 400 on a public route: no `source.pointer` there, so the detail names the field. */
function expectInvalid(res: Awaited<ReturnType<Harness["call"]>>, field?: string): void {
  expectAdminError(res, 400, "ADMIN-400-24", "INVALID_BODY");
  if (field !== undefined) expect(res.body.errors.map((e: any) => e.detail).join("\n")).to.include(field);
}

/**
 * Bad input never crashes the server and never half-writes: each gets an error body naming
 * the field (Atlassian's on its public routes, the contract's on the extensions), and the
 * store is the same afterwards.
 */
describe("backend: bad input", () => {
  let b: Harness;
  let account: any;
  let snapshot: string;
  const state = async () => {
    const accounts = await b.ok("GET", "/service-accounts?limit=80");
    const parts: unknown[] = [accounts.items];
    for (const a of accounts.items) {
      parts.push((await b.ok("GET", `/service-accounts/${a.id}/api-tokens?limit=80`)).items);
      parts.push((await b.ok("GET", `/service-accounts/${a.id}/scope-bindings?limit=100`)).items);
    }
    // A refused request is itself an audit event (request.denied); nothing else may appear.
    const events = (await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?limit=100`)).data;
    parts.push(events.filter((e: any) => e.attributes.action !== "request.denied").length);
    return JSON.stringify(parts);
  };
  before(async () => {
    b = await harness();
    account = await b.ok("POST", "/service-accounts", { displayName: uniqueName("bad") });
    await b.ok("POST", `/service-accounts/${account.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 3 });
    await b.ok("POST", `/service-accounts/${account.id}/scope-bindings`, { resource: "jira:project/BAD", role: "viewer" });
    snapshot = await state();
  });
  afterEach(async () => {
    expect(await state(), "the store is unchanged").to.equal(snapshot);
    expect((await b.call("GET", "/healthz")).status, "the server is alive").to.equal(200);
  });
  after(() => b.close());
  const tokens = () => `/service-accounts/${account.id}/api-tokens`;

  it("malformed JSON", async () => {
    for (const raw of ["{", '{"displayName": "abc"', "nul", "{'displayName':'x'}", "\u0000"]) {
      expectInvalid(await b.call("POST", "/service-accounts", undefined, { raw }));
    }
    expectError(await b.call("POST", tokens(), undefined, { raw: "{" }), 400, "validation.failed");
  });

  it("a body that is not an object, or no body at all", async () => {
    for (const body of [[], "name", 42, null]) expectInvalid(await b.call("POST", "/service-accounts", body));
    expectInvalid(await b.call("POST", "/service-accounts"));
    const missing = await b.call("POST", "/service-accounts", {});
    expectInvalid(missing);
    expect(missing.body.errors[0].detail).to.equal("field displayName is required");
  });

  it("a body that is not JSON (415)", async () => {
    const res = await b.call("POST", "/service-accounts", undefined, { raw: "displayName=abcdef", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectAdminError(res, 415, "ADMIN-415-1");
  });

  it("wrong types", async () => {
    expectInvalid(await b.call("POST", "/service-accounts", { displayName: 123456 }), "displayName");
    expectInvalid(await b.call("POST", "/service-accounts", { displayName: ["x"] }), "displayName");
    expectError(await b.call("POST", tokens(), { label: "x", scopes: "read:jira-work", expiresInDays: 3 }), 400, "validation.failed", "/scopes");
    expectError(await b.call("POST", tokens(), { label: "x", scopes: ["read:jira-work"], expiresInDays: "3" }), 400, "validation.failed", "/expiresInDays");
    expectError(await b.call("PATCH", `/service-accounts/${account.id}`, { status: "deleted" }), 400, "validation.failed", "/status");
  });

  it("unknown fields, each named", async () => {
    const res = await b.call("POST", "/service-accounts", { displayName: uniqueName("u"), admin: true, __proto__x: 1 });
    expectInvalid(res, "admin");
    expectInvalid(res, "__proto__x");
    const proto = await b.call("POST", "/service-accounts", undefined, { raw: `{"displayName":"${uniqueName("p")}","__proto__":{"status":"suspended"}}` });
    expectInvalid(proto, "__proto__");
    expectError(await b.call("POST", tokens(), { label: "x", scopes: ["read:jira-work"], expiresInDays: 3, admin: true }), 400, "validation.failed", "/admin");
  });

  it("a body over 64 KiB (413 payload.tooLarge)", async () => {
    const res = await b.call("POST", "/service-accounts", { displayName: uniqueName("big"), description: "x".repeat(70 * 1024) });
    expectAdminError(res, 413, "ADMIN-413-1");
    expectError(await b.call("POST", tokens(), { label: "x".repeat(70 * 1024), scopes: ["read:jira-work"], expiresInDays: 3 }), 413, "payload.tooLarge");
  });

  it("overlong strings", async () => {
    expectInvalid(await b.call("POST", "/service-accounts", { displayName: "d".repeat(101) }), "displayName");
    expectInvalid(await b.call("POST", "/service-accounts", { displayName: uniqueName("l"), description: "d".repeat(1001) }), "description");
    expectError(await b.call("POST", tokens(), { label: "l".repeat(101), scopes: ["read:jira-work"], expiresInDays: 3 }), 400, "validation.failed", "/label");
    expectError(await b.call("POST", tokens(), { label: "x", scopes: ["read:" + "j".repeat(5000)], expiresInDays: 3 }), 400, "validation.failed", "/scopes/0");
  });

  it("unicode and control characters in names", async () => {
    for (const displayName of ["bell\u0007", "line\nbreak", "\u009b", "   "]) {
      expectInvalid(await b.call("POST", "/service-accounts", { displayName }), "displayName");
    }
    expectError(await b.call("POST", tokens(), { label: "tab\tlabel", scopes: ["read:jira-work"], expiresInDays: 3 }), 400, "validation.failed", "/label");
    // A lone surrogate is not text: stored, it would silently become U+FFFD.
    const lone = await b.call("POST", "/service-accounts", undefined, { raw: `{"displayName":"\\ud800x"}` });
    expectInvalid(lone);
  });

  it("path traversal and SQL-looking ids", async () => {
    const ids = ["..%2F..%2Fetc%2Fpasswd", "1'%20OR%20'1'%3D'1", "1%3B%20DROP%20TABLE%20service_accounts", "%00", "a".repeat(65)];
    for (const id of ids) {
      expectError(await b.call("GET", `/service-accounts/${id}`), 400, "validation.failed", "/id");
      expectInvalid(await b.call("DELETE", `/service-accounts/${id}`), "id");
      expectError(await b.call("PATCH", `/service-accounts/${account.id}/scope-bindings/${id}`, { role: "admin" }), 400, "validation.failed", "/bindingId");
      expectError(await b.call("DELETE", `${tokens()}/${id}`), 400, "validation.failed", "/tokenId");
    }
    const sqlLabel = await b.ok("GET", `${tokens()}?tokenLabel=${encodeURIComponent("x' OR '1'='1")}`);
    expect(sqlLabel.total).to.equal(0);
    const traversal = await b.call("GET", "/admin/api-access/v1/orgs/..%2F..%2Fx/service-accounts");
    expect(traversal.status).to.be.oneOf([401, 403]);
  });

  it("negative, huge or non-numeric limits and unknown query parameters", async () => {
    for (const q of ["limit=-5", "limit=1000000000000", "limit=NaN", "limit=", "bogus=1", "name=x"]) {
      expectInvalid(await b.call("GET", `/service-accounts?${q}`));
      expectError(await b.call("GET", `/service-accounts/${account.id}/scope-bindings?${q}`), 400, "validation.failed");
    }
  });

  it("a forged cursor", async () => {
    const forged = Buffer.from('{"a":0}').toString("base64url") + ".AAAAAAAAAAAAAAAAAAAAAAAA";
    expectAdminError(await b.call("GET", `/service-accounts?cursor=${forged}`), 400, "ADMIN-400-1", "INVALID_CURSOR");
    expectAdminError(await b.call("GET", `/admin/v1/orgs/${b.orgId}/events?cursor=${forged}`), 400, "ADMIN-400-1", "INVALID_CURSOR");
    expectError(await b.call("GET", `/service-accounts/${account.id}/scope-bindings?cursor=${forged}`), 400, "validation.failed", "/cursor");
  });

  it("a URL with broken percent-encoding", async () => {
    const res = await b.call("GET", "/service-accounts/%zz");
    expectError(res, 400, "validation.failed");
    expect(res.headers.get("x-request-id")).to.be.a("string");
  });

  it("an unknown route or method gets the contract's 404, told apart from a missing object", async () => {
    expectError(await b.call("GET", "/nowhere"), 404, "endpoint.notFound");
    expectError(await b.call("PUT", `/service-accounts/${account.id}`, { name: "x" }), 404, "endpoint.notFound");
  });
});
