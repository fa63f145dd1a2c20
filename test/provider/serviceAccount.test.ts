import { expect } from "chai";
import { INSTALLED_VERSION, providers } from "../../provider/index";
import type { ServiceAccountOutputs } from "../../provider/serviceAccount";
import { UNKNOWN } from "../../provider/common";
import { PLAN_QUOTAS } from "../../sdk/index";
import { configure, resetConfiguration } from "../../provider/config";
import { CONTEXT, ENGINE_PROPS, PATHS, checked, configOf, created, expectNoSecret, rejection, startProxy, useBackend } from "./helpers";

const sa = providers.ServiceAccount;

describe("ServiceAccount", () => {
  describe("check", () => {
    // check depends on the target: on Atlassian Cloud suspended: true fails (see below).
    before(() => configure(configOf({ "atlassian:target": "embedded" })));
    after(() => resetConfiguration());

    it("fills in the defaults: displayName is the name, an empty description, not suspended", async () => {
      const inputs = await checked("ServiceAccount", { name: "ci-deployer" });
      expect(inputs).to.deep.include({ name: "ci-deployer", displayName: "ci-deployer", description: "", suspended: false });
      expect(inputs).to.have.property("__context", CONTEXT);
    });

    it("keeps what was given", async () => {
      const inputs = await checked("ServiceAccount", { name: "ci-deployer", displayName: "CI", description: "d", suspended: true, adoptExisting: true });
      expect(inputs).to.deep.include({ displayName: "CI", description: "d", suspended: true, adoptExisting: true });
    });

    it("returns one failure per bad property, naming the property, the value and the fix", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS, name: "Bad_Name", displayName: "", description: "x".repeat(1001), suspended: "yes" });
      const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
      expect(Object.keys(byProperty).sort()).to.deep.equal(["description", "displayName", "name", "suspended"]);
      expect(byProperty.name).to.include('"Bad_Name"').and.to.include("lowercase letters, digits and inner hyphens");
      expect(byProperty.displayName).to.include("1-100 characters");
      expect(byProperty.description).to.include("at most 1000 characters");
      expect(byProperty.suspended).to.include('"yes"').and.to.include("true or false");
      expect(result.inputs).to.equal(undefined);
    });

    it("says how to fix a missing name", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS });
      expect(result.failures).to.deep.equal([
        { property: "name", reason: 'name is required: give the account a name of 6-30 lowercase letters, digits and inner hyphens, e.g. "ci-deployer"' },
      ]);
    });

    it("names a property the resource does not have", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS, name: "ci-deployer", displayname: "typo" });
      expect(result.failures).to.have.length(1);
      expect(result.failures![0]!.property).to.equal("displayname");
      expect(result.failures![0]!.reason).to.include("remove it").and.to.include("displayName");
    });

    it("does not judge values that are not known yet during a preview", async () => {
      const inputs = await checked("ServiceAccount", { name: UNKNOWN, description: UNKNOWN });
      expect(inputs).to.not.have.property("displayName");
    });
  });

  describe("diff", () => {
    const olds: ServiceAccountOutputs = {
      __context: CONTEXT,
      name: "ci-deployer",
      displayName: "CI",
      description: "d",
      suspended: false,
      accountId: "acc",
      email: "ci-deployer@serviceaccount.atlassian.com",
      status: "active",
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const news = { __context: CONTEXT, name: "ci-deployer", displayName: "CI", description: "d", suspended: false };

    it("reports no change when the inputs match the state", async () => {
      expect(await sa.diff("id", olds, news)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    });

    it("replaces on a new name", async () => {
      // Delete first: the name is unique. changes: true, so the engine keeps the verdict whatever the inputs show.
      expect(await sa.diff("id", olds, { ...news, name: "ci-deployer-2" })).to.deep.equal({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
      expect(await sa.diff("id", olds, { ...news, name: UNKNOWN })).to.deep.include({ replaces: ["name"] });
    });

    for (const [property, value] of [["displayName", "Other"], ["description", "other"], ["suspended", true]] as const) {
      it(`updates ${property} in place`, async () => {
        // "unknown": the engine lists the changed inputs itself, and replaceOnChanges can act on them.
        expect(await sa.diff("id", olds, { ...news, [property]: value })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
      });
    }

    it("replaces nothing when only adoptExisting changes", async () => {
      expect(await sa.diff("id", olds, { ...news, adoptExisting: true })).to.deep.include({ replaces: [] });
    });

    it("sees drift read back into the state (a description edited by hand) as an update", async () => {
      expect(await sa.diff("id", { ...olds, description: "edited by hand" }, news)).to.deep.include({ changes: undefined, replaces: [] });
    });
  });

  for (const { name: onPath, choice } of PATHS) {
    describe(`against the backend ${onPath}`, () => {
      const backend = useBackend(choice);
      const cloud = choice.publicOnly === true;
      // The oracle reads through Atlassian's public list, which both backends serve.
      const live = (id: string) => backend.current.admin.orgServiceAccounts.retrieve(id);

      it("creates an account and returns its outputs and the inputs", async () => {
        const { id, outs } = await created("ServiceAccount", { name: "create-test", description: "made by a test" });
        expect(id).to.be.a("string").and.not.equal("");
        expect(outs).to.deep.include({
          name: "create-test",
          displayName: "create-test",
          description: "made by a test",
          suspended: false,
          status: "active",
          email: "create-test@serviceaccount.atlassian.com",
          __context: CONTEXT,
        });
        expect(outs.accountId).to.be.a("string").and.not.equal(id);
        expect(Date.parse(outs.createdAt!)).to.not.be.NaN;
        expect((await live(id))?.description).to.equal("made by a test");
      });

      it("sends the client context, so the audit event names the resource", async () => {
        const { id } = await created("ServiceAccount", { name: "context-test" });
        const events = [];
        for await (const e of backend.current.admin.events.list({ action: "service-account.created" })) events.push(e);
        const mine = events.find((e) => e.attributes.target.id === id);
        expect(mine?.attributes.context.clientContext).to.equal(CONTEXT);
      });

      it("fails on a taken name without adoptExisting, naming the name and adoptExisting, and creates nothing", async () => {
        await backend.current.admin.orgServiceAccounts.create({ name: "taken-name" });
        const err = await rejection(created("ServiceAccount", { name: "taken-name" }));
        expect(err.message).to.include('"taken-name"').and.to.include("adoptExisting");
        const all = (await backend.current.admin.orgServiceAccounts.list().toArray()).filter((a) => a.email.startsWith("taken-name@"));
        expect(all).to.have.length(1);
      });

      it("does not delete, in the same provider process, an account it adopted: the old resource of the same id is gone, the account is not", async () => {
        // As the engine runs a create-before-delete replacement (or a rename without an alias):
        // create for the new resource adopts the account, then delete for the old one, same id.
        const old = await created("ServiceAccount", { name: "adopt-then-delete" });
        const adopted = await created("ServiceAccount", { name: "adopt-then-delete", adoptExisting: true });
        expect(adopted.id).to.equal(old.id);
        await sa.delete(old.id, old.outs as ServiceAccountOutputs);
        expect(await live(old.id), "the account").to.not.equal(null);
      });

      it("adopts an existing account with adoptExisting (found by listing): same id, set to the inputs, no duplicate", async () => {
        const existing = await backend.current.admin.orgServiceAccounts.create({ name: "adopt-me", description: "by hand" });
        const { id, outs } = await created("ServiceAccount", { name: "adopt-me", displayName: "Adopted", description: "managed now", adoptExisting: true });
        expect(id).to.equal(existing.id);
        expect(outs).to.deep.include({ displayName: "Adopted", description: "managed now", adoptExisting: true });
        expect(await live(id)).to.deep.include({ displayName: "Adopted", description: "managed now" });
      });

      it("updates displayName and description in place with Atlassian's PATCH (no id in the path); only adoptExisting changing sends nothing", async () => {
        const { id, outs, inputs } = await created("ServiceAccount", { name: "update-test", description: "first" });
        const news = await checked("ServiceAccount", { name: "update-test", description: "second", displayName: "Second" }, inputs);
        const { outs: after } = await sa.update(id, outs as ServiceAccountOutputs, news);
        expect(after).to.deep.include({ description: "second", displayName: "Second" });
        const now = await live(id);
        expect(now).to.deep.include({ description: "second", displayName: "Second" });
        const { outs: again } = await sa.update(id, after!, { ...news, adoptExisting: true });
        expect(again).to.deep.include({ adoptExisting: true, description: "second" });
        expect((await live(id))!.updatedAt).to.equal(now!.updatedAt);
      });

      it("reads back changes made outside Pulumi as drift", async () => {
        const { id, outs } = await created("ServiceAccount", { name: "drift-test", description: "as declared" });
        await backend.current.admin.orgServiceAccounts.update(id, { description: "edited by hand", displayName: "Hand" });
        const read = await sa.read(id, outs as ServiceAccountOutputs);
        expect(read.id).to.equal(id);
        expect(read.props).to.deep.include({ description: "edited by hand", displayName: "Hand", createdAt: outs.createdAt, __context: CONTEXT });
        // The stored inputs follow, so the engine lists the drifted properties as changes on the next preview.
        expect(read.inputs).to.deep.equal({ __context: CONTEXT, name: "drift-test", displayName: "Hand", description: "edited by hand", suspended: false });
        const diff = await sa.diff(id, read.props!, await checked("ServiceAccount", { name: "drift-test", description: "as declared" }));
        expect(diff).to.deep.include({ changes: undefined, replaces: [] });
      });

      it("reports an account deleted outside Pulumi as gone", async () => {
        const { id, outs } = await created("ServiceAccount", { name: "gone-test" });
        await backend.current.admin.orgServiceAccounts.delete(id);
        const read = await sa.read(id, outs as ServiceAccountOutputs);
        expect(read.id ?? "").to.equal("");
      });

      it("deletes (its tokens revoked first), and deleting what is already gone succeeds", async () => {
        const { id, outs } = await created("ServiceAccount", { name: "delete-test" });
        await sa.delete(id, outs as ServiceAccountOutputs);
        expect(await live(id)).to.equal(null);
        await sa.delete(id, outs as ServiceAccountOutputs);
      });

      it("fails an update of an account deleted outside Pulumi, saying to refresh", async () => {
        const { id, outs, inputs } = await created("ServiceAccount", { name: "update-gone" });
        await backend.current.admin.orgServiceAccounts.delete(id);
        const news = await checked("ServiceAccount", { name: "update-gone", description: "new" }, inputs);
        const err = await rejection(sa.update(id, outs as ServiceAccountOutputs, news));
        expect(err.message).to.include("update-gone").and.to.include("pulumi refresh");
        expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
      });

      if (cloud) {
        it("fails check on suspended: true, at preview", async () => {
          const result = await sa.check({}, { ...ENGINE_PROPS, name: "suspend-check", suspended: true });
          expect((result.failures ?? []).map((f) => f.property)).to.deep.equal(["suspended"]);
          expect(result.failures![0]!.reason).to.include("no API to suspend");
          expect((await sa.check({}, { ...ENGINE_PROPS, name: "suspend-check", suspended: false })).failures ?? []).to.deep.equal([]);
        });

        it("refuses suspended: true before any request, saying Atlassian has no API for it", async () => {
          const before = (await backend.current.admin.orgServiceAccounts.list().toArray()).length;
          const err = await rejection(sa.create({ __context: CONTEXT, name: "suspend-cloud", displayName: "suspend-cloud", description: "", suspended: true }));
          expect(err.message).to.include("suspend-cloud").and.to.include("no API to suspend").and.to.include("admin.atlassian.com");
          expect((await backend.current.admin.orgServiceAccounts.list().toArray()).length).to.equal(before);
          const { id, outs, inputs } = await created("ServiceAccount", { name: "suspend-later" });
          const news = { ...inputs, suspended: true };
          expect((await rejection(sa.update(id, outs as ServiceAccountOutputs, news))).message).to.include("no API to suspend");
        });
      } else {
        it("creates a suspended account (create, then the suspension extension)", async () => {
          const { id, outs } = await created("ServiceAccount", { name: "suspended-test", suspended: true });
          expect(outs).to.deep.include({ suspended: true, status: "suspended" });
          expect((await backend.current.admin.serviceAccounts.retrieve(id))?.status).to.equal("suspended");
        });

        it("suspends in place, and reads a suspension made by hand as drift", async () => {
          const { id, outs, inputs } = await created("ServiceAccount", { name: "suspend-update" });
          const news = await checked("ServiceAccount", { name: "suspend-update", suspended: true }, inputs);
          const { outs: after } = await sa.update(id, outs as ServiceAccountOutputs, news);
          expect(after).to.deep.include({ suspended: true, status: "suspended" });
          await backend.current.admin.serviceAccounts.update(id, { status: "active" });
          expect((await sa.read(id, after as ServiceAccountOutputs)).props).to.deep.include({ suspended: false, status: "active" });
        });
      }
    });
  }

  describe("when a request fails after the backend created the account", () => {
    const backend = useBackend();
    let proxy: { url: string; close(): Promise<void> };
    before(async () => {
      proxy = await startProxy(backend.current.url, (method) => method === "PATCH");
      sa.configure(configOf(backend.current.config(proxy.url)));
    });
    after(async () => {
      await proxy.close();
      configure(configOf(backend.current.config()));
    });

    it("reports the created account's id and outputs, so Pulumi records it, and the next up finishes the job", async () => {
      const inputs = await checked("ServiceAccount", { name: "half-made", suspended: true });
      const err = await rejection(sa.create(inputs));
      const live = await backend.current.admin.serviceAccounts.findByName("half-made");
      expect(live, "the account the backend made").to.not.equal(null);
      expect(err.id, "the id the engine records").to.equal(live!.id);
      expect(err.properties).to.deep.include({ name: "half-made", suspended: false, status: "active", __context: CONTEXT });
      // What the engine records is stamped like any output (see provider/version.ts).
      expect((err.properties as Record<string, unknown>).__version).to.equal(INSTALLED_VERSION);
      expect(err.reasons).to.be.an("array").with.length(1);
      expect(err.message).to.include("half-made").and.to.include(live!.id).and.to.include("suspended").and.to.include("Refused by the test proxy");
      expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);

      // The engine updates a resource that failed to initialise on the next up.
      sa.configure(configOf(backend.current.config()));
      const { outs } = await sa.update(live!.id, err.properties as unknown as ServiceAccountOutputs, inputs);
      expect(outs).to.deep.include({ suspended: true, status: "suspended" });
    });

    it("reports an adopted account's id when setting it to the inputs fails", async () => {
      sa.configure(configOf(backend.current.config(proxy.url)));
      const existing = await backend.current.admin.serviceAccounts.create({ name: "adopt-half", description: "by hand" });
      const err = await rejection(created("ServiceAccount", { name: "adopt-half", description: "managed", adoptExisting: true }));
      expect(err.id).to.equal(existing.id);
      expect(err.message).to.include("adopted");
    });
  });

  describe("with a wrong key or no configuration", () => {
    const backend = useBackend();
    after(() => configure(configOf(backend.current.config())));

    it("fails with the backend's refusal, and never the key", async () => {
      const wrong = "pasak_wrongKeyWrongKeyWrongKeyWrongKeyWrongKey00000";
      sa.configure(configOf({ ...backend.current.config(), "atlassian:apiKey": wrong }));
      const err = await rejection(created("ServiceAccount", { name: "wrong-key" }));
      expect(err.message).to.include("401");
      expectNoSecret(err.message + String(err.stack) + JSON.stringify(err), [wrong, backend.current.adminKey]);
    });

    it("fails naming both ways to configure what is missing", async () => {
      sa.configure(configOf({}));
      const saved = { ...process.env };
      delete process.env.ATLASSIAN_BASE_URL;
      delete process.env.ATLASSIAN_ORG_ID;
      delete process.env.ATLASSIAN_API_KEY;
      try {
        const err = await rejection(created("ServiceAccount", { name: "no-config" }));
        expect(err.message).to.include("atlassian:apiKey").and.to.include("ATLASSIAN_API_KEY").and.to.include("--secret");
      } finally {
        Object.assign(process.env, saved);
      }
    });
  });

  describe("against a backend on the free plan", () => {
    const backend = useBackend({ plan: "free" });

    it("fails past the quota naming the plan and its limit, and holds no secret", async () => {
      for (let i = 0; i < PLAN_QUOTAS.free; i++) await created("ServiceAccount", { name: `quota-bot-${i}` });
      const err = await rejection(created("ServiceAccount", { name: "quota-bot-over" }));
      expect(err.message).to.include('"quota-bot-over"').and.to.match(/\bfree\b/).and.to.include(String(PLAN_QUOTAS.free));
      expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
    });
  });
});

describe("the client context of a resource whose name is not plain ASCII", () => {
  const backend = useBackend();

  it("is percent-encoded into the header instead of failing the request", async () => {
    const context = "project=p;stack=s;resource=urn:pulumi:s::p::pulumi-nodejs:dynamic/atlassian:ServiceAccount::bot-é\n" + "x".repeat(2000);
    const { id } = await created("ServiceAccount", { name: "unicode-context", __context: context });
    const events = [];
    for await (const e of backend.current.admin.events.list({ action: "service-account.created" })) events.push(e);
    const recorded = events.find((e) => e.attributes.target.id === id)?.attributes.context.clientContext ?? "";
    expect(recorded.startsWith("project=p;stack=s;resource=urn:pulumi:s::p::pulumi-nodejs:dynamic/atlassian:ServiceAccount::bot-%C3%A9%0Axxx")).to.equal(true);
    expect(recorded.length).to.be.at.most(1024);
  });
});
