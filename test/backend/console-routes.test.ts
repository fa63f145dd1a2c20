/**
 * The admin console's routes (unsupported by Atlassian) and Atlassian's documented single
 * revoke, on the wire and through the sdk: `client.console` and `client.userApiTokens`.
 */
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Client, isNotFound, memberRule, NotFoundError, productAccountIdOf, SECRET_PATTERN } from "../../sdk";
import { basic, expectAdminError, harness, uniqueName, type Harness } from "./helper";

const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

describe("backend: the admin console's routes (--console-routes)", function () {
  this.timeout(30_000);

  describe("started without them", () => {
    let b: Harness;
    before(async () => {
      b = await harness({ publicOnly: true });
    });
    after(() => b.close());

    it("serves neither the mint nor the invite (no such route), and still serves Atlassian's documented single revoke", async () => {
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("noconsole") });
      const atlassianId = productAccountIdOf(a);
      const mint = await b.call("POST", `/users/${atlassianId}/manage/api-tokens`, { label: "x", scopes: ["read:jira-user"], expiry: inDays(5) });
      expect(mint.status).to.equal(404);
      expect(mint.body.errors[0].code).to.equal("endpoint.notFound");
      const invite = await b.call("POST", `/admin/account-management/v1/orgs/${b.orgId}/service-accounts/invite`, { userIds: [atlassianId], permissionRules: [memberRule("jira-software", b.cloudId)] });
      expect(invite.status).to.equal(404);
      // The documented revoke exists: an unknown token of a known account is a 404 of the object, not of the route.
      expectAdminError(await b.call("DELETE", `/users/${atlassianId}/manage/api-tokens/no-such-token`), 404, "ADMIN-404-1");
      // And the sdk's console operations fail as an unknown route, never as "gone".
      const client = new Client({ baseUrl: b.url, orgId: b.orgId, apiKey: b.adminKey, maxRetries: 0 });
      const err = await client.console.apiTokens.mint(atlassianId, { label: "x", scopes: ["read:jira-user"], expiry: inDays(5) }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NotFoundError);
      expect(isNotFound(err)).to.equal(false);
      client.close();
    });
  });

  it("needs an unscoped org key: a scoped one is refused with 403 on the mint, the revoke and the invite", async () => {
    // The stand-in makes a scoped key through its extension, so this backend serves those too.
    const b = await harness({ consoleRoutes: true });
    try {
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("scoped") });
      a.atlassianId = productAccountIdOf(a);
      const scoped = (await b.ok("POST", "/api-keys", { label: uniqueName("scoped"), scopes: ["write:service-accounts-tokens:admin", "delete:service-accounts-tokens:admin"] })).token;
      const key = { key: scoped };
      expect((await b.call("POST", `/users/${a.atlassianId}/manage/api-tokens`, { label: "x", scopes: ["read:jira-user"], expiry: inDays(5) }, key)).status).to.equal(403);
      expect((await b.call("DELETE", `/users/${a.atlassianId}/manage/api-tokens/any`, undefined, key)).status).to.equal(403);
      expect((await b.call("POST", `/admin/account-management/v1/orgs/${b.orgId}/service-accounts/invite`, { userIds: [a.atlassianId], permissionRules: [memberRule("jira-software", b.cloudId)] }, key)).status).to.equal(403);
      expect((await b.call("POST", `/users/${a.atlassianId}/manage/api-tokens`, { label: "x", scopes: ["read:jira-user"], expiry: inDays(5) }, { key: null })).status).to.equal(401);
    } finally {
      await b.close();
    }
  });

  describe("started with them, serving Atlassian's public surfaces only", () => {
    let b: Harness;
    let client: Client;
    before(async () => {
      b = await harness({ publicOnly: true, consoleRoutes: true });
      client = new Client({ baseUrl: b.url, orgId: b.orgId, apiKey: b.adminKey, maxRetries: 0 });
    });
    after(async () => {
      client.close();
      await b.close();
    });
    const account = async () => {
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("console") });
      return { ...a, atlassianId: productAccountIdOf(a) as string };
    };

    it("mints by atlassianId {label, scopes, expiry} -> {id, token}; the token works on the product plane and is listed; the single revoke stops it", async () => {
      const a = await account();
      const expiry = inDays(30);
      const res = await b.call("POST", `/users/${a.atlassianId}/manage/api-tokens`, { label: "ci", scopes: ["read:jira-user"], expiry });
      expect(res.status, res.text).to.equal(200);
      expect(Object.keys(res.body).sort()).to.deep.equal(["id", "token"]);
      expect(res.body.token).to.match(SECRET_PATTERN);
      const auth = basic(a.email, res.body.token);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", auth)).status).to.equal(200);
      const listed = (await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).items.find((t: any) => t.id === res.body.id);
      expect(listed).to.include({ label: "ci", status: "active", expiresAt: expiry });
      expect((await b.call("DELETE", `/users/${a.atlassianId}/manage/api-tokens/${res.body.id}`)).status).to.equal(204);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", auth)).status).to.equal(401);
      // The revoke was only that token: the account's list shows it revoked (or gone), nothing else changed.
      const after = (await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).items.find((t: any) => t.id === res.body.id);
      expect(after?.status ?? "revoked").to.equal("revoked");
    });

    it("refuses expiresAt (INVALID_EXPIRY), no scopes (MISSING_SCOPES), an expiry past 365 days, and the admin id in place of the atlassianId", async () => {
      const a = await account();
      const mint = (body: unknown, id = a.atlassianId) => b.call("POST", `/users/${id}/manage/api-tokens`, body);
      const r1 = await mint({ label: "x", scopes: ["read:jira-user"], expiresAt: inDays(5) });
      expectAdminError(r1, 400, "ADMIN-400-24");
      expect(r1.body.errors[0].detail).to.include("INVALID_EXPIRY");
      const r2 = await mint({ label: "x", expiry: inDays(5) });
      expect(r2.status).to.equal(400);
      expect(r2.body.errors[0].detail).to.include("MISSING_SCOPES");
      const r3 = await mint({ label: "x", scopes: ["read:jira-user"], expiry: inDays(400) });
      expect(r3.body.errors[0].detail).to.include("INVALID_EXPIRY");
      expectAdminError(await mint({ label: "x", scopes: ["read:jira-user"], expiry: inDays(5) }, a.id), 404, "ADMIN-404-1");
      expect((await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).items).to.deep.equal([]);
    });

    it("invite: 202 for accounts in the directory, 404 naming one that is not", async () => {
      const a = await account();
      const invite = (userIds: string[]) => b.call("POST", `/admin/account-management/v1/orgs/${b.orgId}/service-accounts/invite`, { userIds, permissionRules: [memberRule("jira-software", b.cloudId)] });
      expect((await invite([a.atlassianId])).status).to.equal(202);
      const missing = await invite([a.atlassianId, "712020:00000000-0000-0000-0000-000000000000"]);
      expect(missing.status).to.equal(404);
      expect(missing.body.errors[0].detail).to.include("not found in the directory");
    });

    it("/openapi.json tags them console and says Atlassian does not support them; not extensions", async () => {
      const doc = (await b.call("GET", "/openapi.json", undefined, { key: null })).body;
      const mint = doc.paths["/users/{accountId}/manage/api-tokens"].post;
      expect(mint.tags).to.include("console").and.not.include("extension");
      expect(mint.description).to.include("does not publish or support");
      expect(doc.paths["/users/{accountId}/manage/api-tokens/{tokenId}"].delete.tags).to.not.include("console");
    });

    it("sdk: client.console mints, client.userApiTokens revokes one (twice is fine), client.console.serviceAccounts invites; no secret in what it throws", async () => {
      const a = await account();
      const minted = await client.console.apiTokens.mint(a.atlassianId, { label: "sdk", scopes: ["read:jira-user"], expiry: inDays(10) });
      expect(minted.token).to.match(SECRET_PATTERN);
      const listed = await client.serviceAccountTokens.list(a.id);
      expect(listed.map((t) => t.id)).to.deep.equal([minted.id]);
      await client.userApiTokens.revoke(a.atlassianId, minted.id);
      await client.userApiTokens.revoke(a.atlassianId, minted.id);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", basic(a.email, minted.token))).status).to.equal(401);
      await client.console.serviceAccounts.invite({ userIds: [a.atlassianId], permissionRules: [memberRule("confluence", b.cloudId)] });
      // Bad input fails before any request, naming the field.
      const bad = await client.console.apiTokens.mint(a.atlassianId, { label: "x", scopes: [], expiry: inDays(1) }).catch((e: Error) => e);
      expect(String(bad)).to.include("scopes");
      const badRule = await client.console.serviceAccounts.invite({ userIds: [a.atlassianId], permissionRules: [{ role: "atlassian/user", resource: "x" }] }).catch((e: Error) => e);
      expect(String(badRule)).to.include("role must be a role ARI");
      const refused = await client.console.apiTokens.mint(a.atlassianId, { label: "x", scopes: ["read:jira-user"], expiry: inDays(500) }).catch((e: Error) => e);
      expect(String(refused)).to.include("INVALID_EXPIRY").and.not.match(SECRET_PATTERN).and.not.include(b.adminKey);
    });
  });

  it("sdk: a mint answered 200 without the secret throws, naming the token id to revoke; the POST is sent once", async () => {
    let posts = 0;
    const server = http.createServer((req, res) => {
      if (req.method === "POST") posts++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "tok-1" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = new Client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, orgId: "org-1", apiKey: "pasak_x" });
    try {
      const err = await client.console.apiTokens.mint("712020:abc", { label: "x", scopes: ["read:jira-user"], expiry: inDays(1) }).catch((e: Error) => e);
      expect(String(err)).to.include("returned no secret").and.include("tok-1").and.include("DELETE /users/712020%3Aabc/manage/api-tokens/tok-1");
      expect(posts).to.equal(1);
    } finally {
      client.close();
      server.close();
    }
  });
});
