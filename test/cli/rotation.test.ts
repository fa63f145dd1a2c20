import { expect } from "chai";
import { ROTATION_DEFAULTS } from "../../examples/rotation/program";
import { expectGeneratedEmail } from "../examples/generated-email";
import { CLI_TIMEOUT, CliProject, useCliFrame } from "./project";

// The rotation folder as a user runs it: up, then a rotation on demand by a config change.
describe("the rotation example, with the pulumi command in a project of its own", function () {
  this.timeout(CLI_TIMEOUT);
  const frame = useCliFrame(() => CliProject.install({ example: "rotation" }));
  const { secrets } = frame;
  let first = { email: "", token: "", tokenId: "" };

  it("creates the account, its binding and a token named after the epoch", async () => {
    expect((await frame.project.pulumi(["up", "--yes"])).stdout).to.match(/\+ 4 created/);
    const outputs = await frame.project.secretOutputs();
    first = { email: String(outputs.email), token: String(outputs.token), tokenId: String(outputs.tokenId) };
    secrets.push(first.token);
    expectGeneratedEmail(first.email, ROTATION_DEFAULTS.displayName);
    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => a.displayName)).to.deep.equal([ROTATION_DEFAULTS.displayName]);
    const account = accounts[0];
    expect((await frame.backend.tokens(account.id)).map((t) => t.label)).to.deep.equal([`weekly-report-${ROTATION_DEFAULTS.epoch}`]);
    expect(await frame.backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("previews a replacement of the token, and nothing else, when rotation:epoch changes", async () => {
    await frame.project.pulumi(["config", "set", "rotation:epoch", "2"]);
    const { stdout } = await frame.project.pulumi(["preview", "--diff"]);
    expect(stdout).to.match(/\+-1 to replace/);
    expect(stdout).to.match(/3 unchanged/);
    expect(stdout).to.match(/\+-\s*pulumi-nodejs:dynamic\/atlassian:ApiToken: \(replace\)/);
  });

  it("rotates on up: the new token works, the old one is revoked", async () => {
    expect((await frame.project.pulumi(["up", "--yes"])).stdout).to.match(/\+-1 replaced/);
    const outputs = await frame.project.secretOutputs();
    const token = String(outputs.token);
    secrets.push(token);
    expect(outputs.tokenId).to.not.equal(first.tokenId);
    expect(await frame.backend.readJiraProject(first.email, token, ROTATION_DEFAULTS.jiraProject)).to.equal(200);
    expect(await frame.backend.readJiraProject(first.email, first.token, ROTATION_DEFAULTS.jiraProject)).to.equal(401);
    const account = (await frame.backend.accounts())[0];
    const active = (await frame.backend.tokens(account.id)).filter((t) => t.status === "active");
    expect(active.map((t) => t.label)).to.deep.equal(["weekly-report-2"]);
  });

  it("leaves nothing behind on destroy", async () => {
    expect((await frame.project.pulumi(["destroy", "--yes"])).stdout).to.match(/- 4 deleted/);
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
