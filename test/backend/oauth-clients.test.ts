import { expect } from "chai";
import { harness, type Harness } from "./helper";

/** What the credential report reads, as the stand-in serves it: OAuth clients, token lists, token uses in the audit log. */
describe("backend: the lists the credential report reads", () => {
  describe("OAuth 2.0 clients", () => {
    let b: Harness;
    before(async () => {
      b = await harness({ atlassian: { maxPageSize: 20 } });
    });
    after(() => b.close());

    it("lists the org's clients in Atlassian's shape: data, bare cursors in links, epoch-ms times, no account", async () => {
      const a = await b.ok("POST", "/service-accounts", { displayName: "with clients" });
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await b.ok("POST", `/service-accounts/${a.id}/oauth-clients`, { name: `client ${i}` }));
      expect(made[0]).to.include({ name: "client 0", status: "ACTIVE", serviceAccountId: a.id });

      const first = await b.ok("GET", `${b.base}/oauth-clients?pageSize=2`);
      expect(Object.keys(first)).to.deep.equal(["data", "links"]);
      expect(first.data).to.have.length(2);
      expect(Object.keys(first.data[0]).sort()).to.deep.equal(["clientId", "createdAt", "name", "status", "updatedAt"]);
      expect(first.data[0].createdAt).to.be.a("number").and.be.closeTo(Date.now(), 60_000);
      expect(first.links.next, "a bare cursor").to.be.a("string").and.not.match(/[/?]/);
      const second = await b.ok("GET", `${b.base}/oauth-clients?pageSize=2&cursor=${encodeURIComponent(first.links.next)}`);
      expect(second.links.self).to.equal(first.links.next);
      const third = await b.ok("GET", `${b.base}/oauth-clients?pageSize=2&cursor=${encodeURIComponent(second.links.next)}`);
      expect(third.links).to.not.have.property("next");
      expect([...first.data, ...second.data, ...third.data].map((c: { clientId: string }) => c.clientId)).to.deep.equal(made.map((c) => c.clientId));

      const tooBig = await b.call("GET", `${b.base}/oauth-clients?pageSize=21`);
      expect(tooBig.status).to.equal(400);
      expect(tooBig.body.errors[0].code).to.match(/^ADMIN-400/);
    });

    it("lists one account's clients, and drops them with the account", async () => {
      const a = await b.ok("POST", "/service-accounts", { displayName: "own client" });
      const other = await b.ok("POST", "/service-accounts", { displayName: "other client" });
      const mine = await b.ok("POST", `/service-accounts/${a.id}/oauth-clients`, { name: "mine" });
      await b.ok("POST", `/service-accounts/${other.id}/oauth-clients`, { name: "theirs" });
      const listed = await b.ok("GET", `/service-accounts/${a.id}/oauth-clients`);
      expect(listed.data.map((c: { clientId: string }) => c.clientId)).to.deep.equal([mine.clientId]);
      await b.ok("DELETE", `/service-accounts/${a.id}`);
      const all = await b.ok("GET", `${b.base}/oauth-clients?pageSize=20`);
      const names = all.data.map((c: { name: string }) => c.name);
      expect(names).to.include("theirs");
      expect(names).to.not.include("mine");
      expect((await b.call("GET", `/service-accounts/${a.id}/oauth-clients`)).status).to.equal(404);
    });

    it("needs read:service-accounts-tokens:admin to list", async () => {
      const key = (await b.ok("POST", "/api-keys", { label: "accounts only", scopes: ["read:service-accounts:admin"] })).token;
      const refused = await b.call("GET", `${b.base}/oauth-clients`, undefined, { key });
      expect(refused.status).to.equal(401);
      expect(refused.body.errors[0].code).to.equal("ADMIN-401-2");
    });
  });

  describe("with --public-only and tokenPathId=atlassianId", () => {
    let b: Harness;
    before(async () => {
      b = await harness({ publicOnly: true, atlassian: { tokenPathId: "atlassianId", accountReadyDelayMs: 0 } });
    });
    after(() => b.close());

    it("serves the lists, takes the atlassianId on the account's list, and refuses the create (an extension)", async () => {
      const a = await b.ok("POST", "/service-accounts", { displayName: "public only" });
      expect((await b.ok("GET", `${b.base}/oauth-clients`)).data).to.deep.equal([]);
      expect((await b.ok("GET", `/service-accounts/${encodeURIComponent(a.atlassianId)}/oauth-clients`)).data).to.deep.equal([]);
      expect((await b.call("GET", `/service-accounts/${a.id}/oauth-clients`)).status).to.equal(404);
      const create = await b.call("POST", `/service-accounts/${a.id}/oauth-clients`, { name: "x" });
      expect(create.status).to.equal(404);
      expect(create.body.errors[0].code).to.equal("endpoint.notPublic");
    });
  });

  describe("token lists and token uses", () => {
    for (const lastUsed of ["present", "absent"] as const) {
      it(`lists a token ${lastUsed === "present" ? "with" : "without"} its last use (tokenListLastUsed=${lastUsed}); the audit log names the token either way`, async () => {
        const b = await harness({ atlassian: { tokenListLastUsed: lastUsed } });
        try {
          const a = await b.ok("POST", "/service-accounts", { displayName: "user of tokens" });
          const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 5 });
          await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/USE", role: "viewer" });
          const before = Date.now() - 1000;
          const auth = `Basic ${Buffer.from(`${a.email}:${t.token}`).toString("base64")}`;
          expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/USE", auth)).status).to.equal(200);

          const [item] = (await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).items;
          if (lastUsed === "present") expect(item.lastActiveAt).to.be.a("string");
          else expect(item).to.not.have.any.keys("lastActiveAt", "lastUsedAt");

          // Atlassian's form of the time bound: epoch milliseconds.
          const page = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?from=${before}&limit=100`);
          const used = page.data.filter((e: any) => e.attributes.action === "api-token.used");
          expect(used).to.have.length(1);
          expect(used[0].attributes.actor).to.deep.include({ type: "service-account", id: a.id, auth: { authType: "api-token", tokenId: t.id } });
          const later = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?from=${Date.now() + 60_000}`);
          expect(later.data).to.deep.equal([]);
        } finally {
          await b.close();
        }
      });
    }
  });
});
