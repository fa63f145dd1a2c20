/**
 * Declares one of each resource under `pulumi.runtime.setMocks` and prints, as one JSON
 * line, what the program registered (type, name, inputs) and what its outputs look like
 * (values, and whether each is a secret). Run in a child process by program.test.ts:
 * mocks replace the Pulumi runtime's global state for the whole process, which the engine
 * tests in the mocha process also use.
 *
 * Usage: node --import tsx program-mocks.ts
 */
import * as pulumi from "@pulumi/pulumi";
import * as sa from "../../provider/index";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The registration's `additionalSecretOutputs`, which mocks do not apply but the engine does. */
  additionalSecretOutputs?: string[];
}

async function settle(o: pulumi.Output<unknown>): Promise<{ value: unknown; secret: boolean }> {
  const value = await new Promise<unknown>((resolve) => o.apply((v) => resolve(v)));
  return { value, secret: await pulumi.isSecret(o) };
}

async function main(): Promise<void> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
        if (args.type.endsWith(":ServiceAccount")) {
          Object.assign(state, { accountId: "acc-1", email: `${String(state.displayName).toLowerCase().replace(/[^a-z0-9]+/g, "-")}-x1axxw94zz@serviceaccount.atlassian.com`, status: "active", createdAt: "2026-01-01T00:00:00.000Z" });
        }
        if (args.type.endsWith(":ApiToken")) {
          Object.assign(state, { token: "mock-token-value", expiresAt: "2026-01-31T00:00:00.000Z", status: "active", createdAt: "2026-01-01T00:00:00.000Z" });
        }
        if (args.type.endsWith(":ScopeBinding")) state.createdAt = "2026-01-01T00:00:00.000Z";
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "mock-project",
    "mock-stack",
  );

  // Mocks ignore additionalSecretOutputs (the engine applies it): record what each
  // registration asked for, from the request the mock monitor receives.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: { getName(): string; getAdditionalsecretoutputsList(): string[] }, cb: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  const secretOutputs = new Map<string, string[]>();
  monitor.registerResource = (req, cb) => {
    secretOutputs.set(req.getName(), req.getAdditionalsecretoutputsList());
    return register(req, cb);
  };

  const account = new sa.ServiceAccount("bot", { displayName: "CI deployer", description: "from mocks" });
  const token = new sa.ApiToken("bot-token", {
    serviceAccountId: account.id,
    label: "ci",
    scopes: ["read:jira-work"],
    expiresInDays: 30,
    rotateBeforeDays: 7,
  });
  const binding = new sa.ScopeBinding("bot-jira", { serviceAccountId: account.id, accountId: account.accountId, resource: "jira:project/OPS", role: "viewer" });
  const component = new pulumi.ComponentResource("acme:index:Team", "team");
  const nested = new sa.ServiceAccount("nested", { displayName: "Nested bot" }, { parent: component });
  // A program written for 0.1.0 (untyped, or cast): the name still reaches check, which refuses it saying what to do.
  new sa.ServiceAccount("legacy", { name: "old-bot", displayName: "Old bot" } as never);

  const outputs = {
    accountId: await settle(account.accountId),
    email: await settle(account.email),
    status: await settle(account.status),
    token: await settle(token.token),
    tokenExpiresAt: await settle(token.expiresAt),
    tokenLabel: await settle(token.label),
    bindingRole: await settle(binding.role),
    bindingCreatedAt: await settle(binding.createdAt),
    nestedDisplayName: await settle(nested.displayName),
  };
  for (const r of registered) r.additionalSecretOutputs = secretOutputs.get(r.name) ?? [];
  console.log(JSON.stringify({ registered, outputs }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
