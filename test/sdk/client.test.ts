/**
 * The sdk client against the real identity backend: every method's success and error paths,
 * iteration across pages, and what the backend records of the client's headers.
 *
 * Accounts for setup are made with `createAccount` (see ./backend), which works on the
 * backend before and after the s15 backend work. The tests of the public create itself need
 * the s15 backend (Atlassian's create body); they are marked "(s15 backend)".
 */
import { expect } from "chai";
import { inspect } from "node:util";
import {
  ADMIN_KEY_PREFIX,
  API_TOKEN_PREFIX,
  APIError,
  AuthenticationError,
  BadRequestError,
  Client,
  ConflictError,
  isNotFound,
  isQuotaExceeded,
  NotFoundError,
  SECRET_PATTERN,
  SERVICE_ACCOUNT_EMAIL_DOMAIN,
  VERSION,
  type ServiceAccount,
} from "../../sdk";
import { createAccount, seededKey, startTestBackend, type TestBackend } from "./backend";
import { rejection as rejected } from "../rejection";

const thrown: unknown[] = [];
/** Every error a test saw, checked for secrets at the end. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  const err = await rejected(p);
  thrown.push(err);
  return err;
}

const TOKEN = { label: "ci", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 30 };
const MISSING = "00000000-0000-4000-8000-000000000000";

describe("sdk client against the real backend", () => {
  let backend: TestBackend;
  let client: Client;
  const FREE = { orgId: "free-org", adminKey: seededKey("free"), plan: "free" as const };
  const LISTS = { orgId: "list-org", adminKey: seededKey("lists") };

  before(async () => {
    backend = await startTestBackend({ plan: "enterprise", orgs: [FREE, LISTS] });
    client = backend.client({ clientContext: "sdk-tests/client", userAgent: "sdk-test/1" });
  });
  after(async () => {
    await backend.close();
    // Every error any test here provoked, in every form a log or a crash report could take.
    for (const err of thrown) {
      const e = err as Error;
      for (const text of [e.message, e.stack ?? "", String(e), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })]) {
        expect(text).not.to.match(SECRET_PATTERN);
        expect(text).not.to.contain(backend.adminKey);
      }
    }
    expect(thrown.length, "the suite provoked errors to check").to.be.greaterThan(10);
  });

  describe("service accounts", () => {
    let sa: ServiceAccount;
    before(async () => {
      sa = await createAccount(client, "CI deployer", "deploys from CI");
    });

    it("(s15 backend) create sends the display name and description, and the server makes the email and ids", async () => {
      const made = await client.serviceAccounts.create({ displayName: "Made here", description: "by the test" });
      expect(made).to.include({ displayName: "Made here", description: "by the test" });
      expect(made.email.endsWith(`@${SERVICE_ACCOUNT_EMAIL_DOMAIN}`)).to.equal(true);
      expect((await client.serviceAccounts.retrieve(made.id))?.email).to.equal(made.email);
    });

    it("display names may repeat; findByDisplayName answers every match, or none", async () => {
      const twin = await createAccount(client, "CI deployer");
      const found = await client.serviceAccounts.findByDisplayName("CI deployer");
      expect(found.map((a) => a.id).sort()).to.deep.equal([sa.id, twin.id].sort());
      expect(await client.serviceAccounts.findByDisplayName("ci deployer")).to.deep.equal([]);
      await client.serviceAccounts.delete(twin.id);
    });

    it("create past the plan's quota is a QuotaExceededError that names the plan", async () => {
      const free = new Client({ baseUrl: backend.url, orgId: FREE.orgId, apiKey: FREE.adminKey });
      try {
        for (let i = 0; i < 5; i++) await createAccount(free, `Free account ${i}`);
        const err = await rejection(createAccount(free, "Free account 5"));
        expect(isQuotaExceeded(err)).to.equal(true);
        expect((err as APIError).message).to.contain("free");
      } finally {
        free.close();
      }
    });

    it("retrieve returns the account, or null when there is none", async () => {
      expect((await client.extensions.serviceAccounts.retrieve(sa.id))?.displayName).to.equal("CI deployer");
      expect(await client.extensions.serviceAccounts.retrieve(MISSING)).to.equal(null);
      expect((await client.serviceAccounts.retrieve(sa.id))?.email).to.equal(sa.email);
      expect(await client.serviceAccounts.retrieve(MISSING)).to.equal(null);
    });

    it("retrieve through a wrong baseUrl is an error, never a null that reads as deleted", async () => {
      const lost = backend.client({ baseUrl: `${backend.url}/wrong-prefix`, maxRetries: 0 });
      const err = await rejection(lost.extensions.serviceAccounts.retrieve(sa.id));
      expect(err).to.be.instanceOf(NotFoundError);
      expect((err as NotFoundError).code).to.equal("endpoint.notFound");
      expect(isNotFound(err)).to.equal(false);
      expect(await rejection(lost.serviceAccounts.delete(sa.id)), "a delete through a wrong base is no success").to.be.instanceOf(NotFoundError);
    });

    it("update (the extension) changes what it may and returns the account", async () => {
      const updated = await client.extensions.serviceAccounts.update(sa.id, { displayName: "CI deployer 2", status: "suspended" });
      expect(updated).to.include({ id: sa.id, displayName: "CI deployer 2", status: "suspended" });
      expect((await client.extensions.serviceAccounts.update(sa.id, { displayName: "CI deployer", status: "active" })).status).to.equal("active");
    });

    it("update (Atlassian's PATCH without id) changes the description, whatever the reply holds", async () => {
      const reply = await client.serviceAccounts.update(sa.id, { description: "deploys from CI, v2" });
      if (reply !== null) expect(reply.description).to.equal("deploys from CI, v2");
      expect((await client.serviceAccounts.retrieve(sa.id))?.description).to.equal("deploys from CI, v2");
    });

    it("update of a missing account is a NotFoundError", async () => {
      const err = await rejection(client.extensions.serviceAccounts.update(MISSING, { description: "x" }));
      expect(err).to.be.instanceOf(NotFoundError).with.property("code", "not.found");
      expect(await rejection(client.serviceAccounts.update(MISSING, { description: "x" }))).to.be.instanceOf(NotFoundError);
    });

    it("delete removes it, and deleting it again succeeds", async () => {
      const doomed = await createAccount(client, "Short lived");
      await client.serviceAccounts.delete(doomed.id);
      expect(await client.serviceAccounts.retrieve(doomed.id)).to.equal(null);
      await client.serviceAccounts.delete(doomed.id);
      await client.serviceAccounts.delete(MISSING);
    });
  });

  describe("api tokens", () => {
    let sa: ServiceAccount;
    before(async () => {
      sa = await createAccount(client, "Token holder");
    });

    it("create returns the secret once; retrieve and list never do", async () => {
      const created = await client.extensions.apiTokens.create(sa.id, TOKEN);
      expect(created.token.startsWith(API_TOKEN_PREFIX)).to.equal(true);
      expect(created.token).to.match(SECRET_PATTERN);
      expect(created).to.include({ serviceAccountId: sa.id, label: "ci", status: "active" });
      const got = await client.extensions.apiTokens.retrieve(sa.id, created.id);
      expect(got).not.to.have.property("token");
      expect(got?.scopes).to.deep.equal(TOKEN.scopes);
      const listed = await client.serviceAccountTokens.list(sa);
      expect(listed.map((t) => t.id)).to.include(created.id);
      expect(JSON.stringify(listed)).not.to.match(SECRET_PATTERN);
    });

    it("create with expiresAt sets that expiry", async () => {
      const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
      const created = await client.extensions.apiTokens.create(sa.id, { label: "dated", scopes: ["read:jira-work"], expiresAt });
      expect(Date.parse(created.expiresAt)).to.equal(Date.parse(expiresAt));
    });

    it("create for a missing account is a NotFoundError", async () => {
      expect(await rejection(client.extensions.apiTokens.create(MISSING, TOKEN))).to.be.instanceOf(NotFoundError);
    });

    it("revoke makes the token revoked; revoking again, or a missing token, succeeds", async () => {
      const created = await client.extensions.apiTokens.create(sa.id, TOKEN);
      await client.extensions.apiTokens.revoke(sa.id, created.id);
      expect((await client.extensions.apiTokens.retrieve(sa.id, created.id))?.status).to.equal("revoked");
      await client.extensions.apiTokens.revoke(sa.id, created.id);
      await client.extensions.apiTokens.revoke(sa.id, MISSING);
    });

    it("revokeAll (Atlassian's) revokes every token of the account", async () => {
      await client.extensions.apiTokens.create(sa.id, TOKEN);
      await client.serviceAccountTokens.revokeAll(sa);
      const statuses = new Set((await client.serviceAccountTokens.list(sa)).map((t) => t.status));
      expect([...statuses]).to.deep.equal(["revoked"]);
    });

    it("retrieve of a token, or of the account's tokens, after the account is deleted is null or empty", async () => {
      const other = await createAccount(client, "Deleted holder");
      const created = await client.extensions.apiTokens.create(other.id, TOKEN);
      await client.serviceAccounts.delete(other.id);
      expect(await client.extensions.apiTokens.retrieve(other.id, created.id)).to.equal(null);
      await client.extensions.apiTokens.revoke(other.id, created.id);
      expect(await client.serviceAccountTokens.list(other)).to.deep.equal([]);
      await client.serviceAccountTokens.revokeAll(other);
    });
  });

  describe("scope bindings", () => {
    let sa: ServiceAccount;
    before(async () => {
      sa = await createAccount(client, "Binding holder");
    });

    it("create, retrieve, update, list and delete one binding", async () => {
      const b = await client.extensions.scopeBindings.create(sa.id, { resource: "jira:project/OPS", role: "viewer" });
      expect(b).to.include({ serviceAccountId: sa.id, resource: "jira:project/OPS", role: "viewer" });
      expect(await client.extensions.scopeBindings.retrieve(sa.id, b.id)).to.deep.equal(b);
      expect((await client.extensions.scopeBindings.update(sa.id, b.id, { role: "editor" })).role).to.equal("editor");
      expect((await client.extensions.scopeBindings.list(sa.id).toArray()).map((x) => x.id)).to.deep.equal([b.id]);
      await client.extensions.scopeBindings.delete(sa.id, b.id);
      expect(await client.extensions.scopeBindings.retrieve(sa.id, b.id)).to.equal(null);
      await client.extensions.scopeBindings.delete(sa.id, b.id);
    });

    it("a second binding on the same resource is a ConflictError", async () => {
      await client.extensions.scopeBindings.create(sa.id, { resource: "confluence:space/DOCS", role: "viewer" });
      const err = await rejection(client.extensions.scopeBindings.create(sa.id, { resource: "confluence:space/DOCS", role: "admin" }));
      expect(err).to.be.instanceOf(ConflictError).with.property("code", "conflict.bindingExists");
    });

    it("update of a missing binding is a NotFoundError", async () => {
      expect(await rejection(client.extensions.scopeBindings.update(sa.id, MISSING, { role: "admin" }))).to.be.instanceOf(NotFoundError);
    });
  });

  describe("lists", () => {
    let lists: Client;
    const names = Array.from({ length: 7 }, (_, i) => `Paged account ${i}`);
    before(async () => {
      lists = new Client({ baseUrl: backend.url, orgId: LISTS.orgId, apiKey: LISTS.adminKey });
      for (const name of names) await createAccount(lists, name);
    });
    after(() => lists.close());

    it("iterate every item across pages, in order", async () => {
      const seen: string[] = [];
      for await (const sa of lists.serviceAccounts.list({ limit: 3 })) seen.push(sa.displayName);
      expect(seen).to.deep.equal(names);
      expect((await lists.serviceAccounts.list().toArray()).map((a) => a.displayName)).to.deep.equal(names);
    });

    it("give one page at a time, with total and the way to the next", async () => {
      const first = await lists.serviceAccounts.list({ limit: 3 });
      expect(first.items).to.have.length(3);
      expect(first.total).to.equal(7);
      expect(first.hasNextPage()).to.equal(true);
      const second = await first.getNextPage();
      const third = await second.getNextPage();
      expect(third.items.map((a) => a.displayName)).to.deep.equal(names.slice(6));
      expect(third.hasNextPage()).to.equal(false);
      const resumed = await lists.serviceAccounts.list({ limit: 3, cursor: first.nextCursor });
      expect(resumed.items).to.deep.equal(second.items);
    });

    it("a forged cursor is a BadRequestError", async () => {
      const err = await rejection(lists.serviceAccounts.list({ cursor: "forged.cursor" }));
      expect(err).to.be.instanceOf(BadRequestError).with.property("status", 400);
    });

    it("the audit log pages through {data, links} and records the client's headers", async () => {
      const events = await client.events.list({ action: "service-account.created", limit: 2 }).toArray();
      expect(events.length).to.be.at.least(4);
      const ours = events.filter((e) => e.attributes.context.clientContext === "sdk-tests/client");
      expect(ours.length).to.be.greaterThan(0);
      expect(ours[0]!.attributes.context.userAgent).to.equal(`pulumi-atlassian-service-accounts/${VERSION} sdk-test/1`);
      const page = await client.events.list({ limit: 1 });
      expect(page.total).to.equal(undefined);
      expect(page.hasNextPage()).to.equal(true);
    });

    it("the per-call client context overrides the client's", async () => {
      const sa = await createAccount(client, "Context probe", undefined, { clientContext: "per-call" });
      const events = await client.events.list({ action: "service-account.created" }).toArray();
      const event = events.find((e) => e.attributes.target.id === sa.id);
      expect(event?.attributes.context.clientContext).to.equal("per-call");
    });
  });

  describe("credentials", () => {
    it("an unknown key is an AuthenticationError with the server's code", async () => {
      const stranger = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: seededKey("stranger") });
      const err = await rejection(stranger.serviceAccounts.list());
      expect(err).to.be.instanceOf(AuthenticationError).with.property("status", 401);
      expect((err as AuthenticationError).code).to.be.a("string");
      stranger.close();
    });

    it("another org's key is refused (401 or 403), never read as an empty org", async () => {
      const wrong = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: FREE.adminKey });
      const err = await rejection(wrong.serviceAccounts.list());
      expect(err).to.be.instanceOf(APIError);
      expect([401, 403]).to.include((err as APIError).status);
      wrong.close();
    });

    it("api keys: a read-only key cannot write; a deleted key stops working; deleting again succeeds", async () => {
      const key = await client.extensions.apiKeys.create({ label: "read-only", scopes: ["read:service-accounts:admin"] });
      expect(key.token.startsWith(ADMIN_KEY_PREFIX)).to.equal(true);
      expect((await client.apiKeys.list().toArray()).map((k) => k.id)).to.include(key.id);
      const reader = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: key.token });
      await reader.serviceAccounts.list();
      // Missing scope: 403 forbidden.insufficientScope on the extensions' contract, 401
      // ADMIN-401-2 INSUFFICIENT_SCOPE on Atlassian's; either way an error that names the scope.
      const denied = await rejection(reader.serviceAccounts.delete(MISSING));
      expect(denied).to.be.instanceOf(APIError);
      expect([401, 403]).to.include((denied as APIError).status);
      expect((denied as APIError).message).to.match(/scope/i);
      await client.extensions.apiKeys.delete(key.id);
      expect(await rejection(reader.serviceAccounts.list())).to.be.instanceOf(AuthenticationError);
      await client.extensions.apiKeys.delete(key.id);
      for (const text of [inspect(reader, { depth: 10, showHidden: true }), JSON.stringify(reader)]) {
        expect(text).not.to.contain(key.token);
      }
      reader.close();
    });
  });
});
