import { expect } from "chai";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { createAccount, expectError, harness, uniqueName, type Harness } from "./helper";

const MIN = 60_000;

/**
 * Idempotency-Key is this backend's extensions' (token mint and revoke, bindings, get/patch by
 * id): Atlassian's public routes ignore it, as nothing evidences it there.
 */
describe("backend: idempotency keys on the extensions", () => {
  let b: Harness;
  let account: any;
  before(async () => {
    b = await harness();
    account = await createAccount(b);
  });
  after(() => b.close());
  const idem = (key: string) => ({ headers: { "idempotency-key": key } });
  const bindings = () => `/service-accounts/${account.id}/scope-bindings`;
  let n = 0;
  const project = () => `jira:project/ID${(n++).toString(36).toUpperCase()}`;

  it("replays the first response (status and body) for the same key and body", async () => {
    const body = { resource: project(), role: "viewer" };
    const k = idem(`k-${body.resource}`);
    const first = await b.call("POST", bindings(), body, k);
    const again = await b.call("POST", bindings(), body, k);
    expect(first.status).to.equal(201);
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
  });

  it("replays a refusal of the handler too: a retried create that was refused is not made later", async () => {
    const body = { resource: project(), role: "viewer" };
    const holder = await b.ok("POST", bindings(), body);
    const k = idem(`r-${body.resource}`);
    const first = await b.call("POST", bindings(), body, k);
    expectError(first, 409, "conflict.bindingExists");
    // The resource is free again, but the key still stands for that first, refused request.
    expect((await b.call("DELETE", `${bindings()}/${holder.id}`)).status).to.equal(204);
    const again = await b.call("POST", bindings(), body, k);
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect((await b.ok("GET", bindings())).items.filter((x: any) => x.resource === body.resource)).to.have.length(0);
  });

  it("treats the same body with its keys in another order as the same request", async () => {
    const resource = project();
    const k = idem(`o-${resource}`);
    const first = await b.ok("POST", bindings(), { resource, role: "editor" }, k);
    const again = await b.call("POST", bindings(), { role: "editor", resource }, k);
    expect(again.body.id).to.equal(first.id);
  });

  it("answers 422 idempotency.mismatch when the key comes back with another body", async () => {
    const resource = project();
    await b.ok("POST", bindings(), { resource, role: "viewer" }, idem(`m-${resource}`));
    expectError(await b.call("POST", bindings(), { resource: project(), role: "viewer" }, idem(`m-${resource}`)), 422, "idempotency.mismatch");
  });

  it("replays PATCH and DELETE of the extensions too", async () => {
    const a = await createAccount(b);
    const p1 = await b.ok("PATCH", `/service-accounts/${a.id}`, { description: "one" }, idem(`p-${a.id}`));
    await b.ok("PATCH", `/service-accounts/${a.id}`, { description: "two" });
    const p2 = await b.call("PATCH", `/service-accounts/${a.id}`, { description: "one" }, idem(`p-${a.id}`));
    expect(p2.body).to.deep.equal(p1);
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 3 });
    const revoke = `/service-accounts/${a.id}/api-tokens/${t.id}`;
    expect((await b.call("DELETE", revoke, undefined, idem(`d-${t.id}`))).status).to.equal(204);
    const replayed = await b.call("DELETE", revoke, undefined, idem(`d-${t.id}`));
    expect(replayed.status).to.equal(204);
    expect(replayed.headers.get("idempotent-replayed")).to.equal("true");
  });

  it("keys belong to the API key that used them", async () => {
    const other = (await b.ok("POST", "/api-keys", { label: "other" })).token;
    const body = { resource: project(), role: "viewer" };
    await b.ok("POST", bindings(), body, idem(`shared-${body.resource}`));
    const res = await b.call("POST", bindings(), body, { key: other, ...idem(`shared-${body.resource}`) });
    expectError(res, 409, "conflict.bindingExists");
  });

  it("replays a token creation with its secret within 10 minutes, and without it after", async () => {
    const a = await createAccount(b);
    const body = { label: "t", scopes: ["read:jira-work"], expiresInDays: 30 };
    const first = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, body, idem(`t-${a.id}`));
    const soon = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, body, idem(`t-${a.id}`));
    expect(soon.token === first.token, "the replay within 10 minutes carries the same secret").to.equal(true);
    b.advance(11 * MIN);
    try {
      const late = await b.call("POST", `/service-accounts/${a.id}/api-tokens`, body, idem(`t-${a.id}`));
      expect(late.status).to.equal(201);
      expect(late.body.id).to.equal(first.id);
      expect(late.body).to.not.have.property("token");
      expect(late.text).to.not.match(SECRET_PATTERN);
    } finally {
      b.advance(-11 * MIN);
    }
    expect((await b.ok("GET", `/service-accounts/${a.id}/api-tokens`)).total).to.equal(1);
  });

  it("forgets a key after 24 hours", async () => {
    const body = { resource: project(), role: "viewer" };
    await b.ok("POST", bindings(), body, idem(`f-${body.resource}`));
    b.advance(25 * 60 * MIN);
    try {
      expectError(await b.call("POST", bindings(), body, idem(`f-${body.resource}`)), 409, "conflict.bindingExists");
    } finally {
      b.advance(-25 * 60 * MIN);
    }
  });

  it("refuses a malformed key", async () => {
    expectError(await b.call("POST", bindings(), { resource: project(), role: "viewer" }, idem("x".repeat(300))), 400, "validation.failed");
  });
});

describe("backend: Idempotency-Key on Atlassian's public routes", () => {
  it("is ignored: a replayed create makes a second account, a replayed delete answers 404, a malformed key is no error", async () => {
    const b = await harness();
    try {
      const headers = { "idempotency-key": `pub-${uniqueName()}` };
      const body = { displayName: uniqueName("pub") };
      const one = await b.call("POST", "/service-accounts", body, { headers });
      const two = await b.call("POST", "/service-accounts", body, { headers });
      expect([one.status, two.status]).to.deep.equal([201, 201]);
      expect(two.body.id).to.not.equal(one.body.id);
      expect(two.headers.get("idempotent-replayed")).to.equal(null);
      expect((await b.ok("GET", "/service-accounts")).total).to.equal(2);
      const del = { headers: { "idempotency-key": `del-${one.body.id}` } };
      expect((await b.call("DELETE", `/service-accounts/${one.body.id}`, undefined, del)).status).to.equal(204);
      expect((await b.call("DELETE", `/service-accounts/${one.body.id}`, undefined, del)).status).to.equal(404);
      expect((await b.call("POST", "/service-accounts", body, { headers: { "idempotency-key": "x".repeat(300) } })).status).to.equal(201);
    } finally {
      await b.close();
    }
  });
});

describe("backend: idempotency while the first request still runs", () => {
  it("answers 409 idempotency.inProgress (retryable), then replays once the first is done", async () => {
    const b = await harness({ faults: "latencyMs=300-300,seed=7" });
    try {
      const a = await createAccount(b);
      const body = { resource: "jira:project/RUN", role: "viewer" };
      const headers = { "idempotency-key": `run-${a.id}` };
      const path = `/service-accounts/${a.id}/scope-bindings`;
      const first = b.call("POST", path, body, { headers });
      await new Promise((r) => setTimeout(r, 100));
      const busy = await b.call("POST", path, body, { headers });
      expectError(busy, 409, "idempotency.inProgress");
      expect(busy.headers.get("retry-after")).to.equal("1");
      const done = await first;
      expect(done.status).to.equal(201);
      const replay = await b.call("POST", path, body, { headers });
      expect(replay.body).to.deep.equal(done.body);
    } finally {
      await b.close();
    }
  });
});
