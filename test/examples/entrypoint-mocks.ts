/**
 * Loads an example's `index.ts` (its `pulumi up` entry point) under
 * `pulumi.runtime.setMocks`, with the stack config given as JSON, and prints one JSON line:
 * the stack outputs it exports and every resource it declares. Run in a child process by
 * entrypoints.test.ts: mocks replace the Pulumi runtime's global state for the process.
 *
 * A fast check of the config each entry point reads, in addition to test/cli/, which runs
 * every example folder through the `pulumi` command as a user does.
 *
 * Usage: node --import tsx entrypoint-mocks.ts <path/to/index.ts> <project> '<config json>'
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { slugOf } from "./generated-email";

async function main(): Promise<void> {
  const [entry, project, configJson] = process.argv.slice(2);
  if (!entry || !project) throw new Error("usage: entrypoint-mocks.ts <index.ts> <project> [config json]");
  // The runtime reads stack config from here, as the language host would set it.
  process.env.PULUMI_CONFIG = configJson ?? "{}";
  const declared: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const { __provider: _p, __context: _c, ...inputs } = args.inputs as Record<string, unknown>;
        declared.push({ type: args.type, name: args.name, inputs });
        const extra: Record<string, unknown> = {};
        if (args.type.endsWith(":ServiceAccount")) {
          // As Atlassian does: the email and ids are generated, the email from the display name.
          extra.email = `${slugOf(String(inputs.displayName))}-mock${declared.length}@serviceaccount.atlassian.com`;
          extra.accountId = `acct-${args.name}`;
        }
        if (args.type.endsWith(":ApiToken")) {
          extra.token = `mock-token-${args.name}`;
          extra.expiresAt = "2030-01-31T00:00:00.000Z";
        }
        return { id: `${args.name}-id`, state: { ...inputs, ...extra } };
      },
      call: (args) => args.inputs,
    },
    project,
    "mocks",
  );

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(path.resolve(entry)) as Record<string, unknown>;
  const outputs: Record<string, { value: unknown; secret: boolean }> = {};
  for (const [name, value] of Object.entries(exported)) {
    if (!pulumi.Output.isInstance(value)) continue;
    const o = value as pulumi.Output<unknown>;
    outputs[name] = { value: await new Promise((resolve) => o.apply(resolve)), secret: await pulumi.isSecret(o) };
  }
  process.stdout.write(`${JSON.stringify({ outputs, resources: declared })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
