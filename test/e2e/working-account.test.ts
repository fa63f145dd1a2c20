/**
 * Issue 17's whole stack, through the real engine, against the stand-in in public-only mode
 * (Atlassian Cloud's path) with the admin console's routes served and `atlassian:consoleRoutes`
 * on: an account created with app access and in a group, a GroupMembership of that group,
 * a binding, and a rotating token. The stand-in applies app access asynchronously (it lands
 * 2 s after it is given) and enforces it (a token of an account without Jira access gets a
 * flat 401), as the evidence says Atlassian does.
 *
 * It goes up, reads as pending and then held without drift, takes a grant added through the
 * console's invite, rotates its token, shows a membership removed by hand as drift, and is
 * destroyed. Every request of the run is recorded: none is an extension of the stand-in (they
 * answer 404 in public-only mode anyway), and the console's routes used are the two the
 * opt-in names, the mint and the invite.
 */
import { expect } from "chai";
import { EXTENSION_ROUTES } from "../../backend/index";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps } from "./workspace";

const DAY = 86_400_000;
const NAME = "working-bot";
const MINT = "POST /users/:accountId/manage/api-tokens";
const INVITE = "POST /admin/account-management/v1/orgs/:orgId/service-accounts/invite";
const REVOKE_ONE = "DELETE /users/:accountId/manage/api-tokens/:tokenId";
const CONSOLE_ROUTES = [MINT, INVITE];
const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";

describe("e2e: an account that can work on Atlassian Cloud: app access, a group, a binding and a rotating token (public-only, console routes on)", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("working-account", {}, { backend: { publicOnly: true, consoleRoutes: true, atlassian: { appAccess: "enforced", appAccessDelayMs: 2000 } } });
  const members = (groupId: string) => s.backend.groupMembers(groupId);
  /** Every route the run sent, with its count. */
  const sent: Record<string, number> = {};
  const recording = async <T>(fn: () => Promise<T>): Promise<T> => {
    let out!: T;
    const during = await s.backend.requestsDuring(async () => (out = await fn()));
    for (const [k, v] of Object.entries(during)) sent[k] = (sent[k] ?? 0) + v;
    return out;
  };
  type Grant = { product: string; role: string; cloudId: string };
  const stateOf = async () =>
    (await s.stack.exportState()).find((r) => r.type === TYPES.ServiceAccount)!.outputs! as { appAccess?: Grant[]; appAccessPending?: (Grant & { since: string })[] };
  /** The status the token gets from Jira, polled until it is 200 or `ms` passed. */
  const jiraOnceLanded = async (email: string, token: string, ms = 20_000): Promise<number> => {
    const until = Date.now() + ms;
    let status = await s.backend.readJiraProject(email, token, "ALPHA");
    while (status !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      status = await s.backend.readJiraProject(email, token, "ALPHA");
    }
    return status;
  };
  let groupId: string;
  let fleet: Fleet;
  let account: { id: string; accountId: string; email: string };
  let first: { id: string; token: string; expiresAt: string };

  it("goes up: the account with Jira access and in its group, the membership, the binding and the token; Jira access lands after the up", async () => {
    await s.stack.stack.setConfig("atlassian:consoleRoutes", { value: "true" });
    groupId = await s.backend.makeGroup("deployers");
    fleet = {
      bot: {
        displayName: NAME,
        appAccess: [{ product: "jira" }],
        groups: [groupId],
        memberships: { deployers: { groupName: "deployers" } },
        bindings: { alpha: { resource: "jira:project/ALPHA", role: "viewer" } },
        tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 7 } },
      },
    };
    s.declare(fleet);
    const up = await recording(() => s.up());
    expect(up.resourceChanges).to.deep.include({ create: 5 }); // the stack, the account, the membership, the binding, the token
    account = up.accounts.bot!;
    first = up.tokens["bot-ci"]!;
    expect(await members(groupId)).to.deep.equal([account.accountId]);
    // Asked for with the create, not seen yet: pending in the state.
    const outs = await stateOf();
    expect(outs.appAccess).to.deep.equal([{ product: "jira", role: "user", cloudId: s.backend.cloudId }]);
    expect(outs.appAccessPending!.map((p) => p.product)).to.deep.equal(["jira"]);
    expect(await jiraOnceLanded(account.email, first.token), "the token reaches Jira once access lands").to.equal(200);
  });

  it("refreshes without drift, and the pending grant is then held", async () => {
    const preview = await recording(() => s.stack.preview({ refresh: true }));
    expect(steps(preview.events).filter(ours)).to.deep.equal([]);
    const refresh = await recording(() => s.stack.refresh());
    expect(refresh.summary.resourceChanges).to.not.have.any.keys("update", "delete", "create");
    const outs = await stateOf();
    expect(outs).to.not.have.property("appAccessPending");
    expect(outs.appAccess).to.deep.equal([{ product: "jira", role: "user", cloudId: s.backend.cloudId }]);
  });

  it("gives the account Confluence through the console's invite: an update, pending at once, then held with no drift", async () => {
    fleet = { bot: { ...fleet.bot!, appAccess: [{ product: "jira" }, { product: "confluence" }] } };
    s.declare(fleet);
    const before = sent[INVITE] ?? 0;
    const up = await recording(() => s.up());
    expect(up.resourceChanges).to.deep.include({ update: 1 });
    expect((sent[INVITE] ?? 0) - before, "one invite").to.equal(1);
    expect((await stateOf()).appAccessPending!.map((p) => p.product)).to.deep.equal(["confluence"]);
    // A read right after says pending, not missing: no drift.
    const early = await recording(() => s.stack.preview({ refresh: true }));
    expect(steps(early.events).filter(ours)).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 2500));
    await recording(() => s.stack.refresh());
    const outs = await stateOf();
    expect(outs).to.not.have.property("appAccessPending");
    expect(outs.appAccess!.map((g) => g.product)).to.deep.equal(["confluence", "jira"]);
  });

  it("rotates the token inside rotateBeforeDays: minted by the console's route, the old one revoked through the documented single revoke", async () => {
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", new Date(Date.parse(first.expiresAt) - 5 * DAY).toISOString());
    try {
      const before = { mint: sent[MINT] ?? 0, revoke: sent[REVOKE_ONE] ?? 0 };
      const up = await recording(() => s.up());
      expect(up.resourceChanges).to.deep.include({ replace: 1 });
      expect([(sent[MINT] ?? 0) - before.mint, (sent[REVOKE_ONE] ?? 0) - before.revoke]).to.deep.equal([1, 1]);
      const fresh = up.tokens["bot-ci"]!;
      expect(fresh.id).to.not.equal(first.id);
      expect(await s.backend.readJiraProject(account.email, fresh.token, "ALPHA"), "the new token").to.equal(200);
      expect(await s.backend.readJiraProject(account.email, first.token, "ALPHA"), "the old token").to.equal(401);
    } finally {
      s.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    }
  });

  it("shows a group membership removed by hand as drift", async () => {
    expect(await s.backend.removeGroupMember(groupId, account.accountId)).to.equal(204);
    const preview = await recording(() => s.stack.preview({ refresh: true }));
    expect(steps(preview.events).filter(ours).map((p) => `${p.op} ${p.type} ${p.name}`)).to.deep.equal([`create ${TYPES.GroupMembership} bot-deployers`]);
    const refresh = await recording(() => s.stack.refresh());
    expect(refresh.summary.resourceChanges).to.deep.include({ delete: 1 });
  });

  it("is destroyed: the token, the binding and the account are gone", async () => {
    const destroy = await recording(() => s.stack.destroy());
    expect(destroy.summary.resourceChanges?.delete ?? 0).to.equal(4); // the stack, the account, the binding, the token (the membership left with the refresh)
    expect((await s.backend.publicAccounts()).filter((a) => a.displayName === NAME)).to.deep.equal([]);
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.not.include(account.accountId);
  });

  it("sent no extension of the stand-in, and of the console's routes only the two the opt-in names", () => {
    const routes = Object.keys(sent);
    expect(routes.length, "routes recorded").to.be.greaterThan(10);
    const extensions = new Set(EXTENSION_ROUTES.map((r) => r.replace(/\{(\w+)\}/g, ":$1")));
    expect(routes.filter((r) => extensions.has(r)), "extensions").to.deep.equal([]);
    const consoleUsed = routes.filter((r) => r.includes("/account-management/") || (r.includes("/manage/api-tokens") && r.startsWith("POST ")));
    expect(consoleUsed.sort()).to.deep.equal([...CONSOLE_ROUTES].sort());
  });
});
