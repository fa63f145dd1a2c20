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
import { productAccountIdOf } from "../../sdk/index";
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

    it("ServiceAccount: create lists then POSTs; read in the same run nothing, in a new run one list page; update one PATCH without id; delete revoke-all then DELETE", async () => {
      const sa = providers.ServiceAccount;
      fresh();
      let made!: Awaited<ReturnType<typeof created<"ServiceAccount">>>;
      expect(await sent(async () => (made = await created("ServiceAccount", { displayName: "Count me" })))).to.deep.equal([
        "GET /service-accounts",
        "POST /service-accounts",
      ]);
      const { id, inputs } = made;
      const outs = made.outs as ServiceAccountOutputs;
      const news = await checked("ServiceAccount", { displayName: "Count me too", description: "new" }, inputs);
      expect(await sent(() => sa.diff(id, outs, news))).to.deep.equal([]);
      expect(await sent(() => sa.read(id, outs)), "the run's listing").to.deep.equal([]);
      fresh();
      expect(await sent(() => sa.read(id, outs))).to.deep.equal(["GET /service-accounts"]);
      expect(await sent(() => sa.update(id, outs, news)), "a new displayName too: one PATCH").to.deep.equal(["PATCH /service-accounts"]);
      expect(await sent(() => sa.delete(id, outs))).to.deep.equal([`DELETE /service-accounts/${id}/api-tokens`, `DELETE /service-accounts/${id}`]);
    });

    it("ServiceAccount: adopting lists once, then one PATCH; a second create in the run lists no more", async () => {
      await backend.current.admin.serviceAccounts.create({ displayName: "Count adopt", description: "by hand" });
      fresh();
      expect(await sent(() => created("ServiceAccount", { displayName: "Count adopt", description: "managed", adoptExisting: true }))).to.deep.equal([
        "GET /service-accounts",
        "PATCH /service-accounts",
      ]);
      expect(await sent(() => created("ServiceAccount", { displayName: "Count adopt 2" }))).to.deep.equal(["POST /service-accounts"]);
    });

    if (choice.publicOnly) {
      it("ApiToken: check fails and nothing is sent", async () => {
        const account = await backend.current.admin.serviceAccounts.create({ displayName: "count-cloud-token" });
        const args = { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };
        const result = await sent(async () => expect((await providers.ApiToken.check({}, { __context: CONTEXT, ...args })).failures).to.have.length(1));
        expect(result).to.deep.equal([]);
      });
    } else {
      it("ApiToken: create and delete one extension request each; read one public list page; a rotateBeforeDays update none", async () => {
        const account = await backend.current.admin.serviceAccounts.create({ displayName: "count-tokens" });
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
        const account = await backend.current.admin.serviceAccounts.create({ displayName: "count-gone" });
        const made = await created("ApiToken", { serviceAccountId: account.id, label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 });
        await backend.current.admin.serviceAccounts.delete(account.id);
        const outs = made.outs as ApiTokenOutputs;
        expect(await sent(async () => expect((await providers.ApiToken.read(made.id, outs)).id ?? "").to.equal(""))).to.have.length(1);
        expect(await sent(() => providers.ApiToken.delete(made.id, outs))).to.have.length(1);
      });
    }

    it("ScopeBinding on Jira: the first create looks up the account and the project's roles, later ones only read and add", async () => {
      fresh();
      const account = await backend.current.admin.serviceAccounts.create({ displayName: "count-bindings" });
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

    it("ScopeBinding given accountId: never lists the org's accounts", async () => {
      const account = await backend.current.admin.serviceAccounts.create({ displayName: "Count given" });
      fresh();
      const args = { serviceAccountId: account.id, accountId: productAccountIdOf(account), resource: "jira:project/CNTG", role: "viewer" };
      const first = await sent(() => created("ScopeBinding", args));
      expect(first.filter((r) => r.startsWith("POST "))).to.have.length(1);
      expect(first, "no listing").to.not.include("GET /service-accounts");
      const confluence = await sent(() => created("ScopeBinding", { ...args, resource: "confluence:space/CNTG" }));
      expect(confluence, "no listing").to.not.include("GET /service-accounts");
    });

    it("ScopeBinding on Confluence (role mode): space, mode and roles looked up once; then one read and one assignment", async () => {
      fresh();
      const account = await backend.current.admin.serviceAccounts.create({ displayName: "count-spaces" });
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
