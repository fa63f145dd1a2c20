/**
 * Which service accounts and tokens Pulumi stacks manage, read from the stacks' state with
 * `pulumi stack export --stack <name>`, as a user would. Only ids are kept: the export's
 * secrets stay encrypted (no `--show-secrets`), and the export itself is never printed.
 */
import { execFile } from "node:child_process";
import { z } from "zod";
import { SECRET_PATTERN } from "../sdk/index";
import { typeOf } from "../provider/type-names";

/** What the stacks manage: an id -> the names of the stacks whose state holds it. */
export interface Managed {
  /** By the account's admin id and by its product id (`accountId`/`atlassianId`). */
  readonly accounts: ReadonlyMap<string, readonly string[]>;
  /** By token id. */
  readonly tokens: ReadonlyMap<string, readonly string[]>;
}

export const NOTHING_MANAGED: Managed = { accounts: new Map(), tokens: new Map() };

/** Gives a stack's `pulumi stack export` text. */
export type StackExporter = (stack: string) => Promise<string>;

/** A stack name as `pulumi` takes it (`prod`, `acme/infra/prod`); nothing that could pass for an option. */
const STACK_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,199}$/;

const Resource = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});
const Export = z.looseObject({
  deployment: z.looseObject({ resources: z.array(Resource).nullish() }).nullish(),
});

/** Runs the `pulumi` command (`command`, default `pulumi` on PATH) in `cwd` with this process's environment. */
export function pulumiExporter(opts: { command?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): StackExporter {
  const command = opts.command ?? "pulumi";
  return (stack) =>
    new Promise((resolve, reject) => {
      execFile(
        command,
        ["stack", "export", "--stack", stack, "--non-interactive"],
        { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            return reject(new Error(`cannot read stack "${stack}": the ${command} command was not found; install the Pulumi CLI, or run the report where it is on PATH`));
          }
          // Pulumi's own words (no stack of that name, no backend login), cut short; never anything shaped like a secret.
          const said = String(stderr || err.message).trim().split("\n").slice(0, 3).join(" ").replace(new RegExp(SECRET_PATTERN.source, "g"), "<masked>").slice(0, 400);
          reject(new Error(`cannot read stack "${stack}" (pulumi stack export --stack ${stack}): ${said}; run the report in the project's folder, logged in to its state backend`));
        },
      );
    });
}

/**
 * The ids each stack's state holds: ServiceAccount resources (their id and `accountId`
 * output) and ApiToken resources (their id). A name that is not a stack name fails before
 * anything runs; a stack that cannot be read fails naming it.
 */
export async function readStacks(names: readonly string[], exportStack: StackExporter = pulumiExporter()): Promise<Managed> {
  for (const name of names) {
    if (!STACK_NAME.test(name)) throw new Error(`--stack ${JSON.stringify(name.slice(0, 100))} is not a stack name; give one such as "prod" or "acme/infra/prod"`);
  }
  const accounts = new Map<string, string[]>();
  const tokens = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, id: unknown, stack: string) => {
    if (typeof id !== "string" || id === "") return;
    const list = m.get(id) ?? [];
    if (!list.includes(stack)) list.push(stack);
    m.set(id, list);
  };
  for (const name of [...new Set(names)]) {
    const text = await exportStack(name);
    let parsed: z.infer<typeof Export>;
    try {
      parsed = Export.parse(JSON.parse(text));
    } catch {
      throw new Error(`cannot read stack "${name}": pulumi stack export did not print a deployment`);
    }
    for (const r of parsed.deployment?.resources ?? []) {
      if (r.type === typeOf("ServiceAccount")) {
        add(accounts, r.id, name);
        add(accounts, r.outputs?.accountId, name);
      } else if (r.type === typeOf("ApiToken")) {
        add(tokens, r.id, name);
      }
    }
  }
  return { accounts, tokens };
}
