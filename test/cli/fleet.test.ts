import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parseFleet } from "../../examples/fleet/fleet";
import { CLI_TIMEOUT, CliProject, useCliFrame } from "./project";

// The fleet folder as a user runs it: the accounts of fleet.yaml, and a mistake in the file
// reported where it is before anything is sent.
describe("the fleet example, with the pulumi command in a project of its own", function () {
  this.timeout(CLI_TIMEOUT);
  const frame = useCliFrame(() => CliProject.install({ example: "fleet" }));
  const { secrets } = frame;

  it("creates every account of fleet.yaml with its tokens, the tokens one secret output", async () => {
    const shipped = parseFleet(readFileSync(path.join(frame.project.dir, "fleet.yaml"), "utf8"));
    const { stdout } = await frame.project.pulumi(["up", "--yes"]);
    expect(stdout).to.match(/tokens\s*: \[secret\]/);
    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => a.displayName).sort()).to.deep.equal(shipped.accounts.map((a) => a.displayName).sort());
    const outputs = await frame.project.secretOutputs();
    const tokens = outputs.tokens as Record<string, string>;
    secrets.push(...Object.values(tokens));
    expect(Object.keys(tokens).sort()).to.deep.equal(shipped.accounts.flatMap((a) => a.tokens.map((t) => `${a.displayName}/${t.label}`)).sort());
    // The emails, by display name, as Atlassian generated them.
    expect(outputs.emails).to.deep.equal(Object.fromEntries(accounts.map((a) => [a.displayName, a.email])));
  });

  it("fails preview on a mistake in the file, naming file, line and column, and sends nothing", async () => {
    const bad = readFileSync(path.join(frame.project.dir, "fleet.yaml"), "utf8").replace("write:jira-work", "write:jira-wrok");
    writeFileSync(path.join(frame.project.dir, "typo.yaml"), bad);
    await frame.project.pulumi(["config", "set", "fleet:file", "typo.yaml"]);
    const before = await frame.backend.adminRequestCounts();
    const preview = await frame.project.pulumi(["preview", "--diff"], { allowFailure: true });
    expect(preview.code).to.not.equal(0);
    expect(preview.stdout + preview.stderr).to.match(/typo\.yaml:\d+:\d+: accounts\[\d+\]\.tokens\[\d+\]\.scopes\[\d+\]: unknown scope "write:jira-wrok"; did you mean "write:jira-work"\?/);
    expect(await frame.backend.adminRequestCounts()).to.deep.equal(before);
    await frame.project.pulumi(["config", "rm", "fleet:file"]);
  });

  it("leaves nothing behind on destroy", async () => {
    await frame.project.pulumi(["destroy", "--yes"]);
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
