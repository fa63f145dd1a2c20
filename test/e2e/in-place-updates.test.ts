import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps } from "./workspace";

const NAME = "updates-e2e";

function declared(description: string, role: "viewer" | "editor"): Fleet {
  return {
    bot: {
      displayName: NAME,
      description,
      tokens: { ci: { label: "ci", scopes: ["read:jira-work", "write:jira-work"], expiresInDays: 30 } },
      bindings: { jira: { resource: "jira:project/ALPHA", role } },
    },
  };
}

describe("e2e: changes made in place", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("in-place", declared("first", "viewer"));
  let accountId = "";
  let bindingId = "";
  let tokenId = "";
  let email = "";
  let token = "";
  let productId = "";

  before(async () => {
    const up = await s.up();
    accountId = up.accounts.bot!.id;
    email = up.accounts.bot!.email;
    productId = up.accounts.bot!.accountId;
    bindingId = up.bindings["bot-jira"]!;
    tokenId = up.tokens["bot-ci"]!.id;
    token = up.tokens["bot-ci"]!.token;
  });

  it("changes a description with an update, not a replace, and exactly one PATCH", async () => {
    s.declare(declared("second", "viewer"));

    const preview = await s.stack.preview();
    const changed = steps(preview.events).filter((p) => p.op !== "same");
    expect(changed.map((p) => `${p.op} ${p.type}`)).to.deep.equal([`update ${TYPES.ServiceAccount}`]);
    expect(changed[0]!.diffs).to.deep.equal(["description"]);

    const before = await s.backend.mutations();
    const patchesBefore = (await s.backend.adminRequestCounts()).PATCH ?? 0;
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ update: 1 });

    const after = (await s.backend.mutations()).slice(before.length);
    expect(after.map((e) => `${e.action} ${e.target.id}`)).to.deep.equal([`service-account.updated ${accountId}`]);
    expect(((await s.backend.adminRequestCounts()).PATCH ?? 0) - patchesBefore, "PATCH requests").to.equal(1);

    const account = await s.backend.account(accountId);
    expect(account.description).to.equal("second");
    expect(up.accounts.bot!.id, "the same account").to.equal(accountId);
    expect(up.tokens["bot-ci"]!.id, "the token is untouched").to.equal(tokenId);
  });

  it("changes a binding's role in place: same binding, new role, the new rights at once", async () => {
    expect(await s.backend.createJiraIssue(email, token, "ALPHA"), "a write as viewer").to.equal(403);
    s.declare(declared("second", "editor"));

    const preview = await s.stack.preview();
    const changed = steps(preview.events).filter((p) => p.op !== "same");
    expect(changed.map((p) => `${p.op} ${p.type}`)).to.deep.equal([`update ${TYPES.ScopeBinding}`]);
    expect(changed[0]!.diffs).to.deep.equal(["role"]);

    const before = await s.backend.events();
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ update: 1 });
    expect(up.bindings["bot-jira"], "the same binding").to.equal(bindingId);

    // In Jira's terms: added to the Member role, then removed from Viewer.
    const viewer = await s.backend.jiraRole("ALPHA", "Viewer");
    const member = await s.backend.jiraRole("ALPHA", "Member");
    const after = (await s.backend.events()).slice(before.length).filter((e) => e.action.startsWith("project-role."));
    expect(after.map((e) => `${e.action} ${e.target.id}`)).to.deep.equal([
      `project-role.actor-added ALPHA/${member.id}/${productId}`,
      `project-role.actor-removed ALPHA/${viewer.id}/${productId}`,
    ]);
    expect(member.members).to.include(productId);
    expect(viewer.members).to.not.include(productId);
    expect(await s.backend.createJiraIssue(email, token, "ALPHA"), "a write as editor").to.equal(201);
  });
});
