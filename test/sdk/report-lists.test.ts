import { expect } from "chai";
import { Client } from "../../sdk";
import { startTestBackend, type TestBackend } from "./backend";
import { startScriptedServer, type ScriptedServer } from "./scripted-server";

/** Basic auth of a token in use on the product plane. */
const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;

describe("sdk: OAuth clients and token uses (what the credential report reads)", () => {
  let b: TestBackend;
  let client: Client;
  before(async () => {
    b = await startTestBackend({ atlassian: { accountReadyDelayMs: 0 } });
    client = b.client();
  });
  after(() => b.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${b.url}/admin/api-access/v1/orgs/${b.orgId}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${b.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, path).to.equal(201);
    return (await res.json()) as any;
  };

  describe("oauthClients", () => {
    it("lists every client of the org across pages (bare cursors), times as ISO-8601", async () => {
      const a = await client.serviceAccounts.create({ displayName: "many clients" });
      for (let i = 0; i < 55; i++) await post(`/service-accounts/${a.id}/oauth-clients`, { name: `c${i}` });
      const pages = [];
      for await (const page of client.oauthClients.list().pages()) pages.push(page.items.length);
      expect(pages).to.deep.equal([50, 5]);
      const all = await client.oauthClients.list().toArray();
      expect(all.map((c) => c.name)).to.deep.equal(Array.from({ length: 55 }, (_, i) => `c${i}`));
      expect(all[0]!.createdAt).to.match(/^\d{4}-\d\d-\d\dT.*Z$/);
      expect(all[0]!.status).to.equal("ACTIVE");
    });

    it("lists one account's clients; an account that is gone has none", async () => {
      const a = await client.serviceAccounts.create({ displayName: "one client" });
      const made = await post(`/service-accounts/${a.id}/oauth-clients`, { name: "mine" });
      expect((await client.oauthClients.listForAccount(a.id)).map((c) => c.clientId)).to.deep.equal([made.clientId]);
      await client.serviceAccounts.delete(a.id);
      expect(await client.oauthClients.listForAccount(a.id)).to.deep.equal([]);
    });
  });

  describe("events.lastTokenUses", () => {
    it("finds each token's latest use in the audit log, and leaves unused tokens out", async () => {
      const a = await client.serviceAccounts.create({ displayName: "token user" });
      await client.extensions.scopeBindings.create(a.id, { resource: "jira:project/USE", role: "viewer" });
      const start = new Date(Date.now() - 1000);
      const [used, twice, idle] = await Promise.all(
        ["used", "twice", "idle"].map((label) => client.extensions.apiTokens.create(a.id, { label, scopes: ["read:jira-work"], expiresInDays: 5 })),
      );
      // The product plane at the site's own URL (the default org's site).
      for (const t of [used!, twice!, twice!]) {
        const res = await fetch(`${b.url}/rest/api/3/project/USE`, { headers: { authorization: basic(a.email, t.token) } });
        expect(res.status).to.equal(200);
        await new Promise((r) => setTimeout(r, 5));
      }
      const found = await client.events.lastTokenUses({ from: start });
      expect(found.complete).to.equal(true);
      expect(found.requests).to.equal(1);
      expect([...found.lastUsed.keys()].sort()).to.deep.equal([used!.id, twice!.id].sort());
      expect(found.lastUsed.has(idle!.id)).to.equal(false);
      const listed = await client.serviceAccountTokens.list(a.id);
      expect(found.lastUsed.get(twice!.id)).to.equal(listed.find((t) => t.id === twice!.id)!.lastUsedAt);
    });

    it("sends no more requests than the budget, and never more than Atlassian's 10 a minute", async () => {
      const from = new Date();
      // Twelve events at least, so that pages of one outnumber the budget.
      for (let i = 0; i < 12; i++) await client.serviceAccounts.create({ displayName: `budget ${i}` });
      const one = await client.events.lastTokenUses({ from, limit: 2, maxRequests: 1 });
      expect(one).to.include({ requests: 1, complete: false });
      const capped = await client.events.lastTokenUses({ from, limit: 1, maxRequests: 50 });
      expect(capped).to.include({ requests: 10, complete: false });
    });
  });
});

describe("sdk: events.lastTokenUses on Atlassian's documented event shape", () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer();
  });
  after(() => server.close());

  it("reads actor.auth.tokenId, keeps the latest time whatever the order, follows a bare cursor and sends `from` in epoch ms", async () => {
    const event = (time: string, auth?: Record<string, string>) => ({
      id: time,
      type: "events",
      attributes: { time, action: "jira_issue_viewed", actor: { id: "557058:abc", name: "bot", ...(auth ? { auth } : {}) }, context: [], location: { ip: "1.2.3.4" } },
    });
    server.script(
      {
        status: 200,
        body: {
          data: [
            event("2026-12-03T10:00:00.000Z", { authType: "api-token", tokenId: "tok-1", tokenLabel: "ci" }),
            event("2026-12-01T10:00:00.000Z", { authType: "api-token", tokenId: "tok-2" }),
            event("2026-12-04T10:00:00.000Z"),
          ],
          meta: { next: "c2", page_size: 25 },
          links: { self: "c1", next: "c2" },
        },
      },
      {
        status: 200,
        body: {
          data: [
            event("2026-12-02T10:00:00.000Z", { authType: "api-token", tokenId: "tok-1" }),
            event("2026-12-05T10:00:00.000Z", { authType: "auth-token-for-3LO", tokenId: "tok-2" }),
            { unexpected: true },
          ],
          links: { self: "c2" },
        },
      },
    );
    const c = new Client({ baseUrl: server.url, orgId: "org-1", apiKey: "k", retryBaseDelayMs: 1 });
    try {
      const from = new Date("2026-11-01T00:00:00Z");
      const found = await c.events.lastTokenUses({ from });
      expect(Object.fromEntries(found.lastUsed)).to.deep.equal({ "tok-1": "2026-12-03T10:00:00.000Z", "tok-2": "2026-12-01T10:00:00.000Z" });
      expect(found).to.include({ complete: true, requests: 2 });
      const [first, second] = server.requests.map((r) => new URL(r.url, server.url));
      expect(first!.pathname).to.equal("/admin/v1/orgs/org-1/events");
      expect(first!.searchParams.get("from")).to.equal(String(from.getTime()));
      expect(second!.searchParams.get("cursor")).to.equal("c2");
    } finally {
      c.close();
    }
  });
});
