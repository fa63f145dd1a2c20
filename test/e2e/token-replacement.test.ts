import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

const NAME = "replace-e2e";

function declared(scopes: string[]): Fleet {
  return {
    bot: {
      displayName: NAME,
      tokens: { ci: { label: "ci", scopes, expiresInDays: 30 } },
      bindings: { jira: { resource: "jira:project/ALPHA", role: "editor" } },
    },
  };
}

describe("e2e: changing a token's scopes", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("token-replace", declared(["read:jira-work"]));

  it("replaces the token: the new one works, the old one is refused, minted before the old was revoked", async () => {
    const first = await s.up();
    const email = first.accounts.bot!.email;
    const accountId = first.accounts.bot!.id;
    const old = first.tokens["bot-ci"]!;
    expect(await s.backend.createJiraIssue(email, old.token, "ALPHA"), "a write with read scopes").to.equal(403);

    s.declare(declared(["read:jira-work", "write:jira-work"]));
    const preview = await s.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.include({ replace: 1 });
    const planned = steps(preview.events).filter((p) => p.op !== "same");
    expect(planned.filter((p) => p.type !== TYPES.ApiToken), "only the token changes").to.deep.equal([]);
    expect(planned.map((p) => p.op)).to.include("replace");
    // The replacement names its cause (keys); diff answers changes: true, so the engine lists no diffs of its own.
    expect(planned.find((p) => p.op === "replace")!.keys).to.deep.equal(["scopes"]);

    const before = await s.backend.mutations();
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ replace: 1 });
    const fresh = up.tokens["bot-ci"]!;
    expect(fresh.id).to.not.equal(old.id);
    expect(fresh.token).to.not.equal(old.token);

    expect(await s.backend.readJiraProject(email, fresh.token, "ALPHA"), "the new token reads").to.equal(200);
    expect(await s.backend.createJiraIssue(email, fresh.token, "ALPHA"), "the new token writes").to.equal(201);
    expect(await s.backend.readJiraProject(email, old.token, "ALPHA"), "the old token").to.equal(401);

    // Create-before-delete, as the audit log tells it.
    const after = (await s.backend.mutations()).slice(before.length);
    expect(after.map((e) => `${e.action} ${e.target.id}`)).to.deep.equal([
      `api-token.created ${fresh.id}`,
      `api-token.revoked ${old.id}`,
    ]);
    const tokens = await s.backend.tokens(accountId);
    expect(Object.fromEntries(tokens.map((t) => [t.id, t.status]))).to.deep.equal({
      [old.id]: "revoked",
      [fresh.id]: "active",
    });
  });
});
