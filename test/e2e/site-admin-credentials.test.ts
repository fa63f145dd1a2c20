/**
 * A site admin token that Jira refuses, through the real engine: a binding's up fails naming
 * the setting to fix (atlassian:siteAdminToken), as a missing one does, and the engine's
 * output holds neither the wrong token nor the right one (the scenario's leak check after
 * each test looks for both).
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection } from "./workspace";

describe("e2e: a wrong site admin token", function () {
  this.timeout(E2E_TIMEOUT);
  const fleet: Fleet = { bot: { displayName: "Site token bot", bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } } } };
  const s = useScenario("site-admin-token", fleet);
  // Shaped like the backend's own site admin tokens, so only the setting can tell them apart.
  const wrong = `site-admin-${randomUUID()}`;

  before(async () => {
    s.secrets.push(wrong);
    await s.stack.stack.setConfig("atlassian:siteAdminToken", { value: wrong, secret: true });
  });

  it("fails the binding's up naming atlassian:siteAdminToken, and shows no token", async () => {
    const err = await rejection(s.stack.up(), "an up with a wrong site admin token");
    expect(err.message).to.include("cannot create the binding").and.to.include("atlassian:siteAdminToken");
    expect(err.message).to.not.include(wrong).and.not.to.include(s.backend.siteAdmin.token);
    const inState = (await s.stack.exportState()).map((r) => r.type);
    expect(inState, "the account is made; the binding is not").to.include(TYPES.ServiceAccount).and.not.to.include(TYPES.ScopeBinding);
  });

  it("goes up once the token is the site admin's", async () => {
    await s.stack.stack.setConfig("atlassian:siteAdminToken", { value: s.backend.siteAdmin.token, secret: true });
    const up = await s.up();
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(up.accounts.bot!.accountId);
    await s.stack.destroy();
  });
});
