import { expect } from "chai";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { expectNoSecrets } from "./fixture";
import { TYPES, type Fleet, type FleetOutputs } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

const NAME = "ci-deployer-e2e";
const READ_SCOPES = ["read:jira-work", "read:confluence-space.summary"];

// One account, one read-only token, two bindings: the quickstart's shape. The Jira binding
// is editor, so that a refused write can only be the token's scopes at work.
const fleet: Fleet = {
  deployer: {
    displayName: NAME,
    description: "Deploys from CI",
    tokens: { ci: { label: "ci", scopes: READ_SCOPES, expiresInDays: 30 } },
    bindings: {
      jira: { resource: "jira:project/ALPHA", role: "editor" },
      wiki: { resource: "confluence:space/DOCS", role: "viewer" },
    },
  },
};

const ours = (s: { type: string }) => s.type.startsWith("pulumi-nodejs:dynamic/");

// The lifecycle of a new stack, in order: preview, up, what lands in state, destroy.
describe("e2e: a new stack", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("new-stack", fleet);
  let created: FleetOutputs | undefined;

  it("previews four creates and writes nothing to the backend", async () => {
    const preview = await s.stack.preview();

    expect(summary(preview.changeSummary)).to.deep.equal({ create: 5 }); // with the stack itself
    const planned = steps(preview.events).filter(ours);
    expect(planned.map((p) => `${p.op} ${p.type}`).sort()).to.deep.equal(
      [
        `create ${TYPES.ApiToken}`,
        `create ${TYPES.ScopeBinding}`,
        `create ${TYPES.ScopeBinding}`,
        `create ${TYPES.ServiceAccount}`,
      ].sort(),
    );

    expect(await s.backend.mutations(), "audit log after preview").to.deep.equal([]);
    // Every route counts: the admin API and the product plane, where bindings are granted.
    const requests = await s.backend.requestCounts();
    expect({ POST: requests.POST ?? 0, PATCH: requests.PATCH ?? 0, DELETE: requests.DELETE ?? 0 }).to.deep.equal({
      POST: 0,
      PATCH: 0,
      DELETE: 0,
    });
    expect(await s.backend.accounts()).to.deep.equal([]);
  });

  it("creates them with up, and the token works where it is bound and scoped, only there", async () => {
    const up = await s.up();
    created = up;
    expect(up.resourceChanges).to.deep.include({ create: 5 });

    const account = up.accounts.deployer!;
    const token = up.tokens["deployer-ci"]!;
    // Atlassian generates the email: a slug of the display name, a random suffix.
    expect(account.email).to.match(new RegExp(`^${NAME}-[a-z0-9]{10}@serviceaccount\\.atlassian\\.com$`));
    expect(token.token).to.match(SECRET_PATTERN);

    // The backend holds exactly what the program declares, under the ids Pulumi recorded.
    const accounts = await s.backend.accounts();
    expect(accounts.map((a) => [a.id, a.displayName, a.description])).to.deep.equal([[account.id, NAME, "Deploys from CI"]]);
    const tokens = await s.backend.tokens(account.id);
    expect(tokens.map((t) => [t.id, t.status, [...t.scopes].sort()])).to.deep.equal([
      [token.id, "active", [...READ_SCOPES].sort()],
    ]);
    const bindings = await s.backend.bindings(account.id);
    expect(bindings.map((b) => `${b.resource} ${b.role}`).sort()).to.deep.equal([
      "confluence:space/DOCS viewer",
      "jira:project/ALPHA editor",
    ]);
    // A binding is a role membership: its id names the resource and the product account id.
    expect(Object.values(up.bindings).sort()).to.deep.equal([
      `confluence:space/DOCS/${account.accountId}`,
      `jira:project/ALPHA/${account.accountId}`,
    ]);
    expect((await s.backend.jiraRole("ALPHA", "Member")).members, "editor is the Member role").to.include(account.accountId);

    // Each change in the audit log names the project, stack and resource behind it (X-Client-Context).
    const urn = (type: string, name: string) => `project=e2e-new-stack;stack=test;resource=urn:pulumi:test::e2e-new-stack::${type}::${name}`;
    const traced = (await s.backend.mutations()).map((e) => `${e.action} ${e.target.id} ${e.clientContext}`);
    expect(traced.sort()).to.deep.equal(
      [
        `service-account.created ${account.id} ${urn(TYPES.ServiceAccount, "deployer")}`,
        `api-token.created ${token.id} ${urn(TYPES.ApiToken, "deployer-ci")}`,
      ].sort(),
    );
    const grants = (await s.backend.events()).filter((e) => e.action === "project-role.actor-added" || e.action === "space-role.assigned");
    expect(grants.map((e) => `${e.action} ${e.clientContext}`).sort()).to.deep.equal(
      [
        `project-role.actor-added ${urn(TYPES.ScopeBinding, "deployer-jira")}`,
        `space-role.assigned ${urn(TYPES.ScopeBinding, "deployer-wiki")}`,
      ].sort(),
    );

    // The metrics count the creates (and so the "no write" check above can see writes).
    expect((await s.backend.adminRequestCounts()).POST ?? 0, "account and token").to.be.at.least(2);
    expect((await s.backend.requestCounts()).POST ?? 0, "and the two grants on the product plane").to.be.at.least(4);

    // The product plane, as the service account.
    expect(await s.backend.readJiraProject(account.email, token.token, "ALPHA"), "bound project").to.equal(200);
    expect(await s.backend.readConfluenceSpace(account.email, token.token, "DOCS"), "bound space").to.equal(200);
    expect(await s.backend.readJiraProject(account.email, token.token, "BETA"), "unbound project").to.equal(403);
    expect(await s.backend.createJiraIssue(account.email, token.token, "ALPHA"), "write, read-only scopes").to.equal(403);
    expect(await s.backend.readJiraProject(account.email, "pasat_" + "x".repeat(43), "ALPHA"), "a wrong token").to.equal(401);
  });

  it("keeps the token in state only as ciphertext, the admin key nowhere, and a small shim as __provider", async () => {
    expect(created, "the up above ran").to.not.equal(undefined);
    const token = created!.tokens["deployer-ci"]!.token;
    const adminKey = s.backend.adminKey;

    const { text, resources: state } = await s.stack.exportDeployment();
    expectNoSecrets(text, "the exported state", [token, adminKey]);
    const atRest = s.stack.filesAtRest();
    expect(atRest).to.include("ciphertext"); // the walk found the checkpoint
    expectNoSecrets(atRest, "the state files and Pulumi.test.yaml", [token, adminKey]);

    const tokenRes = state.find((r) => r.type === TYPES.ApiToken);
    expect(tokenRes, "the token in state").to.not.equal(undefined);
    const sealed = tokenRes!.outputs!.token as Record<string, unknown>;
    // Pulumi's marker for a secret value, with the value encrypted by the stack's passphrase.
    expect(sealed["4dabf18193072939515e22adb298388d"]).to.equal("1b47061264138c4ac30d75fd1eb44270");
    expect(sealed.ciphertext).to.be.a("string").and.not.include(token);

    const dynamic = state.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    expect(dynamic).to.have.length(4);
    for (const r of dynamic) {
      const shim = r.outputs!.__provider as string;
      expect(shim, `${r.urn} __provider`).to.be.a("string");
      // Small and stable: it loads the installed package instead of freezing handler code.
      expect(shim.length, `${r.urn} __provider length`).to.be.below(4000);
      expect(shim).to.include("pulumi-atlassian-service-accounts");
      for (const lib of ["axios", "zod", "fastify", "https://", "http://127.0.0.1"]) {
        expect(shim, `${r.urn} __provider captures ${lib}`).to.not.include(lib);
      }
    }

    // What the engine said during preview and up: its events and its printed output.
    const said = s.stack.transcript.filter((r) => r.op === "preview" || r.op === "up");
    expect(said.map((r) => r.op)).to.deep.equal(["preview", "up"]);
    expect(said.every((r) => r.events.length > 0)).to.equal(true);
    expectNoSecrets(s.stack.transcriptText(), "the engine's preview and up output", [token, adminKey]);
  });

  it("destroys them: the backend keeps none of the stack's accounts, tokens or bindings", async () => {
    expect(created, "the up above ran").to.not.equal(undefined);
    const account = created!.accounts.deployer!;
    const token = created!.tokens["deployer-ci"]!;

    const destroy = await s.stack.destroy();
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 5 });
    expect(await s.stack.exportState()).to.deep.equal([]);

    expect(await s.backend.accounts()).to.deep.equal([]);
    expect(await s.backend.account(account.id)).to.equal(null);
    expect((await s.backend.jiraRole("ALPHA", "Member")).members, "a destroyed binding").to.not.include(account.accountId);
    expect(await s.backend.readJiraProject(account.email, token.token, "ALPHA"), "a destroyed token").to.equal(401);

    const actions = (await s.backend.mutations()).map((e) => e.action);
    expect(actions).to.include("service-account.deleted");
    expect(actions.filter((a) => a === "scope-binding.deleted" || a === "service-account.deleted").length).to.be.at.least(1);
  });
});
