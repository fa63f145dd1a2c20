import { expect } from "chai";
import { basic, expectConfluenceError, expectJiraError, harness, uniqueName, type Harness } from "./helper";

const DAY = 86_400_000;
const PROJECT = "/ex/jira/{cloudId}/rest/api/3/project/ENG";
const ISSUE = "/ex/jira/{cloudId}/rest/api/3/issue";
const SPACE = "/ex/confluence/{cloudId}/wiki/api/v2/spaces/DOCS";
const PAGES = "/ex/confluence/{cloudId}/wiki/api/v2/pages";

describe("backend: product plane", () => {
  let b: Harness;
  before(async () => {
    b = await harness();
  });
  after(() => b.close());

  /** An account with one token and the given bindings. */
  async function holder(scopes: string[], bindings: [string, string][] = [], expiresInDays = 30) {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("prod") });
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "p", scopes, expiresInDays });
    for (const [resource, role] of bindings) await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource, role });
    return { a, t, auth: basic(a.email, t.token) };
  }

  it("lets a token with the scope and a binding read a Jira project, and records the use", async () => {
    const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
    const res = await b.product("GET", PROJECT, h.auth);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ key: "ENG" });
    const t = await b.ok("GET", `/service-accounts/${h.a.id}/api-tokens/${h.t.id}`);
    expect(t.lastUsedAt).to.be.a("string");
    expect((await b.product("GET", PROJECT, `Bearer ${h.t.token}`)).status).to.equal(200);
  });

  it("accepts the granular scope in place of the classic one", async () => {
    const h = await holder(["read:project:jira", "read:space:confluence", "write:page:confluence", "write:issue:jira"], [
      ["jira:project/ENG", "editor"],
      ["confluence:space/DOCS", "editor"],
    ]);
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
    expect((await b.product("GET", SPACE, h.auth)).status).to.equal(200);
    expect((await b.product("POST", PAGES, h.auth, { spaceKey: "DOCS", title: "Runbook" })).status).to.equal(201);
    const issue = await b.product("POST", ISSUE, h.auth, { fields: { project: { key: "ENG" }, summary: "x" } });
    expect(issue.status).to.equal(201);
    expect(issue.body.key).to.match(/^ENG-\d+$/);
  });

  describe("403 with a message saying which", () => {
    it("when the scope is missing", async () => {
      const h = await holder(["write:jira-work"], [["jira:project/ENG", "admin"]]);
      const res = await b.product("GET", PROJECT, h.auth);
      expect(res.status).to.equal(403);
      expect(expectJiraError(res, 403)).to.include("read:jira-work");
    });

    it("when the binding is missing", async () => {
      const h = await holder(["read:jira-work", "read:confluence-space.summary"], [["jira:project/OPS", "viewer"]]);
      const res = await b.product("GET", PROJECT, h.auth);
      expect(res.status).to.equal(403);
      expect(expectJiraError(res, 403)).to.include("jira:project/ENG");
      expect(expectConfluenceError(await b.product("GET", SPACE, h.auth), 403, "FORBIDDEN")).to.include("confluence:space/DOCS");
    });

    it("when the role is viewer and the call writes", async () => {
      const h = await holder(["write:jira-work", "write:confluence-content"], [["jira:project/ENG", "viewer"], ["confluence:space/DOCS", "viewer"]]);
      const res = await b.product("POST", ISSUE, h.auth, { fields: { project: { key: "ENG" }, summary: "x" } });
      expect(res.status).to.equal(403);
      expect(expectJiraError(res, 403)).to.match(/editor or admin/);
      expect(expectConfluenceError(await b.product("POST", PAGES, h.auth, { spaceKey: "DOCS", title: "t" }), 403, "FORBIDDEN")).to.match(/editor or admin/);
    });
  });

  describe("401", () => {
    it("without credentials, with a bad token, or with another account's email", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
      expect((await b.product("GET", PROJECT, null)).status).to.equal(401);
      expect((await b.product("GET", PROJECT, basic(h.a.email, "pasat_" + "x".repeat(43)))).status).to.equal(401);
      expect((await b.product("GET", PROJECT, basic("someone@serviceaccount.atlassian.com", h.t.token))).status).to.equal(401);
    });

    it("when the token is revoked", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
      await b.ok("DELETE", `/service-accounts/${h.a.id}/api-tokens/${h.t.id}`);
      const res = await b.product("GET", PROJECT, h.auth);
      expect(res.status).to.equal(401);
      expect(expectJiraError(res, 401)).to.include("revoked");
    });

    it("when the token has expired", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]], 1);
      expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
      b.advance(DAY + 1000);
      try {
        const res = await b.product("GET", PROJECT, h.auth);
        expect(res.status).to.equal(401);
        expect(expectJiraError(res, 401)).to.include("expired");
      } finally {
        b.advance(-(DAY + 1000));
      }
    });

    it("while the account is suspended, and works again once it is active", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
      await b.ok("PATCH", `/service-accounts/${h.a.id}`, { status: "suspended" });
      const res = await b.product("GET", PROJECT, h.auth);
      expect(res.status).to.equal(401);
      expect(expectJiraError(res, 401)).to.include("suspended");
      await b.ok("PATCH", `/service-accounts/${h.a.id}`, { status: "active" });
      expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
    });

    it("when the account is deleted", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
      await b.ok("DELETE", `/service-accounts/${h.a.id}`);
      expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(401);
    });

    it("for a site that does not exist (404, not a token check)", async () => {
      const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
      const res = await b.product("GET", "/ex/jira/no-such-site/rest/api/3/project/ENG", h.auth);
      expect(res.status).to.equal(404);
    });
  });

  it("applies an admin change at once, even right after a successful use", async () => {
    const h = await holder(["read:jira-work", "write:jira-work"], [["jira:project/ENG", "editor"]]);
    const write = () => b.product("POST", ISSUE, h.auth, { fields: { project: { key: "ENG" }, summary: "x" } });
    expect((await write()).status).to.equal(201);
    const bindings = await b.ok("GET", `/service-accounts/${h.a.id}/scope-bindings`);
    await b.ok("PATCH", `/service-accounts/${h.a.id}/scope-bindings/${bindings.items[0].id}`, { role: "viewer" });
    expect((await write()).status).to.equal(403);
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
    await b.ok("DELETE", `/service-accounts/${h.a.id}/scope-bindings/${bindings.items[0].id}`);
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(403);
    await b.ok("POST", `/service-accounts/${h.a.id}/scope-bindings`, { resource: "jira:project/ENG", role: "viewer" });
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
    await b.ok("PATCH", `/service-accounts/${h.a.id}`, { status: "suspended" });
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(401);
    await b.ok("PATCH", `/service-accounts/${h.a.id}`, { status: "active" });
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(200);
    await b.ok("DELETE", `/service-accounts/${h.a.id}/api-tokens/${h.t.id}`);
    expect((await b.product("GET", PROJECT, h.auth)).status).to.equal(401);
  });

  it("records every one of many concurrent uses", async () => {
    const h = await holder(["read:jira-work"], [["jira:project/ENG", "viewer"]]);
    const statuses = await Promise.all(Array.from({ length: 40 }, () => b.product("GET", PROJECT, h.auth).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).to.equal(true);
    let uses = 0;
    let next: string | undefined = `/admin/v1/orgs/${b.orgId}/events?action=api-token.used&limit=100`;
    while (next) {
      const page: any = await b.ok("GET", next);
      uses += page.data.filter((e: any) => e.attributes.target.id === h.t.id).length;
      next = page.links.next;
    }
    expect(uses).to.equal(40);
  });

  it("validates the body of a write, naming the field", async () => {
    const h = await holder(["write:jira-work"], [["jira:project/ENG", "editor"]]);
    const res = await b.product("POST", ISSUE, h.auth, { fields: { project: { key: "ENG" } } });
    expect(expectJiraError(res, 400)).to.include("fields/summary");
  });

  describe("at the site URL (https://<site>.atlassian.net: no /ex/{product}/{cloudId} prefix)", () => {
    it("serves the same routes for the default site with the same auth, and links back to the site URL", async () => {
      const h = await holder(["read:jira-work", "write:jira-work", "read:confluence-space.summary"], [["jira:project/ENG", "editor"], ["confluence:space/DOCS", "viewer"]]);
      const project = await b.product("GET", "/rest/api/3/project/ENG", h.auth);
      expect(project.status, project.text).to.equal(200);
      expect(project.body.self).to.equal(`${b.url}/rest/api/3/project/${project.body.id}`);
      const made = await b.product("POST", "/rest/api/3/issue", `Bearer ${h.t.token}`, { fields: { project: { key: "ENG" }, summary: "site" } });
      expect(made.status).to.equal(201);
      expect(made.body.self).to.equal(`${b.url}/rest/api/3/issue/${made.body.id}`);
      // The same issue through the gateway.
      expect((await b.product("GET", `/ex/jira/{cloudId}/rest/api/3/issue/${made.body.key}`, h.auth)).body.fields.summary).to.equal("site");
      const space = await b.product("GET", "/wiki/api/v2/spaces/DOCS", h.auth);
      expect(space.status, space.text).to.equal(200);
      const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
      expect((await b.product("GET", "/wiki/api/v2/space-role-mode", admin)).body).to.deep.equal({ mode: "ROLES" });
      expect((await b.product("GET", "/rest/api/3/myself", admin)).body.accountId).to.equal(b.siteAdmin.accountId);
    });

    it("refuses as the gateway does, in each product's shape", async () => {
      expectJiraError(await b.product("GET", "/rest/api/3/project/ENG", null), 401);
      expectConfluenceError(await b.product("GET", "/wiki/api/v2/spaces/DOCS", basic("x@example.com", "pasat_" + "x".repeat(43))), 401, "UNAUTHORIZED");
      const h = await holder(["read:jira-work"], []);
      expect(expectJiraError(await b.product("GET", "/rest/api/3/project/ENG", h.auth), 403)).to.include("jira:project/ENG");
    });
  });

  describe("reading back what was made", () => {
    it("GET issue by key or id: needs a Jira read scope (403 in Jira's shape) and a role on the project (else Jira's 404)", async () => {
      const writer = await holder(["write:jira-work", "read:jira-work"], [["jira:project/ENG", "editor"]]);
      const made = (await b.product("POST", ISSUE, writer.auth, { fields: { project: { key: "ENG" }, summary: "read back" } })).body;
      for (const ref of [made.key, made.id]) {
        const got = await b.product("GET", `${ISSUE}/${ref}`, writer.auth);
        expect(got.status, got.text).to.equal(200);
        expect(got.body).to.deep.include({ id: made.id, key: made.key, self: made.self });
        expect(got.body.fields).to.deep.include({ summary: "read back" });
        expect(got.body.fields.project.key).to.equal("ENG");
      }
      const noScope = await holder(["write:jira-work"], [["jira:project/ENG", "editor"]]);
      expect(expectJiraError(await b.product("GET", `${ISSUE}/${made.key}`, noScope.auth), 403)).to.include("read:jira-work");
      const noRole = await holder(["read:jira-work"], [["jira:project/OPS", "viewer"]]);
      expect(expectJiraError(await b.product("GET", `${ISSUE}/${made.key}`, noRole.auth), 404)).to.include("does not exist");
      expectJiraError(await b.product("GET", `${ISSUE}/ENG-424242`, writer.auth), 404);
    });

    it("GET page by id: needs a Confluence read scope and a role on the space; refusals in Confluence v2's shape", async () => {
      const writer = await holder(["write:page:confluence", "read:page:confluence"], [["confluence:space/DOCS", "editor"]]);
      const made = (await b.product("POST", PAGES, writer.auth, { spaceKey: "DOCS", title: "Notes" })).body;
      const got = await b.product("GET", `${PAGES}/${made.id}`, writer.auth);
      expect(got.status, got.text).to.equal(200);
      expect(got.body).to.include({ id: made.id, title: "Notes", spaceId: made.spaceId, status: "current" });
      const noScope = await holder(["write:page:confluence"], [["confluence:space/DOCS", "editor"]]);
      expect(expectConfluenceError(await b.product("GET", `${PAGES}/${made.id}`, noScope.auth), 403, "FORBIDDEN")).to.include("read:page:confluence");
      const noRole = await holder(["read:page:confluence"], []);
      expectConfluenceError(await b.product("GET", `${PAGES}/${made.id}`, noRole.auth), 404, "NOT_FOUND");
      expectConfluenceError(await b.product("GET", `${PAGES}/987654`, writer.auth), 404, "NOT_FOUND");
    });
  });
});
