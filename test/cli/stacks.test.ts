import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiExporter, readStacks } from "../../cli/stacks";

describe("cli: what stacks manage (pulumi stack export)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-test-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A stand-in `pulumi` that prints what it is told and records its arguments. */
  function fakePulumi(script: string): string {
    const file = path.join(dir, `pulumi-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, `#!/bin/sh\necho "$@" > "${file}.args"\n${script}\n`, { mode: 0o755 });
    return file;
  }

  it("runs pulumi stack export --stack <name> and keeps the ids of accounts (both) and tokens, nothing else", async () => {
    const deployment = {
      version: 3,
      deployment: {
        resources: [
          { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod" },
          { type: "pulumi-nodejs:dynamic/atlassian:ServiceAccount", id: "sa-1", outputs: { accountId: "712020:a", email: "x@serviceaccount.atlassian.com" } },
          { type: "pulumi-nodejs:dynamic/atlassian:ApiToken", id: "tok-1", outputs: { token: { ciphertext: "v1:sealed" } } },
          { type: "pulumi-nodejs:dynamic/atlassian:ScopeBinding", id: "b-1", outputs: {} },
        ],
      },
    };
    const pulumi = fakePulumi(`cat <<'EOF'\n${JSON.stringify(deployment)}\nEOF`);
    const managed = await readStacks(["prod", "prod"], pulumiExporter({ command: pulumi }));
    expect(fs.readFileSync(`${pulumi}.args`, "utf8").trim()).to.equal("stack export --stack prod --non-interactive");
    expect(Object.fromEntries(managed.accounts)).to.deep.equal({ "sa-1": ["prod"], "712020:a": ["prod"] });
    expect(Object.fromEntries(managed.tokens)).to.deep.equal({ "tok-1": ["prod"] });
  });

  it("fails naming the stack and pulumi's own words, with anything shaped like a secret masked", async () => {
    const pulumi = fakePulumi(`echo "error: no stack named 'nope' found; key pasak_${"a".repeat(43)}" >&2\nexit 255`);
    let err: Error | undefined;
    try {
      await readStacks(["nope"], pulumiExporter({ command: pulumi }));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/cannot read stack "nope" \(pulumi stack export --stack nope\): error: no stack named 'nope' found; key <masked>; run the report in the project's folder/);
  });

  it("says when pulumi is not installed, and when it prints no deployment", async () => {
    const missing = await readStacks(["prod"], pulumiExporter({ command: path.join(dir, "no-such-pulumi") })).catch((e: Error) => e);
    expect((missing as Error).message).to.match(/cannot read stack "prod": the .*no-such-pulumi command was not found; install the Pulumi CLI/);
    const garbage = await readStacks(["prod"], async () => "warning: something\n").catch((e: Error) => e);
    expect((garbage as Error).message).to.equal('cannot read stack "prod": pulumi stack export did not print a deployment');
  });
});
