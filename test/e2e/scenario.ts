/**
 * The frame of one end-to-end scenario: a real backend of its own (so its audit log and
 * metrics belong to this scenario alone), a stack pointed at it, and after every test the
 * check that nothing the engine printed or emitted holds a secret.
 */
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import { expectNoSecrets, TestBackend, type BackendOptions } from "./fixture";
import { fleetOutputs, fleetProgram, type Fleet, type FleetOutputs } from "./programs";
import { TestStack } from "./workspace";

/** Per test: a cold first run builds the engine (minutes); after that an `up` takes seconds. */
export const E2E_TIMEOUT = 15 * 60_000;

export interface Scenario {
  readonly backend: TestBackend;
  readonly stack: TestStack;
  /** The URN of the resource of this Pulumi name and type in this stack. */
  urn(type: string, name: string): string;
  /** Sets the desired state the next preview/up declares. */
  declare(fleet: Fleet): void;
  /** `up`, returning the fleet's outputs; remembers every token it saw for the leak checks. */
  up(opts?: { replace?: string[]; refresh?: boolean }): Promise<FleetOutputs & { events: EngineEvent[]; resourceChanges: Record<string, number> }>;
  /** Values that must never appear in engine output: the admin key, the site admin's token and every token seen. */
  readonly secrets: string[];
}

/** A backend of its own, a stack running `program` against it, and the leak check after every test. */
export interface EngineFrame {
  readonly backend: TestBackend;
  readonly stack: TestStack;
  /** Values that must never appear in engine output: the admin key, plus what tests add. */
  readonly secrets: string[];
}

/**
 * Registers the mocha hooks of one engine test file: before, a real backend and a stack
 * whose program is `program`; after every test, no secret in anything the engine printed
 * or emitted; after all, the stack's folders removed and the backend stopped.
 */
export function useEngineFrame(
  name: string,
  program: PulumiFn,
  opts: { backend?: BackendOptions; env?: Record<string, string> } = {},
): EngineFrame {
  let backend: TestBackend | undefined;
  let stack: TestStack | undefined;
  const secrets: string[] = [];

  before(async () => {
    backend = await TestBackend.start(opts.backend);
    secrets.push(backend.adminKey, backend.siteAdmin.token);
    stack = await TestStack.create({ name, program, ...backend.stackConfig(), env: opts.env });
  });

  afterEach(function () {
    if (!stack) return;
    expectNoSecrets(stack.transcriptText(), `the engine's output in "${this.currentTest?.title}"`, secrets);
  });

  after(async () => {
    stack?.dispose();
    await backend?.close();
  });

  return {
    get backend() {
      if (!backend) throw new Error("the backend is not started");
      return backend;
    },
    get stack() {
      if (!stack) throw new Error("the stack is not created");
      return stack;
    },
    secrets,
  };
}

export function useScenario(name: string, initial: Fleet, opts: { backend?: BackendOptions; env?: Record<string, string> } = {}): Scenario {
  const frame = useEngineFrame(name, fleetProgram(initial), opts);
  const { secrets } = frame;
  const ctx: Scenario = {
    get backend() {
      return frame.backend;
    },
    get stack() {
      return frame.stack;
    },
    urn(type, resourceName) {
      // TestStack.create names the project e2e-<name>.
      return `urn:pulumi:${ctx.stack.stack.name}::e2e-${name}::${type}::${resourceName}`;
    },
    declare(fleet) {
      ctx.stack.setProgram(fleetProgram(fleet));
    },
    async up(opts) {
      const result = await ctx.stack.up(opts);
      const outs = fleetOutputs(result.outputs);
      for (const t of Object.values(outs.tokens)) if (t.token) secrets.push(t.token);
      return { ...outs, events: result.events, resourceChanges: (result.summary.resourceChanges ?? {}) as Record<string, number> };
    },
    secrets,
  };
  return ctx;
}
