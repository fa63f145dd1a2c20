import { expect } from "chai";
import { UNKNOWN } from "../../provider/common";
import { providers } from "../../provider/index";
import type { ScopeBindingOutputs } from "../../provider/scopeBinding";
import { configure, resetConfiguration } from "../../provider/config";
import { hasUser, productAccountIdOf } from "../../sdk/index";
import { CONTEXT, ENGINE_PROPS, PATHS, checked, configOf, created, expectNoSecret, rejection, useBackend } from "./helpers";

const sb = providers.ScopeBinding;

describe("ScopeBinding", () => {
  describe("check", () => {
    it("accepts a Jira project and a Confluence space", async () => {
      await checked("ScopeBinding", { serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "editor" });
      await checked("ScopeBinding", { serviceAccountId: "sa_1", resource: "confluence:space/ENG", role: "viewer" });
    });

    it("names a bad resource and role with the value and the accepted forms", async () => {
      const result = await sb.check({}, { ...ENGINE_PROPS, serviceAccountId: "sa_1", resource: "jira:project/ops", role: "owner" });
      const f = Object.fromEntries((result.failures ?? []).map((x) => [x.property, x.reason]));
      expect(Object.keys(f).sort()).to.deep.equal(["resource", "role"]);
      expect(f.resource).to.include('"jira:project/ops"').and.to.include("jira:project/<KEY>");
      expect(f.role).to.include('"owner"').and.to.include("viewer");
    });

    it("accepts a role named directly, and names an empty roleName with the fix", async () => {
      await checked("ScopeBinding", { serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "editor", roleName: "Developers" });
      const result = await sb.check({}, { ...ENGINE_PROPS, serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "editor", roleName: " " });
      const f = Object.fromEntries((result.failures ?? []).map((x) => [x.property, x.reason]));
      expect(Object.keys(f)).to.deep.equal(["roleName"]);
      expect(f.roleName).to.include("must not be empty").and.to.include("Jira project role or Confluence space role");
    });

    it("does not judge an account id not known yet", async () => {
      await checked("ScopeBinding", { serviceAccountId: UNKNOWN, accountId: UNKNOWN, resource: "jira:project/OPS", role: "editor" });
    });

    it("accepts the account's product id as accountId, and names an empty one with the fix", async () => {
      const inputs = await checked("ScopeBinding", { serviceAccountId: "sa_1", accountId: "712020:abc", resource: "jira:project/OPS", role: "editor" });
      expect(inputs).to.deep.include({ accountId: "712020:abc" });
      const result = await sb.check({}, { ...ENGINE_PROPS, serviceAccountId: "sa_1", accountId: " ", resource: "jira:project/OPS", role: "editor" });
      const f = Object.fromEntries((result.failures ?? []).map((x) => [x.property, x.reason]));
      expect(Object.keys(f)).to.deep.equal(["accountId"]);
      expect(f.accountId).to.include("must not be empty").and.to.include("account.accountId");
    });
  });

  describe("diff", () => {
    const olds: ScopeBindingOutputs = {
      __context: CONTEXT,
      serviceAccountId: "sa_1",
      resource: "jira:project/OPS",
      role: "viewer",
      accountId: "712020:1",
      grant: { via: "jira-project-role", roleId: "10004", roleName: "Viewer", added: true },
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const news = { __context: CONTEXT, serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "viewer" as const };

    it("reports no change when nothing changed", async () => {
      expect(await sb.diff("id", olds, news)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    });
    it("replaces on a new account or resource", async () => {
      expect(await sb.diff("id", olds, { ...news, serviceAccountId: "sa_2" })).to.deep.equal({ changes: true, replaces: ["serviceAccountId"], deleteBeforeReplace: true });
      expect((await sb.diff("id", olds, { ...news, resource: "jira:project/DEV" })).replaces).to.deep.equal(["resource"]);
    });
    it("updates a role in place", async () => {
      expect(await sb.diff("id", olds, { ...news, role: "editor" })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
    });
    it("keeps the binding when accountId is given for the account it already has, or not given", async () => {
      expect(await sb.diff("id", olds, { ...news, accountId: "712020:1" })).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
      expect(await sb.diff("id", olds, news)).to.deep.include({ replaces: [] });
    });
    it("does not replace when accountId is not known yet but serviceAccountId is the same (the account being updated in a preview)", async () => {
      expect(await sb.diff("id", olds, { ...news, accountId: UNKNOWN })).to.deep.include({ replaces: [] });
    });
    it("replaces when accountId names another account, or is not known yet for another account", async () => {
      expect(await sb.diff("id", olds, { ...news, accountId: "712020:2" })).to.deep.equal({ changes: true, replaces: ["accountId"], deleteBeforeReplace: true });
      expect((await sb.diff("id", olds, { ...news, serviceAccountId: UNKNOWN, accountId: UNKNOWN })).replaces).to.deep.equal(["serviceAccountId", "accountId"]);
    });
    it("updates a role named directly in place", async () => {
      expect(await sb.diff("id", olds, { ...news, roleName: "Administrator" })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
    });
  });

  for (const { name: onPath, choice } of PATHS) {
    describe(`against the backend ${onPath}`, () => {
      const backend = useBackend(choice);
      let accountId = "";
      let productId = "";
      const jira = () => backend.current.admin.jiraProjectRoles;
      const roleId = async (key: string, name: string) => (await jira().list(key))!.find((r) => r.name === name)!.id;
      const member = async (key: string, name: string, who = productId) => hasUser((await jira().retrieve(key, await roleId(key, name)))!, who);
      before(async () => {
        const a = await backend.current.admin.serviceAccounts.create({ displayName: "binding-owner" });
        accountId = a.id;
        productId = productAccountIdOf(a);
      });
      // Each test is a deployment of its own: memberships changed by hand are read afresh.
      beforeEach(() => backend.current.newRun());

      it("grants a Jira role as a project role membership: viewer maps to the team-managed Viewer role", async () => {
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/ALPHA", role: "viewer" });
        expect(outs).to.deep.include({ serviceAccountId: accountId, resource: "jira:project/ALPHA", role: "viewer", accountId: productId, __context: CONTEXT });
        expect(outs.grant).to.deep.include({ via: "jira-project-role", roleName: "Viewer", added: true });
        expect(id).to.equal(`jira:project/ALPHA/${productId}`);
        expect(await member("ALPHA", "Viewer")).to.equal(true);
        expect(await member("ALPHA", "Member")).to.equal(false);
      });

      it("grants a role named directly, and follows atlassian:roleMapping", async () => {
        await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/NAMED", role: "viewer", roleName: "Administrator" });
        expect(await member("NAMED", "Administrator")).to.equal(true);
        configure(configOf({ ...backend.current.config(), "atlassian:roleMapping": '{"jira":{"editor":"Administrator"}}' }));
        await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/MAPPED", role: "editor" });
        expect(await member("MAPPED", "Administrator")).to.equal(true);
        expect(await member("MAPPED", "Member")).to.equal(false);
      });

      it("fails on a role the project lacks, listing its roles and how to map one", async () => {
        configure(configOf({ ...backend.current.config(), "atlassian:roleMapping": '{"jira":{"editor":"Developers"}}' }));
        const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/NOROLE", role: "editor" }));
        expect(err.message).to.include('no role "Developers"').and.to.include("Member").and.to.include("atlassian:roleMapping");
        expectNoSecret(err.message + String(err.stack), [backend.current.adminKey, backend.current.siteAdmin.token]);
      });

      it("moves to another role in place: adds the new membership, removes the old", async () => {
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/MOVE", role: "viewer" });
        const news = await checked("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/MOVE", role: "editor" });
        const { outs: after } = await sb.update(id, outs as ScopeBindingOutputs, news);
        expect(after?.grant).to.deep.include({ roleName: "Member", added: true });
        expect(await member("MOVE", "Member")).to.equal(true);
        expect(await member("MOVE", "Viewer")).to.equal(false);
      });

      it("reads the account removed from the role by hand as gone, and the next create puts it back", async () => {
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/DRIFT", role: "viewer" });
        expect((await sb.read(id, outs as ScopeBindingOutputs)).id).to.equal(id);
        await jira().removeUser("DRIFT", await roleId("DRIFT", "Viewer"), productId);
        backend.current.newRun(); // a refresh is a new deployment
        expect((await sb.read(id, outs as ScopeBindingOutputs)).id ?? "").to.equal("");
        await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/DRIFT", role: "viewer" });
        expect(await member("DRIFT", "Viewer")).to.equal(true);
      });

      it("deletes exactly what create added: a membership held before stays", async () => {
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/DEL", role: "viewer" });
        await sb.delete(id, outs as ScopeBindingOutputs);
        expect(await member("DEL", "Viewer")).to.equal(false);
        await sb.delete(id, outs as ScopeBindingOutputs);

        await jira().addUsers("KEEP", await roleId("KEEP", "Viewer"), [productId]);
        backend.current.newRun();
        const kept = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/KEEP", role: "viewer" });
        expect(kept.outs.grant).to.deep.include({ added: false });
        await sb.delete(kept.id, kept.outs as ScopeBindingOutputs);
        expect(await member("KEEP", "Viewer"), "the membership the binding found").to.equal(true);
      });

      it("hands a grant to a binding created in the same deployment before the old one is deleted (renamed, replaced create-first): it stays", async () => {
        const spaces = backend.current.admin.confluenceSpaces;
        const roles = backend.current.admin.confluenceSpaceRoles;
        const old = {
          jira: await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/HANDED", role: "viewer" }),
          wiki: await created("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/HANDED", role: "viewer" }),
        };
        backend.current.newRun(); // the deployment of the rename
        for (const b of Object.values(old)) {
          const inputs = await checked("ScopeBinding", { serviceAccountId: accountId, resource: b.outs.resource, role: "viewer" });
          const next = await sb.create(inputs);
          await sb.delete(b.id, b.outs as ScopeBindingOutputs);
          expect((await sb.read(next.id, next.outs)).id, `${b.outs.resource}, after the old binding's delete`).to.equal(next.id);
        }
        expect(await member("HANDED", "Viewer")).to.equal(true);
        expect(await roles.assignmentsOf((await spaces.byKey("HANDED"))!.id, productId)).to.have.length(1);
      });

      it("assigns a Confluence space role, changes it with one assignment, and restores what was there on delete", async () => {
        const spaces = backend.current.admin.confluenceSpaces;
        const roles = backend.current.admin.confluenceSpaceRoles;
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/ENG", role: "viewer" });
        expect(outs.grant).to.deep.include({ via: "confluence-space-role", roleName: "Viewer" });
        const spaceId = (await spaces.byKey("ENG"))!.id;
        const roleIdOf = async (name: string) => (await roles.list()).find((r) => r.name === name)!.id;
        expect((await roles.assignmentsOf(spaceId, productId)).map((a) => a.roleId)).to.deep.equal([await roleIdOf("Viewer")]);
        const news = await checked("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/ENG", role: "editor" });
        const { outs: after } = await sb.update(id, outs as ScopeBindingOutputs, news);
        expect((await roles.assignmentsOf(spaceId, productId)).map((a) => a.roleId)).to.deep.equal([await roleIdOf("Collaborator")]);
        await roles.assign(spaceId, productId, null);
        backend.current.newRun();
        expect((await sb.read(id, after as ScopeBindingOutputs)).id ?? "", "removed by hand").to.equal("");
        await sb.delete(id, after as ScopeBindingOutputs);
        expect(await roles.assignmentsOf(spaceId, productId)).to.deep.equal([]);
      });

      it("fails before any request when the site settings are missing, naming them and both ways to set them", async () => {
        const { "atlassian:siteAdminToken": _t, "atlassian:siteAdminEmail": _e, ...rest } = backend.current.config();
        configure(configOf(rest));
        const saved = { ...process.env };
        delete process.env.ATLASSIAN_SITE_ADMIN_TOKEN;
        delete process.env.ATLASSIAN_SITE_ADMIN_EMAIL;
        try {
          const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/NOCFG", role: "viewer" }));
          expect(err.message).to.include("atlassian:siteAdminToken").and.to.include("ATLASSIAN_SITE_ADMIN_TOKEN").and.to.include("--secret");
          expect(err.message).to.include("atlassian:siteAdminEmail");
        } finally {
          Object.assign(process.env, saved);
        }
      });

      it("fails on a wrong cloud id naming atlassian:cloudId, for Jira and Confluence", async () => {
        configure(configOf({ ...backend.current.config(), "atlassian:cloudId": "not-this-site" }));
        for (const resource of ["jira:project/WRONG", "confluence:space/WRONG"]) {
          const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource, role: "viewer" }));
          expect(err.message, resource).to.include("WRONG was not found").and.to.include("atlassian:cloudId").and.to.include('"not-this-site"');
          expectNoSecret(err.message, [backend.current.siteAdmin.token, backend.current.adminKey]);
        }
      });

      it("fails with the product's refusal on a wrong site admin token, and never the token", async () => {
        const wrong = "wrong-site-admin-token-0123456789";
        configure(configOf({ ...backend.current.config(), "atlassian:siteAdminToken": wrong }));
        const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/BADTOK", role: "viewer" }));
        expect(err.message).to.include("401").and.to.include("atlassian:siteAdminToken");
        expectNoSecret(err.message + String(err.stack) + JSON.stringify(err), [wrong, backend.current.siteAdmin.token, backend.current.adminKey]);
      });

      it("takes the product account id from accountId: grants to it, and a wrong one fails naming it", async () => {
        const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "jira:project/GIVEN", role: "viewer" });
        expect(id).to.equal(`jira:project/GIVEN/${productId}`);
        expect(outs).to.deep.include({ accountId: productId });
        expect(await member("GIVEN", "Viewer")).to.equal(true);
        const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, accountId: "712020:no-such-account", resource: "jira:project/GIVEN2", role: "viewer" }));
        expect(err.message).to.include("712020:no-such-account");
      });

      it("grants on the site's own URL (atlassian:siteUrl, no cloud id), for a classic token", async () => {
        const { "atlassian:cloudId": _c, ...rest } = backend.current.config();
        resetConfiguration();
        configure(configOf({ ...rest, "atlassian:siteUrl": backend.current.url }));
        const { outs } = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "jira:project/SITEURL", role: "viewer" });
        expect(outs.grant).to.deep.include({ via: "jira-project-role", roleName: "Viewer", added: true });
        expect(await member("SITEURL", "Viewer")).to.equal(true);
      });
    });
  }

  describe("a new account in Atlassian's not-ready window (grants naming it answer 404 for a while)", () => {
    const READY_MS = 1500;
    const backend = useBackend({ publicOnly: true, atlassian: { accountReadyDelayMs: READY_MS } });
    const member = async (key: string, who: string) => {
      const roles = backend.current.admin.jiraProjectRoles;
      return hasUser((await roles.retrieve(key, (await roles.list(key))!.find((r) => r.name === "Viewer")!.id))!, who);
    };
    /** Runs fn, capturing what the provider writes to stderr (the engine shows it). */
    async function withStderr<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
      let stderr = "";
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
      try {
        return { result: await fn(), stderr };
      } finally {
        process.stderr.write = write;
      }
    }

    it("retries a grant to an account this run created until it is grantable, saying so", async () => {
      const account = await created("ServiceAccount", { displayName: "Not ready yet" });
      const started = Date.now();
      const { result, stderr } = await withStderr(() =>
        created("ScopeBinding", { serviceAccountId: account.id, accountId: account.outs.accountId, resource: "jira:project/READY", role: "viewer" }),
      );
      expect(Date.now() - started, "waited for the account").to.be.at.least(READY_MS - 500);
      expect(result.outs.grant).to.deep.include({ via: "jira-project-role", added: true });
      expect(stderr).to.include("not grantable yet").and.to.include(account.outs.accountId);
      expect(await member("READY", account.outs.accountId)).to.equal(true);
    });

    it("fails at once on a 404 for an account this run did not create", async () => {
      const byHand = await backend.current.admin.serviceAccounts.create({ displayName: "Made by hand" });
      backend.current.newRun();
      const productId = productAccountIdOf(byHand);
      const started = Date.now();
      const { result: err, stderr } = await withStderr(() =>
        rejection(created("ScopeBinding", { serviceAccountId: byHand.id, accountId: productId, resource: "jira:project/NOTMINE", role: "viewer" })),
      );
      expect(Date.now() - started, "no retry").to.be.below(READY_MS);
      expect(err.message).to.include("404").and.to.include("jira:project/NOTMINE");
      expect(stderr).to.not.include("not grantable yet");
    });
  });

  describe("on a Confluence site not in role mode (v1 space permissions)", () => {
    const backend = useBackend({ publicOnly: true, confluenceMode: "PRE_ROLES" });
    let accountId = "";
    let productId = "";
    before(async () => {
      const a = await backend.current.admin.serviceAccounts.create({ displayName: "perm-owner" });
      accountId = a.id;
      productId = productAccountIdOf(a);
    });
    const held = async (key: string) => {
      const id = (await backend.current.admin.confluenceSpaces.byKey(key))!.id;
      return (await backend.current.admin.confluenceSpacePermissions.listFor(id, productId)).map((p) => `${p.operation.key}/${p.operation.targetType}`).sort();
    };

    it("grants the role's permission set, changes it, sees one removed by hand, and removes exactly what it added", async () => {
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/DOCS", role: "viewer" });
      expect(outs.grant).to.deep.include({ via: "confluence-space-permissions" });
      expect(await held("DOCS")).to.deep.equal(["read/space"]);
      const news = await checked("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/DOCS", role: "editor" });
      const { outs: after } = await sb.update(id, outs as ScopeBindingOutputs, news);
      expect(await held("DOCS")).to.deep.equal(["create/attachment", "create/blogpost", "create/comment", "create/page", "read/space"]);
      expect((await sb.read(id, after as ScopeBindingOutputs)).id).to.equal(id);
      await sb.delete(id, after as ScopeBindingOutputs);
      expect(await held("DOCS")).to.deep.equal([]);
    });

    it("reads a binding that found the whole set held (and added none) as gone once one is removed by hand", async () => {
      const read = await backend.current.admin.confluenceSpacePermissions.add("FOUND", productId, { key: "read", target: "space" });
      backend.current.newRun();
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "confluence:space/FOUND", role: "viewer" });
      expect(outs.grant).to.deep.include({ via: "confluence-space-permissions", permissions: [] });
      expect((await sb.read(id, outs as ScopeBindingOutputs)).id, "held").to.equal(id);
      await backend.current.admin.confluenceSpacePermissions.remove("FOUND", read);
      expect((await sb.read(id, outs as ScopeBindingOutputs)).id ?? "", "gone").to.equal("");
    });

    it("leaves on delete a read/space it found, and one it added while the account holds a permission given by hand since", async () => {
      const read = await backend.current.admin.confluenceSpacePermissions.add("HAND", productId, { key: "read", target: "space" });
      backend.current.newRun();
      const first = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "confluence:space/HAND", role: "editor" });
      await sb.delete(first.id, first.outs as ScopeBindingOutputs);
      expect(await held("HAND")).to.deep.equal(["read/space"]);

      await backend.current.admin.confluenceSpacePermissions.remove("HAND", read);
      backend.current.newRun();
      const second = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "confluence:space/HAND", role: "editor" });
      await backend.current.admin.confluenceSpacePermissions.add("HAND", productId, { key: "administer", target: "space" });
      backend.current.newRun();
      await sb.delete(second.id, second.outs as ScopeBindingOutputs);
      expect(await held("HAND")).to.deep.equal(["administer/space", "read/space"]);
    });

    it("hands the permissions to a binding created in the same deployment before the old one is deleted: they stay", async () => {
      const old = await created("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "confluence:space/HANDED", role: "editor" });
      backend.current.newRun();
      const next = await sb.create(await checked("ScopeBinding", { serviceAccountId: accountId, accountId: productId, resource: "confluence:space/HANDED", role: "viewer" }));
      await sb.delete(old.id, old.outs as ScopeBindingOutputs);
      // The new binding found read/space (the old one's): only what it did not take over goes.
      expect(await held("HANDED")).to.deep.equal(["read/space"]);
      expect((await sb.read(next.id, next.outs)).id).to.equal(next.id);
    });

    it("refuses a role named directly, since the site has no roles", async () => {
      const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/NAMED", role: "viewer", roleName: "Viewer" }));
      expect(err.message).to.include("PRE_ROLES").and.to.include("roleName");
    });
  });

  describe("a binding made by a version before 0.2 (no grant in its state)", () => {
    const backend = useBackend();

    it("is read, changed and deleted through the embedded backend's binding extension", async () => {
      const a = await backend.current.admin.serviceAccounts.create({ displayName: "legacy-binding" });
      const old = await backend.current.admin.extensions.scopeBindings.create(a.id, { resource: "jira:project/OLD", role: "viewer" });
      const props = { __context: CONTEXT, serviceAccountId: a.id, resource: "jira:project/OLD", role: "viewer", createdAt: old.createdAt } as unknown as ScopeBindingOutputs;
      expect((await sb.read(old.id, props)).id).to.equal(old.id);
      const news = await checked("ScopeBinding", { serviceAccountId: a.id, resource: "jira:project/OLD", role: "editor" });
      const { outs } = await sb.update(old.id, props, news);
      expect(outs).to.deep.include({ role: "editor" });
      expect((await backend.current.admin.extensions.scopeBindings.retrieve(a.id, old.id))?.role).to.equal("editor");
      await sb.delete(old.id, outs as ScopeBindingOutputs);
      expect(await backend.current.admin.extensions.scopeBindings.retrieve(a.id, old.id)).to.equal(null);
      expect((await sb.read(old.id, props)).id ?? "", "gone").to.equal("");
    });

    it("cannot be managed on the Atlassian Cloud target, saying what to do", async () => {
      configure(configOf({ ...backend.current.config(), "atlassian:target": "atlassian-cloud" }));
      try {
        const props = { __context: CONTEXT, serviceAccountId: "sa_1", resource: "jira:project/OLD", role: "viewer", createdAt: "2026-01-01T00:00:00Z" } as unknown as ScopeBindingOutputs;
        const err = await rejection(sb.delete("sb-old", props));
        expect(err.message).to.include("earlier version").and.to.include("pulumi state delete");
      } finally {
        configure(configOf(backend.current.config()));
      }
    });
  });
});
