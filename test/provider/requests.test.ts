/**
 * How many requests each handler sends, counted by a proxy in front of the real backend:
 * check and diff none, create/read/update/delete one each.
 */
import { expect } from "chai";
import type { ApiTokenOutputs } from "../../provider/apiToken";
import { configure } from "../../provider/config";
import { providers } from "../../provider/index";
import type { ScopeBindingOutputs } from "../../provider/scopeBinding";
import type { ServiceAccountOutputs } from "../../provider/serviceAccount";
import { CONTEXT, checked, configOf, created, startProxy, useBackend } from "./helpers";

describe("requests per handler", () => {
  const backend = useBackend();
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  before(async () => {
    proxy = await startProxy(backend.current.url);
    configure(configOf({ "atlassian:baseUrl": proxy.url, "atlassian:orgId": backend.current.orgId, "atlassian:apiKey": backend.current.adminKey }));
  });
  after(() => proxy.close());

  // Every request the handlers sent in the tests above (reads and deletes too, which the audit
  // log does not show) carried the resource's client context.
  after(() => {
    expect(proxy.requests.length).to.be.above(0);
    expect(proxy.contexts.filter((c) => c !== CONTEXT), "requests without the client context").to.deep.equal([]);
  });

  /** The requests `fn` sends, as "METHOD path" with the org's admin prefix cut off. */
  async function sent(fn: () => Promise<unknown>): Promise<string[]> {
    const from = proxy.requests.length;
    await fn();
    const prefix = `/admin/api-access/v1/orgs/${backend.current.orgId}`;
    return proxy.requests.slice(from).map((r) => r.replace(prefix, ""));
  }

  it("ServiceAccount: check and diff send nothing; create, read, update, delete one request each", async () => {
    const sa = providers.ServiceAccount;
    let made!: Awaited<ReturnType<typeof created<"ServiceAccount">>>;
    expect(await sent(async () => (made = await created("ServiceAccount", { name: "count-me" })))).to.deep.equal(["POST /service-accounts"]);
    const { id, inputs } = made;
    const outs = made.outs as ServiceAccountOutputs;
    const news = await checked("ServiceAccount", { name: "count-me", description: "new" }, inputs);
    expect(await sent(() => sa.diff(id, outs, news))).to.deep.equal([]);
    expect(await sent(() => sa.read(id, outs))).to.deep.equal([`GET /service-accounts/${id}`]);
    expect(await sent(() => sa.update(id, outs, news))).to.deep.equal([`PATCH /service-accounts/${id}`]);
    expect(await sent(() => sa.delete(id, outs))).to.deep.equal([`DELETE /service-accounts/${id}`]);
  });

  it("ApiToken: create, read and delete one request each; a rotateBeforeDays update none", async () => {
    const account = await backend.current.admin.serviceAccounts.create({ name: "count-tokens" });
    const args = { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };
    let made!: Awaited<ReturnType<typeof created<"ApiToken">>>;
    const base = `/service-accounts/${account.id}/api-tokens`;
    expect(await sent(async () => (made = await created("ApiToken", args)))).to.deep.equal([`POST ${base}`]);
    const outs = made.outs as ApiTokenOutputs;
    const news = await checked("ApiToken", { ...args, rotateBeforeDays: 5 });
    expect(await sent(() => providers.ApiToken.diff(made.id, outs, news))).to.deep.equal([]);
    expect(await sent(() => providers.ApiToken.read(made.id, outs))).to.deep.equal([`GET ${base}/${made.id}`]);
    expect(await sent(() => providers.ApiToken.update(made.id, outs, news))).to.deep.equal([]);
    expect(await sent(() => providers.ApiToken.delete(made.id, outs))).to.deep.equal([`DELETE ${base}/${made.id}`]);
  });

  it("ScopeBinding: create, read, update, delete one request each", async () => {
    const account = await backend.current.admin.serviceAccounts.create({ name: "count-bindings" });
    const args = { serviceAccountId: account.id, resource: "jira:project/CNT", role: "viewer" };
    let made!: Awaited<ReturnType<typeof created<"ScopeBinding">>>;
    const base = `/service-accounts/${account.id}/scope-bindings`;
    expect(await sent(async () => (made = await created("ScopeBinding", args)))).to.deep.equal([`POST ${base}`]);
    const outs = made.outs as ScopeBindingOutputs;
    const news = await checked("ScopeBinding", { ...args, role: "editor" });
    expect(await sent(() => providers.ScopeBinding.diff(made.id, outs, news))).to.deep.equal([]);
    expect(await sent(() => providers.ScopeBinding.read(made.id, outs))).to.deep.equal([`GET ${base}/${made.id}`]);
    expect(await sent(() => providers.ScopeBinding.update(made.id, outs, news))).to.deep.equal([`PATCH ${base}/${made.id}`]);
    expect(await sent(() => providers.ScopeBinding.delete(made.id, outs))).to.deep.equal([`DELETE ${base}/${made.id}`]);
  });

  it("a token of a deleted account: read reports it gone, delete succeeds, one request each", async () => {
    const account = await backend.current.admin.serviceAccounts.create({ name: "count-gone" });
    const made = await created("ApiToken", { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 });
    await backend.current.admin.serviceAccounts.delete(account.id);
    const outs = made.outs as ApiTokenOutputs;
    expect(await sent(async () => expect((await providers.ApiToken.read(made.id, outs)).id ?? "").to.equal(""))).to.have.length(1);
    expect(await sent(() => providers.ApiToken.delete(made.id, outs))).to.have.length(1);
  });
});
