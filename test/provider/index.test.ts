/**
 * Programs using the resources, under `pulumi.runtime.setMocks` (in a child process, see
 * program-mocks.ts): what a program registers and the outputs it gets back.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";

interface Run {
  registered: { type: string; name: string; inputs: Record<string, unknown>; additionalSecretOutputs: string[] }[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
}

describe("a program declaring the resources (under mocks)", function () {
  this.timeout(60_000);
  let run: Run;
  before(() => {
    const stdout = execFileSync(process.execPath, ["--import", "tsx", path.join(__dirname, "program-mocks.ts")], {
      encoding: "utf8",
      cwd: path.join(__dirname, "../.."),
    });
    run = JSON.parse(stdout.trim().split("\n").pop()!) as Run;
  });
  const byName = (name: string) => {
    const r = run.registered.find((x) => x.name === name);
    expect(r, name).to.not.equal(undefined);
    return r!;
  };

  it("registers each resource under its own type name", () => {
    expect(byName("bot").type).to.equal("pulumi-nodejs:dynamic/atlassian:ServiceAccount");
    expect(byName("bot-token").type).to.equal("pulumi-nodejs:dynamic/atlassian:ApiToken");
    expect(byName("bot-jira").type).to.equal("pulumi-nodejs:dynamic/atlassian:ScopeBinding");
  });

  it("asks the engine to keep the token a secret, and only the token", () => {
    expect(byName("bot-token").additionalSecretOutputs).to.deep.equal(["token"]);
    expect(byName("bot").additionalSecretOutputs).to.deep.equal([]);
    expect(byName("bot-jira").additionalSecretOutputs).to.deep.equal([]);
  });

  it("passes the arguments through as inputs, outputs as placeholders only", () => {
    expect(byName("bot").inputs).to.deep.include({ displayName: "CI deployer", description: "from mocks" });
    expect(byName("bot").inputs).to.not.have.property("name");
    expect(byName("bot-token").inputs).to.deep.include({
      serviceAccountId: "bot-id",
      label: "ci",
      scopes: ["read:jira-work"],
      expiresInDays: 30,
      rotateBeforeDays: 7,
    });
    expect(byName("bot-token").inputs).to.not.have.property("token");
    // The account's product id from its output: the binding never lists the org's accounts.
    expect(byName("bot-jira").inputs).to.deep.include({ serviceAccountId: "bot-id", accountId: "acc-1", resource: "jira:project/OPS", role: "viewer" });
  });

  it("forwards a 0.1.0 program's name to check (which refuses it) instead of dropping it silently", () => {
    expect(byName("legacy").inputs).to.deep.include({ name: "old-bot", displayName: "Old bot" });
  });

  it("carries the client context: project, stack and the resource's URN, parents included", () => {
    expect(byName("bot").inputs.__context).to.equal(
      "project=mock-project;stack=mock-stack;resource=urn:pulumi:mock-stack::mock-project::pulumi-nodejs:dynamic/atlassian:ServiceAccount::bot",
    );
    expect(byName("nested").inputs.__context).to.equal(
      "project=mock-project;stack=mock-stack;resource=urn:pulumi:mock-stack::mock-project::acme:index:Team$pulumi-nodejs:dynamic/atlassian:ServiceAccount::nested",
    );
  });

  it("serializes the shim as the provider", () => {
    for (const name of ["bot", "bot-token", "bot-jira"]) {
      const text = String(byName(name).inputs.__provider);
      expect(text).to.include('require("pulumi-atlassian-service-accounts").providers[kind]');
    }
  });

  it("exposes typed outputs", () => {
    expect(run.outputs.email!.value).to.equal("ci-deployer-x1axxw94zz@serviceaccount.atlassian.com");
    expect(run.outputs.accountId!.value).to.equal("acc-1");
    expect(run.outputs.tokenExpiresAt!.value).to.equal("2026-01-31T00:00:00.000Z");
    expect(run.outputs.bindingRole!.value).to.equal("viewer");
    expect(run.outputs.nestedDisplayName!.value).to.equal("Nested bot");
  });
});
