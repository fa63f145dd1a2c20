/**
 * ApiToken on the Atlassian Cloud path through the admin console's routes (opt-in,
 * `atlassian:consoleRoutes`): the backend serves Atlassian's public surfaces only plus the
 * console's routes (`consoleRoutes`), so any extension the provider sent would answer 404 and
 * fail the scenario. Without the setting the preview fails as before, with no request; with it
 * the token is minted by the console's route, rotates create-before-delete through the
 * documented single revoke, refreshes without drift, and is destroyed.
 */
import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { rejection, steps, summary } from "./workspace";

const DAY = 86_400_000;
const ADMIN = "/admin/api-access/v1/orgs/:orgId";
const MINT = "POST /users/:accountId/manage/api-tokens";
const REVOKE_ONE = "DELETE /users/:accountId/manage/api-tokens/:tokenId";
const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";

const fleet: Fleet = {
  bot: {
    displayName: "console-token-bot",
    tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 7 } },
    bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } },
  },
};

describe("e2e: an ApiToken on the Atlassian Cloud path through the console routes (atlassian:consoleRoutes)", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("console-token", fleet, { backend: { publicOnly: true, consoleRoutes: true } });
  let account: { id: string; accountId: string; email: string };
  let first: { id: string; token: string; expiresAt: string };

  it("without the setting, preview fails as before, naming the setting as an option, and sends no request", async () => {
    let failure!: Error;
    const sent = await s.backend.requestsDuring(async () => (failure = await rejection(s.stack.preview(), "a preview of an ApiToken on Atlassian Cloud")));
    expect(failure.message).to.include("no API to create").and.to.include("atlassian:consoleRoutes");
    expect(sent, "requests during the preview").to.deep.equal({});
  });

  it("with it, up mints the token through the console's route (by the account's atlassianId), and the token works", async () => {
    await s.stack.stack.setConfig("atlassian:consoleRoutes", { value: "true" });
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
    expect(up.resourceChanges).to.deep.include({ create: 4 });
    expect(sent[MINT], "one mint").to.equal(1);
    expect(Object.keys(sent).filter((k) => k.includes("/api-tokens") && k !== MINT).every((k) => k.startsWith("GET ")), "no other token write").to.equal(true);
    account = up.accounts.bot!;
    first = up.tokens["bot-ci"]!;
    expect(await s.backend.readJiraProject(account.email, first.token, "ALPHA"), "the token reads").to.equal(200);
    const listed = (await s.backend.admin("GET", `/service-accounts/${account.id}/api-tokens`)).body.items;
    expect(listed.map((t: { id: string; expiresAt: string }) => [t.id, t.expiresAt])).to.deep.equal([[first.id, first.expiresAt]]);
  });

  it("refreshes without drift", async () => {
    const preview = await s.stack.preview({ refresh: true });
    expect(steps(preview.events).filter(ours)).to.deep.equal([]);
    const refresh = await s.stack.refresh();
    expect(refresh.summary.resourceChanges).to.not.have.any.keys("update", "delete", "create");
  });

  it("rotates inside rotateBeforeDays: the new token is minted before the old one is revoked through the documented single revoke", async () => {
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", new Date(Date.parse(first.expiresAt) - 5 * DAY).toISOString());
    try {
      const preview = await s.stack.preview();
      expect(summary(preview.changeSummary)).to.deep.include({ replace: 1 });
      expect(steps(preview.events).filter(ours).every((p) => p.type === TYPES.ApiToken)).to.equal(true);
      const before = await s.backend.mutations();
      let up!: Awaited<ReturnType<typeof s.up>>;
      const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
      expect(up.resourceChanges).to.deep.include({ replace: 1 });
      expect(sent[MINT]).to.equal(1);
      expect(sent[REVOKE_ONE]).to.equal(1);
      expect(sent[`DELETE ${ADMIN}/service-accounts/:id/api-tokens`], "never revoke-all").to.equal(undefined);
      const fresh = up.tokens["bot-ci"]!;
      expect(fresh.id).to.not.equal(first.id);
      expect(await s.backend.readJiraProject(account.email, fresh.token, "ALPHA"), "the new token").to.equal(200);
      expect(await s.backend.readJiraProject(account.email, first.token, "ALPHA"), "the old token").to.equal(401);
      const after = (await s.backend.mutations()).slice(before.length);
      expect(after.map((e) => `${e.action} ${e.target.id}`)).to.deep.equal([`api-token.created ${fresh.id}`, `api-token.revoked ${first.id}`]);
    } finally {
      s.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    }
    const settled = await s.stack.preview({ refresh: true });
    expect(steps(settled.events).filter(ours)).to.deep.equal([]);
  });

  it("destroys the token, the binding and the account", async () => {
    const destroy = await s.stack.destroy();
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 4 });
    expect(await s.backend.publicAccounts()).to.deep.equal([]);
  });
});
