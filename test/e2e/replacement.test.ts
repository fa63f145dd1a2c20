import { expect } from "chai";
import { TYPES, type AccountSpec, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

// Replacements the inputs do not ask for (`--replace`, `replaceOnChanges`) of every
// resource, and of an adopted account: each must leave a working account, token and binding,
// and a state that tells the truth about them.

const ADOPTED = "adopt-replace-e2e";
const PLAIN = "plain-replace-e2e";

function account(displayName: string, extra: Partial<AccountSpec> = {}): AccountSpec {
  return {
    displayName,
    tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, ...extra.tokens?.ci } },
    bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer", ...extra.bindings?.jira } },
    ...(extra.adoptExisting === undefined ? {} : { adoptExisting: extra.adoptExisting }),
    ...(extra.displayName === undefined ? {} : { displayName: extra.displayName }),
    ...(extra.options === undefined ? {} : { options: extra.options }),
  };
}

const initial: Fleet = { legacy: account(ADOPTED, { adoptExisting: true }), plain: account(PLAIN) };

describe("e2e: replacing resources the inputs do not ask to replace", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("replacement", initial);

  before(async () => {
    await s.backend.createAccount(ADOPTED, "made in the admin console");
  });

  /** Every account, token and binding the state names exists, works and is the only one. */
  async function expectWorking(key: string, name: string, up: Awaited<ReturnType<typeof s.up>>): Promise<void> {
    const acct = up.accounts[key]!;
    const same = (await s.backend.accounts()).filter((a) => a.displayName === name);
    expect(same.map((a) => a.id), `accounts with display name ${name}: only the one in the state`).to.deep.equal([acct.id]);
    const token = up.tokens[`${key}-ci`]!;
    expect(await s.backend.readJiraProject(acct.email, token.token, "ALPHA"), `${key}'s token in the state`).to.equal(200);
    // A binding is the account's membership of a Jira project role; its id names the resource and the account.
    const bindings = await s.backend.bindings(acct.id);
    expect(bindings.map((b) => b.resource)).to.deep.equal(["jira:project/ALPHA"]);
    expect(up.bindings[`${key}-jira`]).to.match(/^jira:project\/ALPHA\/.+/);
  }

  async function expectSettled(): Promise<void> {
    const again = await s.stack.preview();
    expect(summary(again.changeSummary), "the preview after").to.not.have.any.keys("create", "update", "replace", "delete");
  }

  it("--replace of an adopted account makes a fresh one and moves its token and binding to it; nothing is lost", async () => {
    const first = await s.up();
    expect(first.accounts.legacy!.id).to.be.a("string");
    const old = first.accounts.legacy!;
    await expectWorking("legacy", ADOPTED, first);

    const up = await s.up({ replace: [s.urn(TYPES.ServiceAccount, "legacy")] });
    // What the state now says exists does, and works.
    await expectWorking("legacy", ADOPTED, up);
    await expectWorking("plain", PLAIN, up);
    // Deleted first, so the account, its token and binding are all new.
    expect(up.resourceChanges).to.deep.include({ replace: 3 });
    expect(up.accounts.legacy!.id, "a new account").to.not.equal(old.id);
    expect(await s.backend.account(old.id), "the replaced account").to.equal(null);
    await expectSettled();
  });

  it("--replace of an account that keeps its display name deletes it first, then makes the new one", async () => {
    const before = await s.up();
    const old = before.accounts.plain!;
    const mark = (await s.backend.mutations()).length;
    const up = await s.up({ replace: [s.urn(TYPES.ServiceAccount, "plain")] });
    expect(up.resourceChanges).to.deep.include({ replace: 3 });
    expect(up.accounts.plain!.id).to.not.equal(old.id);
    await expectWorking("plain", PLAIN, up);
    const actions = (await s.backend.mutations()).slice(mark).map((e) => e.action);
    expect(actions.indexOf("service-account.deleted"), "deleted before created").to.be.lessThan(actions.indexOf("service-account.created"));
    await expectSettled();
  });

  it("--replace of a binding deletes it first; of a token, mints the new one before revoking the old", async () => {
    const before = await s.up();
    const accountId = before.accounts.plain!.id;
    const oldToken = before.tokens["plain-ci"]!;
    const oldBinding = before.bindings["plain-jira"]!;
    const mark = (await s.backend.events()).length;
    const up = await s.up({ replace: [s.urn(TYPES.ScopeBinding, "plain-jira"), s.urn(TYPES.ApiToken, "plain-ci")] });
    expect(up.resourceChanges).to.deep.include({ replace: 2 });
    // The same account and resource, so the same id: the replacement shows in the role's history.
    expect(up.bindings["plain-jira"]).to.equal(oldBinding);
    expect(up.tokens["plain-ci"]!.id).to.not.equal(oldToken.id);
    await expectWorking("plain", PLAIN, up);
    const after = (await s.backend.events()).slice(mark).map((e) => `${e.action} ${e.target.id}`);
    const removed = after.findIndex((a) => a.startsWith("project-role.actor-removed ALPHA/"));
    const added = after.findIndex((a) => a.startsWith("project-role.actor-added ALPHA/"));
    expect(removed, "the old membership removed").to.be.greaterThan(-1);
    expect(removed, "removed before it is added again (delete first)").to.be.lessThan(added);
    expect(after.indexOf(`api-token.created ${up.tokens["plain-ci"]!.id}`)).to.be.lessThan(after.indexOf(`api-token.revoked ${oldToken.id}`));
    expect((await s.backend.tokens(accountId)).filter((t) => t.status === "active").map((t) => t.id)).to.deep.equal([up.tokens["plain-ci"]!.id]);
    await expectSettled();
  });

  it("replaceOnChanges turns an in-place change of each resource into a working replacement", async () => {
    s.declare({
      legacy: account(ADOPTED, { adoptExisting: true, displayName: "Legacy, renamed", options: { replaceOnChanges: ["displayName"] } }),
      plain: account(PLAIN, {
        tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 3, options: { replaceOnChanges: ["rotateBeforeDays"] } } },
        bindings: { jira: { resource: "jira:project/ALPHA", role: "editor", options: { replaceOnChanges: ["role"] } } },
      }),
    });
    const preview = await s.stack.preview();
    const planned = steps(preview.events).filter((p) => p.op === "replace");
    const keys = Object.fromEntries(planned.map((p) => [p.name, p.keys]));
    // The account's token and binding follow it (their serviceAccountId changes).
    expect(Object.keys(keys).sort()).to.deep.equal(["legacy", "legacy-ci", "legacy-jira", "plain-ci", "plain-jira"]);
    expect(keys).to.deep.include({ legacy: ["displayName"], "plain-ci": ["rotateBeforeDays"], "plain-jira": ["role"] });
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ replace: 5 });
    // The display name changed with the replacement: the new account has the new one, the old one is gone.
    await expectWorking("legacy", "Legacy, renamed", up);
    await expectWorking("plain", PLAIN, up);
    expect((await s.backend.accounts()).filter((a) => a.displayName === ADOPTED), "the replaced account").to.deep.equal([]);
    expect((await s.backend.bindings(up.accounts.plain!.id))[0]!.role).to.equal("editor");
    await expectSettled();
  });

  it("an adopted account replaced create-first (deleteBeforeReplace: false) is kept, not deleted under the new resource", async () => {
    s.declare({ legacy: account(ADOPTED, { adoptExisting: true, options: { deleteBeforeReplace: false } }), plain: initial.plain! });
    const before = await s.up();
    const old = before.accounts.legacy!;
    const up = await s.up({ replace: [s.urn(TYPES.ServiceAccount, "legacy")] });
    // The replacement adopts the very account it replaces: same id, so its token and binding stay.
    expect(up.accounts.legacy!.id).to.equal(old.id);
    expect(await s.backend.account(old.id), "the account").to.not.equal(null);
    await expectWorking("legacy", ADOPTED, up);
    await expectSettled();
  });
});
