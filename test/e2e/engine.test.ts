import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { steps, summary, TestStack } from "./workspace";

// The path every other e2e test relies on, with nothing of this project in it: the CLI
// built from Go, an inline Automation API program, and a dynamic resource served by
// pulumi-resource-pulumi-nodejs running on Node 24. If this fails, the others cannot pass.
describe("e2e: the Pulumi engine", function () {
  this.timeout(10 * 60_000); // a cold first run builds the CLI

  let stack: TestStack;

  before(async () => {
    stack = await TestStack.create({ name: "engine", program: echoProgram("hello") });
    expect(stack.workspace.pulumiVersion).to.match(/^3\./);
  });

  after(() => stack?.dispose());

  it("previews, creates, updates and destroys an inline dynamic resource", async () => {
    const preview = await stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ create: 2 }); // the stack + the resource
    expect(steps(preview.events).map((s) => `${s.op} ${s.name}`)).to.include("create echo");

    const up = await stack.up();
    expect(up.summary.result).to.equal("succeeded");
    expect(up.outputs.value?.value).to.equal("hello");
    // The provider really ran in a plugin process on Node 24, not in this process.
    expect(up.outputs.node?.value).to.match(/^v24\./);
    expect(up.outputs.providerPid?.value).to.not.equal(process.pid);

    stack.setProgram(echoProgram("world"));
    const update = await stack.up();
    expect(update.summary.resourceChanges).to.deep.include({ update: 1 });
    expect(update.outputs.value?.value).to.equal("world");

    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).to.deep.include({ delete: 2 });
    expect(await stack.exportState()).to.have.length(0);
  });
});

function echoProgram(value: string) {
  return async () => {
    const r = new Echo("echo", { value });
    return { value: r.value, node: r.node, providerPid: r.pid };
  };
}

// Self-contained on purpose: the dynamic provider is serialized into state and
// deserialized in the plugin process, so it may capture nothing from this module.
const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { value: string }) {
    return { id: "echo", outs: { value: inputs.value, node: process.version, pid: process.pid } };
  },
  async diff(_id: string, olds: { value: string }, news: { value: string }) {
    return { changes: olds.value !== news.value };
  },
  async update(_id: string, _olds: unknown, news: { value: string }) {
    return { outs: { value: news.value, node: process.version, pid: process.pid } };
  },
};

class Echo extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  declare readonly node: pulumi.Output<string>;
  declare readonly pid: pulumi.Output<number>;
  constructor(name: string, args: { value: string }) {
    super(echoProvider, name, { ...args, node: undefined, pid: undefined }, {});
  }
}
