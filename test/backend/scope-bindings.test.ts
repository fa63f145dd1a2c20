import { expect } from "chai";
import { ScopeBinding } from "../../sdk/schemas";
import { expectError, harness, uniqueName, type Harness } from "./helper";

describe("backend: scope bindings", () => {
  let b: Harness;
  let account: any;
  before(async () => {
    b = await harness();
    account = await b.ok("POST", "/service-accounts", { displayName: uniqueName("bind") });
  });
  after(() => b.close());
  const bindings = () => `/service-accounts/${account.id}/scope-bindings`;

  it("creates, gets, lists, updates and deletes a binding", async () => {
    const res = await b.call("POST", bindings(), { resource: "jira:project/ENG", role: "viewer" });
    expect(res.status).to.equal(201);
    const x = ScopeBinding.parse(res.body);
    expect(x).to.include({ resource: "jira:project/ENG", role: "viewer", serviceAccountId: account.id });
    expect(await b.ok("GET", `${bindings()}/${x.id}`)).to.deep.equal(x);
    const c = await b.ok("POST", bindings(), { resource: "confluence:space/DOCS", role: "editor" });
    const list = await b.ok("GET", bindings());
    expect(list.items.map((i: any) => i.id)).to.deep.equal([x.id, c.id]);
    expect(list.total).to.equal(2);
    expect((await b.ok("PATCH", `${bindings()}/${x.id}`, { role: "admin" })).role).to.equal("admin");
    expect((await b.call("DELETE", `${bindings()}/${x.id}`)).status).to.equal(204);
    expectError(await b.call("GET", `${bindings()}/${x.id}`), 404, "not.found");
    expectError(await b.call("DELETE", `${bindings()}/${x.id}`), 404, "not.found");
    expectError(await b.call("PATCH", `${bindings()}/${x.id}`, { role: "admin" }), 404, "not.found");
  });

  it("allows one binding per account and resource", async () => {
    await b.ok("POST", bindings(), { resource: "jira:project/ONE", role: "viewer" });
    expectError(await b.call("POST", bindings(), { resource: "jira:project/ONE", role: "editor" }), 409, "conflict.bindingExists", "/resource");
  });

  it("refuses a malformed resource or role, naming the field", async () => {
    expectError(await b.call("POST", bindings(), { resource: "jira:project/eng", role: "viewer" }), 400, "validation.failed", "/resource");
    expectError(await b.call("POST", bindings(), { resource: "github:repo/x", role: "viewer" }), 400, "validation.failed", "/resource");
    expectError(await b.call("POST", bindings(), { resource: "jira:project/ENG2", role: "owner" }), 400, "validation.failed", "/role");
  });
});
