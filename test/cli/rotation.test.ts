import { expect } from "chai";
import { ROTATION_DEFAULTS } from "../../examples/rotation/program";
import { expectNoSecrets, TestBackend } from "../e2e/fixture";
import { CLI_TIMEOUT, CliProject } from "./project";

// The rotation folder as a user runs it: up, then a rotation on demand by a config change.
describe("the rotation example, with the pulumi command in a project of its own", function () {
  this.timeout(CLI_TIMEOUT);
  let backend: TestBackend;
  let project: CliProject;
  const secrets: string[] = [];
  let first = { email: "", token: "", tokenId: "" };

  before(async () => {
    [backend, project] = await Promise.all([TestBackend.start(), CliProject.install({ example: "rotation" })]);
    secrets.push(backend.adminKey, backend.siteAdmin.token);
    await project.initStack("dev", backend);
  });
  afterEach(function () {
    if (project) expectNoSecrets(project.transcript(), `the pulumi command's output up to "${this.currentTest?.title}"`, secrets);
  });
  after(async () => {
    project?.dispose();
    await backend?.close();
  });

  it("creates the account, its binding and a token named after the epoch", async () => {
    expect((await project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 4 created/);
    const outputs = await project.secretOutputs();
    first = { email: String(outputs.email), token: String(outputs.token), tokenId: String(outputs.tokenId) };
    secrets.push(first.token);
    const account = (await backend.accounts())[0];
    expect((await backend.tokens(account.id)).map((t) => t.label)).to.deep.equal([`weekly-report-${ROTATION_DEFAULTS.epoch}`]);
    expect(await backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("previews a replacement of the token, and nothing else, when rotation:epoch changes", async () => {
    await project.pulumi(["config", "set", "rotation:epoch", "2"]);
    const { stdout } = await project.pulumi(["preview", "--diff"]);
    expect(stdout).to.match(/\+-1 to replace/);
    expect(stdout).to.match(/3 unchanged/);
    expect(stdout).to.match(/\+-\s*pulumi-nodejs:dynamic\/atlassian:ApiToken: \(replace\)/);
  });

  it("rotates on up: the new token works, the old one is revoked", async () => {
    expect((await project.pulumi(["up", "--yes"])).stdout).to.match(/\+-1 replaced/);
    const outputs = await project.secretOutputs();
    const token = String(outputs.token);
    secrets.push(token);
    expect(outputs.tokenId).to.not.equal(first.tokenId);
    expect(await backend.readJiraProject(first.email, token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
    expect(await backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(401);
    const account = (await backend.accounts())[0];
    const active = (await backend.tokens(account.id)).filter((t) => t.status === "active");
    expect(active.map((t) => t.label)).to.deep.equal(["weekly-report-2"]);
  });

  it("leaves nothing behind on destroy", async () => {
    expect((await project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 4 deleted/);
    expect(await backend.accounts()).to.deep.equal([]);
  });
});
