import { expect } from "chai";
import { ADMIN_SCOPES, ApiKey, ApiKeyWithSecret, SECRET_PATTERN } from "../../sdk/schemas";
import { expectAdminError, expectError, harness, uniqueName, type Harness } from "./helper";

const OTHER_KEY = "pasak_" + "B".repeat(43);

describe("backend: admin authentication and scopes", () => {
  let b: Harness;
  let account: any;
  before(async () => {
    b = await harness({ orgs: [{ orgId: "org-b", adminKey: OTHER_KEY, plan: "free" }] });
    account = await b.ok("POST", "/service-accounts", { displayName: uniqueName("auth") });
  });
  after(() => b.close());

  it("answers 401 without a key, with an unknown key, or with a malformed header: Atlassian's ADMIN-401-1 on its routes, the contract's on an extension", async () => {
    expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: null }), 401, "ADMIN-401-1", "UNAUTHORIZED");
    expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: "pasak_" + "A".repeat(43) }), 401, "ADMIN-401-1", "UNAUTHORIZED");
    expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: null, headers: { authorization: "Basic Zm9vOmJhcg==" } }), 401, "ADMIN-401-1");
    expectError(await b.call("GET", `/service-accounts/${account.id}`, undefined, { key: null }), 401, "unauthorized");
  });

  describe("when the key belongs to another org", () => {
    it("can neither read nor change that org (403 forbidden.orgMismatch)", async () => {
      const asB = { key: OTHER_KEY };
      expectAdminError(await b.call("GET", "/service-accounts", undefined, asB), 403, "ADMIN-403-1");
      expectError(await b.call("GET", `/service-accounts/${account.id}`, undefined, asB), 403, "forbidden.orgMismatch");
      expectAdminError(await b.call("POST", "/service-accounts", { displayName: uniqueName("evil") }, asB), 403, "ADMIN-403-1");
      expectError(await b.call("PATCH", `/service-accounts/${account.id}`, { status: "suspended" }, asB), 403, "forbidden.orgMismatch");
      expectAdminError(await b.call("DELETE", `/service-accounts/${account.id}`, undefined, asB), 403, "ADMIN-403-1");
      expectAdminError(await b.call("GET", `/admin/v1/orgs/${b.orgId}/events`, undefined, asB), 403, "ADMIN-403-1");
      expect((await b.ok("GET", `/service-accounts/${account.id}`)).status).to.equal("active");
    });

    it("does not see another org's accounts through its own org path", async () => {
      const other = `/admin/api-access/v1/orgs/org-b`;
      const list = await b.ok("GET", `${other}/service-accounts`, undefined, { key: OTHER_KEY });
      expect(list.total).to.equal(0);
      expectError(await b.call("GET", `${other}/service-accounts/${account.id}`, undefined, { key: OTHER_KEY }), 404, "not.found");
      expectAdminError(await b.call("DELETE", `${other}/service-accounts/${account.id}`, undefined, { key: OTHER_KEY }), 404, "ADMIN-404-1");
      expectError(await b.call("POST", `${other}/service-accounts/${account.id}/api-tokens`, { label: "x", scopes: ["read:jira-work"], expiresInDays: 1 }, { key: OTHER_KEY }), 404, "not.found");
    });
  });

  describe("scoped keys", () => {
    // `extension`: this backend's route (403 forbidden.insufficientScope); else Atlassian's (401 ADMIN-401-2, AX-196).
    const cases: { scope: (typeof ADMIN_SCOPES)[number]; method: string; path: (id: string) => string; body?: unknown; extension?: boolean }[] = [
      { scope: "read:service-accounts:admin", method: "GET", path: () => "/service-accounts" },
      { scope: "write:service-accounts:admin", method: "PATCH", path: (id) => `/service-accounts/${id}`, body: { description: "scoped" }, extension: true },
      { scope: "read:service-accounts-tokens:admin", method: "GET", path: (id) => `/service-accounts/${id}/api-tokens` },
      { scope: "write:service-accounts-tokens:admin", method: "POST", path: (id) => `/service-accounts/${id}/api-tokens`, body: { label: "s", scopes: ["read:jira-work"], expiresInDays: 1 }, extension: true },
      { scope: "delete:service-accounts-tokens:admin", method: "DELETE", path: (id) => `/service-accounts/${id}/api-tokens` },
      { scope: "read:events:admin", method: "GET", path: () => "EVENTS" },
    ];
    const keys = new Map<string, string>();
    before(async () => {
      for (const c of cases) keys.set(c.scope, (await b.ok("POST", "/api-keys", { label: c.scope, scopes: [c.scope] })).token);
    });
    const resolve = (p: string) => (p === "EVENTS" ? `/admin/v1/orgs/${b.orgId}/events` : p);

    for (const c of cases) {
      it(`lets a key holding ${c.scope} do what it allows, and nothing else`, async () => {
        const key = keys.get(c.scope)!;
        const allowed = await b.call(c.method, resolve(c.path(account.id)), c.body, { key });
        expect(allowed.status, allowed.text).to.be.within(200, 299);
        for (const other of cases.filter((o) => o.scope !== c.scope)) {
          const res = await b.call(other.method, resolve(other.path(account.id)), other.body, { key });
          if (other.extension) expectError(res, 403, "forbidden.insufficientScope");
          else expectAdminError(res, 401, "ADMIN-401-2", "INSUFFICIENT_SCOPE");
          expect(res.body.errors[0].detail).to.include(other.scope);
        }
        // Listing keys is not one of the extensions: Atlassian's 401; creating one is, so the contract's 403.
        expectAdminError(await b.call("GET", "/api-keys", undefined, { key }), 401, "ADMIN-401-2");
        expectError(await b.call("POST", "/api-keys", { label: "x" }, { key }), 403, "forbidden.insufficientScope");
      });
    }
  });

  describe("org API keys", () => {
    it("creates a key whose secret is shown once, lists keys without secrets, and deletes it at once", async () => {
      const res = await b.call("POST", "/api-keys", { label: "ci", scopes: ["read:service-accounts:admin"], expiresInDays: 30 });
      expect(res.status).to.equal(201);
      const k = ApiKeyWithSecret.parse(res.body);
      expect(k.token).to.match(/^pasak_[A-Za-z0-9_-]{43}$/);
      expect(k.scopes).to.deep.equal(["read:service-accounts:admin"]);
      const unscoped = await b.ok("POST", "/api-keys", { label: "all" });
      expect(unscoped.scopes).to.equal(null);
      expect(unscoped.expiresAt).to.equal(null);

      expect((await b.call("GET", "/service-accounts", undefined, { key: k.token })).status).to.equal(200);
      const list = await b.call("GET", "/api-keys");
      expect(list.text).to.not.match(SECRET_PATTERN);
      const mine = list.body.items.find((x: any) => x.id === k.id);
      expect(ApiKey.parse(mine).lastUsedAt).to.be.a("string");

      expect((await b.call("DELETE", `/api-keys/${k.id}`)).status).to.equal(204);
      expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: k.token }), 401, "ADMIN-401-1");
      expectError(await b.call("DELETE", `/api-keys/${k.id}`), 404, "not.found");
      expect((await b.ok("GET", "/api-keys")).items.map((x: any) => x.id)).to.not.include(k.id);
    });

    it("refuses an expired key with 401", async () => {
      const k = await b.ok("POST", "/api-keys", { label: "short", expiresInDays: 1 });
      expect((await b.call("GET", "/service-accounts", undefined, { key: k.token })).status).to.equal(200);
      b.advance(2 * 86_400_000);
      try {
        expectAdminError(await b.call("GET", "/service-accounts", undefined, { key: k.token }), 401, "ADMIN-401-1");
      } finally {
        b.advance(-2 * 86_400_000);
      }
    });

    it("refuses an unknown admin scope, naming it", async () => {
      expectError(await b.call("POST", "/api-keys", { label: "x", scopes: ["read:everything:admin"] }), 400, "validation.failed", "/scopes/0");
    });
  });
});
