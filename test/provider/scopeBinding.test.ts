import { expect } from "chai";
import { UNKNOWN } from "../../provider/common";
import { providers } from "../../provider/index";
import type { ScopeBindingOutputs } from "../../provider/scopeBinding";
import { CONTEXT, ENGINE_PROPS, checked, created, expectNoSecret, rejection, useBackend } from "./helpers";

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

    it("does not judge an account id not known yet", async () => {
      await checked("ScopeBinding", { serviceAccountId: UNKNOWN, resource: "jira:project/OPS", role: "editor" });
    });
  });

  describe("diff", () => {
    const olds: ScopeBindingOutputs = {
      __context: CONTEXT,
      serviceAccountId: "sa_1",
      resource: "jira:project/OPS",
      role: "viewer",
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
  });

  describe("against the backend", () => {
    const backend = useBackend();
    let accountId = "";
    before(async () => {
      accountId = (await backend.current.admin.serviceAccounts.create({ name: "binding-owner" })).id;
    });

    it("creates a binding with one request and returns the inputs and createdAt", async () => {
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/ALPHA", role: "viewer" });
      expect(outs).to.deep.include({ serviceAccountId: accountId, resource: "jira:project/ALPHA", role: "viewer", __context: CONTEXT });
      expect(Date.parse(outs.createdAt)).to.not.be.NaN;
      expect((await backend.current.admin.scopeBindings.retrieve(accountId, id))?.role).to.equal("viewer");
    });

    it("fails on a second binding for the same account and resource, saying so", async () => {
      await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/TWICE", role: "viewer" });
      const err = await rejection(created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/TWICE", role: "editor" }));
      expect(err.message).to.include("jira:project/TWICE").and.to.include("already has a binding");
      expectNoSecret(err.message, [backend.current.adminKey]);
    });

    it("changes the role with one PATCH, same binding", async () => {
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/ENG", role: "viewer" });
      const news = await checked("ScopeBinding", { serviceAccountId: accountId, resource: "confluence:space/ENG", role: "editor" });
      const { outs: after } = await sb.update(id, outs as ScopeBindingOutputs, news);
      expect(after).to.deep.include({ role: "editor" });
      expect((await backend.current.admin.scopeBindings.retrieve(accountId, id))?.role).to.equal("editor");
    });

    it("reads a role changed outside Pulumi as drift, and a deleted binding as gone", async () => {
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/DRIFT", role: "viewer" });
      await backend.current.admin.scopeBindings.update(accountId, id, { role: "admin" });
      const read = await sb.read(id, outs as ScopeBindingOutputs);
      expect(read.props).to.deep.include({ role: "admin", __context: CONTEXT });
      expect(read.inputs).to.deep.equal({ __context: CONTEXT, serviceAccountId: accountId, resource: "jira:project/DRIFT", role: "admin" });
      await backend.current.admin.scopeBindings.delete(accountId, id);
      expect((await sb.read(id, outs as ScopeBindingOutputs)).id ?? "").to.equal("");
    });

    it("deletes, and deleting what is gone (binding or account) succeeds", async () => {
      const { id, outs } = await created("ScopeBinding", { serviceAccountId: accountId, resource: "jira:project/DEL", role: "viewer" });
      await sb.delete(id, outs as ScopeBindingOutputs);
      expect(await backend.current.admin.scopeBindings.retrieve(accountId, id)).to.equal(null);
      await sb.delete(id, outs as ScopeBindingOutputs);

      const other = await backend.current.admin.serviceAccounts.create({ name: "binding-gone" });
      const b = await created("ScopeBinding", { serviceAccountId: other.id, resource: "jira:project/GONE", role: "viewer" });
      await backend.current.admin.serviceAccounts.delete(other.id);
      await sb.delete(b.id, b.outs as ScopeBindingOutputs);
    });
  });
});
