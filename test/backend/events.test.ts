import { expect } from "chai";
import { AuditEvent, EventsPage } from "../../sdk/schemas";
import { basic, harness, uniqueName, type Harness } from "./helper";

describe("backend: audit events", () => {
  let b: Harness;
  const events = async (query = "") => {
    const out: AuditEvent[] = [];
    let next: string | undefined = `/admin/v1/orgs/${b.orgId}/events?limit=100${query}`;
    while (next) {
      const page = EventsPage.parse(await b.ok("GET", next));
      out.push(...page.data);
      next = page.links.next;
    }
    return out;
  };
  before(async () => {
    b = await harness();
  });
  after(() => b.close());

  it("records every mutation with actor, target, user agent and client context", async () => {
    const headers = { "x-client-context": "project=p stack=dev resource=ci", "user-agent": "events-test/1" };
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("evt") }, { headers });
    await b.ok("PATCH", `/service-accounts/${a.id}`, { description: "d" }, { headers });
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 2 }, { headers });
    const bind = await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/EVT", role: "viewer" }, { headers });
    await b.ok("PATCH", `/service-accounts/${a.id}/scope-bindings/${bind.id}`, { role: "editor" }, { headers });
    await b.ok("DELETE", `/service-accounts/${a.id}/scope-bindings/${bind.id}`, undefined, { headers });
    await b.ok("DELETE", `/service-accounts/${a.id}/api-tokens/${t.id}`, undefined, { headers });
    const k = await b.ok("POST", "/api-keys", { label: "k" }, { headers });
    await b.ok("DELETE", `/api-keys/${k.id}`, undefined, { headers });
    await b.ok("DELETE", `/service-accounts/${a.id}`, undefined, { headers });

    const mine = (await events()).filter((e) => e.attributes.context.clientContext === headers["x-client-context"]);
    expect(mine.map((e) => e.attributes.action)).to.deep.equal([
      "service-account.created",
      "service-account.updated",
      "api-token.created",
      "scope-binding.created",
      "scope-binding.updated",
      "scope-binding.deleted",
      "api-token.revoked",
      "api-key.created",
      "api-key.deleted",
      "service-account.deleted",
    ]);
    for (const e of mine) {
      expect(e.attributes.outcome).to.equal("success");
      expect(e.attributes.actor.type).to.equal("api-key");
      expect(e.attributes.context.userAgent).to.equal("events-test/1");
      expect(e.attributes.context.requestId).to.be.a("string");
    }
    expect(mine[0]!.attributes.target).to.deep.equal({ type: "service-account", id: a.id });
    expect(mine[2]!.attributes.target).to.deep.equal({ type: "api-token", id: t.id });
  });

  it("records token uses and denied requests", async () => {
    const a = await b.ok("POST", "/service-accounts", { displayName: uniqueName("use") });
    const t = await b.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 2 });
    await b.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/USE", role: "viewer" });
    expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/USE", basic(a.email, t.token))).status).to.equal(200);
    expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/NOPE", basic(a.email, t.token))).status).to.equal(403);
    expect((await b.call("GET", "/service-accounts", undefined, { key: "pasak_" + "Z".repeat(43), headers: { "x-request-id": "denied-1" } })).status).to.equal(401);

    const used = await events("&action=api-token.used");
    expect(used.some((e) => e.attributes.actor.type === "service-account" && e.attributes.actor.id === a.id && e.attributes.target.id === t.id)).to.equal(true);
    const denied = await events("&action=request.denied");
    expect(denied.every((e) => e.attributes.outcome === "denied")).to.equal(true);
    expect(denied.some((e) => e.attributes.actor.id === a.id && e.attributes.target.id === "jira:project/NOPE")).to.equal(true);
    expect(denied.some((e) => e.attributes.context.requestId === "denied-1" && e.attributes.actor.type === "anonymous")).to.equal(true);
  });

  it("filters by time, pages with a cursor, and needs read:events:admin", async () => {
    const all = await events();
    const middle = all[Math.floor(all.length / 2)]!.attributes.time;
    const later = await events(`&from=${encodeURIComponent(middle)}`);
    expect(later.length).to.be.greaterThan(0).and.lessThan(all.length + 1);
    expect(later.every((e) => e.attributes.time >= middle)).to.equal(true);
    const earlier = await events(`&to=${encodeURIComponent(middle)}`);
    expect(earlier.every((e) => e.attributes.time <= middle)).to.equal(true);

    const first = await b.ok("GET", `/admin/v1/orgs/${b.orgId}/events?limit=2`);
    expect(first.data).to.have.length(2);
    const second = await b.ok("GET", first.links.next);
    expect(second.data[0].id).to.equal(all[2]!.id);

    const key = (await b.ok("POST", "/api-keys", { label: "no-events", scopes: ["read:service-accounts:admin"] })).token;
    // Atlassian's missing scope: 401 ADMIN-401-2 (AX-196).
    const refused = await b.call("GET", `/admin/v1/orgs/${b.orgId}/events`, undefined, { key });
    expect([refused.status, refused.body.errors[0].code]).to.deep.equal([401, "ADMIN-401-2"]);
  });

  it("is append-only: the API has no way to change or delete an event", async () => {
    const e = (await events())[0]!;
    for (const method of ["DELETE", "PATCH", "PUT", "POST"]) {
      const res = await b.call(method, `/admin/v1/orgs/${b.orgId}/events/${e.id}`, method === "DELETE" ? undefined : {});
      expect(res.status).to.equal(404);
    }
    expect((await events())[0]).to.deep.equal(e);
  });
});
