import { expect } from "chai";
import { ServiceAccount } from "../../sdk/schemas";
import { expectError, harness, uniqueName, type Harness } from "./helper";

describe("backend: service accounts", () => {
  let b: Harness;
  before(async () => {
    b = await harness({ plan: "standard" });
  });
  after(() => b.close());

  it("creates an account with the contract's fields and defaults", async () => {
    const name = uniqueName("ci");
    const res = await b.call("POST", "/service-accounts", { name, description: "deploys" });
    expect(res.status).to.equal(201);
    const a = ServiceAccount.parse(res.body);
    expect(a).to.include({ name, displayName: name, email: `${name}@serviceaccount.atlassian.com`, description: "deploys", status: "active" });
    expect(a.accountId).to.be.a("string").and.not.equal(a.id);
    expect(new Date(a.createdAt).toISOString()).to.equal(a.createdAt);
  });

  it("gets, finds by name, updates and deletes an account", async () => {
    const name = uniqueName("life");
    const a = await b.ok("POST", "/service-accounts", { name, displayName: "Life Cycle" });
    expect(await b.ok("GET", `/service-accounts/${a.id}`)).to.deep.equal(a);
    const byName = await b.ok("GET", `/service-accounts?name=${name}`);
    expect(byName.items.map((x: any) => x.id)).to.deep.equal([a.id]);
    expect(byName.total).to.equal(1);
    const patched = await b.ok("PATCH", `/service-accounts/${a.id}`, { displayName: "Renamed", status: "suspended", description: "x" });
    expect(patched).to.include({ displayName: "Renamed", status: "suspended", description: "x", name });
    expect(patched.updatedAt >= a.updatedAt).to.equal(true);
    const del = await b.call("DELETE", `/service-accounts/${a.id}`);
    expect(del.status).to.equal(204);
    expect(del.text).to.equal("");
    expectError(await b.call("GET", `/service-accounts/${a.id}`), 404, "not.found");
    expectError(await b.call("DELETE", `/service-accounts/${a.id}`), 404, "not.found");
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { displayName: "x" }), 404, "not.found");
  });

  it("keeps unicode text in displayName and description exactly as sent", async () => {
    const a = await b.ok("POST", "/service-accounts", { name: uniqueName("uni"), displayName: "Déploiement 🚀 日本", description: "tabs\tand\nlines, ü" });
    const got = await b.ok("GET", `/service-accounts/${a.id}`);
    expect(got.displayName).to.equal("Déploiement 🚀 日本");
    expect(got.description).to.equal("tabs\tand\nlines, ü");
  });

  it("refuses a taken name with 409 conflict.nameTaken, and frees the name on delete", async () => {
    const name = uniqueName("taken");
    const a = await b.ok("POST", "/service-accounts", { name });
    expectError(await b.call("POST", "/service-accounts", { name }), 409, "conflict.nameTaken", "/name");
    await b.ok("DELETE", `/service-accounts/${a.id}`);
    expect((await b.call("POST", "/service-accounts", { name })).status).to.equal(201);
  });

  it("keeps name and email immutable", async () => {
    const a = await b.ok("POST", "/service-accounts", { name: uniqueName("immut") });
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { name: "other-name" }), 400, "validation.failed", "/name");
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { email: "x@y.z" }), 400, "validation.failed", "/email");
  });

  it("deleting an account revokes its tokens and removes its bindings", async () => {
    const a = await b.ok("POST", "/service-accounts", { name: uniqueName("gone") });
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 5 });
    await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/GONE", role: "viewer" });
    await b.ok("DELETE", `/service-accounts/${a.id}`);
    const r = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/GONE", `Bearer ${t.token}`);
    expect(r.status).to.equal(401);
  });
});

describe("backend: plan quotas", () => {
  it("stops the free plan at 5 accounts with a message naming the plan and its limit", async () => {
    const b = await harness({ plan: "free" });
    try {
      for (let i = 0; i < 5; i++) await b.ok("POST", "/service-accounts", { name: uniqueName("quota") });
      const res = await b.call("POST", "/service-accounts", { name: uniqueName("quota") });
      expectError(res, 409, "quota.exceeded");
      expect(res.body.errors[0].detail).to.match(/free plan/).and.match(/\b5\b/);
      expect((await b.ok("GET", "/service-accounts")).total).to.equal(5);
    } finally {
      await b.close();
    }
  });

  for (const [plan, limit] of [["standard", 250], ["enterprise", 1000]] as const) {
    it(`stops the ${plan} plan at ${limit} accounts, and a delete frees a place`, async function () {
      this.timeout(120_000);
      const b = await harness({ plan });
      try {
        const ids: string[] = [];
        for (let i = 0; i < limit; i += 25) {
          const batch = Array.from({ length: Math.min(25, limit - i) }, () => b.ok("POST", "/service-accounts", { name: uniqueName("quota") }));
          for (const a of await Promise.all(batch)) ids.push(a.id);
        }
        const res = await b.call("POST", "/service-accounts", { name: uniqueName("quota") });
        expectError(res, 409, "quota.exceeded");
        expect(res.body.errors[0].detail).to.match(new RegExp(`${plan} plan`)).and.match(new RegExp(`\\b${limit}\\b`));
        expect((await b.ok("GET", "/service-accounts")).total).to.equal(limit);
        expect((await b.call("DELETE", `/service-accounts/${ids[0]}`)).status).to.equal(204);
        expect((await b.call("POST", "/service-accounts", { name: uniqueName("quota") })).status).to.equal(201);
      } finally {
        await b.close();
      }
    });
  }
});
