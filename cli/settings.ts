/**
 * Where the admin commands (`doctor`, `report`) find their settings: the provider's own, read
 * the provider's way. With `--stack <name>`, the stack's config is read through the `pulumi`
 * command (secrets included, held in this process's memory only) and handed to
 * `provider/config.ts` as the engine hands it to the dynamic provider's `configure`; without,
 * the `ATLASSIAN_*` variables apply. Either way the command sees what a `pulumi up` of that
 * stack would see, the environment's fallbacks included.
 *
 * Nothing read here is printed: `mask` takes every secret in force out of a text before it is
 * written anywhere.
 */
import { execFile } from "node:child_process";
import type * as pulumi from "@pulumi/pulumi";
import { configure, raw, resetConfiguration, SETTINGS } from "../provider/config";
import { redact } from "../sdk/errors";

/** A stack name as `pulumi` takes it (`dev`, `acme/project/dev`); never an option. */
const STACK_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,199}$/;

/** How long `pulumi config` may take (a cloud state backend answers over the network). */
const PULUMI_TIMEOUT_MS = 120_000;

export interface StackConfigOptions {
  /** The Pulumi project's folder (default: the current one). */
  cwd?: string;
  /** The `pulumi` command (default: `pulumi` on PATH). */
  pulumi?: string;
}

/**
 * The stack's `atlassian:*` config as plain strings, secrets decrypted
 * (`pulumi config --json --show-secrets --stack <name>`). Fails naming the stack and what
 * went wrong, never a value.
 */
export async function readStackConfig(stack: string, opts: StackConfigOptions = {}): Promise<Record<string, string>> {
  if (!STACK_NAME.test(stack)) throw new Error(`--stack ${JSON.stringify(stack.slice(0, 100))} is not a stack name: give one such as "dev" or "acme/project/dev"`);
  const args = ["config", "--json", "--show-secrets", "--non-interactive", "--stack", stack, ...(opts.cwd ? ["--cwd", opts.cwd] : [])];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(opts.pulumi ?? "pulumi", args, { timeout: PULUMI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" }, (err, out, errOut) => {
      if (!err) return resolve(out);
      const e = err as NodeJS.ErrnoException & { code?: unknown };
      if (e.code === "ENOENT") {
        return reject(new Error("the pulumi command is not on PATH: install the Pulumi CLI, or leave out --stack and set the ATLASSIAN_* variables"));
      }
      // Pulumi's own words, last lines only; nothing it prints on failure is a config value, but mask anything secret-shaped.
      const said = redact(String(errOut ?? "").trim().split("\n").slice(-5).join(" ")).slice(0, 600);
      reject(new Error(`\`pulumi config --stack ${stack}\` failed${typeof e.code === "number" ? ` (exit ${e.code})` : ""}${said ? `: ${said}` : ""}`));
    });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`\`pulumi config --json --stack ${stack}\` printed something that is not JSON`);
  }
  const out: Record<string, string> = {};
  if (parsed && typeof parsed === "object") {
    for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (!key.startsWith("atlassian:") || !entry || typeof entry !== "object") continue;
      const value = (entry as { value?: unknown }).value;
      if (typeof value === "string") out[key] = value;
    }
  }
  return out;
}

/**
 * Hands `values` (namespaced keys, `atlassian:apiKey`) to the provider's settings as stack
 * config; the environment still fills what they lack. `null`: the environment only.
 */
export async function useConfig(values: Record<string, string> | null): Promise<void> {
  resetConfiguration();
  if (values === null) return;
  // The one method of pulumi.Config that `configure` calls.
  const config = { get: (key: string) => values[key] } as unknown as pulumi.Config;
  await configure({ config } as pulumi.dynamic.ConfigureRequest);
}

/**
 * Points the provider's settings at the stack (`--stack`) or at the environment, and says
 * which, for the command's first line.
 */
export async function useSettings(source: { stack?: string } & StackConfigOptions): Promise<string> {
  if (source.stack === undefined) {
    await useConfig(null);
    return "the ATLASSIAN_* environment variables";
  }
  await useConfig(await readStackConfig(source.stack, source));
  return `stack ${source.stack} (then the ATLASSIAN_* variables)`;
}

/**
 * Every secret in force, in each form a server might echo it back: the admin key, the site
 * admin's token, and the HTTP Basic credential made of the site admin's email and token.
 */
export function secretsInForce(): string[] {
  const secrets = SETTINGS.filter((s) => s.secret)
    .map((s) => raw(s.name))
    .filter((v): v is string => v !== undefined);
  const email = raw("siteAdminEmail");
  const token = raw("siteAdminToken");
  if (email !== undefined && token !== undefined) secrets.push(Buffer.from(`${email}:${token}`).toString("base64"));
  return secrets.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
}

/** `text` with every secret in force, and anything shaped like a secret this package issues, masked. */
export function mask(text: string, secrets: readonly string[] = secretsInForce()): string {
  // Longest first, so a secret that holds another is masked whole.
  return redact(text, [...new Set(secrets)].sort((a, b) => b.length - a.length));
}
