import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps } from "./workspace";

const NAME = "drift-e2e";
const fleet: Fleet = {
  bot: {
    displayName: NAME,
    description: "as declared",
    tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 } },
    bindings: {
      alpha: { resource: "jira:project/ALPHA", role: "viewer" },
      beta: { resource: "jira:project/BETA", role: "viewer" },
    },
  },
};

describe("e2e: drift made outside Pulumi", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("drift", fleet);

  it("shows a binding removed from its Jira role and a changed description on preview --refresh; refresh then up restore both", async () => {
    const first = await s.up();
    const account = first.accounts.bot!;
    const token = first.tokens["bot-ci"]!.token;
    const beta = first.bindings["bot-beta"]!;

    // Someone removes the account from the Jira role (with jira.js, as a site admin) and edits the description.
    await s.backend.removeFromJiraRole("BETA", "Viewer", account.accountId);
    await s.backend.updateAccount(account.id, { description: "edited by hand" });
    expect(await s.backend.readJiraProject(account.email, token, "BETA")).to.equal(403);

    const preview = await s.stack.preview({ refresh: true });
    const planned = steps(preview.events).filter((p) => p.op !== "same" && p.op !== "refresh");
    expect(planned.map((p) => `${p.op} ${p.type} ${p.name}`).sort()).to.deep.equal(
      [`create ${TYPES.ScopeBinding} bot-beta`, `update ${TYPES.ServiceAccount} bot`].sort(),
    );
    expect(planned.find((p) => p.op === "update")!.diffs).to.deep.equal(["description"]);
    // A preview changes nothing, not even the state.
    expect((await s.stack.exportState()).some((r) => r.id === beta), "state after preview").to.equal(true);
    expect((await s.backend.account(account.id)).description).to.equal("edited by hand");

    const refresh = await s.stack.refresh();
    expect(refresh.summary.resourceChanges).to.deep.include({ delete: 1, update: 1 });
    const state = await s.stack.exportState();
    expect(state.some((r) => r.id === beta), "the deleted binding, after refresh").to.equal(false);
    const inState = state.find((r) => r.type === TYPES.ServiceAccount)!;
    expect(inState.outputs!.description).to.equal("edited by hand");

    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 1, update: 1 });
    expect((await s.backend.account(account.id)).description).to.equal("as declared");
    const bindings = await s.backend.bindings(account.id);
    expect(bindings.map((b) => `${b.resource} ${b.role}`).sort()).to.deep.equal([
      "jira:project/ALPHA viewer",
      "jira:project/BETA viewer",
    ]);
    expect(await s.backend.readJiraProject(account.email, token, "BETA"), "access restored").to.equal(200);
    expect((await s.backend.jiraRole("BETA", "Viewer")).members, "back in the role").to.include(account.accountId);

    const again = await s.stack.preview({ refresh: true });
    expect(steps(again.events).filter((p) => p.op !== "same" && p.op !== "refresh")).to.deep.equal([]);
  });

  it("drops a token revoked outside Pulumi on refresh, and the next up mints a new one", async () => {
    const before = await s.up();
    const account = before.accounts.bot!;
    const old = before.tokens["bot-ci"]!;
    await s.backend.revokeToken(account.id, old.id);

    const refresh = await s.stack.refresh();
    expect(refresh.summary.resourceChanges).to.deep.include({ delete: 1 });
    expect((await s.stack.exportState()).filter((r) => r.type === TYPES.ApiToken)).to.deep.equal([]);

    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ create: 1 });
    const fresh = up.tokens["bot-ci"]!;
    expect(fresh.id, "the token output").to.not.equal(old.id);
    expect(fresh.token, "the token output").to.not.equal(old.token);
    expect(await s.backend.readJiraProject(account.email, fresh.token, "ALPHA")).to.equal(200);
    expect(await s.backend.readJiraProject(account.email, old.token, "ALPHA")).to.equal(401);
    const active = (await s.backend.tokens(account.id)).filter((t) => t.status === "active");
    expect(active.map((t) => t.id)).to.deep.equal([fresh.id]);
  });
});
