#!/usr/bin/env node
/**
 * `pulumi-atlassian-service-accounts <command>`: the package's admin commands, for an org
 * admin or a scheduled CI job rather than a Pulumi program. Each command lives in a module of
 * its own and exports `run(argv)`, which resolves to the process's exit code; this file only
 * picks the command. In a clone: `npm run <command> -- <options>`.
 */

/** A command: its one-line summary, and how to run it. */
export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

/** The commands, loaded only when named (each brings its own dependencies). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  // Required when named, so one command's dependencies never load for another; require, not
  // import(): the dispatcher is CommonJS, in dist/ and under tsx alike.
  doctor: async () => require("./doctor") as Command,
  report: async () => (require("./report") as typeof import("./report.js")).report,
};

export const USAGE = [
  "usage: pulumi-atlassian-service-accounts <command> [options]",
  "",
  "commands:",
  ...Object.keys(COMMANDS).map((name) => `  ${name}`),
  "",
  "Run a command with --help for its options.",
].join("\n");

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
