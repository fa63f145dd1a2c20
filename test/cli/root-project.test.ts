import { expect } from "chai";
import { QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { expectNoSecrets, TestBackend } from "../e2e/fixture";
import { CLI_TIMEOUT, CliProject } from "./project";

// The repository root is a Pulumi project too (its Pulumi.yaml runs examples/quickstart):
// in a clone, after `npm install`, `pulumi up` there works with nothing linked by hand.
describe("the repository root, with the pulumi command in a clone", function () {
  this.timeout(CLI_TIMEOUT);
  let backend: TestBackend;
  let project: CliProject;
  const secrets: string[] = [];

  before(async () => {
    [backend, project] = await Promise.all([TestBackend.start(), CliProject.inRepository()]);
    secrets.push(backend.adminKey, backend.siteAdmin.token);
    await project.initStack(`cli-root-${process.pid}`, backend);
  });
  afterEach(function () {
    if (project) expectNoSecrets(project.transcript(), `the pulumi command's output up to "${this.currentTest?.title}"`, secrets);
  });
  after(async () => {
    project?.dispose();
    await backend?.close();
  });

  it("runs the quickstart: up creates it, destroy removes it", async () => {
    expect((await project.pulumi(["preview", "--diff"])).stdout).to.match(/\+ 5 to create/);
    expect((await project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 5 created/);
    expect((await backend.accounts()).map((a) => a.name)).to.deep.equal([QUICKSTART_DEFAULTS.name]);
    secrets.push(String((await project.secretOutputs()).token));
    expect((await project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 5 deleted/);
    expect(await backend.accounts()).to.deep.equal([]);
  });
});
