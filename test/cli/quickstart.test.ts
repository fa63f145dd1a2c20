import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { expectNoSecrets } from "../e2e/fixture";
import { expectGeneratedEmail } from "../examples/generated-email";
import { CLI_TIMEOUT, CliProject, useCliFrame } from "./project";

// The quickstart folder as a user runs it in CI: its own project with the package from its
// tarball, the `pulumi` command, the README's CI recipe step by step.
describe("the quickstart example, with the pulumi command in a project of its own", function () {
  this.timeout(CLI_TIMEOUT);
  const frame = useCliFrame(() => CliProject.install({ example: "quickstart" }));
  const { secrets } = frame;
  let email = "";
  let token = "";

  it("runs on the newest @pulumi/pulumi the example allows, one copy of it, beside the package", () => {
    const range = (JSON.parse(readFileSync(path.join(frame.project.dir, "package.json"), "utf8")) as { dependencies: Record<string, string> })
      .dependencies["@pulumi/pulumi"];
    const versions = JSON.parse(
      execFileSync("npm", ["view", `@pulumi/pulumi@${range}`, "version", "--json"], { encoding: "utf8", env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } }),
    ) as string | string[];
    const newest = Array.isArray(versions) ? versions[versions.length - 1] : versions;
    expect(frame.project.installedVersion("@pulumi/pulumi")).to.equal(newest);
    const nested = path.join(frame.project.dir, "node_modules", "pulumi-atlassian-service-accounts", "node_modules", "@pulumi", "pulumi");
    expect(existsSync(nested), "a second @pulumi/pulumi under the package").to.equal(false);
  });

  it("installs no web server: the embedded backend's packages are optional, and asking for it says what to install", () => {
    const installed = readdirSync(path.join(frame.project.dir, "node_modules"));
    for (const name of ["fastify", "fastify-type-provider-zod", "@fastify"]) expect(installed, name).to.not.include(name);
    const run = spawnSync(process.execPath, ["-e", `require("pulumi-atlassian-service-accounts/backend")`], { cwd: frame.project.dir, encoding: "utf8" });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.include("the embedded backend needs fastify, fastify-type-provider-zod, @fastify/swagger, which are not installed");
    expect(run.stderr).to.include("npm install --save-dev fastify fastify-type-provider-zod @fastify/swagger");
  });

  it("keeps the admin key encrypted in the stack's config file", () => {
    const config = readFileSync(path.join(frame.project.dir, "Pulumi.dev.yaml"), "utf8");
    expect(config).to.match(/atlassian:apiKey:\s+secure: /);
    expect(config).to.include(`atlassian:orgId: ${frame.backend.orgId}`);
  });

  it("previews an account, a token and two bindings with their inputs, and creates nothing", async () => {
    const { stdout } = await frame.project.pulumi(["preview", "--diff"]);
    expect(stdout).to.match(/\+ 5 to create/);
    expect(stdout).to.match(new RegExp(`displayName\\s*: "${QUICKSTART_DEFAULTS.displayName}"`));
    // The account is declared by its display name alone: Atlassian generates its email and ids.
    expect(stdout).to.not.match(/^\s*[+~-]?\s*name\s*: /m);
    expect(stdout).to.include(`"jira:project/${QUICKSTART_DEFAULTS.jiraProject}"`);
    expect(stdout).to.include(`"confluence:space/${QUICKSTART_DEFAULTS.confluenceSpace}"`);
    expect(stdout).to.match(/token\s*: \[secret\]/);
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });

  it("creates them on up; the token is a secret output that works within its grant", async () => {
    const { stdout } = await frame.project.pulumi(["up", "--yes"]);
    expect(stdout).to.match(/\+ 5 created/);
    expect(stdout).to.match(/token\s*: \[secret\]/);
    const outputs = await frame.project.secretOutputs();
    email = String(outputs.email);
    token = String(outputs.token);
    secrets.push(token);
    expectGeneratedEmail(email, QUICKSTART_DEFAULTS.displayName);

    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => [a.displayName, a.email])).to.deep.equal([[QUICKSTART_DEFAULTS.displayName, email]]);
    const tokens = await frame.backend.tokens(accounts[0].id);
    expect(tokens.map((t) => [t.id, t.status])).to.deep.equal([[outputs.tokenId, "active"]]);
    expect((await frame.backend.bindings(accounts[0].id)).map((b) => `${b.resource} ${b.role}`).sort()).to.deep.equal([
      `confluence:space/${QUICKSTART_DEFAULTS.confluenceSpace} viewer`,
      `jira:project/${QUICKSTART_DEFAULTS.jiraProject} editor`,
    ]);
    expect(await frame.backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(200);
    expect(await frame.backend.readJiraProject(email, token, "FIN")).to.equal(403);
  });

  it("keeps the token and the key out of the state, as exported and as stored", async () => {
    const { stdout } = await frame.project.pulumi(["stack", "export"]);
    expect(stdout).to.include('"type": "pulumi-nodejs:dynamic/atlassian:ApiToken"');
    expectNoSecrets(frame.project.filesAtRest(), "the project's files and its state", secrets);
  });

  it("finds nothing changed on refresh, and an up after it changes nothing", async () => {
    expect((await frame.project.pulumi(["refresh", "--yes"])).stdout).to.match(/5 unchanged/);
    const adminRequests = async () => Object.values(await frame.backend.adminRequestCounts()).reduce((a, b) => a + b, 0);
    const before = await adminRequests();
    expect((await frame.project.pulumi(["preview", "--diff"])).stdout).to.match(/5 unchanged/);
    expect(await adminRequests(), "admin requests sent by a preview with no change").to.equal(before);
  });

  it("shows an account removed from its Jira role behind its back on refresh, and puts it back on up", async () => {
    const productAccountId = String((await frame.project.secretOutputs()).accountId);
    // The default mapping makes an editor binding the Member role of a team-managed frame.project.
    await frame.backend.removeFromJiraRole(QUICKSTART_DEFAULTS.jiraProject, "Member", productAccountId);
    expect((await frame.backend.jiraRole(QUICKSTART_DEFAULTS.jiraProject, "Member")).members).to.not.include(productAccountId);
    const refresh = await frame.project.pulumi(["refresh", "--yes"]);
    expect(refresh.stdout).to.match(/ci-deployer-jira\s+deleted/);
    expect((await frame.project.pulumi(["preview", "--diff"])).stdout).to.match(/\+ 1 to create/);
    expect((await frame.project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 1 created/);
    expect((await frame.backend.jiraRole(QUICKSTART_DEFAULTS.jiraProject, "Member")).members).to.include(productAccountId);
    expect(await frame.backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("destroys everything on destroy; the token stops working", async () => {
    expect((await frame.project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 5 deleted/);
    expect(await frame.backend.accounts()).to.deep.equal([]);
    expect(await frame.backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(401);
  });
});
