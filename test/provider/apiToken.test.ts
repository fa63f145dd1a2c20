import { expect } from "chai";
import type { ApiTokenInputs, ApiTokenOutputs } from "../../provider/apiToken";
import { NOW_ENV } from "../../provider/clock";
import { UNKNOWN } from "../../provider/common";
import { listApiTokens, providers } from "../../provider/index";
import { API_TOKEN_PREFIX } from "../../sdk/index";
import { configure, resetConfiguration } from "../../provider/config";
import { CONTEXT, ENGINE_PROPS, checked, configOf, created, expectNoSecret, rejection, startProxy, useBackend, withEnv } from "./helpers";

const tok = providers.ApiToken;
const DAY = 24 * 3600_000;

function failuresOf(result: { failures?: readonly { property: string; reason: string }[] }) {
  return Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
}

describe("ApiToken", () => {
  const valid = { serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };

  describe("check", () => {
    // check depends on the target: on Atlassian Cloud an ApiToken always fails (see below).
    before(() => configure(configOf({ "atlassian:target": "embedded" })));
    after(() => resetConfiguration());

    it("accepts valid inputs and returns them unchanged", async () => {
      const inputs = await checked("ApiToken", { ...valid, rotateBeforeDays: 7, keepers: { epoch: "1" } });
      expect(inputs).to.deep.equal({ ...ENGINE_PROPS, ...valid, rotateBeforeDays: 7, keepers: { epoch: "1" } });
    });

    it("names an unknown scope with its index and suggests the nearest known one", async () => {
      const f = failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, scopes: ["read:jira-work", "write:jira-wrok"] }));
      expect(Object.keys(f)).to.deep.equal(["scopes"]);
      expect(f.scopes).to.include("scopes[1]").and.to.include('"write:jira-wrok"').and.to.include('did you mean "write:jira-work"');
    });

    it("refuses no scopes, more than 50, and a scope listed twice", async () => {
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, scopes: [] })).scopes).to.include("at least one scope");
      const many = Array.from({ length: 51 }, () => "read:jira-work");
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, scopes: many })).scopes).to.include("at most 50");
      const twice = failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, scopes: ["read:jira-work", "read:jira-work"] }));
      expect(twice.scopes).to.include("listed twice");
    });

    it("requires an expiry, exactly one of expiresInDays and expiresAt, in range", async () => {
      const { expiresInDays: _, ...noExpiry } = valid;
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...noExpiry })).expiresInDays).to.include("a token must expire");
      const both = failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, expiresAt: new Date(Date.now() + 5 * DAY).toISOString() }));
      expect(both.expiresAt).to.include("not both");
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, expiresInDays: 366 })).expiresInDays).to.include("1-365");
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, expiresInDays: 1.5 })).expiresInDays).to.include("whole number");
      const past = failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...noExpiry, expiresAt: "2020-01-01T00:00:00Z" }));
      expect(past.expiresAt).to.include("not in the future");
      const far = failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...noExpiry, expiresAt: new Date(Date.now() + 400 * DAY).toISOString() }));
      expect(far.expiresAt).to.include("365 days");
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...noExpiry, expiresAt: "next tuesday" })).expiresAt).to.include('"next tuesday"');
    });

    it("returns one failure for expiresAt when it is both given with expiresInDays and in the past", async () => {
      const result = await tok.check({}, { ...ENGINE_PROPS, ...valid, expiresAt: "2020-01-01T00:00:00Z" });
      const onExpiresAt = (result.failures ?? []).filter((f) => f.property === "expiresAt");
      expect(onExpiresAt).to.have.length(1);
      expect(onExpiresAt[0]!.reason).to.include("not both");
    });

    it("refuses a fixed expiresAt once it has passed, even unchanged since the token was made, saying what to give instead", async () => {
      const { expiresInDays: _, ...noExpiry } = valid;
      const at = "2020-01-01T00:00:00Z";
      // As the engine calls check for an existing token (with its old inputs) and for its replacement (without).
      for (const olds of [{ ...noExpiry, expiresAt: at }, {}]) {
        const reason = failuresOf(await tok.check(olds, { ...ENGINE_PROPS, ...noExpiry, expiresAt: at })).expiresAt;
        expect(reason).to.include('"2020-01-01T00:00:00Z"').and.to.include("a later time").and.to.include("expiresInDays");
      }
    });

    it("requires rotateBeforeDays to go with expiresInDays, be 0 or more and smaller than it", async () => {
      const { expiresInDays: _, ...noExpiry } = valid;
      const fixed = failuresOf(
        await tok.check({}, { ...ENGINE_PROPS, ...noExpiry, expiresAt: new Date(Date.now() + 5 * DAY).toISOString(), rotateBeforeDays: 1 }),
      );
      expect(fixed.rotateBeforeDays).to.include("needs expiresInDays");
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, rotateBeforeDays: 30 })).rotateBeforeDays).to.include(
        "smaller than expiresInDays (30)",
      );
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, rotateBeforeDays: -1 })).rotateBeforeDays).to.include("0 or more");
      await checked("ApiToken", { ...valid, rotateBeforeDays: 0 });
    });

    it("requires keepers to be strings", async () => {
      expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid, keepers: { epoch: 1 } })).keepers).to.include("strings");
    });

    it("says how to fix each missing required property", async () => {
      const f = failuresOf(await tok.check({}, { ...ENGINE_PROPS, expiresInDays: 30 }));
      expect(Object.keys(f).sort()).to.deep.equal(["label", "scopes", "serviceAccountId"]);
      expect(f.serviceAccountId).to.include("account.id");
    });

    it("does not judge values not known yet (an account still to be created, a scope from another output)", async () => {
      await checked("ApiToken", { ...valid, serviceAccountId: UNKNOWN, label: UNKNOWN, scopes: ["read:jira-work", UNKNOWN] });
    });

    it("honours the provider's clock for a fixed expiresAt", async () => {
      const { expiresInDays: _, ...noExpiry } = valid;
      const at = "2030-06-01T00:00:00Z";
      await withEnv({ [NOW_ENV]: "2030-05-01T00:00:00Z" }, () => checked("ApiToken", { ...noExpiry, expiresAt: at }));
      await withEnv({ [NOW_ENV]: "2030-06-02T00:00:00Z" }, async () => {
        expect(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...noExpiry, expiresAt: at })).expiresAt).to.include("not in the future");
      });
    });
  });

  describe("diff", () => {
    const createdAt = new Date(Date.now() - DAY).toISOString();
    const expiresAt = new Date(Date.now() + 29 * DAY).toISOString();
    const olds: ApiTokenOutputs = {
      __context: CONTEXT,
      ...valid,
      rotateBeforeDays: 7,
      token: "stored-secret",
      expiresAt,
      status: "active",
      createdAt,
    };
    const news: ApiTokenInputs = { __context: CONTEXT, ...valid, rotateBeforeDays: 7 };

    it("reports no change when nothing changed and the token is outside its rotation window", async () => {
      expect(await tok.diff("id", olds, news)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: false });
    });

    const replacing: [string, Partial<ApiTokenInputs>][] = [
      ["serviceAccountId", { serviceAccountId: "sa_2" }],
      ["label", { label: "other" }],
      ["scopes", { scopes: ["read:jira-work", "write:jira-work"] }],
      ["expiresInDays", { expiresInDays: 60 }],
      ["keepers", { keepers: { epoch: "2" } }],
    ];
    for (const [property, change] of replacing) {
      it(`replaces, create-before-delete, on a new ${property}`, async () => {
        const d = await tok.diff("id", olds, { ...news, ...change });
        // changes: true, so the engine keeps the verdict whatever the inputs show.
        expect(d).to.deep.equal({ changes: true, replaces: [property], deleteBeforeReplace: false });
      });
    }

    it("replaces when a value is not known yet (the account is being replaced)", async () => {
      expect((await tok.diff("id", olds, { ...news, serviceAccountId: UNKNOWN })).replaces).to.deep.equal(["serviceAccountId"]);
      expect((await tok.diff("id", olds, { ...news, keepers: { epoch: UNKNOWN } })).replaces).to.deep.equal(["keepers"]);
    });

    it("does not replace when the scopes are only reordered", async () => {
      const o = { ...olds, scopes: ["read:jira-work", "write:jira-work"] };
      expect(await tok.diff("id", o, { ...news, scopes: ["write:jira-work", "read:jira-work"] })).to.deep.include({ changes: false });
    });

    it("replaces when switching from expiresInDays to a fixed expiresAt", async () => {
      const { expiresInDays: _, ...rest } = news;
      const d = await tok.diff("id", olds, { ...rest, rotateBeforeDays: undefined, expiresAt: new Date(Date.now() + 10 * DAY).toISOString() });
      expect(d.replaces).to.include("expiresAt");
    });

    it("compares a fixed expiresAt by the time it means, not its spelling", async () => {
      const at = "2030-06-01T00:00:00Z";
      const o: ApiTokenOutputs = { ...olds, expiresInDays: undefined, rotateBeforeDays: undefined, expiresAt: "2030-06-01T00:00:00.000Z" };
      const n: ApiTokenInputs = { __context: CONTEXT, serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], expiresAt: at };
      expect(await tok.diff("id", o, n)).to.deep.include({ changes: false });
      expect((await tok.diff("id", o, { ...n, expiresAt: "2030-07-01T00:00:00Z" })).replaces).to.deep.equal(["expiresAt"]);
    });

    it("changes rotateBeforeDays alone without replacing", async () => {
      expect(await tok.diff("id", olds, { ...news, rotateBeforeDays: 3 })).to.deep.equal({ changes: undefined, replaces: [], deleteBeforeReplace: false });
      expect(await tok.diff("id", olds, { ...news, rotateBeforeDays: undefined })).to.deep.include({ changes: undefined, replaces: [] });
    });

    it("replaces a token inside its rotation window, by the provider's clock", async () => {
      const at = Date.parse(expiresAt);
      const outside = new Date(at - 8 * DAY).toISOString();
      const inside = new Date(at - 5 * DAY).toISOString();
      await withEnv({ [NOW_ENV]: outside }, async () => expect((await tok.diff("id", olds, news)).replaces).to.deep.equal([]));
      await withEnv({ [NOW_ENV]: inside }, async () => {
        // The inputs are the same: changes: true is what keeps the engine from seeing no change.
        expect(await tok.diff("id", olds, news)).to.deep.equal({ changes: true, replaces: ["expiresAt"], deleteBeforeReplace: false });
      });
      // A wider window declared now moves the replacement earlier.
      await withEnv({ [NOW_ENV]: outside }, async () => {
        expect((await tok.diff("id", olds, { ...news, rotateBeforeDays: 10 })).replaces).to.deep.equal(["expiresAt"]);
      });
    });

    it("replaces an expired token even without rotateBeforeDays", async () => {
      const { rotateBeforeDays: _, ...n } = news;
      await withEnv({ [NOW_ENV]: new Date(Date.parse(expiresAt) + 1000).toISOString() }, async () => {
        expect(await tok.diff("id", { ...olds, rotateBeforeDays: undefined }, n)).to.deep.equal({ changes: true, replaces: ["expiresAt"], deleteBeforeReplace: false });
      });
    });

    it("agrees with check and create on an expired fixed expiresAt: the token is replaced, and neither lets a past time through", async () => {
      const at = "2020-01-01T00:00:00.000Z";
      const o: ApiTokenOutputs = { ...olds, expiresInDays: undefined, rotateBeforeDays: undefined, expiresAt: at };
      const n: ApiTokenInputs = { __context: CONTEXT, serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], expiresAt: at };
      expect((await tok.diff("id", o, n)).replaces).to.deep.equal(["expiresAt"]);
      const checkReason = failuresOf(await tok.check(n, { ...ENGINE_PROPS, ...n })).expiresAt;
      // create refuses before any request: the provider is not even configured here.
      const err = await rejection(tok.create(n));
      expect(err.message).to.include('"2020-01-01T00:00:00.000Z" is not in the future').and.to.include("expiresInDays");
      expect(checkReason).to.include("has passed");
    });

    it("fails clearly on a provider clock that is not a time", async () => {
      const err = await withEnv({ [NOW_ENV]: "yesterday" }, () => rejection(tok.diff("id", olds, news)));
      expect(err.message).to.include(NOW_ENV).and.to.include("ISO-8601");
    });
  });

  describe("against the backend", () => {
    const backend = useBackend();
    let accountId = "";
    before(async () => {
      accountId = (await backend.current.admin.serviceAccounts.create({ displayName: "token-owner" })).id;
    });

    it("creates a token with one request: the secret, its expiry, and the inputs", async () => {
      const before = Date.now();
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: accountId, rotateBeforeDays: 7, keepers: { epoch: "1" } });
      expect(outs.token.startsWith(API_TOKEN_PREFIX)).to.equal(true);
      expect(outs).to.deep.include({
        serviceAccountId: accountId,
        label: "ci",
        scopes: ["read:jira-work"],
        expiresInDays: 30,
        rotateBeforeDays: 7,
        keepers: { epoch: "1" },
        status: "active",
        __context: CONTEXT,
      });
      const expires = Date.parse(outs.expiresAt);
      expect(expires).to.be.within(before + 30 * DAY - 60_000, Date.now() + 30 * DAY + 60_000);
      expect((await backend.current.admin.extensions.apiTokens.retrieve(accountId, id))?.status).to.equal("active");
    });

    it("creates a token with a fixed expiresAt", async () => {
      const at = new Date(Date.now() + 10 * DAY);
      at.setUTCMilliseconds(0);
      const { outs } = await created("ApiToken", { serviceAccountId: accountId, label: "fixed", scopes: ["read:jira-work"], expiresAt: at.toISOString() });
      expect(Date.parse(outs.expiresAt)).to.equal(at.getTime());
      expect(outs).to.not.have.property("expiresInDays");
    });

    it("reads a live token, carrying the secret forward from the state", async () => {
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: accountId, label: "read-me" });
      const read = await tok.read(id, outs as ApiTokenOutputs);
      expect(read.id).to.equal(id);
      expect(read.props).to.deep.equal(outs);
      expect(read.inputs, "a token's inputs cannot drift").to.equal(undefined);
    });

    it("reports a revoked token gone", async () => {
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: accountId, label: "revoke-me" });
      await backend.current.admin.extensions.apiTokens.revoke(accountId, id);
      expect((await tok.read(id, outs as ApiTokenOutputs)).id ?? "").to.equal("");
    });

    it("reports a token gone when its account was deleted", async () => {
      const other = await backend.current.admin.serviceAccounts.create({ displayName: "short-lived" });
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: other.id });
      await backend.current.admin.serviceAccounts.delete(other.id);
      expect((await tok.read(id, outs as ApiTokenOutputs)).id ?? "").to.equal("");
    });

    it("updates rotateBeforeDays with no request, keeping the secret", async () => {
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: accountId, rotateBeforeDays: 7 });
      const news = await checked("ApiToken", { ...valid, serviceAccountId: accountId, rotateBeforeDays: 3 });
      const { outs: after } = await tok.update(id, outs as ApiTokenOutputs, news);
      expect(after).to.deep.equal({ ...outs, rotateBeforeDays: 3 });
    });

    it("revokes on delete, and deleting a revoked token succeeds", async () => {
      const { id, outs } = await created("ApiToken", { ...valid, serviceAccountId: accountId, label: "delete-me" });
      await tok.delete(id, outs as ApiTokenOutputs);
      expect((await backend.current.admin.extensions.apiTokens.retrieve(accountId, id))?.status).to.equal("revoked");
      await tok.delete(id, outs as ApiTokenOutputs);
    });

    it("fails for an account that does not exist, naming it, with no secret in the error", async () => {
      const err = await rejection(created("ApiToken", { ...valid, serviceAccountId: "sa_missing" }));
      expect(err.message).to.include("sa_missing").and.to.include('"ci"');
      expectNoSecret(err.message + String(err.stack), [backend.current.adminKey]);
    });
  });

  describe("on the Atlassian Cloud target (public-only backend)", () => {
    const backend = useBackend({ publicOnly: true });
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    before(async () => {
      proxy = await startProxy(backend.current.url);
      configure(configOf(backend.current.config(proxy.url)));
    });
    after(() => proxy.close());

    it("fails check, before any request, saying Atlassian has no API to create tokens and what to do instead", async () => {
      const from = proxy.requests.length;
      const result = await tok.check({}, { ...ENGINE_PROPS, ...valid });
      const f = failuresOf(result);
      expect(Object.keys(f)).to.deep.equal(["serviceAccountId"]);
      expect(f.serviceAccountId)
        .to.include("no API to create")
        .and.to.include("admin.atlassian.com")
        .and.to.include("--secret")
        .and.to.include("listApiTokens");
      expect(proxy.requests.slice(from)).to.deep.equal([]);
    });

    it("fails check on Atlassian's own base URL too, with no target set", async () => {
      configure(configOf({ "atlassian:orgId": "org-x", "atlassian:apiKey": "pasak_notUsedNotUsedNotUsedNotUsedNotUsedNotUsed0000" }));
      try {
        expect(Object.keys(failuresOf(await tok.check({}, { ...ENGINE_PROPS, ...valid })))).to.deep.equal(["serviceAccountId"]);
      } finally {
        configure(configOf(backend.current.config(proxy.url)));
      }
    });

    it("lists an account's tokens with listApiTokens, through Atlassian's public list", async () => {
      const a = await backend.current.admin.serviceAccounts.create({ displayName: "listed-tokens" });
      const from = proxy.requests.length;
      const tokens = await listApiTokens({ serviceAccountId: a.id }, { baseUrl: proxy.url, orgId: backend.current.orgId, apiKey: backend.current.adminKey });
      expect(tokens).to.deep.equal([]);
      expect(proxy.requests.slice(from)).to.deep.equal([`GET /admin/api-access/v1/orgs/${backend.current.orgId}/service-accounts/${a.id}/api-tokens`]);
    });
  });

  describe("listApiTokens on the embedded backend", () => {
    const backend = useBackend();

    it("shows each token's label and expiry, never a secret, and names what is missing when unconfigured", async () => {
      const a = await backend.current.admin.serviceAccounts.create({ displayName: "token-lister" });
      const made = await backend.current.admin.extensions.apiTokens.create(a.id, { label: "console-made", scopes: ["read:jira-work"], expiresInDays: 10 });
      const settings = { baseUrl: backend.current.url, orgId: backend.current.orgId, apiKey: backend.current.adminKey };
      const tokens = await listApiTokens({ serviceAccountId: a.id }, settings);
      expect(tokens).to.have.length(1);
      expect(tokens[0]).to.deep.include({ id: made.id, label: "console-made", expiresAt: made.expiresAt, status: "active" });
      expectNoSecret(JSON.stringify(tokens), [made.token]);
      const err = await withEnv({ ATLASSIAN_ORG_ID: undefined, ATLASSIAN_API_KEY: undefined }, () => rejection(listApiTokens({ serviceAccountId: a.id })));
      expect(err.message).to.include("atlassian:apiKey").and.to.include("ATLASSIAN_API_KEY").and.to.include("ATLASSIAN_ORG_ID");
    });
  });
});
