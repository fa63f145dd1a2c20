import { expect } from "chai";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { expectError, harness, uniqueName, type Harness } from "./helper";

const MIN = 60_000;

describe("backend: idempotency keys", () => {
  let b: Harness;
  before(async () => {
    b = await harness();
  });
  after(() => b.close());
  const idem = (key: string) => ({ headers: { "idempotency-key": key } });

  it("replays the first response (status and body) for the same key and body", async () => {
    const name = uniqueName("idem");
    const first = await b.call("POST", "/service-accounts", { name }, idem(`k-${name}`));
    const again = await b.call("POST", "/service-accounts", { name }, idem(`k-${name}`));
    expect(first.status).to.equal(201);
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect((await b.ok("GET", `/service-accounts?name=${name}`)).total).to.equal(1);
  });

  it("replays a refusal of the handler too: a retried create that was refused as taken is not made later", async () => {
    const name = uniqueName("refused");
    const holder = await b.ok("POST", "/service-accounts", { name });
    const k = idem(`r-${name}`);
    const first = await b.call("POST", "/service-accounts", { name }, k);
    expectError(first, 409, "conflict.nameTaken");
    // The name is free again, but the key still stands for that first, refused request.
    expect((await b.call("DELETE", `/service-accounts/${holder.id}`)).status).to.equal(204);
    const again = await b.call("POST", "/service-accounts", { name }, k);
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get("idempotent-replayed")).to.equal("true");
    expect((await b.ok("GET", `/service-accounts?name=${name}`)).total).to.equal(0);
  });

  it("treats the same body with its keys in another order as the same request", async () => {
    const name = uniqueName("order");
    const k = idem(`o-${name}`);
    const first = await b.ok("POST", "/service-accounts", { name, description: "d" }, k);
    const again = await b.call("POST", "/service-accounts", { description: "d", name }, k);
    expect(again.body.id).to.equal(first.id);
  });

  it("answers 422 idempotency.mismatch when the key comes back with another body", async () => {
    const name = uniqueName("mism");
    await b.ok("POST", "/service-accounts", { name }, idem(`m-${name}`));
    expectError(await b.call("POST", "/service-accounts", { name: uniqueName("mism") }, idem(`m-${name}`)), 422, "idempotency.mismatch");
  });

  it("replays PATCH and DELETE too", async () => {
    const a = await b.ok("POST", "/service-accounts", { name: uniqueName("pd") });
    const p1 = await b.ok("PATCH", `/service-accounts/${a.id}`, { description: "one" }, idem(`p-${a.id}`));
    await b.ok("PATCH", `/service-accounts/${a.id}`, { description: "two" });
    const p2 = await b.call("PATCH", `/service-accounts/${a.id}`, { description: "one" }, idem(`p-${a.id}`));
    expect(p2.body).to.deep.equal(p1);
    expect((await b.call("DELETE", `/service-accounts/${a.id}`, undefined, idem(`d-${a.id}`))).status).to.equal(204);
    expect((await b.call("DELETE", `/service-accounts/${a.id}`, undefined, idem(`d-${a.id}`))).status).to.equal(204);
  });

  it("keys belong to the API key that used them", async () => {
    const other = (await b.ok("POST", "/api-keys", { label: "other" })).token;
    const name = uniqueName("per-key");
    await b.ok("POST", "/service-accounts", { name }, idem(`shared-${name}`));
    const res = await b.call("POST", "/service-accounts", { name }, { key: other, ...idem(`shared-${name}`) });
    expectError(res, 409, "conflict.nameTaken");
  });

  it("replays a token creation with its secret within 10 minutes, and without it after", async () => {
    const a = await b.ok("POST", "/service-accounts", { name: uniqueName("sec") });
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
    const name = uniqueName("forget");
    await b.ok("POST", "/service-accounts", { name }, idem(`f-${name}`));
    b.advance(25 * 60 * MIN);
    try {
      expectError(await b.call("POST", "/service-accounts", { name }, idem(`f-${name}`)), 409, "conflict.nameTaken");
    } finally {
      b.advance(-25 * 60 * MIN);
    }
  });

  it("refuses a malformed key", async () => {
    expectError(await b.call("POST", "/service-accounts", { name: uniqueName("bad") }, idem("x".repeat(300))), 400, "validation.failed");
  });
});

describe("backend: idempotency while the first request still runs", () => {
  it("answers 409 idempotency.inProgress (retryable), then replays once the first is done", async () => {
    const b = await harness({ faults: "latencyMs=300-300,seed=7" });
    try {
      const name = uniqueName("running");
      const headers = { "idempotency-key": `run-${name}` };
      const first = b.call("POST", "/service-accounts", { name }, { headers });
      await new Promise((r) => setTimeout(r, 100));
      const busy = await b.call("POST", "/service-accounts", { name }, { headers });
      expectError(busy, 409, "idempotency.inProgress");
      expect(busy.headers.get("retry-after")).to.equal("1");
      const done = await first;
      expect(done.status).to.equal(201);
      const replay = await b.call("POST", "/service-accounts", { name }, { headers });
      expect(replay.body).to.deep.equal(done.body);
    } finally {
      await b.close();
    }
  });
});
