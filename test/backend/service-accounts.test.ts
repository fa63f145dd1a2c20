import { expect } from "chai";
import { ExtensionServiceAccount } from "../../sdk/schemas";
import { createAccount, expectAdminError, expectError, harness, uniqueName, type Harness } from "./helper";

describe("backend: service accounts", () => {
  let b: Harness;
  before(async () => {
    b = await harness({ plan: "standard" });
  });
  after(() => b.close());

  describe("Atlassian's create: a display name and a description", () => {
    it("answers 201 with the list item: generated email with a random suffix, generated ids, no name", async () => {
      const res = await b.call("POST", "/service-accounts", { displayName: "CI Deploy Bot!", description: "deploys" });
      expect(res.status, res.text).to.equal(201);
      const a = res.body;
      expect(a).to.not.have.property("name");
      expect(a).to.include({ displayName: "CI Deploy Bot!", description: "deploys", status: "active", container: b.orgId });
      expect(a.email).to.match(/^ci-deploy-bot-[a-z0-9]{10}@serviceaccount\.atlassian\.com$/);
      expect(a.id).to.match(/^[0-9a-f-]{36}$/);
      expect(a.atlassianId).to.match(/^712020:[0-9a-f-]{36}$/);
      expect(a.updatedAt).to.be.a("number");
      const listed = (await b.ok("GET", "/service-accounts")).items.find((x: any) => x.id === a.id);
      expect(listed).to.deep.equal(a);
    });

    it("slugs the display name to at most 30 characters, and uses sa when nothing is left", async () => {
      const long = await createAccount(b, "A".repeat(45));
      expect(long.email).to.match(new RegExp(`^${"a".repeat(30)}-[a-z0-9]{10}@`));
      const symbols = await createAccount(b, "日本 !!");
      expect(symbols.email).to.match(/^sa-[a-z0-9]{10}@/);
    });

    it("allows repeated display names: each create is a new account with its own email", async () => {
      const one = await createAccount(b, "Same Name");
      const two = await createAccount(b, "Same Name");
      expect(two.id).to.not.equal(one.id);
      expect(two.email).to.not.equal(one.email);
      const same = (await b.ok("GET", "/service-accounts?limit=80")).items.filter((x: any) => x.displayName === "Same Name");
      expect(same.map((x: any) => x.id)).to.include.members([one.id, two.id]);
    });

    it("refuses name, email or any other field with Atlassian's 400", async () => {
      for (const body of [{ name: "ci-bot", displayName: "x" }, { displayName: "x", email: "x@y.z" }, { displayName: "x", extra: 1 }, {}, { displayName: "" }]) {
        expectAdminError(await b.call("POST", "/service-accounts", body), 400, "ADMIN-400-24", "INVALID_BODY");
      }
    });

    it("ignores Idempotency-Key: the same create sent twice makes two accounts", async () => {
      const headers = { "idempotency-key": `replay-${uniqueName()}` };
      const body = { displayName: uniqueName("replay") };
      const one = await b.call("POST", "/service-accounts", body, { headers });
      const two = await b.call("POST", "/service-accounts", body, { headers });
      expect([one.status, two.status]).to.deep.equal([201, 201]);
      expect(two.body.id).to.not.equal(one.body.id);
      const listed = (await b.ok("GET", "/service-accounts?limit=80")).items.filter((x: any) => x.displayName === body.displayName);
      expect(listed).to.have.length(2);
    });

    it("has no ?name= filter (Atlassian documents none)", async () => {
      expectAdminError(await b.call("GET", "/service-accounts?name=x"), 400, "ADMIN-400-24");
    });
  });

  it("the extensions know the account by id, with name = the email's local part", async () => {
    const a = await createAccount(b, "Life Cycle");
    const got = ExtensionServiceAccount.parse(await b.ok("GET", `/service-accounts/${a.id}`));
    expect(got).to.include({ id: a.id, accountId: a.atlassianId, email: a.email, name: a.email.split("@")[0], displayName: "Life Cycle" });
    const patched = await b.ok("PATCH", `/service-accounts/${a.id}`, { displayName: "Renamed", status: "suspended", description: "x" });
    expect(patched).to.include({ displayName: "Renamed", status: "suspended", description: "x", name: got.name });
    const del = await b.call("DELETE", `/service-accounts/${a.id}`);
    expect(del.status).to.equal(204);
    expect(del.text).to.equal("");
    // Extensions answer the contract's body; Atlassian's routes answer Atlassian's.
    expectError(await b.call("GET", `/service-accounts/${a.id}`), 404, "not.found");
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { displayName: "x" }), 404, "not.found");
    expectAdminError(await b.call("DELETE", `/service-accounts/${a.id}`), 404, "ADMIN-404-1", "NOT_FOUND");
  });

  it("keeps unicode text in displayName and description exactly as sent", async () => {
    const a = await createAccount(b, "Déploiement 🚀 日本", "tabs\tand\nlines, ü");
    const got = await b.ok("GET", `/service-accounts/${a.id}`);
    expect(got.displayName).to.equal("Déploiement 🚀 日本");
    expect(got.description).to.equal("tabs\tand\nlines, ü");
  });

  it("keeps name and email immutable", async () => {
    const a = await createAccount(b);
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { name: "other-name" }), 400, "validation.failed", "/name");
    expectError(await b.call("PATCH", `/service-accounts/${a.id}`, { email: "x@y.z" }), 400, "validation.failed", "/email");
  });

  it("deleting an account revokes its tokens and removes its bindings", async () => {
    const a = await createAccount(b);
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
      for (let i = 0; i < 5; i++) await createAccount(b);
      const res = await b.call("POST", "/service-accounts", { displayName: uniqueName("quota") });
      expectAdminError(res, 402, "ADMIN-402-1", "LICENSE_LIMIT_EXCEEDED");
      expect(res.body.errors[0].detail).to.match(/free plan/).and.match(/\b5\b/);
      expect((await b.ok("GET", "/service-accounts")).total).to.equal(5);
    } finally {
      await b.close();
    }
  });

  it("answers 409 ADMIN-UAM-409-3 instead when playing that reading (--atlassian quotaStatus=409)", async () => {
    const b = await harness({ plan: "free", atlassian: { quotaStatus: "409" } });
    try {
      for (let i = 0; i < 5; i++) await createAccount(b);
      const res = await b.call("POST", "/service-accounts", { displayName: uniqueName("quota") });
      expectAdminError(res, 409, "ADMIN-UAM-409-3", "Product License Limit Exceeded");
      expect(res.body.errors[0].detail).to.match(/free plan/).and.match(/\b5\b/);
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
          const batch = Array.from({ length: Math.min(25, limit - i) }, () => createAccount(b));
          for (const a of await Promise.all(batch)) ids.push(a.id);
        }
        const res = await b.call("POST", "/service-accounts", { displayName: uniqueName("quota") });
        expectAdminError(res, 402, "ADMIN-402-1", "LICENSE_LIMIT_EXCEEDED");
        expect(res.body.errors[0].detail).to.match(new RegExp(`${plan} plan`)).and.match(new RegExp(`\\b${limit}\\b`));
        expect((await b.ok("GET", "/service-accounts")).total).to.equal(limit);
        expect((await b.call("DELETE", `/service-accounts/${ids[0]}`)).status).to.equal(204);
        expect((await b.call("POST", "/service-accounts", { displayName: uniqueName("quota") })).status).to.equal(201);
      } finally {
        await b.close();
      }
    });
  }
});
