import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { REPO_ROOT } from "../../scripts/engine";
import { CLI_TIMEOUT, CliProject, useCliFrame } from "./project";

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
  const frame = useCliFrame(() => CliProject.install({ example: "quickstart", pulumiVersion: version, label: `pulumi-${version}` }));
  const { secrets } = frame;

  it(`installs @pulumi/pulumi at the floor of the range`, () => {
    expect(frame.project.installedVersion("@pulumi/pulumi")).to.equal(version);
  });

  it("reads its credentials from stack config (the dynamic provider's configure) and creates everything", async () => {
    expect((await frame.project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 5 created/);
    const outputs = await frame.project.secretOutputs();
    secrets.push(String(outputs.token));
    expect((await frame.backend.accounts()).map((a) => [a.displayName, a.email])).to.deep.equal([[QUICKSTART_DEFAULTS.displayName, String(outputs.email)]]);
    expect(await frame.backend.readJiraProject(String(outputs.email), String(outputs.token), QUICKSTART_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("refreshes with no change and destroys everything", async () => {
    expect((await frame.project.pulumi(["refresh", "--yes"])).stdout).to.match(/5 unchanged/);
    expect((await frame.project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 5 deleted/);
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
