/**
 * A binding handed to a new URN: renamed without an alias, or replaced create-first
 * (`deleteBeforeReplace: false`). The engine creates the new binding, which finds the old
 * one's grant in place, before it deletes the old one: the access must survive the hand-over,
 * for a Jira project role, a Confluence space role and (a site not in role mode) v1 space
 * permissions.
 */
import { expect } from "chai";
import { TYPES, type BindingSpec, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario, type Scenario } from "./scenario";
import { summary } from "./workspace";

const SCOPES = ["read:jira-work", "read:confluence-space.summary"];

function fleet(displayName: string, bindings: Record<string, BindingSpec>): Fleet {
  return { bot: { displayName, tokens: { ci: { label: "ci", scopes: SCOPES, expiresInDays: 30 } }, bindings } };
}

/** The account still reads both places with its token, and a preview after changes nothing. */
async function expectAccess(s: Scenario, up: Awaited<ReturnType<Scenario["up"]>>, what: string): Promise<void> {
  const { email } = up.accounts.bot!;
  const { token } = up.tokens["bot-ci"]!;
  expect(await s.backend.readJiraProject(email, token, "ALPHA"), `${what}: the Jira project`).to.equal(200);
  expect(await s.backend.readConfluenceSpace(email, token, "DOCS"), `${what}: the Confluence space`).to.equal(200);
  const again = await s.stack.preview({ refresh: true });
  expect(summary(again.changeSummary), `${what}: preview --refresh after`).to.not.have.any.keys("create", "update", "replace", "delete");
}

for (const mode of ["ROLES", "PRE_ROLES"] as const) {
  describe(`e2e: a binding handed to a new URN keeps its access (Confluence ${mode === "ROLES" ? "space roles" : "v1 space permissions"})`, function () {
    this.timeout(E2E_TIMEOUT);
    const name = `handover-${mode.toLowerCase().replace("_", "-")}`;
    const editor = (options?: BindingSpec["options"]): Record<string, BindingSpec> => ({
      jira: { resource: "jira:project/ALPHA", role: "viewer", ...(options ? { options } : {}) },
      wiki: { resource: "confluence:space/DOCS", role: "editor", ...(options ? { options } : {}) },
    });
    const s = useScenario(name, fleet(name, editor()), { backend: { confluenceMode: mode } });

    it("renamed without an alias: the new bindings find the grants, the old ones' deletes leave them", async () => {
      const first = await s.up();
      await expectAccess(s, first, "before");
      s.declare(
        fleet(name, {
          jira2: { resource: "jira:project/ALPHA", role: "viewer" },
          wiki2: { resource: "confluence:space/DOCS", role: "editor" },
        }),
      );
      const up = await s.up();
      expect(up.resourceChanges).to.deep.include({ create: 2, delete: 2 });
      expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(up.accounts.bot!.accountId);
      await expectAccess(s, up, "after the rename");
    });

    it("replaced create-first (deleteBeforeReplace: false): the new bindings keep the grants", async () => {
      s.declare(fleet(name, editor({ deleteBeforeReplace: false })));
      await s.up();
      const up = await s.up({ replace: [s.urn(TYPES.ScopeBinding, "bot-jira"), s.urn(TYPES.ScopeBinding, "bot-wiki")] });
      expect(up.resourceChanges).to.deep.include({ replace: 2 });
      expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(up.accounts.bot!.accountId);
      await expectAccess(s, up, "after the replacement");
    });
  });
}
