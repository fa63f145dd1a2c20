/**
 * One Pulumi stack driven through the Automation API with an inline program, the way a
 * user's CI drives `pulumi preview/up/refresh/destroy`, plus a transcript of everything the
 * engine printed or emitted (for the "no secret in the output" checks).
 *
 * Isolation per stack: a file state backend in its own temp folder, a temp PULUMI_HOME (so
 * no plugin cache or credentials from the machine leak in), a passphrase secrets provider.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DestroyResult,
  EngineEvent,
  LocalWorkspace,
  OpMap,
  PreviewResult,
  PulumiFn,
  RefreshResult,
  Stack,
  UpResult,
} from "@pulumi/pulumi/automation";
import { engineStack, EngineStack } from "../../scripts/engine";
export { rejection } from "../rejection";

export interface StackOptions {
  /** Distinguishes this stack's folders and project; letters, digits, hyphens. */
  name: string;
  program: PulumiFn;
  /** Plain stack config, `key: value` (namespaced keys such as `atlassian:baseUrl`). */
  config?: Record<string, string>;
  /** Secret stack config, encrypted with the passphrase. */
  secretConfig?: Record<string, string>;
  /** Extra environment for the engine and the provider processes it starts. */
  env?: Record<string, string>;
}

export interface OperationRecord {
  op: "preview" | "up" | "refresh" | "destroy";
  events: EngineEvent[];
  stdout: string;
  stderr: string;
}

export class TestStack {
  /** Every operation this stack ran, in order: what the engine emitted and printed. */
  readonly transcript: OperationRecord[] = [];

  private constructor(readonly engine: EngineStack) {}

  get stack(): Stack {
    return this.engine.stack;
  }

  get workspace(): LocalWorkspace {
    return this.engine.stack.workspace as LocalWorkspace;
  }

  /**
   * A new stack through scripts/engine.ts (shared with the demo): the engine found or built
   * by scripts/setup-pulumi.sh, dist/ built if stale, the package linked where the provider
   * process resolves it, a file state backend, a passphrase and a PULUMI_HOME of its own.
   */
  static async create(opts: StackOptions): Promise<TestStack> {
    const config: Record<string, { value: string; secret?: boolean }> = {};
    for (const [k, v] of Object.entries(opts.config ?? {})) config[k] = { value: v };
    for (const [k, v] of Object.entries(opts.secretConfig ?? {})) config[k] = { value: v, secret: true };
    const engine = await engineStack({
      projectName: `e2e-${opts.name}`,
      stackName: "test",
      label: `e2e-${opts.name}`,
      program: opts.program,
      config,
      env: {
        // The machine's own credentials must not reach the provider: config is the only source.
        ATLASSIAN_BASE_URL: "",
        ATLASSIAN_ORG_ID: "",
        ATLASSIAN_API_KEY: "",
        ...opts.env,
      },
    });
    return new TestStack(engine);
  }

  /** Replaces the inline program: the next preview/up runs the new desired state. */
  setProgram(program: PulumiFn): void {
    this.workspace.program = program;
  }

  /** Sets (or, with undefined, removes) an environment variable of the engine and provider. */
  setEnv(name: string, value: string | undefined): void {
    if (value === undefined) delete this.workspace.envVars[name];
    else this.workspace.envVars[name] = value;
  }

  /** `replace`: URNs to replace, as `pulumi preview --replace <urn>` does. */
  async preview(opts: { refresh?: boolean; replace?: string[] } = {}): Promise<PreviewResult & { events: EngineEvent[] }> {
    const rec = this.record("preview");
    const result = await this.stack.preview({ ...this.listeners(rec), diff: true, refresh: opts.refresh, replace: opts.replace });
    return { ...result, events: rec.events };
  }

  /** `replace`: URNs to replace, as `pulumi up --replace <urn>` does; `refresh`, as `pulumi up --refresh`. */
  async up(opts: { replace?: string[]; refresh?: boolean } = {}): Promise<UpResult & { events: EngineEvent[] }> {
    const rec = this.record("up");
    const result = await this.stack.up({ ...this.listeners(rec), diff: true, replace: opts.replace, refresh: opts.refresh });
    return { ...result, events: rec.events };
  }

  async refresh(): Promise<RefreshResult & { events: EngineEvent[] }> {
    const rec = this.record("refresh");
    const result = await this.stack.refresh({ ...this.listeners(rec) });
    return { ...result, events: rec.events };
  }

  async destroy(): Promise<DestroyResult & { events: EngineEvent[] }> {
    const rec = this.record("destroy");
    const result = await this.stack.destroy({ ...this.listeners(rec) });
    return { ...result, events: rec.events };
  }

  /**
   * The stack's state as `pulumi stack export` prints it, secrets sealed. (The Automation
   * API's exportStack() passes --show-secrets, which would decrypt them.)
   */
  async exportDeployment(): Promise<{ text: string; resources: StateResource[] }> {
    const { stdout } = await this.engine.pulumi(["stack", "export", "--stack", this.stack.name]);
    const parsed = JSON.parse(stdout) as { deployment?: { resources?: StateResource[] } };
    return { text: stdout, resources: parsed.deployment?.resources ?? [] };
  }

  /**
   * Replaces the stack's state with `deployment` (the JSON `exportDeployment` gave, edited),
   * as `pulumi stack import` does: how a test stands in for a state another version wrote.
   */
  async importDeployment(text: string): Promise<void> {
    const file = path.join(this.engine.workDir, "import.json");
    fs.writeFileSync(file, text);
    try {
      await this.engine.pulumi(["stack", "import", "--file", file, "--stack", this.stack.name]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  async exportState(): Promise<StateResource[]> {
    return (await this.exportDeployment()).resources;
  }

  /**
   * Every file the file state backend wrote (the checkpoint, its history and backups), and
   * the stack's config file: all that rests on disk, as `name: content` text.
   */
  filesAtRest(): string {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.isFile()) out.push(`${p}:\n${fs.readFileSync(p, "utf8")}`);
      }
    };
    walk(this.engine.stateDir);
    const config = path.join(this.engine.workDir, `Pulumi.${this.stack.name}.yaml`);
    if (fs.existsSync(config)) out.push(`${config}:\n${fs.readFileSync(config, "utf8")}`);
    return out.join("\n");
  }

  /**
   * Everything the engine printed or emitted so far, as one text: stdout, stderr and every
   * event, debug diagnostics included, except (unless asked for) the runtime's RPC echoes
   * (see isSdkRpcEcho), which repeat every resource's outputs verbatim, secrets included.
   */
  transcriptText(opts: { withSdkRpcEchoes?: boolean } = {}): string {
    return this.transcript
      .map((r) => {
        const events = r.events.filter((e) => opts.withSdkRpcEchoes || !isSdkRpcEcho(e));
        return `${r.stdout}\n${r.stderr}\n${events.map((e) => JSON.stringify(e)).join("\n")}`;
      })
      .join("\n");
  }

  /** Removes the state and work folders. The stack's resources are the test's business. */
  dispose(): void {
    this.engine.cleanup();
  }

  private record(op: OperationRecord["op"]): OperationRecord {
    const rec: OperationRecord = { op, events: [], stdout: "", stderr: "" };
    this.transcript.push(rec);
    return rec;
  }

  private listeners(rec: OperationRecord) {
    return {
      onEvent: (e: EngineEvent) => rec.events.push(e),
      onOutput: (s: string) => {
        rec.stdout += s;
        if (process.env.E2E_VERBOSE) process.stdout.write(s);
      },
      onError: (s: string) => {
        rec.stderr += s;
        if (process.env.E2E_VERBOSE) process.stderr.write(s);
      },
    };
  }
}

/** A resource of an exported deployment (the parts these tests read). */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  delete?: boolean;
  pendingReplacement?: boolean;
}


/** Counts of one operation's resource steps by kind, from the engine's change summary. */
export function summary(changeSummary: OpMap | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(changeSummary ?? {})) if (v) out[k] = v;
  return out;
}

/** The resource step events (`resourcePreEvent`), as `op type name` lines, in order. */
export function steps(events: EngineEvent[]): { op: string; type: string; name: string; diffs: string[]; keys: string[] }[] {
  const out: { op: string; type: string; name: string; diffs: string[]; keys: string[] }[] = [];
  for (const e of events) {
    const md = e.resourcePreEvent?.metadata;
    if (!md) continue;
    out.push({ op: md.op, type: md.type, name: md.urn.split("::").pop() ?? md.urn, diffs: md.diffs ?? [], keys: md.keys ?? [] });
  }
  return out;
}

/**
 * A debug diagnostic in which @pulumi/pulumi's Node.js runtime (3.276.0,
 * runtime/resource.js) logs an engine RPC's response verbatim: "RegisterResource RPC
 * finished: ...; resp: <the resource's outputs>". Unlike the requests it logs (gated behind
 * excessive debug output), responses are always sent, and a secret output (an ApiToken's
 * token) appears in them in plaintext. The CLI prints debug diagnostics only with --debug;
 * the Automation API's event stream (and `--event-log`) carries them. No provider can
 * avoid it: the program must receive its resources' outputs. The leak checks leave out
 * exactly these messages and nothing else; the secrets scenario asserts that they are the
 * only place a token appears.
 */
const SDK_RPC_ECHO = /^(RegisterResource|ReadResource|RegisterResourceOutputs|getResource Invoke) RPC finished: /;

export function isSdkRpcEcho(e: EngineEvent): boolean {
  const d = e.diagnosticEvent;
  // The Automation API's type omits "debug", which the engine does send.
  return !!d && (d.severity as string) === "debug" && SDK_RPC_ECHO.test(d.message);
}
