/**
 * Atlassian's admin and product APIs as the evidence has them (issue 15), against a scripted
 * server, so that each reading the evidence allows can be played on demand: the create body
 * and its lenient reply, a PATCH answered 204 or in part, `links.next` as an absolute URL, a
 * relative URL or a bare cursor, the token routes taking `id` or `atlassianId`, the site URL
 * instead of the gateway, and Confluence's and Jira's looser shapes.
 */
import { expect } from "chai";
import {
  AuthenticationError,
  Client,
  IdentityError,
  InvalidRequestError,
  InvalidResponseError,
  nextPageQuery,
  SERVICE_ACCOUNT_CREATE_FIELDS,
  SERVICE_ACCOUNT_LIST_PAGE_SIZE,
  SERVICE_ACCOUNT_PATCH_ID_FIELD,
  tokenStatus,
  type ClientOptions,
} from "../../sdk";
import { startScriptedServer, type ScriptedServer } from "./scripted-server";
import { rejection as rejected } from "../rejection";

/** As unknown: each test narrows the error it expects. */
const rejection = (p: Promise<unknown>): Promise<unknown> => rejected(p);

const KEY = "pasak_" + "a".repeat(43);
const SITE_TOKEN = "site-admin-token-0000000001";
const ADMIN = "/admin/api-access/v1/orgs/org-1";

const item = (id: string, displayName = `Account ${id}`) => ({
  atlassianId: `712020:${id}`,
  id,
  email: `account-${id}-x1axxw94zz@serviceaccount.atlassian.com`,
  displayName,
  picture: "https://avatar.example/48",
  container: "org-1",
  updatedAt: 1764642980899,
  status: "ACTIVE",
  createdById: "557058:admin",
  description: "",
});
const page = (items: unknown[], next?: string) => ({ items, links: next === undefined ? {} : { next, prev: null }, total: 9 });
const notFound = { errors: [{ code: "ADMIN-404-1", status: "404", title: "NOT_FOUND", detail: "no such service account" }] };


describe("sdk: Atlassian's admin and product APIs on the wire (scripted)", () => {
  let server: ScriptedServer;
  let client: Client;
  const clients: Client[] = [];
  const make = (extra: ClientOptions = {}) => {
    const c = new Client({ baseUrl: server.url, orgId: "org-1", apiKey: KEY, retryBaseDelayMs: 1, retryMaxDelayMs: 2, ...extra });
    clients.push(c);
    return c;
  };
  const urls = () => server.requests.map((r) => `${r.method} ${r.url}`);

  beforeEach(async () => {
    server = await startScriptedServer();
    client = make();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  describe("service accounts", () => {
    it("create sends exactly the display name and the description, under the assumed field names", async () => {
      server.script({ status: 201, body: item("sa_1", "CI deployer") }, { status: 201, body: item("sa_2", "Bare") });
      await client.serviceAccounts.create({ displayName: "CI deployer", description: "deploys" });
      await client.serviceAccounts.create({ displayName: "Bare" });
      expect(JSON.parse(server.requests[0]!.body)).to.deep.equal({
        [SERVICE_ACCOUNT_CREATE_FIELDS.displayName]: "CI deployer",
        [SERVICE_ACCOUNT_CREATE_FIELDS.description]: "deploys",
      });
      expect(JSON.parse(server.requests[1]!.body)).to.deep.equal({ displayName: "Bare" });
      expect(urls()).to.deep.equal([`POST ${ADMIN}/service-accounts`, `POST ${ADMIN}/service-accounts`]);
    });

    it("create reads the reply leniently: the list-item shape, extra fields kept, optional ones missing", async () => {
      server.script({ status: 201, body: { id: "sa_1", email: "x-abc@serviceaccount.atlassian.com", displayName: "X", somethingNew: { a: 1 } } });
      const made = await client.serviceAccounts.create({ displayName: "X" });
      expect(made).to.include({ id: "sa_1", displayName: "X" });
      expect(made.atlassianId).to.equal(undefined);
      expect((made as Record<string, unknown>).somethingNew).to.deep.equal({ a: 1 });
      server.script({ status: 201, body: { id: "sa_2", displayName: "Y" } });
      const err = (await rejection(client.serviceAccounts.create({ displayName: "Y" }))) as InvalidResponseError;
      expect(err).to.be.instanceOf(InvalidResponseError).with.property("pointer", "/email");
    });

    it("update names the account in the body and answers the account, or null after a 204, an empty or a partial reply", async () => {
      server.script(
        { status: 200, body: { ...item("sa_1"), description: "new" } },
        { status: 204 },
        { status: 200, raw: "" },
        { status: 200, body: {} },
        { status: 200, body: { displayName: "only this" } },
      );
      expect((await client.serviceAccounts.update("sa_1", { description: "new" }))?.description).to.equal("new");
      for (let i = 0; i < 4; i++) expect(await client.serviceAccounts.update("sa_1", { description: "new" }), `reply ${i + 2}`).to.equal(null);
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal(Array(5).fill(`PATCH ${ADMIN}/service-accounts`));
      expect(JSON.parse(server.requests[0]!.body)).to.deep.equal({ [SERVICE_ACCOUNT_PATCH_ID_FIELD]: "sa_1", description: "new" });
    });

    it("findByDisplayName answers every account of that exact display name, across pages", async () => {
      server.script(
        { status: 200, body: page([item("a", "Deployer"), item("b", "deployer"), item("c", "Deployer")], "https://api.atlassian.com/admin/x?cursor=p2") },
        { status: 200, body: page([item("d", "Other"), item("e", "Deployer")]) },
      );
      const found = await client.serviceAccounts.findByDisplayName("Deployer");
      expect(found.map((a) => a.id)).to.deep.equal(["a", "c", "e"]);
      expect(urls()).to.deep.equal([
        `GET ${ADMIN}/service-accounts?limit=${SERVICE_ACCOUNT_LIST_PAGE_SIZE}`,
        `GET ${ADMIN}/service-accounts?cursor=p2`,
      ]);
      server.script({ status: 200, body: page([item("a", "Deployer")]) });
      expect(await client.serviceAccounts.findByDisplayName("Nobody")).to.deep.equal([]);
    });
  });

  describe("links.next", () => {
    const forms: [string, string, string][] = [
      ["an absolute URL on another host", "https://elsewhere.example/admin/api-access/v1/orgs/org-1/service-accounts?cursor=c2&limit=2", "cursor=c2&limit=2"],
      ["a relative URL", "/admin/api-access/v1/orgs/org-1/service-accounts?cursor=c2&limit=2", "cursor=c2&limit=2"],
      ["a query alone", "?cursor=c2&limit=2", "cursor=c2&limit=2"],
      ["a bare cursor", "c2", `limit=${SERVICE_ACCOUNT_LIST_PAGE_SIZE}&cursor=c2`],
      ["a bare base64 cursor with / and =", "/Zm9v+YmFy==", `limit=${SERVICE_ACCOUNT_LIST_PAGE_SIZE}&cursor=%2FZm9v%2BYmFy%3D%3D`],
    ];
    for (const [what, next, query] of forms) {
      it(`as ${what} pages to the end, on the configured host and the list's own path`, async () => {
        server.script({ status: 200, body: page([item("a"), item("b")], next) }, { status: 200, body: page([item("c")]) });
        const ids = (await client.serviceAccounts.list().toArray()).map((a) => a.id);
        expect(ids).to.deep.equal(["a", "b", "c"]);
        expect(server.requests[1]!.url).to.equal(`${ADMIN}/service-accounts?${query}`);
      });
    }

    it("stops when the link leads back to the same page, in any form", () => {
      const current = new URLSearchParams({ limit: "80", cursor: "c1" });
      expect(nextPageQuery("c1", current)).to.equal(undefined);
      expect(nextPageQuery("https://x.example/p?cursor=c1&limit=80", current)).to.equal(undefined);
      expect(nextPageQuery("?limit=80&cursor=c1", current), "the same query in another order").to.equal(undefined);
      expect(nextPageQuery("", current)).to.equal(undefined);
      expect(nextPageQuery(null, current)).to.equal(undefined);
      expect(nextPageQuery("https://x.example/p", current), "a URL without a query has nothing to follow").to.equal(undefined);
      expect(nextPageQuery("c2", current)?.toString()).to.equal("limit=80&cursor=c2");
    });

    it("a bare cursor back to the first page ends a Confluence listing too", async () => {
      const site = make({ siteUrl: server.url, siteAdmin: { email: "admin@example.com", apiToken: SITE_TOKEN } });
      server.script(
        { status: 200, body: { results: [{ id: "r1", name: "Viewer" }], _links: { next: "/wiki/api/v2/space-roles?cursor=n1&limit=250" } } },
        { status: 200, body: { results: [{ id: "r2", name: "Admin" }], _links: { next: "n2" } } },
        { status: 200, body: { results: [{ id: "r3", name: "Manager" }], _links: { next: "n1" } } },
      );
      server.fallback = { status: 500, body: { message: "looped" } };
      const roles = await site.confluenceSpaceRoles.list();
      expect(roles.map((r) => r.id)).to.deep.equal(["r1", "r2", "r3"]);
      expect(urls()).to.deep.equal([
        "GET /wiki/api/v2/space-roles?limit=250",
        "GET /wiki/api/v2/space-roles?cursor=n1&limit=250",
        "GET /wiki/api/v2/space-roles?cursor=n2&limit=250",
      ]);
    });
  });

  describe("a service account's tokens", () => {
    const tokens = { items: [{ id: "t1", label: "ci", status: "ALLOWED", createdAt: "2026-01-01T00:00:00Z" }], links: {} };

    it("are listed with the account's id, or on a 404 with its atlassianId, and the client remembers which answered", async () => {
      const account = item("sa_1");
      server.script({ status: 404, body: notFound }, { status: 200, body: tokens }, { status: 200, body: tokens }, { status: 204 });
      const listed = await client.serviceAccountTokens.list(account);
      expect(listed.map((t) => [t.id, t.label, t.status, tokenStatus(t.status)])).to.deep.equal([["t1", "ci", "ALLOWED", "active"]]);
      expect(client.serviceAccountTokens.idField).to.equal("atlassianId");
      await client.serviceAccountTokens.list(account);
      await client.serviceAccountTokens.revokeAll(account);
      expect(urls()).to.deep.equal([
        `GET ${ADMIN}/service-accounts/sa_1/api-tokens`,
        `GET ${ADMIN}/service-accounts/712020%3Asa_1/api-tokens`,
        `GET ${ADMIN}/service-accounts/712020%3Asa_1/api-tokens`,
        `DELETE ${ADMIN}/service-accounts/712020%3Asa_1/api-tokens`,
      ]);
      expect(make().serviceAccountTokens.idField, "another client starts from the assumption").to.equal("id");
    });

    it("revoke-all never takes a 404 for the wrong id as done: it tries the other id; both 404: the account is gone", async () => {
      server.script({ status: 404, body: notFound }, { status: 204 });
      await client.serviceAccountTokens.revokeAll(item("sa_1"));
      expect(urls()).to.deep.equal([`DELETE ${ADMIN}/service-accounts/sa_1/api-tokens`, `DELETE ${ADMIN}/service-accounts/712020%3Asa_1/api-tokens`]);
      server.requests.length = 0;
      server.script({ status: 404, body: notFound }, { status: 404, body: notFound });
      await client.serviceAccountTokens.revokeAll(item("sa_1"));
      server.script({ status: 404, body: notFound }, { status: 404, body: notFound });
      expect(await client.serviceAccountTokens.list(item("sa_1"))).to.deep.equal([]);
      expect(server.requests).to.have.length(4);
    });

    it("a bare id is used as given, with no second try; a 404 from no route at all is an error", async () => {
      server.script({ status: 404, body: notFound });
      expect(await client.serviceAccountTokens.list("sa_1")).to.deep.equal([]);
      expect(server.requests).to.have.length(1);
      server.script({ status: 404, body: { message: "Request failed to match any route" } });
      expect(await rejection(client.serviceAccountTokens.list(item("sa_1")))).to.be.instanceOf(IdentityError);
      expect(server.requests).to.have.length(2);
    });

    it("page by links.next in every form, and read the shapes other token lists use", async () => {
      server.script(
        { status: 200, body: { items: [{ id: "t1", label: "a" }], links: { next: "k2" } } },
        { status: 200, body: { data: [{ id: "t2", name: "b", expiry: "2026-03-19T00:00:00.000Z", lastAccess: 1764642980899 }], links: { next: "https://api.atlassian.com/x?cursor=k3" } } },
        { status: 200, body: { items: [{ id: "t3", label: "c", status: "REVOKED" }], links: {} } },
      );
      const listed = await client.serviceAccountTokens.list("sa_1", { tokenLabel: "x" });
      expect(listed.map((t) => t.id)).to.deep.equal(["t1", "t2", "t3"]);
      expect(listed[1]).to.include({ label: "b", expiresAt: "2026-03-19T00:00:00.000Z", lastUsedAt: new Date(1764642980899).toISOString() });
      expect(tokenStatus(listed[2]!.status)).to.equal("revoked");
      expect(tokenStatus("something-new")).to.equal(undefined);
      expect(urls().slice(1)).to.deep.equal([
        `GET ${ADMIN}/service-accounts/sa_1/api-tokens?tokenLabel=x&cursor=k2`,
        `GET ${ADMIN}/service-accounts/sa_1/api-tokens?cursor=k3`,
      ]);
    });

    it("refuse an id that could climb the path", async () => {
      for (const id of ["..", ".", "a/b", "a?b"]) {
        expect(await rejection(client.serviceAccountTokens.list(id)), id).to.be.instanceOf(InvalidRequestError);
      }
      expect(server.requests).to.have.length(0);
    });
  });

  describe("the site URL", () => {
    const siteAdmin = { email: "admin@example.com", apiToken: SITE_TOKEN };

    it("sends product calls to the site's own paths with the site admin's Basic credentials, and admin calls to baseUrl", async () => {
      const site = await startScriptedServer();
      try {
        const c = make({ siteUrl: `${site.url}/`, siteAdmin });
        site.script({ status: 200, body: { Viewer: "https://acme.atlassian.net/rest/api/3/project/OPS/role/10002" } });
        site.script({ status: 200, body: { results: [{ id: 98306, key: "ENG" }] } });
        server.script({ status: 200, body: page([]) });
        expect(await c.jiraProjectRoles.list("OPS")).to.deep.equal([{ name: "Viewer", id: "10002" }]);
        expect((await c.confluenceSpaces.byKey("ENG"))?.id).to.equal("98306");
        await c.serviceAccounts.list().toArray();
        expect(site.requests.map((r) => r.url)).to.deep.equal(["/rest/api/3/project/OPS/role", "/wiki/api/v2/spaces?keys=ENG"]);
        expect(site.requests[0]!.headers.authorization).to.equal(`Basic ${Buffer.from(`admin@example.com:${SITE_TOKEN}`).toString("base64")}`);
        expect(server.requests.map((r) => r.url)).to.deep.equal([`${ADMIN}/service-accounts?limit=${SERVICE_ACCOUNT_LIST_PAGE_SIZE}`]);
        expect(server.requests[0]!.headers.authorization).to.equal(`Bearer ${KEY}`);
        expect(c.productPath("jira")).to.equal("");
        expect(c.toJSON()).to.include({ siteUrl: site.url });
      } finally {
        await site.close();
      }
    });

    it("without it, product calls go through the gateway under /ex/{product}/{cloudId}; with neither, the error says what to set", async () => {
      const gateway = make({ cloudId: "cloud-1", siteAdmin });
      server.script({ status: 200, body: { mode: "ROLES" } });
      expect(await gateway.confluenceSpaces.roleMode()).to.equal("ROLES");
      expect(server.requests[0]!.url).to.equal("/ex/confluence/cloud-1/wiki/api/v2/space-role-mode");
      const saved = [process.env.ATLASSIAN_CLOUD_ID, process.env.ATLASSIAN_SITE_URL];
      // Set but empty (as a CI template leaves them) is the same as unset, for both.
      process.env.ATLASSIAN_CLOUD_ID = "";
      process.env.ATLASSIAN_SITE_URL = "";
      try {
        const neither = make({ siteAdmin });
        const err = await rejection(neither.jiraProjectRoles.list("OPS"));
        expect(err).to.be.instanceOf(IdentityError);
        expect((err as Error).message).to.contain("cloudId").and.contain("siteUrl");
      } finally {
        if (saved[0] === undefined) delete process.env.ATLASSIAN_CLOUD_ID;
        else process.env.ATLASSIAN_CLOUD_ID = saved[0];
        if (saved[1] === undefined) delete process.env.ATLASSIAN_SITE_URL;
        else process.env.ATLASSIAN_SITE_URL = saved[1];
      }
    });

    it("is refused, saying why, unless it is an http(s) site root without credentials, query or fragment", () => {
      const bad: [string, RegExp][] = [
        ["acme.atlassian.net", /siteUrl is not a URL/],
        ["ftp://acme.atlassian.net", /http:\/\/ or https:\/\//],
        ["https://me:secret-password@acme.atlassian.net", /credentials/],
        ["https://acme.atlassian.net?x=1", /query/],
        ["https://acme.atlassian.net#top", /fragment/],
        ["https://acme.atlassian.net/wiki", /root.*\/wiki/],
      ];
      for (const [siteUrl, message] of bad) {
        let err: unknown;
        try {
          make({ siteUrl });
        } catch (e) {
          err = e;
        }
        expect(err, siteUrl).to.be.instanceOf(IdentityError);
        expect((err as Error).message, siteUrl).to.match(message);
        expect((err as Error).message).not.to.contain("secret-password");
      }
    });
  });

  describe("Confluence and Jira", () => {
    const siteAdmin = { email: "admin@example.com", apiToken: SITE_TOKEN };

    it("a site without role-based access (space-role-mode 404) is PRE_ROLES; a refusal is still an error", async () => {
      const c = make({ siteUrl: server.url, siteAdmin });
      server.script(
        { status: 404, body: { errors: [{ status: 404, code: "NOT_FOUND", title: "Not Found" }] } },
        { status: 401, body: { code: 401, message: "Unauthorized" } },
      );
      expect(await c.confluenceSpaces.roleMode()).to.equal("PRE_ROLES");
      expect(await rejection(c.confluenceSpaces.roleMode())).to.be.instanceOf(AuthenticationError);
    });

    it("v2 space permissions: entries lacking what the sdk needs are skipped, not fatal", async () => {
      const c = make({ siteUrl: server.url, siteAdmin });
      const acc = "712020:abc";
      server.script({
        status: 200,
        body: {
          results: [
            { id: 1, principal: { type: "user", id: acc }, operation: { key: "read", targetType: "space" } },
            { id: 2, principal: null, operation: { key: "read", targetType: "space" } },
            { id: 3, principal: { type: "group" }, operation: { key: "read", targetType: "space" } },
            { id: 4, principal: { type: "user", id: acc } },
            { principal: { type: "user", id: acc }, operation: { key: "create", targetType: "page" } },
            { id: "6", principal: { type: "user", id: acc }, operation: { key: "create", targetType: "page" } },
            { id: 7, principal: { type: "user", id: "someone-else" }, operation: { key: "read", targetType: "space" } },
          ],
          _links: {},
        },
      });
      const mine = await c.confluenceSpacePermissions.listFor("98306", acc);
      expect(mine.map((p) => p.id)).to.deep.equal(["1", "6"]);
    });

    it("v1 permission writes say X-Atlassian-Token: no-check; other calls do not", async () => {
      const c = make({ siteUrl: server.url, siteAdmin });
      server.script({ status: 200, body: { id: 555 } }, { status: 204 }, { status: 200, body: { results: [] } });
      expect(await c.confluenceSpacePermissions.add("ENG", "712020:abc", { key: "read", target: "space" })).to.equal("555");
      await c.confluenceSpacePermissions.remove("ENG", "555");
      await c.confluenceSpaceRoles.assignmentsOf("98306", "712020:abc");
      expect(urls()).to.deep.equal([
        "POST /wiki/rest/api/space/ENG/permission",
        "DELETE /wiki/rest/api/space/ENG/permission/555",
        "GET /wiki/api/v2/spaces/98306/role-assignments?principal-id=712020%3Aabc&principal-type=USER&limit=250",
      ]);
      expect(server.requests.map((r) => r.headers["x-atlassian-token"])).to.deep.equal(["no-check", "no-check", undefined]);
    });

    it("a Jira role actor without a type still reads", async () => {
      const c = make({ siteUrl: server.url, siteAdmin });
      server.script({ status: 200, body: { id: 10002, name: "Viewer", actors: [{ id: 1, displayName: "Bot", actorUser: { accountId: "712020:abc" } }] } });
      const role = await c.jiraProjectRoles.retrieve("OPS", "10002");
      expect(role?.actors[0]?.actorUser?.accountId).to.equal("712020:abc");
    });
  });
});
