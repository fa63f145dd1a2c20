import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ApiToken, ApiTokenWithSecret, SECRET_PATTERN } from "../../sdk/schemas";
import { expectAdminError, expectError, harness, uniqueName, type Harness } from "./helper";

const DAY = 86_400_000;

describe("backend: API tokens", () => {
  let b: Harness;
  let account: any;
  before(async () => {
    b = await harness();
    account = await b.ok("POST", "/service-accounts", { displayName: uniqueName("tok") });
  });
  after(() => b.close());
  const tokens = () => `/service-accounts/${account.id}/api-tokens`;

  it("mints a token whose secret is returned once, prefixed, with 256 random bits", async () => {
    const res = await b.call("POST", tokens(), { label: "ci", scopes: ["read:jira-work", "read:issue:jira"], expiresInDays: 30 });
    expect(res.status).to.equal(201);
    const t = ApiTokenWithSecret.parse(res.body);
    expect(t.token).to.match(/^pasat_[A-Za-z0-9_-]{43}$/);
    expect(t).to.include({ serviceAccountId: account.id, label: "ci", status: "active", lastUsedAt: null });
    expect(Date.parse(t.expiresAt) - Date.parse(t.createdAt)).to.equal(30 * DAY);

    const got = await b.call("GET", `${tokens()}/${t.id}`);
    expect(ApiToken.parse(got.body)).to.not.have.property("token");
    expect(got.text).to.not.match(SECRET_PATTERN);
    const list = await b.call("GET", tokens());
    expect(list.text).to.not.match(SECRET_PATTERN);
    expect(list.body.items.map((x: any) => x.id)).to.include(t.id);
  });

  it("stores only a hash of the secret", async () => {
    const t = await b.ok("POST", tokens(), { label: "hashed", scopes: ["read:jira-work"], expiresInDays: 1 });
    for (const f of fs.readdirSync(b.dataDir)) {
      const p = path.join(b.dataDir, f);
      if (fs.statSync(p).isFile()) expect(fs.readFileSync(p).includes(Buffer.from(t.token)), `${f} holds the secret`).to.equal(false);
    }
  });

  it("names an unknown scope by its pointer, with a did-you-mean", async () => {
    const res = await b.call("POST", tokens(), { label: "x", scopes: ["read:jira-work", "write:jira-work", "read:jira-wrok"], expiresInDays: 5 });
    expectError(res, 400, "validation.failed", "/scopes/2");
    expect(res.body.errors[0].detail).to.include('did you mean "read:jira-work"');
  });

  it("takes expiresAt within 365 days and refuses one in the past or beyond", async () => {
    const at = new Date(Date.now() + 10 * DAY).toISOString();
    const t = await b.ok("POST", tokens(), { label: "at", scopes: ["read:jira-work"], expiresAt: at });
    expect(t.expiresAt).to.equal(at);
    expectError(await b.call("POST", tokens(), { label: "at", scopes: ["read:jira-work"], expiresAt: new Date(Date.now() - DAY).toISOString() }), 400, "validation.failed", "/expiresAt");
    expectError(await b.call("POST", tokens(), { label: "at", scopes: ["read:jira-work"], expiresAt: new Date(Date.now() + 400 * DAY).toISOString() }), 400, "validation.failed", "/expiresAt");
    expectError(await b.call("POST", tokens(), { label: "d", scopes: ["read:jira-work"], expiresInDays: 366 }), 400, "validation.failed", "/expiresInDays");
    expectError(await b.call("POST", tokens(), { label: "d", scopes: ["read:jira-work"], expiresInDays: 0 }), 400, "validation.failed", "/expiresInDays");
    expectError(await b.call("POST", tokens(), { label: "d", scopes: ["read:jira-work"] }), 400, "validation.failed", "/expiresInDays");
    expectError(await b.call("POST", tokens(), { label: "d", scopes: [], expiresInDays: 3 }), 400, "validation.failed", "/scopes");
    const many = Array.from({ length: 51 }, () => "read:jira-work");
    expectError(await b.call("POST", tokens(), { label: "d", scopes: many, expiresInDays: 3 }), 400, "validation.failed", "/scopes");
  });

  it("revokes one token (twice is fine), then all of them", async () => {
    const t1 = await b.ok("POST", tokens(), { label: "r1", scopes: ["read:jira-work"], expiresInDays: 3 });
    const t2 = await b.ok("POST", tokens(), { label: "r2", scopes: ["read:jira-work"], expiresInDays: 3 });
    expect((await b.call("DELETE", `${tokens()}/${t1.id}`)).status).to.equal(204);
    expect((await b.call("DELETE", `${tokens()}/${t1.id}`)).status).to.equal(204);
    expect((await b.ok("GET", `${tokens()}/${t1.id}`)).status).to.equal("revoked");
    expect((await b.ok("GET", `${tokens()}/${t2.id}`)).status).to.equal("active");
    expect((await b.call("DELETE", tokens())).status).to.equal(204);
    expect((await b.ok("GET", `${tokens()}/${t2.id}`)).status).to.equal("revoked");
    expectError(await b.call("DELETE", `${tokens()}/no-such-token`), 404, "not.found");
    expectError(await b.call("GET", `${tokens()}/no-such-token`), 404, "not.found");
  });

  it("reports a token past its expiry as expired", async () => {
    const t = await b.ok("POST", tokens(), { label: "exp", scopes: ["read:jira-work"], expiresInDays: 1 });
    b.advance(2 * DAY);
    try {
      expect((await b.ok("GET", `${tokens()}/${t.id}`)).status).to.equal("expired");
    } finally {
      b.advance(-2 * DAY);
    }
  });

  it("answers 404 for the tokens of an account that does not exist", async () => {
    expectAdminError(await b.call("GET", "/service-accounts/nope/api-tokens"), 404, "ADMIN-404-1", "NOT_FOUND");
    expectError(await b.call("POST", "/service-accounts/nope/api-tokens", { label: "x", scopes: ["read:jira-work"], expiresInDays: 3 }), 404, "not.found");
  });
});
