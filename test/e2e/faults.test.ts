import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";

const FAULTS = "error5xx=0.1,throttle=0.05,latencyMs=20-200,reset=0.02,seed=42";

const fleet: Fleet = {};
for (let i = 1; i <= 10; i++) {
  fleet[`bot${i}`] = {
    displayName: `faulty-bot-${i}`,
    tokens: { ci: { label: `ci ${i}`, scopes: ["read:jira-work"], expiresInDays: 30 } },
    bindings: { jira: { resource: `jira:project/P${i}`, role: "viewer" } },
  };
}

describe("e2e: an unreliable backend", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("faults", fleet, { backend: { faults: FAULTS } });

  it("converges: up of ten accounts with tokens and bindings succeeds, no duplicate, nothing orphaned", async () => {
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 31 });

    // The faults were real: the server answered some admin requests with errors.
    const metrics = await s.backend.metricsText();
    const injected = [...metrics.matchAll(/^injected_faults_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(injected, "faults injected during up (/metrics)").to.be.at.least(3);

    const accounts = await s.backend.accounts();
    expect(accounts.map((a) => a.displayName).sort()).to.deep.equal(Object.values(fleet).map((a) => a.displayName).sort());
    const state = await s.stack.exportState();
    const ids = (type: string) => state.filter((r) => r.type === type).map((r) => r.id).sort();
    expect(ids(TYPES.ServiceAccount)).to.deep.equal(accounts.map((a) => a.id).sort());

    const tokenIds: string[] = [];
    const bindingIds: string[] = [];
    for (const account of accounts) {
      const tokens = await s.backend.tokens(account.id);
      expect(tokens.map((t) => t.status), `${account.displayName}'s tokens, revoked ones included`).to.deep.equal(["active"]);
      tokenIds.push(tokens[0]!.id);
      const bindings = await s.backend.bindings(account.id);
      expect(bindings, `${account.displayName}'s bindings`).to.have.length(1);
      // A binding's id is its resource and the account's product id (a Jira role membership).
      bindingIds.push(`${bindings[0]!.resource}/${account.accountId}`);
    }
    expect(ids(TYPES.ApiToken)).to.deep.equal(tokenIds.sort());
    expect(ids(TYPES.ScopeBinding)).to.deep.equal(bindingIds.sort());

    // Not even a duplicate made and then cleaned up: one creation of each, in the audit log.
    const created = (await s.backend.events()).filter((e) => e.action.endsWith(".created") || e.action === "project-role.actor-added");
    const byAction: Record<string, number> = {};
    for (const e of created) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
    expect(byAction).to.deep.equal({
      "service-account.created": 10,
      "api-token.created": 10,
      "project-role.actor-added": 10,
    });

    // Every token Pulumi holds works (the product plane has no injected faults).
    for (const [key, t] of Object.entries(up.tokens)) {
      const account = up.accounts[key.replace(/-ci$/, "")]!;
      const project = fleet[key.replace(/-ci$/, "")]!.bindings!.jira!.resource.split("/")[1]!;
      expect(await s.backend.readJiraProject(account.email, t.token, project), key).to.equal(200);
    }

    const again = await s.stack.preview();
    expect(again.changeSummary).to.not.have.any.keys("create", "update", "replace", "delete");
  });
});
