import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { basic, harness, uniqueName } from "./helper";
import { expectNoLeak, loggedBackend, type LoggedBackend } from "./wire";

/**
 * With `--log`, a credential sent anywhere in a request (the query, the path, a header, a
 * body field) never reaches the log, while the log line still shows the route.
 */
describe("backend: the request log keeps credentials out", function () {
  this.timeout(60_000);
  // A key given by flag may have any shape: it is masked as a literal, not by its prefix.
  const ADMIN = `local-admin-${randomBytes(12).toString("hex")}`;
  let b: LoggedBackend;
  let token: string;
  let email: string;
  let apiKey: string;
  let secrets: string[];

  const admin = (p: string) => `${b.url}/admin/api-access/v1/orgs/${b.orgId}${p}`;
  const jira = (p: string) => `${b.url}/ex/jira/${b.cloudId}/rest/api/3${p}`;
  const json = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };
  /** The `req.url` of every request line logged. */
  const loggedUrls = () =>
    b
      .log()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .filter((l) => l.req?.url)
      .map((l) => l.req.url as string);

  before(async () => {
    b = await loggedBackend(ADMIN);
    const auth = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const account: any = await (await fetch(admin("/service-accounts"), { method: "POST", headers: auth, body: JSON.stringify({ displayName: uniqueName("log") }) })).json();
    email = account.email;
    const t = await fetch(admin(`/service-accounts/${account.id}/api-tokens`), {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ label: "log", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 3 }),
    });
    token = ((await t.json()) as any).token;
    await fetch(admin(`/service-accounts/${account.id}/scope-bindings`), { method: "POST", headers: auth, body: JSON.stringify({ resource: "jira:project/OPS", role: "editor" }) });
    apiKey = ((await (await fetch(admin("/api-keys"), { method: "POST", headers: auth, body: JSON.stringify({ label: "scanner" }) })).json()) as any).token;
    expect(token).to.match(/^pasat_/);
    expect(apiKey).to.match(/^pasak_/);
    secrets = [ADMIN, token, apiKey, basic(email, token).slice(6)];
  });
  after(() => b?.close());

  /** Each test ends here: nothing it sent reached the log. */
  const logClean = async () => {
    await b.settle();
    expectNoLeak(b.log(), secrets, "the log");
  };

  it("masks an admin key in ?access_token= on the admin API and still shows the route", async () => {
    for (const key of [apiKey, ADMIN]) {
      const res = await json(admin(`/service-accounts?access_token=${encodeURIComponent(key)}`));
      expect(res.status).to.equal(401);
      expectNoLeak(res.text, secrets, "the answer");
    }
    await b.settle();
    const urls = loggedUrls().filter((u) => u.includes("/service-accounts?"));
    expect(urls).to.have.length(2);
    for (const u of urls) expect(u).to.equal(`/admin/api-access/v1/orgs/${b.orgId}/service-accounts?access_token=[REDACTED]`);
    await logClean();
  });

  it("masks a token in ?access_token= on the product plane and still shows the route", async () => {
    const res = await json(jira(`/project/OPS?access_token=${token}`));
    expect(res.status).to.equal(401);
    await b.settle();
    expect(loggedUrls()).to.include(`/ex/jira/${b.cloudId}/rest/api/3/project/OPS?access_token=[REDACTED]`);
    await logClean();
  });

  it("masks a secret in a path segment, percent-encoded, or under any other parameter name, and never echoes it", async () => {
    const auth = { authorization: basic(email, token) };
    const project = await json(jira(`/project/${token}`), { headers: auth });
    expect(project.status).to.equal(404);
    expectNoLeak(project.text, secrets, "the product plane's 404");
    const nowhere = await json(`${b.url}/nowhere/${token}/x`);
    expect(nowhere.status).to.equal(404);
    expect(JSON.parse(nowhere.text).errors[0].detail).to.include("/nowhere/[REDACTED]/x");
    const encoded = token.replace("_", "%5F");
    for (const url of [jira(`/project/OPS?token=${encoded}`), admin(`/service-accounts?apikey=${ADMIN}`), admin(`/service-accounts?name=${encoded}`), `${b.url}/healthz?${token}`]) {
      const res = await json(url, { headers: auth });
      expect(res.status, url).to.be.below(500);
      expectNoLeak(res.text, secrets, `the answer to ${url}`);
    }
    // A query value the schema refuses may be quoted in the refusal: masked there.
    for (const q of [`action=${token}`, `from=${token}`, `cursor=${token}`]) {
      const res = await json(`${b.url}/admin/v1/orgs/${b.orgId}/events?${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status, q).to.be.below(500);
      expectNoLeak(res.text, secrets, `the refusal of ${q.split("=")[0]}`);
    }
    await b.settle();
    const urls = loggedUrls();
    expect(urls).to.include(`/ex/jira/${b.cloudId}/rest/api/3/project/[REDACTED]`);
    expect(urls).to.include(`/ex/jira/${b.cloudId}/rest/api/3/project/OPS?token=[REDACTED]`);
    expect(urls).to.include(`/admin/api-access/v1/orgs/${b.orgId}/service-accounts?apikey=[REDACTED]`);
    expect(urls).to.include("/healthz?[REDACTED]");
    await logClean();
  });

  it("keeps credentials out of the audit log too (refused requests are events)", async () => {
    const hostile = { "user-agent": `scanner/1.0 ${token}`, "x-client-context": `stack=${ADMIN}`, "x-request-id": token };
    for (const secret of [token, ADMIN, apiKey]) {
      const res = await json(admin(`/service-accounts/${encodeURIComponent(secret)}`), { headers: hostile });
      expect(res.status).to.equal(401);
      expect(res.headers.get("x-request-id"), "a request id holding a token is replaced").to.match(/^[0-9a-f-]{36}$/);
      expectNoLeak(res.text, secrets, "the refusal");
    }
    const denied = await json(admin(`/service-accounts/${token}`), { headers: { ...hostile, authorization: `Bearer ${apiKey.slice(0, -2)}xx` } });
    expect(denied.status).to.equal(401);
    const product = await json(jira(`/project/${token}`), { headers: { ...hostile, authorization: basic(email, token) } });
    expect(product.status).to.equal(404);
    const events = await json(`${b.url}/admin/v1/orgs/${b.orgId}/events?limit=100`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(events.status).to.equal(200);
    const denials = JSON.parse(events.text).data.filter((e: any) => e.attributes.action === "request.denied");
    expect(denials.length, "the refusals are recorded").to.be.at.least(4);
    expect(JSON.stringify(denials)).to.include("[REDACTED]");
    expectNoLeak(events.text, secrets, "the audit log");
    await logClean();
  });

  it("quotes no credential in a refusal, first sent or replayed under an Idempotency-Key", async () => {
    const a: any = await (await fetch(admin("/service-accounts?limit=1"), { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const id = a.items[0].id;
    for (const p of [`/service-accounts/${token}`, `/service-accounts/${id}/api-tokens/${token}`, `/service-accounts/${id}/scope-bindings/${token}`, `/api-keys/${apiKey}`]) {
      for (const attempt of ["first", "replay"]) {
        const res = await json(admin(p), { method: "DELETE", headers: { authorization: `Bearer ${ADMIN}`, "idempotency-key": `del-${p.length}-${id}` } });
        expect(res.status, `${attempt} ${p}`).to.equal(404);
        // Atlassian's public DELETE ignores the key (nothing to replay); the extensions replay.
        const extension = p !== `/service-accounts/${token}`;
        if (attempt === "replay") expect(res.headers.get("idempotent-replayed"), p).to.equal(extension ? "true" : null);
        expect(JSON.parse(res.text).errors[0].detail).to.include("[REDACTED]");
        expectNoLeak(res.text, secrets, `the ${attempt} refusal of DELETE ${p.split("/").slice(-2, -1)}`);
      }
    }
    await logClean();
  });

  it("logs no credential sent in a header or a body field", async () => {
    const created = await json(admin("/service-accounts"), {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", cookie: `session=${token}`, "x-api-key": apiKey, "idempotency-key": `idem-${token}` },
      body: JSON.stringify({ name: token }),
    });
    expect(created.status).to.equal(400);
    expectNoLeak(created.text, secrets, "the refusal of a token as a name");
    const issue = await json(jira("/issue"), {
      method: "POST",
      headers: { authorization: basic(email, token), "content-type": "application/json" },
      body: JSON.stringify({ fields: { project: { key: "OPS" }, summary: `rotate ${token} and ${ADMIN}` } }),
    });
    expect(issue.status).to.equal(201);
    expectNoLeak(issue.text, secrets, "the created issue");
    await logClean();
  });

  it("writes the same masked log to a logSink given to startBackend, in place of stdout", async () => {
    const lines: string[] = [];
    const h = await harness({ logger: true, logSink: { write: (l: string) => lines.push(l) } });
    try {
      const res = await h.call("GET", `/service-accounts?access_token=${h.adminKey}`, undefined, { key: null });
      expect(res.status).to.equal(401);
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === res.headers.get("x-request-id") && l.req);
      expect(logged?.req.url).to.equal(`/admin/api-access/v1/orgs/${h.orgId}/service-accounts?access_token=[REDACTED]`);
      expectNoLeak(lines.join(""), [h.adminKey], "the log");
    } finally {
      await h.close();
    }
  });
});
