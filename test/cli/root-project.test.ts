import { expect } from "chai";
import { QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { CLI_TIMEOUT, CliProject, useCliFrame } from "./project";

// The repository root is a Pulumi project too (its Pulumi.yaml runs examples/quickstart):
// in a clone, after `npm install`, `pulumi up` there works with nothing linked by hand.
describe("the repository root, with the pulumi command in a clone", function () {
  this.timeout(CLI_TIMEOUT);
  const frame = useCliFrame(() => CliProject.inRepository(), `cli-root-${process.pid}`);
  const { secrets } = frame;

  it("runs the quickstart: up creates it, destroy removes it", async () => {
    expect((await frame.project.pulumi(["preview", "--diff"])).stdout).to.match(/\+ 5 to create/);
    expect((await frame.project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 5 created/);
    expect((await frame.backend.accounts()).map((a) => a.displayName)).to.deep.equal([QUICKSTART_DEFAULTS.displayName]);
    secrets.push(String((await frame.project.secretOutputs()).token));
    expect((await frame.project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 5 deleted/);
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
