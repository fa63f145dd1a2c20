/**
 * Runs the rotation example's program under `pulumi.runtime.setMocks` and prints, as one
 * JSON line, every resource it declared (with its inputs) and its outputs. Run in a child
 * process by rotation.test.ts, because mocks replace the Pulumi runtime's global state for
 * the whole process (which the engine tests in the mocha process also use).
 *
 * Why mocks at all: the program's trigger is a RandomId from @pulumi/random, whose provider
 * plugin is a Go program this machine cannot obtain (the Go module proxy does not serve
 * github.com/pulumi/pulumi-random/provider/v4). Everything else in the example runs through
 * the real engine in rotation.test.ts.
 *
 * Usage: node --import tsx rotation-mocks.ts <epoch>
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { rotation } from "../../examples/rotation/program";

interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
  const epoch = process.argv[2] ?? "1";
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const { __provider: _provider, ...inputs } = args.inputs as Record<string, unknown>;
        declared.push({ type: args.type, name: args.name, inputs });
        const state: Record<string, unknown> = { ...inputs };
        if (args.type === "random:index/randomId:RandomId") {
          // Like the real RandomId: a new value whenever its keepers change.
          state.hex = createHash("sha256").update(JSON.stringify(inputs.keepers)).digest("hex").slice(0, 8);
        }
        if (args.name === "reporting-bot") {
          state.email = `${String(inputs.name)}@serviceaccount.atlassian.com`;
          state.accountId = "mock-account-id";
        }
        if (args.name === "reporting-token") {
          state.token = "mock-token-value";
          state.expiresAt = "2030-01-31T00:00:00.000Z";
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "atlassian-rotation",
    "mocks",
  );

  // Resources are declared only now, after setMocks, so they register with the mock monitor.
  const outputs = rotation({ epoch });
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
  const result = {
    outputs: {
      email: await value(outputs.email),
      tokenId: await value(outputs.tokenId),
      tokenExpiresAt: await value(outputs.tokenExpiresAt),
      token: await value(outputs.token),
      tokenIsSecret: await pulumi.isSecret(outputs.token),
    },
    resources: declared,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
