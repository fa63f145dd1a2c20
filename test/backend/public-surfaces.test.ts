/**
 * The admin API in Atlassian's shapes, `--public-only`, and the site admin of the product plane.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { EXTENSION_ROUTES } from "../../backend";
import { SERVICE_ACCOUNT_PATCH_ID_FIELD } from "../../sdk/atlassian-assumptions";
import { ApiTokenListItem, SECRET_PATTERN } from "../../sdk/schemas";
import { basic, expectAdminError, expectConfluenceError, expectError, expectJiraError, harness, uniqueName, type Harness } from "./helper";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Every admin operation /openapi.json lists (both bases), with whether it is tagged an
 * extension, and a path with its parameters filled in.
 */
async function adminOperations(b: Harness, accountId: string): Promise<{ route: string; method: string; url: string; extension: boolean }[]> {
  const doc = (await (await fetch(`${b.url}/openapi.json`)).json()) as any;
  const ops: { route: string; method: string; url: string; extension: boolean }[] = [];
  for (const [p, byMethod] of Object.entries<any>(doc.paths)) {
    if (!p.startsWith("/admin/")) continue;
    for (const [m, o] of Object.entries<any>(byMethod)) {
      const url = p
        .replace("{orgId}", b.orgId)
        .replace("{id}", accountId)
        .replace(/\{(tokenId|bindingId|keyId)\}/, "00000000-0000-4000-8000-000000000000");
      ops.push({ route: `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`, method: m.toUpperCase(), url: `${b.url}${url}`, extension: (o.tags ?? []).includes("extension") });
    }
  }
  return ops;
}

describe("backend: Atlassian's admin API shapes", () => {
  let b: Harness;
  before(async () => {
    b = await harness();
  });
  after(() => b.close());

  const find = async (id: string) => (await b.ok("GET", "/service-accounts?limit=80")).items.find((x: any) => x.id === id);

  it("lists service accounts as Atlassian does: atlassianId, picture, container, updatedAt in epoch ms, no name", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("shape"), description: "d" });
    const list = await b.ok("GET", "/service-accounts");
    expect(Object.keys(list).sort()).to.deep.equal(["items", "links", "total"]);
    const item = await find(a.id);
    expect(item).to.include({ id: a.id, atlassianId: a.atlassianId, email: a.email, displayName: a.displayName, container: b.orgId, status: "active" });
    expect(item).to.not.have.property("name");
    expect(item.updatedAt).to.be.a("number").and.equal(a.updatedAt);
  });

  it(`updates through PATCH /service-accounts with the id in the body (${SERVICE_ACCOUNT_PATCH_ID_FIELD}), answering the account`, async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("patch") });
    const res = await b.call("PATCH", "/service-accounts", { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: a.id, displayName: "Deploy bot", description: "ships" });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ id: a.id, displayName: "Deploy bot", description: "ships", email: a.email });
    expect(res.body).to.not.have.property("name");
    expect(await find(a.id)).to.include({ displayName: "Deploy bot" });
    expectAdminError(await b.call("PATCH", "/service-accounts", { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: "no-such-account", displayName: "x" }), 404, "ADMIN-404-1");
    expectAdminError(await b.call("PATCH", "/service-accounts", { displayName: "x" }), 400, "ADMIN-400-24");
    // Atlassian's update changes displayName and description only.
    expectAdminError(await b.call("PATCH", "/service-accounts", { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: a.id, status: "suspended" }), 400, "ADMIN-400-24");
  });

  it("answers a request without a key in its surface's error body: Atlassian's on its routes, the contract's on every extension", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("surface") });
    const ops = await adminOperations(b, a.id);
    expect(ops.filter((o) => o.extension).map((o) => o.route).sort()).to.deep.equal([...EXTENSION_ROUTES].sort());
    expect(ops.filter((o) => !o.extension).length, "Atlassian's admin routes").to.be.greaterThan(5);
    for (const o of ops) {
      const res = await b.call(o.method, o.url, undefined, { key: null });
      if (o.extension) expectError(res, 401, "unauthorized");
      else expectAdminError(res, 401, "ADMIN-401-1");
    }
  });

  it("lists a service account's tokens with lastActiveAt, filters by tokenLabel, and revokes them all", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("tokens") });
    const one = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "ci", scopes: ["read:jira-work"], expiresInDays: 5 });
    await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "other", scopes: ["read:jira-work"], expiresInDays: 5 });
    const list = await b.ok("GET", `/service-accounts/${a.id}/api-tokens`);
    expect(list.total).to.equal(2);
    const item = ApiTokenListItem.parse(list.items[0]);
    expect(list.links).to.deep.equal({});
    expect(item).to.include({ id: one.id, label: "ci", status: "active", lastActiveAt: null });
    expect(JSON.stringify(list)).to.not.match(SECRET_PATTERN);
    const ci = await b.ok("GET", `/service-accounts/${a.id}/api-tokens?tokenLabel=ci`);
    expect(ci.items.map((t: any) => t.id)).to.deep.equal([one.id]);
    const everyAccounts = await b.ok("GET", "/service-accounts/api-tokens?tokenLabel=other");
    expect(everyAccounts.items.map((t: any) => [t.serviceAccountId, t.label])).to.deep.include([a.id, "other"]);
    expect((await b.call("DELETE", `/service-accounts/${a.id}/api-tokens`)).status).to.equal(204);
    expect((await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).items.map((t: any) => t.status)).to.deep.equal(["revoked", "revoked"]);
  });
});

describe("backend: switches for Atlassian's unsettled readings (--atlassian)", () => {
  for (const patchReply of ["empty", "partial"] as const) {
    it(`patchReply=${patchReply}: the update lands, and the answer is ${patchReply === "empty" ? "204 with no body" : "200 without the account"}`, async () => {
      const b = await harness({ atlassian: { patchReply } });
      try {
        const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("pr") });
        const res = await b.call("PATCH", "/service-accounts", { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: a.id, description: "changed" });
        expect(res.status).to.equal(patchReply === "empty" ? 204 : 200);
        if (patchReply === "empty") expect(res.text).to.equal("");
        else expect(res.body).to.deep.equal({});
        expect((await b.ok("GET", `/service-accounts/${a.id}`)).description).to.equal("changed");
      } finally {
        await b.close();
      }
    });
  }

  for (const patchIdField of ["serviceAccountId", "id"] as const) {
    it(`patchIdField=${patchIdField}: the PATCH names the account as ${patchIdField}, and the other field is a 400 naming it`, async () => {
      const b = await harness({ atlassian: { patchIdField } });
      try {
        const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("pf") });
        const other = patchIdField === "id" ? "serviceAccountId" : "id";
        const refused = await b.call("PATCH", "/service-accounts", { [other]: a.id, description: "wrong field" });
        expectAdminError(refused, 400, "ADMIN-400-24");
        expect(refused.body.errors[0].detail).to.include(other).and.to.include(patchIdField);
        expect((await b.call("PATCH", "/service-accounts", { [patchIdField]: a.id, description: "changed" })).status).to.equal(200);
        expect((await b.ok("GET", `/service-accounts/${a.id}`)).description).to.equal("changed");
      } finally {
        await b.close();
      }
    });
  }

  for (const tokenPathId of ["id", "atlassianId"] as const) {
    it(`tokenPathId=${tokenPathId}: the documented token routes take the ${tokenPathId}, and the other id answers 404`, async () => {
      const b = await harness({ atlassian: { tokenPathId } });
      try {
        const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("tp") });
        await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 5 });
        const [right, wrong] = tokenPathId === "id" ? [a.id, a.atlassianId] : [a.atlassianId, a.id];
        expect((await b.ok("GET", `/service-accounts/${encodeURIComponent(right)}/api-tokens`)).total).to.equal(1);
        expectAdminError(await b.call("GET", `/service-accounts/${encodeURIComponent(wrong)}/api-tokens`), 404, "ADMIN-404-1");
        expectAdminError(await b.call("DELETE", `/service-accounts/${encodeURIComponent(wrong)}/api-tokens`), 404, "ADMIN-404-1");
        expect((await b.call("DELETE", `/service-accounts/${encodeURIComponent(right)}/api-tokens`)).status).to.equal(204);
        expect((await b.ok("GET", `/service-accounts/${a.id}/api-tokens/${(await b.ok("GET", `/service-accounts/${encodeURIComponent(right)}/api-tokens`)).items[0].id}`)).status).to.equal("revoked");
      } finally {
        await b.close();
      }
    });
  }

  it("roleModeEndpoint=absent: GET space-role-mode answers Confluence's 404, and the site takes v1 permissions", async () => {
    const b = await harness({ atlassian: { roleModeEndpoint: "absent" } });
    try {
      const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
      expectConfluenceError(await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/space-role-mode", admin), 404, "NOT_FOUND");
      const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("rm") });
      const v1 = await b.product("POST", "/ex/confluence/{cloudId}/wiki/rest/api/space/DOCS/permission", admin, { subject: { type: "user", identifier: a.atlassianId }, operation: { key: "read", target: "space" } });
      expect(v1.status, v1.text).to.equal(200);
      const id = (await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces?keys=DOCS", admin)).body.results[0].id;
      const roles = await b.product("POST", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${id}/role-assignments`, admin, [{ principal: { principalType: "USER", principalId: a.atlassianId }, roleId: "x" }]);
      expectConfluenceError(roles, 400, "INVALID_REQUEST_PARAMETER");
    } finally {
      await b.close();
    }
  });
});

describe("backend: --public-only", () => {
  let b: Harness;
  let account: any;
  before(async () => {
    b = await harness({ publicOnly: true });
    account = await b.ok("POST", "/service-accounts", { displayName: uniqueName("public") });
  });
  after(() => b.close());

  const bodies: Record<string, unknown> = {
    POST: { label: "x", scopes: ["read:jira-work"], expiresInDays: 1, resource: "jira:project/ENG", role: "viewer" },
    PATCH: { role: "admin", displayName: "x" },
  };
  const pathOf = (route: string) =>
    route
      .replace(/^\S+ /, "")
      .replace(":orgId", b.orgId)
      .replace(":id", account.id)
      .replace(/:(tokenId|bindingId|keyId)/, "00000000-0000-4000-8000-000000000000");

  it("answers every extension route 404 endpoint.notPublic, naming it an extension, with or without a key", async () => {
    expect(EXTENSION_ROUTES.length).to.be.greaterThan(10);
    for (const route of EXTENSION_ROUTES) {
      const method = route.split(" ")[0]!;
      for (const key of [undefined, null]) {
        const res = await b.call(method, `${b.url}${pathOf(route)}`, bodies[method], { key });
        expectError(res, 404, "endpoint.notPublic");
        expect(res.body.errors[0].detail, route).to.include("extension");
      }
    }
  });

  it("lets every one of Atlassian's admin routes reach authentication: none answers endpoint.notPublic", async () => {
    const ops = (await adminOperations(b, account.id)).filter((o) => !o.extension);
    expect(ops.length).to.be.greaterThan(5);
    for (const o of ops) expectAdminError(await b.call(o.method, o.url, bodies[o.method], { key: null }), 401, "ADMIN-401-1");
  });

  it("has as extensions exactly the admin routes Atlassian does not publish", () => {
    // Registration into the extension scope decides what is an extension (and EXTENSION_ROUTES is
    // read off it), so a route registered in the wrong scope shows here, not in a client.
    const admin = "/admin/api-access/v1/orgs/:orgId";
    expect([...EXTENSION_ROUTES].sort()).to.deep.equal(
      [
        `POST ${admin}/service-accounts/:id/api-tokens`,
        // Atlassian creates an OAuth client in an admin session only: the stand-in's way to give an account one.
        `POST ${admin}/service-accounts/:id/oauth-clients`,
        `GET ${admin}/service-accounts/:id/api-tokens/:tokenId`,
        `DELETE ${admin}/service-accounts/:id/api-tokens/:tokenId`,
        `GET ${admin}/service-accounts/:id`,
        `PATCH ${admin}/service-accounts/:id`,
        `POST ${admin}/service-accounts/:id/scope-bindings`,
        `GET ${admin}/service-accounts/:id/scope-bindings`,
        `GET ${admin}/service-accounts/:id/scope-bindings/:bindingId`,
        `PATCH ${admin}/service-accounts/:id/scope-bindings/:bindingId`,
        `DELETE ${admin}/service-accounts/:id/scope-bindings/:bindingId`,
        `POST ${admin}/api-keys`,
        `DELETE ${admin}/api-keys/:keyId`,
      ].sort(),
    );
  });

  it("serves Atlassian's public operations as usual", async () => {
    const list = await b.ok("GET", "/service-accounts");
    expect(list.items.find((x: any) => x.id === account.id).atlassianId).to.equal(account.atlassianId);
    await b.ok("PATCH", "/service-accounts", { [SERVICE_ACCOUNT_PATCH_ID_FIELD]: account.id, description: "public" });
    expect((await b.ok("GET", `/service-accounts/${account.id}/api-tokens`)).total).to.equal(0);
    expect((await b.call("DELETE", `/service-accounts/${account.id}/api-tokens`)).status).to.equal(204);
    expect((await b.call("GET", "/admin/v1/orgs/" + b.orgId + "/events?limit=1")).status).to.equal(200);

    const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
    const roles = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ENG/role", admin);
    expect(roles.status, roles.text).to.equal(200);
    // A new account is not grantable for accountReadyDelayMs (3 s by default in public-only mode).
    b.advance(3001);
    const added = await b.product("POST", "/ex/jira/{cloudId}/rest/api/3/project/ENG/role/10004", admin, { user: [account.accountId] });
    expect(added.status, added.text).to.equal(200);
    const assigned = await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/space-role-mode", admin);
    expect(assigned.body).to.deep.equal({ mode: "ROLES" });
    expect((await b.call("DELETE", `/service-accounts/${account.id}`)).status).to.equal(204);
    // A deleted account's role memberships go with it.
    const role = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ENG/role/10004", admin);
    expect(role.body.actors).to.deep.equal([]);
  });

  it("a new account is not grantable for 3 s by default: each grant answers 404 in the product's shape, as for an unknown account", async () => {
    const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
    const fresh = await b.ok("POST", "/service-accounts", { displayName: uniqueName("fresh") });
    const jira = () => b.product("POST", "/ex/jira/{cloudId}/rest/api/3/project/NEW/role/10004", admin, { user: [fresh.atlassianId] });
    const unknown = await b.product("POST", "/ex/jira/{cloudId}/rest/api/3/project/NEW/role/10004", admin, { user: ["712020:no-such-account"] });
    expect(expectJiraError(await jira(), 404)).to.equal(expectJiraError(unknown, 404).replace("712020:no-such-account", fresh.atlassianId));
    const spaceId = (await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces?keys=NEW", admin)).body.results[0].id;
    const assign = () => b.product("POST", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${spaceId}/role-assignments`, admin, [{ principal: { principalType: "USER", principalId: fresh.atlassianId }, roleId: "7e5a1d30-0a4f-4c37-9d1b-000000000004" }]);
    expectConfluenceError(await assign(), 404, "NOT_FOUND");
    // Reads know the account at once; only grants wait.
    expect((await b.product("GET", `/ex/jira/{cloudId}/rest/api/3/user?accountId=${encodeURIComponent(fresh.atlassianId)}`, admin)).status).to.equal(200);
    b.advance(2000);
    expect((await jira()).status).to.equal(404);
    b.advance(1100);
    expect((await jira()).status).to.equal(200);
    expect((await assign()).status).to.equal(200);
  });

  it("takes a Confluence v2 space by its id only (a key there is an extension)", async () => {
    const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
    const byKey = await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces/DOCS", admin);
    expect(expectConfluenceError(byKey, 404, "NOT_FOUND")).to.include("extension");
    const id = (await b.product("GET", "/ex/confluence/{cloudId}/wiki/api/v2/spaces?keys=DOCS", admin)).body.results[0].id;
    expect((await b.product("GET", `/ex/confluence/{cloudId}/wiki/api/v2/spaces/${id}`, admin)).body).to.include({ key: "DOCS", id });
    expect((await b.product("POST", "/ex/confluence/{cloudId}/wiki/api/v2/pages", admin, { spaceKey: "DOCS", title: "t" })).status).to.equal(404);
    expect((await b.product("POST", "/ex/confluence/{cloudId}/wiki/api/v2/pages", admin, { spaceId: id, title: "t" })).status).to.equal(201);
  });

  it("/openapi.json tags exactly the extension routes \"extension\"", async () => {
    const doc = (await (await fetch(`${b.url}/openapi.json`)).json()) as any;
    const tagged: string[] = [];
    for (const [p, ops] of Object.entries<any>(doc.paths)) {
      for (const [m, o] of Object.entries<any>(ops)) if ((o.tags ?? []).includes("extension")) tagged.push(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    expect(tagged.sort()).to.deep.equal([...EXTENSION_ROUTES].sort());
  });

  it("still tells an unknown route from an extension", async () => {
    expectError(await b.call("GET", "/service-accounts/x/nothing-here"), 404, "endpoint.notFound");
  });
});

describe("backend: the site admin of the product plane", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-site-admin-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is the one given at start; its token is stored hashed, and a wrong email or token is refused", async () => {
    const token = "site-admin-token-" + "q".repeat(30);
    const b = await harness({ dataDir: dir, siteAdmin: { email: "ops@example.com", token } });
    try {
      expect(b.siteAdmin).to.include({ email: "ops@example.com", token });
      const me = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", basic("ops@example.com", token));
      expect(me.status, me.text).to.equal(200);
      expect(me.body).to.include({ emailAddress: "ops@example.com", accountType: "atlassian", accountId: b.siteAdmin.accountId });
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", `Bearer ${token}`)).status).to.equal(200);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", basic("someone@example.com", token))).status).to.equal(401);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", basic("ops@example.com", token + "x"))).status).to.equal(401);
    } finally {
      await b.close();
    }
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith("identity.sqlite")) expect(fs.readFileSync(path.join(dir, f)).includes(token), f).to.equal(false);
    }
  });

  /** The CLI as users start it; `use` runs while it listens. */
  async function serve(args: string[], use: (line: any) => Promise<void> = async () => undefined) {
    const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "backend/cli.ts"), "serve", "--data-dir", dir, "--port", "0", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    const done = new Promise((r) => proc.once("exit", r));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: proc.stdout }).once("line", resolve);
        proc.once("exit", (code) => reject(new Error(`backend exited with ${code}: ${stderr}`)));
      });
      const parsed = JSON.parse(line);
      await use(parsed);
      return parsed as { siteAdmin: { email: string; accountId: string; token?: string } };
    } finally {
      proc.kill("SIGTERM");
      await done;
    }
  }

  it("takes --site-admin, --confluence-mode and --public-only from the command line", async function () {
    this.timeout(30_000);
    const token = "cli-site-admin-" + "z".repeat(30);
    const line = await serve(["--site-admin", `ops@example.com:${token}`, "--confluence-mode", "pre-roles", "--public-only", "--admin-key", "pasak_" + "P".repeat(43)], async (l) => {
      const admin = { authorization: basic("ops@example.com", token) };
      const mode = await fetch(`${l.url}/ex/confluence/${l.cloudId}/wiki/api/v2/space-role-mode`, { headers: admin });
      expect(await mode.json()).to.deep.equal({ mode: "PRE_ROLES" });
      const minted = await fetch(`${l.url}/admin/api-access/v1/orgs/${l.orgId}/service-accounts/x/api-tokens`, { method: "POST" });
      expect(minted.status).to.equal(404);
      expect(((await minted.json()) as any).errors[0].code).to.equal("endpoint.notPublic");
    });
    expect(line).to.include({ publicOnly: true });
    expect(line.siteAdmin).to.deep.equal({ email: "ops@example.com", accountId: line.siteAdmin.accountId });
  });

  it("takes --console-routes from the command line: the console's mint is served beside --public-only, and the listening line says so", async function () {
    this.timeout(30_000);
    const key = "pasak_" + "C".repeat(43);
    const line: any = await serve(["--console-routes", "--public-only", "--admin-key", key], async (l) => {
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const made: any = await (await fetch(`${l.url}/admin/api-access/v1/orgs/${l.orgId}/service-accounts`, { method: "POST", headers, body: JSON.stringify({ displayName: "cli console" }) })).json();
      const expiry = new Date(Date.now() + 86_400_000).toISOString();
      const minted = await fetch(`${l.url}/users/${made.atlassianId}/manage/api-tokens`, { method: "POST", headers, body: JSON.stringify({ label: "cli", scopes: ["read:jira-user"], expiry }) });
      expect(minted.status).to.equal(200);
      expect(Object.keys((await minted.json()) as object).sort()).to.deep.equal(["id", "token"]);
    });
    expect(line).to.include({ publicOnly: true, consoleRoutes: true });
  });

  it("takes --atlassian switches from the command line", async function () {
    this.timeout(30_000);
    const key = "pasak_" + "R".repeat(43);
    await serve(["--admin-key", key, "--atlassian", "linksNext=cursor,maxPageSize=1,patchReply=empty,accountReadyDelayMs=0"], async (l) => {
      const base = `${l.url}/admin/api-access/v1/orgs/${l.orgId}/service-accounts`;
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      for (let i = 0; i < 2; i++) expect((await fetch(base, { method: "POST", headers, body: JSON.stringify({ displayName: "cli" }) })).status).to.equal(201);
      const page: any = await (await fetch(base, { headers })).json();
      expect(page.items).to.have.length(1);
      expect(page.links.next).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect((await fetch(`${base}?limit=2`, { headers })).status).to.equal(400);
      const patched = await fetch(base, { method: "PATCH", headers, body: JSON.stringify({ [SERVICE_ACCOUNT_PATCH_ID_FIELD]: page.items[0].id, description: "x" }) });
      expect(patched.status).to.equal(204);
    });
  });

  it("prints no site admin token when the operator chose the admin key: it names the file that keeps it", async function () {
    this.timeout(30_000);
    const line: any = await serve(["--admin-key", "pasak_" + "Q".repeat(43)]);
    expect(line).to.not.have.property("adminKey");
    expect(JSON.stringify(line)).to.not.match(SECRET_PATTERN);
    expect(line.siteAdmin.tokenFile).to.equal(path.join(dir, "keys", `${line.orgId}.site-admin`));
    expect(fs.readFileSync(line.siteAdmin.tokenFile, "utf8")).to.match(SECRET_PATTERN);
  });

  it("is made once when none is given: the CLI prints its token in the listening line of that start only", async function () {
    this.timeout(30_000);
    const start = () => serve([]);
    const first = await start();
    const tokenFile = path.join(dir, "keys", `${(first as any).orgId}.site-admin`);
    expect(first.siteAdmin.email).to.equal("site-admin@example.com");
    expect(first.siteAdmin.token).to.match(SECRET_PATTERN);
    const second = await start();
    expect(second.siteAdmin).to.deep.equal({ email: first.siteAdmin.email, accountId: first.siteAdmin.accountId, tokenFile });
    // The same admin answers after the restart, from the kept token.
    const b = await harness({ dataDir: dir });
    try {
      expect(b.siteAdmin.token).to.equal(first.siteAdmin.token);
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/myself", basic(first.siteAdmin.email, first.siteAdmin.token!))).status).to.equal(200);
    } finally {
      await b.close();
    }
    expect(fs.statSync(path.join(dir, "keys", `${b.orgId}.site-admin`)).mode & 0o777).to.equal(0o600);
  });
});
