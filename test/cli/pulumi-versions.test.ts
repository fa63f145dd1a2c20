import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { REPO_ROOT } from "../../scripts/engine";
import { expectNoSecrets, TestBackend } from "../e2e/fixture";
import { CLI_TIMEOUT, CliProject } from "./project";

/** The oldest @pulumi/pulumi the package accepts, from its peer dependency range. */
function floor(): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
  const m = /^>=(\d+\.\d+\.\d+) /.exec(manifest.peerDependencies["@pulumi/pulumi"] ?? "");
  if (!m) throw new Error(`the @pulumi/pulumi peer range does not start with >=x.y.z: ${manifest.peerDependencies["@pulumi/pulumi"]}`);
  return m[1]!;
}

// The newest version in the range runs in every other test of this folder (the examples'
// own ranges); this one pins the oldest, in a project of its own.
describe("the oldest @pulumi/pulumi the peer range allows, in a project of its own", function () {
  this.timeout(CLI_TIMEOUT);
  const version = floor();
  let backend: TestBackend;
  let project: CliProject;
  const secrets: string[] = [];

  before(async () => {
    [backend, project] = await Promise.all([
      TestBackend.start(),
      CliProject.install({ example: "quickstart", pulumiVersion: version, label: `pulumi-${version}` }),
    ]);
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

  it(`installs @pulumi/pulumi at the floor of the range`, () => {
    expect(project.installedVersion("@pulumi/pulumi")).to.equal(version);
  });

  it("reads its credentials from stack config (the dynamic provider's configure) and creates everything", async () => {
    expect((await project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 5 created/);
    const outputs = await project.secretOutputs();
    secrets.push(String(outputs.token));
    expect((await backend.accounts()).map((a) => a.name)).to.deep.equal([QUICKSTART_DEFAULTS.name]);
    expect(await backend.readJiraProject(String(outputs.email), String(outputs.token), QUICKSTART_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("refreshes with no change and destroys everything", async () => {
    expect((await project.pulumi(["refresh", "--yes"])).stdout).to.match(/5 unchanged/);
    expect((await project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 5 deleted/);
    expect(await backend.accounts()).to.deep.equal([]);
  });
});
