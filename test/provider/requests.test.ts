/**
 * Which requests each handler sends, on each target, seen by a proxy in front of the real
 * backend: check and diff none; the rest Atlassian's public operations, plus the embedded
 * backend's extensions only where Atlassian has none. Role and space lookups are made once
 * per provider process. The README's table of requests per operation comes from here.
 */
import { expect } from "chai";
import type { ApiTokenOutputs } from "../../provider/apiToken";
import { configure, resetConfiguration } from "../../provider/config";
import { providers } from "../../provider/index";
import type { ScopeBindingOutputs } from "../../provider/scopeBinding";
import type { ServiceAccountOutputs } from "../../provider/serviceAccount";
import { CONTEXT, PATHS, checked, configOf, created, startProxy, useBackend } from "./helpers";

for (const { name: onPath, choice } of PATHS) {
  describe(`requests per handler ${onPath}`, () => {
    const backend = useBackend(choice);
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    const fresh = () => {
      // A new provider process: nothing looked up yet.
      resetConfiguration();
      configure(configOf(backend.current.config(proxy.url)));
    };
    before(async () => {
      proxy = await startProxy(backend.current.url);
      fresh();
    });
    after(() => proxy.close());

    // Every request the handlers sent (reads and deletes too, which the audit log does not show)
    // carried the resource's client context.
    after(() => {
      expect(proxy.requests.length).to.be.above(0);
      expect(proxy.contexts.filter((c) => c !== CONTEXT), "requests without the client context").to.deep.equal([]);
    });

    /** The requests `fn` sends, as "METHOD path" with the org's admin prefix and the site's product prefixes cut off. */
    async function sent(fn: () => Promise<unknown>): Promise<string[]> {
      const from = proxy.requests.length;
      await fn();
      const { orgId, cloudId } = backend.current;
      return proxy.requests
        .slice(from)
        .map((r) => r.replace(`/admin/api-access/v1/orgs/${orgId}`, "").replace(`/ex/jira/${cloudId}`, "").replace(`/ex/confluence/${cloudId}`, ""));
    }

    it("ServiceAccount: create POST; read one list page; update one PATCH without id; delete revoke-all then DELETE", async () => {
      const sa = providers.ServiceAccount;
      let made!: Awaited<ReturnType<typeof created<"ServiceAccount">>>;
      expect(await sent(async () => (made = await created("ServiceAccount", { name: "count-me" })))).to.deep.equal(["POST /service-accounts"]);
      const { id, inputs } = made;
      const outs = made.outs as ServiceAccountOutputs;
      const news = await checked("ServiceAccount", { name: "count-me", description: "new" }, inputs);
      expect(await sent(() => sa.diff(id, outs, news))).to.deep.equal([]);
      expect(await sent(() => sa.read(id, outs))).to.deep.equal(["GET /service-accounts"]);
      expect(await sent(() => sa.update(id, outs, news))).to.deep.equal(["PATCH /service-accounts"]);
      expect(await sent(() => sa.delete(id, outs))).to.deep.equal([`DELETE /service-accounts/${id}/api-tokens`, `DELETE /service-accounts/${id}`]);
    });

    it("ServiceAccount: adopting a taken name lists until found, then one PATCH", async () => {
      await backend.current.admin.orgServiceAccounts.create({ name: "count-adopt", description: "by hand" });
      expect(await sent(() => created("ServiceAccount", { name: "count-adopt", description: "managed", adoptExisting: true }))).to.deep.equal([
        "POST /service-accounts",
        "GET /service-accounts",
        "PATCH /service-accounts",
      ]);
    });

    if (choice.publicOnly) {
      it("ApiToken: check fails and nothing is sent", async () => {
        const account = await backend.current.admin.orgServiceAccounts.create({ name: "count-cloud-token" });
        const args = { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };
        const result = await sent(async () => expect((await providers.ApiToken.check({}, { __context: CONTEXT, ...args })).failures).to.have.length(1));
        expect(result).to.deep.equal([]);
      });
    } else {
      it("ApiToken: create and delete one extension request each; read one public list page; a rotateBeforeDays update none", async () => {
        const account = await backend.current.admin.orgServiceAccounts.create({ name: "count-tokens" });
        const args = { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };
        let made!: Awaited<ReturnType<typeof created<"ApiToken">>>;
        const base = `/service-accounts/${account.id}/api-tokens`;
        expect(await sent(async () => (made = await created("ApiToken", args)))).to.deep.equal([`POST ${base}`]);
        const outs = made.outs as ApiTokenOutputs;
        const news = await checked("ApiToken", { ...args, rotateBeforeDays: 5 });
        expect(await sent(() => providers.ApiToken.diff(made.id, outs, news))).to.deep.equal([]);
        expect(await sent(() => providers.ApiToken.read(made.id, outs))).to.deep.equal([`GET ${base}`]);
        expect(await sent(() => providers.ApiToken.update(made.id, outs, news))).to.deep.equal([]);
        expect(await sent(() => providers.ApiToken.delete(made.id, outs))).to.deep.equal([`DELETE ${base}/${made.id}`]);
      });

      it("a token of a deleted account: read reports it gone, delete succeeds, one request each", async () => {
        const account = await backend.current.admin.orgServiceAccounts.create({ name: "count-gone" });
        const made = await created("ApiToken", { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 });
        await backend.current.admin.orgServiceAccounts.delete(account.id);
        const outs = made.outs as ApiTokenOutputs;
        expect(await sent(async () => expect((await providers.ApiToken.read(made.id, outs)).id ?? "").to.equal(""))).to.have.length(1);
        expect(await sent(() => providers.ApiToken.delete(made.id, outs))).to.have.length(1);
      });
    }

    it("ScopeBinding on Jira: the first create looks up the account and the project's roles, later ones only read and add", async () => {
      fresh();
      const account = await backend.current.admin.orgServiceAccounts.create({ name: "count-bindings" });
      const args = { serviceAccountId: account.id, resource: "jira:project/CNT", role: "viewer" };
      let made!: Awaited<ReturnType<typeof created<"ScopeBinding">>>;
      const roleId = (name: string) => backend.current.admin.jiraProjectRoles.list("CNT").then((r) => r!.find((x) => x.name === name)!.id);
      const viewer = await roleId("Viewer");
      const member = await roleId("Member");
      expect(await sent(async () => (made = await created("ScopeBinding", args)))).to.deep.equal([
        "GET /service-accounts",
        "GET /rest/api/3/project/CNT/role",
        `GET /rest/api/3/project/CNT/role/${viewer}`,
        `POST /rest/api/3/project/CNT/role/${viewer}`,
      ]);
      const outs = made.outs as ScopeBindingOutputs;
      const news = await checked("ScopeBinding", { ...args, role: "editor" });
      expect(await sent(() => providers.ScopeBinding.diff(made.id, outs, news))).to.deep.equal([]);
      expect(await sent(() => providers.ScopeBinding.read(made.id, outs))).to.deep.equal([`GET /rest/api/3/project/CNT/role/${viewer}`]);
      let after!: ScopeBindingOutputs;
      expect(await sent(async () => (after = (await providers.ScopeBinding.update(made.id, outs, news)).outs as ScopeBindingOutputs))).to.deep.equal([
        `GET /rest/api/3/project/CNT/role/${member}`,
        `POST /rest/api/3/project/CNT/role/${member}`,
        `DELETE /rest/api/3/project/CNT/role/${viewer}`,
      ]);
      expect(await sent(() => providers.ScopeBinding.delete(made.id, after))).to.deep.equal([`DELETE /rest/api/3/project/CNT/role/${member}`]);
      const second = { ...args, resource: "jira:project/CNTB" };
      const r2 = await sent(() => created("ScopeBinding", second));
      expect(r2, "the account is looked up once per run").to.not.include("GET /service-accounts");
    });

    it("ScopeBinding on Confluence (role mode): space, mode and roles looked up once; then one read and one assignment", async () => {
      fresh();
      const account = await backend.current.admin.orgServiceAccounts.create({ name: "count-spaces" });
      const args = { serviceAccountId: account.id, resource: "confluence:space/CNT", role: "viewer" };
      let made!: Awaited<ReturnType<typeof created<"ScopeBinding">>>;
      const first = await sent(async () => (made = await created("ScopeBinding", args)));
      const spaceId = (made.outs as ScopeBindingOutputs).grant.spaceId!;
      expect(first).to.deep.equal([
        "GET /service-accounts",
        "GET /wiki/api/v2/spaces",
        "GET /wiki/api/v2/space-role-mode",
        "GET /wiki/api/v2/space-roles",
        `GET /wiki/api/v2/spaces/${spaceId}/role-assignments`,
        `POST /wiki/api/v2/spaces/${spaceId}/role-assignments`,
      ]);
      const outs = made.outs as ScopeBindingOutputs;
      expect(await sent(() => providers.ScopeBinding.read(made.id, outs))).to.deep.equal([`GET /wiki/api/v2/spaces/${spaceId}/role-assignments`]);
      const news = await checked("ScopeBinding", { ...args, role: "editor" });
      let after!: ScopeBindingOutputs;
      expect(await sent(async () => (after = (await providers.ScopeBinding.update(made.id, outs, news)).outs as ScopeBindingOutputs))).to.deep.equal([
        `POST /wiki/api/v2/spaces/${spaceId}/role-assignments`,
      ]);
      expect(await sent(() => providers.ScopeBinding.delete(made.id, after))).to.deep.equal([
        `GET /wiki/api/v2/spaces/${spaceId}/role-assignments`,
        `POST /wiki/api/v2/spaces/${spaceId}/role-assignments`,
      ]);
    });
  });
}
