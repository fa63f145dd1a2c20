import { expect } from "chai";
import { INSTALLED_VERSION, providers } from "../../provider/index";
import type { ServiceAccountInputs, ServiceAccountOutputs } from "../../provider/serviceAccount";
import { UNKNOWN } from "../../provider/common";
import { PLAN_QUOTAS, productAccountIdOf } from "../../sdk/index";
import { configure, resetConfiguration } from "../../provider/config";
import { CONTEXT, ENGINE_PROPS, PATHS, checked, configOf, created, expectNoSecret, rejection, startProxy, useBackend } from "./helpers";

const sa = providers.ServiceAccount;

describe("ServiceAccount", () => {
  describe("check", () => {
    // check depends on the target: on Atlassian Cloud suspended: true fails (see below).
    before(() => configure(configOf({ "atlassian:target": "embedded" })));
    after(() => resetConfiguration());

    it("fills in the defaults: an empty description, not suspended; no name", async () => {
      const inputs = await checked("ServiceAccount", { displayName: "CI deployer" });
      expect(inputs).to.deep.include({ displayName: "CI deployer", description: "", suspended: false });
      expect(inputs).to.not.have.property("name");
      expect(inputs).to.have.property("__context", CONTEXT);
    });

    it("keeps what was given", async () => {
      const inputs = await checked("ServiceAccount", { displayName: "CI", description: "d", suspended: true, adoptExisting: true });
      expect(inputs).to.deep.include({ displayName: "CI", description: "d", suspended: true, adoptExisting: true });
    });

    it("returns one failure per bad property, naming the property, the value and the fix", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS, displayName: "", description: "x".repeat(1001), suspended: "yes" });
      const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
      expect(Object.keys(byProperty).sort()).to.deep.equal(["description", "displayName", "suspended"]);
      expect(byProperty.displayName).to.include("1-100 characters");
      expect(byProperty.description).to.include("at most 1000 characters");
      expect(byProperty.suspended).to.include('"yes"').and.to.include("true or false");
      expect(result.inputs).to.equal(undefined);
    });

    it("refuses name (a 0.1.0 input), naming displayName and saying the account is kept", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS, name: "ci-deployer", displayName: "CI deployer" });
      expect((result.failures ?? []).map((f) => f.property)).to.deep.equal(["name"]);
      const reason = result.failures![0]!.reason;
      expect(reason).to.include("no longer an input").and.to.include("displayName").and.to.include("not replaced");
      expect(result.inputs).to.equal(undefined);
    });

    it("requires displayName, saying how to give one, also next to a refused name", async () => {
      const none = await sa.check({}, { ...ENGINE_PROPS });
      expect(none.failures).to.have.length(1);
      expect(none.failures![0]!.property).to.equal("displayName");
      expect(none.failures![0]!.reason).to.include("displayName is required").and.to.include("e.g.");
      const legacy = await sa.check({}, { ...ENGINE_PROPS, name: "ci-deployer" });
      expect((legacy.failures ?? []).map((f) => f.property).sort()).to.deep.equal(["displayName", "name"]);
    });

    it("names a property the resource does not have", async () => {
      const result = await sa.check({}, { ...ENGINE_PROPS, displayName: "CI", displayname: "typo" });
      expect(result.failures).to.have.length(1);
      expect(result.failures![0]!.property).to.equal("displayname");
      expect(result.failures![0]!.reason).to.include("remove it").and.to.include("displayName");
    });

    it("does not judge values that are not known yet during a preview", async () => {
      const inputs = await checked("ServiceAccount", { displayName: UNKNOWN, description: UNKNOWN });
      expect(inputs).to.deep.include({ displayName: UNKNOWN, suspended: false });
    });
  });

  describe("diff", () => {
    const olds: ServiceAccountOutputs = {
      __context: CONTEXT,
      displayName: "CI",
      description: "d",
      suspended: false,
      accountId: "acc",
      email: "ci-x1axxw94zz@serviceaccount.atlassian.com",
      status: "active",
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const news: ServiceAccountInputs = { __context: CONTEXT, displayName: "CI", description: "d", suspended: false };

    it("reports no change when the inputs match the state", async () => {
      expect(await sa.diff("id", olds, news)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    });

    for (const [property, value] of [["displayName", "Other"], ["displayName", UNKNOWN], ["description", "other"], ["suspended", true]] as const) {
      it(`updates ${property} in place${value === UNKNOWN ? " when not known yet" : ""}, never replacing`, async () => {
        // "unknown": the engine lists the changed inputs itself, and replaceOnChanges can act on them.
        expect(await sa.diff("id", olds, { ...news, [property]: value })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
      });
    }

    it("judges no capability on Atlassian Cloud: the engine calls diff during a refresh too, to show drift", async () => {
      configure(configOf({ "atlassian:target": "atlassian-cloud" }));
      try {
        const suspended = { ...olds, suspended: true, status: "suspended" as const };
        expect(await sa.diff("id", suspended, news)).to.deep.include({ changes: undefined });
        expect(await sa.diff("id", olds, { ...news, suspended: true })).to.deep.include({ changes: undefined });
      } finally {
        resetConfiguration();
      }
    });

    it("replaces on no input at all, even when every one changes", async () => {
      const all = { ...news, displayName: "New", description: "new", suspended: true, adoptExisting: true };
      expect(await sa.diff("id", olds, all)).to.deep.include({ replaces: [] });
    });

    it("sees no change in a 0.1.0 state (it has a name) whose display name matches", async () => {
      const old010 = { ...olds, name: "ci-deployer", email: "ci-deployer@serviceaccount.atlassian.com" };
      expect(await sa.diff("id", old010, news)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    });

    it("replaces nothing when only adoptExisting changes", async () => {
      expect(await sa.diff("id", olds, { ...news, adoptExisting: true })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: true });
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
      const live = (id: string) => backend.current.admin.serviceAccounts.retrieve(id);
      const withDisplayName = (displayName: string) => backend.current.admin.serviceAccounts.findByDisplayName(displayName);
      // Each test starts as a new deployment: accounts made by hand in a test are in its listing.
      beforeEach(() => backend.current.newRun());

      it("creates an account by its display name: Atlassian's generated email and ids come back as outputs", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "Create test", description: "made by a test" });
        expect(id).to.be.a("string").and.not.equal("");
        expect(outs).to.deep.include({ displayName: "Create test", description: "made by a test", suspended: false, status: "active", __context: CONTEXT });
        expect(outs).to.not.have.property("name");
        expect(outs.email).to.match(/^create-test-[a-z0-9]{10}@serviceaccount\.atlassian\.com$/);
        expect(outs.accountId).to.be.a("string").and.not.equal(id);
        expect(Date.parse(outs.createdAt!)).to.not.be.NaN;
        expect(await live(id)).to.deep.include({ displayName: "Create test", description: "made by a test", email: outs.email });
      });

      it("sends the client context, so the audit event names the resource", async () => {
        const { id } = await created("ServiceAccount", { displayName: "Context test" });
        const events = [];
        for await (const e of backend.current.admin.events.list({ action: "service-account.created" })) events.push(e);
        const mine = events.find((e) => e.attributes.target.id === id);
        expect(mine?.attributes.context.clientContext).to.equal(CONTEXT);
      });

      it("refuses a display name another account has, naming its id and adoptExisting, and creates nothing", async () => {
        const other = await backend.current.admin.serviceAccounts.create({ displayName: "Taken name" });
        backend.current.newRun();
        const err = await rejection(created("ServiceAccount", { displayName: "Taken name" }));
        expect(err.message).to.include('"Taken name"').and.to.include(other.id).and.to.include("adoptExisting");
        expect(await withDisplayName("Taken name")).to.have.length(1);
        expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
      });

      it("refuses a display name an account created earlier in the same run has (the run's listing follows its creates)", async () => {
        const first = await created("ServiceAccount", { displayName: "Twice in a stack" });
        const err = await rejection(created("ServiceAccount", { displayName: "Twice in a stack" }));
        expect(err.message).to.include(first.id).and.to.include("adoptExisting");
        expect(await withDisplayName("Twice in a stack")).to.have.length(1);
      });

      it("refuses to adopt when several accounts have the display name, naming every id, and changes none", async () => {
        const a = await backend.current.admin.serviceAccounts.create({ displayName: "Twins", description: "one" });
        const b = await backend.current.admin.serviceAccounts.create({ displayName: "Twins", description: "two" });
        backend.current.newRun();
        const err = await rejection(created("ServiceAccount", { displayName: "Twins", description: "managed", adoptExisting: true }));
        expect(err.message).to.include(a.id).and.to.include(b.id).and.to.include("exactly one");
        const twins = await withDisplayName("Twins");
        expect(twins.map((t) => t.description).sort()).to.deep.equal(["one", "two"]);
      });

      it("does not delete, in the same provider process, an account it adopted: the old resource of the same id is gone, the account is not", async () => {
        // As the engine runs a create-before-delete replacement (or a rename without an alias):
        // create for the new resource adopts the account, then delete for the old one, same id.
        const old = await created("ServiceAccount", { displayName: "Adopt then delete" });
        const adopted = await created("ServiceAccount", { displayName: "Adopt then delete", adoptExisting: true });
        expect(adopted.id).to.equal(old.id);
        await sa.delete(old.id, old.outs as ServiceAccountOutputs);
        expect(await live(old.id), "the account").to.not.equal(null);
      });

      it("adopts the one account of the display name with adoptExisting: same id and email, set to the inputs, no duplicate", async () => {
        const existing = await backend.current.admin.serviceAccounts.create({ displayName: "Adopt me", description: "by hand" });
        backend.current.newRun();
        const { id, outs } = await created("ServiceAccount", { displayName: "Adopt me", description: "managed now", adoptExisting: true });
        expect(id).to.equal(existing.id);
        expect(outs).to.deep.include({ displayName: "Adopt me", description: "managed now", adoptExisting: true, email: existing.email });
        expect(await live(id)).to.deep.include({ displayName: "Adopt me", description: "managed now" });
        expect(await withDisplayName("Adopt me")).to.have.length(1);
      });

      it("changes displayName in place with one PATCH: same id, email and accountId; only adoptExisting changing sends nothing", async () => {
        const { id, outs, inputs } = await created("ServiceAccount", { displayName: "Before rename", description: "first" });
        const news = await checked("ServiceAccount", { displayName: "After rename", description: "second" }, inputs);
        expect(await sa.diff(id, outs as ServiceAccountOutputs, news)).to.deep.include({ replaces: [] });
        const { outs: after } = await sa.update(id, outs as ServiceAccountOutputs, news);
        expect(after).to.deep.include({ displayName: "After rename", description: "second", email: outs.email, accountId: outs.accountId });
        const now = await live(id);
        expect(now).to.deep.include({ id, displayName: "After rename", description: "second" });
        expect(await withDisplayName("Before rename")).to.deep.equal([]);
        const { outs: again } = await sa.update(id, after!, { ...news, adoptExisting: true });
        expect(again).to.deep.include({ adoptExisting: true, displayName: "After rename" });
        expect((await live(id))!.updatedAt).to.equal(now!.updatedAt);
      });

      it("reads back changes made outside Pulumi as drift", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "Drift test", description: "as declared" });
        await backend.current.admin.serviceAccounts.update(id, { description: "edited by hand", displayName: "Hand" });
        backend.current.newRun(); // a refresh is a new deployment
        const read = await sa.read(id, outs as ServiceAccountOutputs);
        expect(read.id).to.equal(id);
        expect(read.props).to.deep.include({ description: "edited by hand", displayName: "Hand", createdAt: outs.createdAt, __context: CONTEXT });
        // The stored inputs follow, so the engine lists the drifted properties as changes on the next preview.
        expect(read.inputs).to.deep.equal({ __context: CONTEXT, displayName: "Hand", description: "edited by hand", suspended: false });
        const diff = await sa.diff(id, read.props!, await checked("ServiceAccount", { displayName: "Drift test", description: "as declared" }));
        expect(diff).to.deep.include({ changes: undefined, replaces: [] });
      });

      it("reads a 0.1.0 state (with a name) without writing the name back", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "From 010" });
        const old010 = { ...outs, name: "from-010" } as ServiceAccountOutputs;
        const read = await sa.read(id, old010);
        expect(read.id).to.equal(id);
        expect(read.props).to.not.have.property("name");
        expect(read.inputs).to.not.have.property("name");
      });

      it("reports an account deleted outside Pulumi as gone", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "Gone test" });
        await backend.current.admin.serviceAccounts.delete(id);
        backend.current.newRun();
        const read = await sa.read(id, outs as ServiceAccountOutputs);
        expect(read.id ?? "").to.equal("");
      });

      it("deletes (its tokens revoked first), and deleting what is already gone succeeds", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "Delete test" });
        await sa.delete(id, outs as ServiceAccountOutputs);
        expect(await live(id)).to.equal(null);
        await sa.delete(id, outs as ServiceAccountOutputs);
        // The run's listing follows the delete: the display name is free again.
        const again = await created("ServiceAccount", { displayName: "Delete test" });
        expect(again.id).to.not.equal(id);
      });

      it("fails an update of an account deleted outside Pulumi, saying to refresh", async () => {
        const { id, outs, inputs } = await created("ServiceAccount", { displayName: "Update gone" });
        await backend.current.admin.serviceAccounts.delete(id);
        const news = await checked("ServiceAccount", { displayName: "Update gone", description: "new" }, inputs);
        const err = await rejection(sa.update(id, outs as ServiceAccountOutputs, news));
        expect(err.message).to.include("Update gone").and.to.include(id).and.to.include("pulumi refresh");
        expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
      });

      if (cloud) {
        it("fails check on suspended: true, at preview", async () => {
          const result = await sa.check({}, { ...ENGINE_PROPS, displayName: "Suspend check", suspended: true });
          expect((result.failures ?? []).map((f) => f.property)).to.deep.equal(["suspended"]);
          expect(result.failures![0]!.reason).to.include("no API to suspend");
          expect((await sa.check({}, { ...ENGINE_PROPS, displayName: "Suspend check", suspended: false })).failures ?? []).to.deep.equal([]);
        });

        it("judges the change, not the value: suspended: true for an account a refresh found suspended passes; false names the real cause", async () => {
          const olds = { displayName: "Suspended by hand", description: "", suspended: true };
          const kept = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Suspended by hand", suspended: true });
          expect(kept.failures ?? []).to.deep.equal([]);
          for (const news of [{ suspended: false }, {}]) {
            const result = await sa.check(olds, { ...ENGINE_PROPS, displayName: "Suspended by hand", ...news });
            expect((result.failures ?? []).map((f) => f.property)).to.deep.equal(["suspended"]);
            expect(result.failures![0]!.reason)
              .to.include("suspended outside Pulumi")
              .and.to.include("declare suspended: true")
              .and.to.include("reactivate it in admin.atlassian.com")
              .and.not.to.include("remove suspended");
          }
          const adopting = await sa.check({}, { ...ENGINE_PROPS, displayName: "Suspended by hand", suspended: true, adoptExisting: true });
          expect(adopting.failures ?? [], "an account to adopt is judged once create finds it").to.deep.equal([]);
        });

        it("updates a suspended account's description with suspended: true declared, and refuses reactivating it, naming the cause", async () => {
          const { id, outs } = await created("ServiceAccount", { displayName: "Suspended elsewhere" });
          const olds = { ...(outs as ServiceAccountOutputs), suspended: true, status: "suspended" as const };
          const news = await checked("ServiceAccount", { displayName: "Suspended elsewhere", description: "new", suspended: true }, olds);
          const { outs: after } = await sa.update(id, olds, news);
          expect(after).to.deep.include({ description: "new" });
          const err = await rejection(sa.update(id, olds, { ...news, suspended: false }));
          expect(err.message).to.include(id).and.to.include("suspended outside Pulumi");
        });

        it("refuses suspended: true before any request, saying Atlassian has no API for it", async () => {
          const before = (await backend.current.admin.serviceAccounts.list().toArray()).length;
          const err = await rejection(sa.create({ __context: CONTEXT, displayName: "Suspend cloud", description: "", suspended: true }));
          expect(err.message).to.include("Suspend cloud").and.to.include("no API to suspend").and.to.include("admin.atlassian.com");
          expect((await backend.current.admin.serviceAccounts.list().toArray()).length).to.equal(before);
          const { id, outs, inputs } = await created("ServiceAccount", { displayName: "Suspend later" });
          const news = { ...inputs, suspended: true };
          expect((await rejection(sa.update(id, outs as ServiceAccountOutputs, news))).message).to.include("no API to suspend");
        });
      } else {
        it("creates a suspended account (create, then the suspension extension)", async () => {
          const { id, outs } = await created("ServiceAccount", { displayName: "Suspended test", suspended: true });
          expect(outs).to.deep.include({ suspended: true, status: "suspended" });
          expect((await backend.current.admin.extensions.serviceAccounts.retrieve(id))?.status).to.equal("suspended");
        });

        it("suspends in place, and reads a suspension lifted by hand as drift", async () => {
          const { id, outs, inputs } = await created("ServiceAccount", { displayName: "Suspend update" });
          const news = await checked("ServiceAccount", { displayName: "Suspend update", suspended: true }, inputs);
          const { outs: after } = await sa.update(id, outs as ServiceAccountOutputs, news);
          expect(after).to.deep.include({ suspended: true, status: "suspended" });
          await backend.current.admin.extensions.serviceAccounts.update(id, { status: "active" });
          backend.current.newRun();
          expect((await sa.read(id, after as ServiceAccountOutputs)).props).to.deep.include({ suspended: false, status: "active" });
        });
      }
    });

    // links.next as each reading of the evidence has it: every form pages to the end.
    for (const linksNext of choice.publicOnly ? (["absolute", "relative", "cursor"] as const) : (["absolute"] as const)) {
      describe(`the run's one listing of the org's accounts ${onPath}, links.next ${linksNext}`, () => {
        const backend = useBackend({ ...choice, atlassian: { linksNext } });
        let proxy: Awaited<ReturnType<typeof startProxy>>;
        before(async () => {
          proxy = await startProxy(backend.current.url);
        });
        after(() => proxy.close());

        it("is shared by every read, adopt and create check of the run: N reads cost the listing's pages", async function () {
          this.timeout(60_000);
          // More accounts than a page holds (80), so the listing has two pages.
          const ids: string[] = [];
          for (let i = 0; i < 85; i++) ids.push((await backend.current.admin.serviceAccounts.create({ displayName: `Listed ${i}` })).id);
          const lists = () => proxy.requests.filter((r) => r === `GET /admin/api-access/v1/orgs/${backend.current.orgId}/service-accounts`).length;
          const stored = { __context: CONTEXT, displayName: "?", description: "", suspended: false, accountId: "", email: "", status: "active" } as ServiceAccountOutputs;

          backend.current.newRun(proxy.url);
          const from = proxy.requests.length;
          // The last account made is on the last page.
          for (const id of [...ids].reverse()) expect((await sa.read(id, stored)).id, id).to.equal(id);
          expect(lists(), "the listing's pages (85 accounts, 80 a page)").to.equal(2);
          await created("ServiceAccount", { displayName: "Listed 0", description: "adopted", adoptExisting: true });
          await rejection(created("ServiceAccount", { displayName: "Listed 84" }));
          expect(lists(), "no second listing in the run").to.equal(2);
          expect(proxy.requests.slice(from).filter((r) => !r.startsWith("GET ")), "only the adopt's PATCH").to.have.length(1);

          // The next deployment lists again, once.
          backend.current.newRun(proxy.url);
          for (const id of ids.slice(0, 10)) await sa.read(id, stored);
          expect(lists()).to.equal(4);
        });
      });
    }

    describe(`a create whose answer is lost ${onPath}`, () => {
      const backend = useBackend(choice);
      for (const lostAs of ["reset", "500"] as const) {
        it(`(${lostAs === "reset" ? "connection reset" : "500 sent"} after the account was made) makes exactly one account, found by listing`, async () => {
          const createPath = `/admin/api-access/v1/orgs/${backend.current.orgId}/service-accounts`;
          const proxy = await startProxy(backend.current.url, undefined, (method, url) => method === "POST" && url.split("?")[0] === createPath && lostAs);
          try {
            backend.current.newRun(proxy.url);
            const displayName = `Lost answer ${lostAs}`;
            const { id, outs } = await created("ServiceAccount", { displayName, description: "once" });
            expect(proxy.lost, "the answer the proxy lost").to.deep.equal([`POST ${createPath}`]);
            expect(proxy.requests.filter((r) => r === `POST ${createPath}`), "the create is not sent again").to.have.length(1);
            const made = await backend.current.admin.serviceAccounts.findByDisplayName(displayName);
            expect(made.map((a) => a.id)).to.deep.equal([id]);
            expect(outs).to.deep.include({ displayName, description: "once", email: made[0]!.email, accountId: productAccountIdOf(made[0]!) });
          } finally {
            await proxy.close();
            backend.current.newRun();
          }
        });
      }
    });
  }

  for (const patchReply of ["empty", "partial"] as const) {
    describe(`on the Atlassian Cloud target when Atlassian answers a PATCH ${patchReply === "empty" ? "with 204" : "without the account"}`, () => {
      const backend = useBackend({ publicOnly: true, atlassian: { patchReply } });

      it("takes the update as done: the outputs are what was sent merged into what was known", async () => {
        const { id, outs, inputs } = await created("ServiceAccount", { displayName: `Patch ${patchReply}`, description: "first" });
        const news = await checked("ServiceAccount", { displayName: `Patched ${patchReply}`, description: "second" }, inputs);
        const { outs: after } = await sa.update(id, outs as ServiceAccountOutputs, news);
        expect(after).to.deep.include({ displayName: `Patched ${patchReply}`, description: "second", email: outs.email, accountId: outs.accountId, createdAt: outs.createdAt });
        expect(await backend.current.admin.serviceAccounts.retrieve(id)).to.deep.include({ displayName: `Patched ${patchReply}`, description: "second" });
        // The run's listing follows the update: a read in the same run shows no drift.
        expect((await sa.read(id, after as ServiceAccountOutputs)).props).to.deep.include({ displayName: `Patched ${patchReply}`, description: "second" });
      });
    });
  }

  describe("when a request fails after the backend created the account", () => {
    const backend = useBackend();
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    before(async () => {
      proxy = await startProxy(backend.current.url, (method) => method === "PATCH");
    });
    beforeEach(() => backend.current.newRun(proxy.url));
    after(async () => {
      await proxy.close();
      backend.current.newRun();
    });

    it("reports the created account's id and outputs, so Pulumi records it, and the next up finishes the job", async () => {
      const inputs = await checked("ServiceAccount", { displayName: "Half made", suspended: true });
      const err = await rejection(sa.create(inputs));
      const made = await backend.current.admin.serviceAccounts.findByDisplayName("Half made");
      expect(made, "the account the backend made").to.have.length(1);
      const live = made[0]!;
      expect(err.id, "the id the engine records").to.equal(live.id);
      expect(err.properties).to.deep.include({ displayName: "Half made", suspended: false, status: "active", email: live.email, __context: CONTEXT });
      // What the engine records is stamped like any output (see provider/version.ts).
      expect((err.properties as Record<string, unknown>).__version).to.equal(INSTALLED_VERSION);
      // And carries the serialized provider, so refresh and destroy of the half-made resource can load it.
      expect((err.properties as Record<string, unknown>).__provider).to.equal(ENGINE_PROPS.__provider);
      expect(err.reasons).to.be.an("array").with.length(1);
      expect(err.message).to.include("Half made").and.to.include(live.id).and.to.include("suspended").and.to.include("Refused by the test proxy");
      // A 403 on the admin API names the credential and the scope.
      expect(err.message).to.include("atlassian:apiKey").and.to.include("scope");
      expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);

      // The engine updates a resource that failed to initialise on the next up.
      backend.current.newRun();
      const { outs } = await sa.update(live.id, err.properties as unknown as ServiceAccountOutputs, inputs);
      expect(outs).to.deep.include({ suspended: true, status: "suspended" });
    });

    it("reports an adopted account's id when setting it to the inputs fails", async () => {
      const existing = await backend.current.admin.serviceAccounts.create({ displayName: "Adopt half", description: "by hand" });
      backend.current.newRun(proxy.url);
      const err = await rejection(created("ServiceAccount", { displayName: "Adopt half", description: "managed", adoptExisting: true }));
      expect(err.id).to.equal(existing.id);
      expect(err.message).to.include("adopted");
    });
  });

  for (const { name: onPath, choice } of PATHS) {
    describe(`with a wrong key or no configuration ${onPath}`, () => {
      const backend = useBackend(choice);
      after(() => backend.current.newRun());

      it("fails with the backend's refusal naming atlassian:apiKey, and never the key", async () => {
        const wrong = "pasak_wrongKeyWrongKeyWrongKeyWrongKeyWrongKey00000";
        resetConfiguration();
        sa.configure(configOf({ ...backend.current.config(), "atlassian:apiKey": wrong }));
        const err = await rejection(created("ServiceAccount", { displayName: "Wrong key" }));
        expect(err.message).to.include("401").and.to.include("atlassian:apiKey");
        expectNoSecret(err.message + String(err.stack) + JSON.stringify(err), [wrong, backend.current.adminKey]);
      });

      it("names atlassian:apiKey and the missing scope on Atlassian's 401 INSUFFICIENT_SCOPE", async () => {
        const proxy = await startProxy(backend.current.url, (method) =>
          method === "GET" ? { status: 401, code: "ADMIN-401-2", title: "INSUFFICIENT_SCOPE", detail: "the API key lacks the scope read:service-accounts" } : false,
        );
        try {
          backend.current.newRun(proxy.url);
          const err = await rejection(created("ServiceAccount", { displayName: "Scope missing" }));
          expect(err.message).to.include("INSUFFICIENT_SCOPE").and.to.include("read:service-accounts").and.to.include("atlassian:apiKey").and.to.include("lacks a scope");
          expect(proxy.requests.filter((r) => r.startsWith("POST ")), "nothing created").to.deep.equal([]);
          expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
        } finally {
          await proxy.close();
        }
      });

      it("fails naming both ways to configure what is missing", async () => {
        resetConfiguration();
        sa.configure(configOf({}));
        const saved = { ...process.env };
        delete process.env.ATLASSIAN_BASE_URL;
        delete process.env.ATLASSIAN_ORG_ID;
        delete process.env.ATLASSIAN_API_KEY;
        try {
          const err = await rejection(created("ServiceAccount", { displayName: "No config" }));
          expect(err.message).to.include("atlassian:apiKey").and.to.include("ATLASSIAN_API_KEY").and.to.include("--secret");
        } finally {
          Object.assign(process.env, saved);
        }
      });
    });

    describe(`against a backend on the free plan ${onPath}`, () => {
      const backend = useBackend({ ...choice, plan: "free" });

      it("fails past the quota naming the plan and its limit, and holds no secret", async () => {
        for (let i = 0; i < PLAN_QUOTAS.free; i++) await created("ServiceAccount", { displayName: `Quota bot ${i}` });
        const err = await rejection(created("ServiceAccount", { displayName: "Quota bot over" }));
        expect(err.message).to.include('"Quota bot over"').and.to.match(/\bfree\b/).and.to.include(String(PLAN_QUOTAS.free)).and.to.include("plan");
        expect(await backend.current.admin.serviceAccounts.findByDisplayName("Quota bot over")).to.deep.equal([]);
        expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
      });
    });
  }
});

describe("the client context of a resource whose name is not plain ASCII", () => {
  const backend = useBackend();

  it("is percent-encoded into the header instead of failing the request", async () => {
    const context = "project=p;stack=s;resource=urn:pulumi:s::p::pulumi-nodejs:dynamic/atlassian:ServiceAccount::bot-é\n" + "x".repeat(2000);
    const { id } = await created("ServiceAccount", { displayName: "Unicode context", __context: context });
    const events = [];
    for await (const e of backend.current.admin.events.list({ action: "service-account.created" })) events.push(e);
    const recorded = events.find((e) => e.attributes.target.id === id)?.attributes.context.clientContext ?? "";
    expect(recorded.startsWith("project=p;stack=s;resource=urn:pulumi:s::p::pulumi-nodejs:dynamic/atlassian:ServiceAccount::bot-%C3%A9%0Axxx")).to.equal(true);
    expect(recorded.length).to.be.at.most(1024);
  });
});
