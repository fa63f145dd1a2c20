import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

// State written by other versions of the package, stood in for by editing an exported
// deployment and importing it: an earlier version (0.1.0 wrote no stamp) and a later one (a
// stamp of a newer major, as an older lockfile in CI meets it). And the provider's verdict
// kept when the stored inputs cannot show it.

const VERSION = (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }).version;
const NEWER_MAJOR = `${Number(VERSION.split(".")[0]) + 1}.0.0`;
const DYNAMIC = Object.values(TYPES) as string[];

const fleet: Fleet = {
  bot: {
    displayName: "versions-e2e",
    tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 } },
    bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } },
  },
};

interface Deployment {
  deployment: { resources: { type: string; urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] };
}

describe("e2e: state written by other versions", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("state-versions", fleet);
  let original = "";

  async function exported(): Promise<Deployment> {
    return JSON.parse((await s.stack.exportDeployment()).text) as Deployment;
  }

  async function imported(edit: (r: Deployment["deployment"]["resources"][number]) => void): Promise<void> {
    const d = JSON.parse(original) as Deployment;
    for (const r of d.deployment.resources) if (DYNAMIC.includes(r.type)) edit(r);
    await s.stack.importDeployment(JSON.stringify(d));
  }

  async function failure(run: () => Promise<unknown>): Promise<Error> {
    try {
      await run();
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected the operation to fail");
  }

  it("stamps every resource's outputs, never its inputs, with the version that wrote them", async () => {
    await s.up();
    original = (await s.stack.exportDeployment()).text;
    const dynamic = (await exported()).deployment.resources.filter((r) => DYNAMIC.includes(r.type));
    expect(dynamic).to.have.length(3);
    for (const r of dynamic) {
      expect(r.outputs?.__version, r.urn).to.equal(VERSION);
      expect(r.inputs, r.urn).to.not.have.property("__version");
    }
  });

  it("reads state with no stamp (0.1.0's) as it is: nothing to do, and refresh restamps it without a change", async () => {
    await imported((r) => delete r.outputs!.__version);
    const preview = await s.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ same: 4 });
    const refresh = await s.stack.refresh();
    expect(summary(refresh.summary.resourceChanges as never)).to.deep.equal({ same: 4 });
    for (const r of (await exported()).deployment.resources.filter((x) => DYNAMIC.includes(x.type))) {
      expect(r.outputs?.__version, r.urn).to.equal(VERSION);
    }
  });

  it("keeps an account written by 0.1.0, which named it (name in inputs and outputs): no change, no replacement; refresh drops the name", async () => {
    await imported((r) => {
      delete r.outputs!.__version;
      if (r.type !== TYPES.ServiceAccount) return;
      // 0.1.0 took a name (its email's local part) and defaulted displayName to it.
      r.inputs!.name = "versions-e2e";
      r.outputs!.name = "versions-e2e";
    });
    const sent = await s.backend.requestsDuring(async () => {
      expect(summary((await s.stack.preview()).changeSummary), "preview").to.deep.equal({ same: 4 });
    });
    expect(sent, "requests during the preview").to.deep.equal({});
    const up = await s.up();
    expect(up.resourceChanges, "up").to.deep.equal({ same: 4 });
    await s.stack.refresh();
    const account = (await exported()).deployment.resources.find((r) => r.type === TYPES.ServiceAccount)!;
    expect(account.outputs, "outputs after refresh").to.not.have.property("name");
    expect(account.outputs!.displayName).to.equal("versions-e2e");
    expect(summary((await s.stack.preview()).changeSummary), "preview after refresh").to.deep.equal({ same: 4 });
  });

  it("refuses state written by a newer major version, in preview and up alike, naming both versions and the fix; nothing is sent", async () => {
    await imported((r) => {
      if (r.type === TYPES.ServiceAccount) r.outputs!.__version = NEWER_MAJOR;
    });
    const before = (await s.backend.mutations()).length;
    for (const [op, run] of [
      ["preview", () => s.stack.preview()],
      ["up", () => s.stack.up()],
    ] as const) {
      const err = await failure(run);
      expect(err.message, op).to.include(`written by pulumi-atlassian-service-accounts ${NEWER_MAJOR}`);
      expect(err.message, op).to.include(`installed ${VERSION}`);
      expect(err.message, op).to.include(`npm install pulumi-atlassian-service-accounts@^${NEWER_MAJOR}`);
    }
    expect((await s.backend.mutations()).length, "changes made").to.equal(before);
  });

  it("keeps the provider's verdict to replace even when the stored inputs equal the new ones", async () => {
    // The token's recorded label no longer matches the one declared; the stored inputs still do.
    await imported((r) => {
      if (r.type === TYPES.ApiToken) r.outputs!.label = "recorded-otherwise";
    });
    const preview = await s.stack.preview();
    const planned = steps(preview.events).filter((p) => p.op === "replace");
    expect(planned.map((p) => `${p.name} ${p.keys.join(",")}`)).to.deep.equal(["bot-ci label"]);
    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ replace: 1 });
    const again = await s.stack.preview();
    expect(summary(again.changeSummary)).to.deep.equal({ same: 4 });
  });
});
