/**
 * The Atlassian Cloud path through the real engine: `atlassian:target` is `atlassian-cloud`
 * and the backend serves Atlassian's public surfaces only (`publicOnly`), so any request
 * outside Atlassian's public API answers 404 and fails the scenario. New stack, in-place
 * updates, drift and refresh (a Jira role membership removed with jira.js), adopt, bad
 * input, destroy, quota, and an ApiToken refused at preview with no request sent.
 * Requests per operation are counted by the backend's /metrics.
 */
import { expect } from "chai";
import { PLAN_QUOTAS } from "../../sdk/schemas";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection, steps } from "./workspace";

const NAME = "cloud-deployer";
const declared = (description: string, role: "viewer" | "editor"): Fleet => ({
  bot: {
    displayName: NAME,
    description,
    bindings: {
      jira: { resource: "jira:project/ALPHA", role },
      wiki: { resource: "confluence:space/DOCS", role: "viewer" },
    },
  },
});

const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";
const ADMIN = "/admin/api-access/v1/orgs/:orgId";
const JIRA = "/ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey";
const WIKI = "/ex/confluence/:cloudId/wiki";

describe("e2e: the Atlassian Cloud path (public-only backend)", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("atlassian-cloud", declared("Deploys from CI", "viewer"), { backend: { publicOnly: true } });
  let account: { id: string; accountId: string; email: string };

  it("previews the creates and sends nothing that writes", async () => {
    const sent = await s.backend.requestsDuring(() => s.stack.preview());
    expect(Object.keys(sent).filter((k) => !k.startsWith("GET ")), "writes during preview").to.deep.equal([]);
    expect(await s.backend.publicAccounts()).to.deep.equal([]);
  });

  it("creates the account and its access with up, through Atlassian's public operations only", async () => {
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
    expect(up.resourceChanges).to.deep.include({ create: 4 });
    account = up.accounts.bot!;
    expect(sent).to.deep.equal({
      // The org's accounts, listed once: no other account may have the display name.
      [`GET ${ADMIN}/service-accounts`]: 1,
      [`POST ${ADMIN}/service-accounts`]: 1,
      [`GET ${JIRA}/role`]: 1,
      [`GET ${JIRA}/role/:id`]: 1,
      [`POST ${JIRA}/role/:id`]: 1,
      [`GET ${WIKI}/api/v2/spaces`]: 1,
      [`GET ${WIKI}/api/v2/space-role-mode`]: 1,
      [`GET ${WIKI}/api/v2/space-roles`]: 1,
      [`GET ${WIKI}/api/v2/spaces/:id/role-assignments`]: 1,
      [`POST ${WIKI}/api/v2/spaces/:id/role-assignments`]: 1,
    });
    const listed = await s.backend.publicAccount(account.id);
    expect(listed).to.deep.include({ displayName: NAME, description: "Deploys from CI", atlassianId: account.accountId });
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members, "viewer is the Viewer role").to.include(account.accountId);
    expect(Object.values(up.bindings).sort()).to.deep.equal([`confluence:space/DOCS/${account.accountId}`, `jira:project/ALPHA/${account.accountId}`]);
  });

  it("updates a description with one PATCH without the id, and a role in place (add to Member, remove from Viewer)", async () => {
    s.declare(declared("Deploys from CI, v2", "editor"));
    const preview = await s.stack.preview();
    expect(steps(preview.events).filter(ours).map((p) => `${p.op} ${p.type} ${p.diffs?.join(",")}`).sort()).to.deep.equal(
      // While the account is being updated, the preview cannot know its outputs: the engine lists
      // the binding's accountId input as changing, and the provider knows it cannot (no replacement).
      [`update ${TYPES.ScopeBinding} accountId,role`, `update ${TYPES.ServiceAccount} description`].sort(),
    );
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
    expect(up.resourceChanges).to.deep.include({ update: 2 });
    expect(sent).to.deep.equal({
      [`PATCH ${ADMIN}/service-accounts`]: 1,
      [`GET ${JIRA}/role`]: 1,
      [`GET ${JIRA}/role/:id`]: 1,
      [`POST ${JIRA}/role/:id`]: 1,
      [`DELETE ${JIRA}/role/:id`]: 1,
    });
    expect((await s.backend.publicAccount(account.id)).description).to.equal("Deploys from CI, v2");
    expect((await s.backend.jiraRole("ALPHA", "Member")).members).to.include(account.accountId);
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.not.include(account.accountId);
  });

  it("shows a Jira role membership removed with jira.js and a description edited by hand on refresh; the next up puts both back", async () => {
    await s.backend.removeFromJiraRole("ALPHA", "Member", account.accountId);
    await s.backend.admin("PATCH", "/service-accounts", { serviceAccountId: account.id, description: "edited by hand" });

    const preview = await s.stack.preview({ refresh: true });
    expect(steps(preview.events).filter(ours).map((p) => `${p.op} ${p.type}`).sort()).to.deep.equal(
      [`create ${TYPES.ScopeBinding}`, `update ${TYPES.ServiceAccount}`].sort(),
    );

    let refresh!: Awaited<ReturnType<typeof s.stack.refresh>>;
    const sentRefresh = await s.backend.requestsDuring(async () => (refresh = await s.stack.refresh()));
    expect(refresh.summary.resourceChanges).to.deep.include({ delete: 1, update: 1 });
    // One listing of the org's accounts for the run, one role or assignment read per binding.
    expect(sentRefresh).to.deep.equal({
      [`GET ${ADMIN}/service-accounts`]: 1,
      [`GET ${JIRA}/role/:id`]: 1,
      [`GET ${WIKI}/api/v2/spaces/:id/role-assignments`]: 1,
    });

    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 1, update: 1 });
    expect((await s.backend.jiraRole("ALPHA", "Member")).members, "back in the role").to.include(account.accountId);
    expect((await s.backend.publicAccount(account.id)).description).to.equal("Deploys from CI, v2");
    const again = await s.stack.preview({ refresh: true });
    expect(steps(again.events).filter(ours)).to.deep.equal([]);
  });

  it("fails a bad resource at preview, before any request", async () => {
    const bad = declared("Deploys from CI, v2", "editor");
    bad.bot!.bindings!.jira!.resource = "jira:project/alpha";
    s.declare(bad);
    let failure: Error | undefined;
    const sent = await s.backend.requestsDuring(async () => {
      try {
        await s.stack.preview();
      } catch (e) {
        failure = e as Error;
      }
    });
    expect(failure, "preview of a bad resource").to.be.an("error");
    expect(failure!.message).to.include("jira:project/<KEY>");
    expect(Object.keys(sent).filter((k) => !k.startsWith("GET ")), "writes").to.deep.equal([]);
    s.declare(declared("Deploys from CI, v2", "editor"));
  });

  it("destroys everything: revoke-all and delete for the account, one DELETE or assignment per binding", async () => {
    let destroy!: Awaited<ReturnType<typeof s.stack.destroy>>;
    const sent = await s.backend.requestsDuring(async () => (destroy = await s.stack.destroy()));
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 4 }); // with the stack itself
    expect(sent).to.deep.equal({
      [`DELETE ${ADMIN}/service-accounts/:id/api-tokens`]: 1,
      [`DELETE ${ADMIN}/service-accounts/:id`]: 1,
      [`DELETE ${JIRA}/role/:id`]: 1,
      [`GET ${WIKI}/api/v2/spaces/:id/role-assignments`]: 1,
      [`POST ${WIKI}/api/v2/spaces/:id/role-assignments`]: 1,
    });
    expect(await s.backend.publicAccounts()).to.deep.equal([]);
    expect((await s.backend.jiraRole("ALPHA", "Member")).members).to.not.include(account.accountId);
  });
});

describe("e2e: adopting on the Atlassian Cloud path", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("cloud-adopt", { legacy: { displayName: "cloud-legacy", description: "managed now", adoptExisting: true } }, { backend: { publicOnly: true } });

  it("adopts a hand-made account found by listing: same id, the declared description, no duplicate", async () => {
    const existing = (await s.backend.admin("POST", "/service-accounts", { displayName: "cloud-legacy", description: "by hand" })).body;
    const up = await s.up();
    expect(up.accounts.legacy!.id).to.equal(existing.id);
    const all = await s.backend.publicAccounts();
    expect(all.map((a) => [a.id, a.description])).to.deep.equal([[existing.id, "managed now"]]);
  });
});

describe("e2e: an ApiToken on the Atlassian Cloud path", function () {
  this.timeout(E2E_TIMEOUT);
  const fleet: Fleet = { bot: { displayName: "cloud-token-bot", tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 } } } };
  const s = useScenario("cloud-token", fleet, { backend: { publicOnly: true } });

  it("fails preview saying Atlassian has no API to create tokens and what to do instead, and sends no request", async () => {
    let failure!: Error;
    const sent = await s.backend.requestsDuring(async () => (failure = await rejection(s.stack.preview(), "a preview of an ApiToken on Atlassian Cloud")));
    expect(failure.message).to.include("no API to create").and.to.include("admin.atlassian.com").and.to.include("listApiTokens");
    expect(sent, "requests during the preview").to.deep.equal({});
  });
});

// A third party saw a full org refuse a create with 402, and with 409 ADMIN-UAM-409-3: the stand-in plays each.
for (const quotaStatus of ["402", "409"] as const) {
  describe(`e2e: the plan's quota on the Atlassian Cloud path (refused with ${quotaStatus})`, function () {
    this.timeout(E2E_TIMEOUT);
    const fleet: Fleet = {};
    for (let i = 1; i <= 6; i++) fleet[`bot${i}`] = { displayName: `cloud-quota-${i}` };
    const s = useScenario(`cloud-quota-${quotaStatus}`, fleet, { backend: { publicOnly: true, plan: "free", atlassian: { quotaStatus } } });

    it("fails up past the free plan's limit, naming plan and limit; what was created stays in state", async () => {
      let failure: Error | undefined;
      try {
        await s.stack.up();
      } catch (e) {
        failure = e as Error;
      }
      expect(failure!.message).to.match(new RegExp(`\\bfree\\b[^\\n]*\\b${PLAN_QUOTAS.free}\\b`));
      // Recognised as the plan's quota (not a conflict), whichever status said so.
      expect(failure!.message).to.include("the organization's plan allows no more service accounts");
      const listed = await s.backend.publicAccounts();
      expect(listed).to.have.length(PLAN_QUOTAS.free);
      const inState = (await s.stack.exportState()).filter((r) => r.type === TYPES.ServiceAccount);
      expect(inState.map((r) => r.id).sort()).to.deep.equal(listed.map((a) => a.id).sort());
    });
  });
}

describe("e2e: an unreliable backend on the Atlassian Cloud path", function () {
  this.timeout(E2E_TIMEOUT);
  const N = 8;
  const fleet: Fleet = {};
  for (let i = 1; i <= N; i++) fleet[`bot${i}`] = { displayName: `cloud-faulty-${i}`, bindings: { jira: { resource: `jira:project/Q${i}`, role: "viewer" } } };
  // Atlassian keeps no Idempotency-Key: a retried create would bill a second account. `lost`
  // runs the request and then loses its answer (a reset or a 500 after the write landed).
  const s = useScenario("cloud-faults", fleet, {
    backend: { publicOnly: true, faults: "error5xx=0.1,throttle=0.05,latencyMs=20-200,reset=0.02,lost=0.2,seed=7" },
  });

  it(`converges: ${N} creates through the engine make exactly ${N} accounts and ${N} grants, whatever answers are lost`, async () => {
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 2 * N + 1 });
    const metrics = await s.backend.metricsText();
    const injected = (kind: string) =>
      [...metrics.matchAll(new RegExp(`^injected_faults_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
    expect(injected("lost"), "answers lost after the write landed (/metrics)").to.be.at.least(1);
    const listed = await s.backend.publicAccounts();
    expect(listed.map((a) => a.displayName).sort(), "one account per declared display name").to.deep.equal(
      Object.values(fleet).map((a) => a.displayName).sort(),
    );
    const creations = (await s.backend.events()).filter((e) => e.action === "service-account.created");
    expect(creations).to.have.length(N);
    const grants = (await s.backend.events()).filter((e) => e.action === "project-role.actor-added");
    expect(grants, "one role grant per binding").to.have.length(N);
    for (const a of listed) {
      const key = Object.values(fleet).find((f) => f.displayName === a.displayName)!.bindings!.jira!.resource.split("/")[1]!;
      expect((await s.backend.jiraRole(key, "Viewer")).members, key).to.deep.equal([a.atlassianId]);
    }
    const again = await s.stack.preview();
    expect(again.changeSummary).to.not.have.any.keys("create", "update", "replace", "delete");
  });
});
