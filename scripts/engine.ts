/**
 * Runs Pulumi programs through the real engine (the `pulumi` CLI, via the Automation API)
 * in a throwaway, self-contained setting: a file state backend, a passphrase secrets
 * provider and a PULUMI_HOME of its own, all in one folder that `cleanup()` removes.
 *
 * Shared by the demo (`scripts/demo.ts`) and the tests that drive the engine, so that they
 * all meet the engine the same way a user does.
 *
 * Why the folder lives inside the repository (`.pulumi-test/`, git-ignored): the dynamic
 * provider runs in its own process (`pulumi-resource-pulumi-nodejs`), started by the
 * engine in the program's working directory, and the serialized provider `require`s
 * "pulumi-atlassian-service-accounts" from there. In a user's project that name resolves
 * from the project's node_modules. Here it resolves the same way, from the repository's
 * node_modules, where `npm install` links the package to the repository itself (the
 * `"pulumi-atlassian-service-accounts": "file:."` devDependency): the provider's `require`
 * comes from a module without a file name, to which package.json's self-reference does not
 * apply.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..");
/** Where engine runs keep their working folders; git-ignored. */
export const SCRATCH_ROOT = path.join(REPO_ROOT, ".pulumi-test");

const execFileAsync = promisify(execFile);

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` with tsc when it is missing or older than any source in provider/, sdk/
 * or backend/. The provider process loads the package from `dist/`, so a stale build would
 * run old handlers.
 */
export function ensureBuilt(log: (line: string) => void = () => {}): void {
  const outputs = ["provider", "sdk", "backend"].map((d) => path.join(REPO_ROOT, "dist", d, "index.js"));
  const oldestOutput = Math.min(
    ...outputs.map((o) => (existsSync(o) ? statSync(o).mtimeMs : 0)),
  );
  const newestSource = Math.max(
    ...["provider", "sdk", "backend"].map((d) => newestMtime(path.join(REPO_ROOT, d))),
  );
  if (oldestOutput > 0 && oldestOutput >= newestSource) return;
  log("building dist/ (npm run build)");
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(REPO_ROOT, "tsconfig.json")], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`building dist/ failed:\n${result.stdout}${result.stderr}`);
  }
}

let engineDir: Promise<string> | undefined;

/**
 * The folder that holds `pulumi`: found on PATH or built once from the Go module proxy by
 * scripts/setup-pulumi.sh (which prints it on its last line). Memoised per process. The
 * script's progress (a first build takes minutes) goes to stderr as it happens.
 */
export function findEngine(): Promise<string> {
  engineDir ??= new Promise<string>((resolve, reject) => {
    const child = spawn("bash", [path.join(REPO_ROOT, "scripts", "setup-pulumi.sh")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const dir = stdout.trim().split("\n").pop()?.trim();
      if (code !== 0) reject(new Error(`scripts/setup-pulumi.sh failed (exit ${code}): ${stderr.trim()}`));
      else if (!dir || !existsSync(path.join(dir, "pulumi"))) {
        reject(new Error(`scripts/setup-pulumi.sh did not print the folder holding pulumi (got ${JSON.stringify(dir)})`));
      } else resolve(dir);
    });
  });
  engineDir.catch(() => (engineDir = undefined));
  return engineDir;
}

/**
 * Puts the dynamic-provider plugin next to `pulumi`, where the engine looks for the plugins
 * it bundles; found only on PATH, it works the same but the engine warns about it on every
 * operation. The plugin is a small script that resolves @pulumi/pulumi from the program's
 * folder, so one copy serves every project. Best effort: a read-only engine folder (a
 * system install, which ships the plugin anyway) just keeps the PATH fallback.
 */
export function bundlePlugin(binDir: string): void {
  const name = "pulumi-resource-pulumi-nodejs";
  const target = path.join(binDir, name);
  if (existsSync(target)) return;
  try {
    const tmp = `${target}.${process.pid}.tmp`;
    copyFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", name), tmp);
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
  } catch {
    // not writable: the copy in node_modules, on PATH, is used instead
  }
}

/**
 * The folders every engine command needs ahead of the PATH: node_modules/.bin first, so
 * that the dynamic-provider plugin's `node` is the project's Node 24 rather than the
 * machine's; then the engine (with the plugin beside it, see bundlePlugin); then
 * @pulumi/pulumi, where the plugin ships, for an engine folder it could not be copied to.
 */
export function enginePathDirs(binDir: string): string[] {
  return [path.join(REPO_ROOT, "node_modules", ".bin"), binDir, path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi")];
}

/** PATH for engine commands: enginePathDirs, then this process's PATH. */
export function enginePath(binDir: string): string {
  return [...enginePathDirs(binDir), process.env.PATH ?? ""].join(path.delimiter);
}

export interface EngineStackOptions {
  /** The Pulumi project name (stack names are per project in a file backend). */
  projectName: string;
  /** Default "dev". */
  stackName?: string;
  /** The inline program; runs in this process, its return value becomes the stack outputs. */
  program: PulumiFn;
  /** Stack config, e.g. `{ "atlassian:apiKey": { value, secret: true } }`. */
  config?: ConfigMap;
  /** Extra environment for every engine command (e.g. PULUMI_ATLASSIAN_NOW). */
  env?: Record<string, string>;
  /** A prefix for the scratch folder's name, to tell runs apart. Default: projectName. */
  label?: string;
}

export interface EngineStack {
  stack: Stack;
  /** The scratch folder holding everything below; removed by `cleanup()`. */
  root: string;
  /** The program's working folder (Pulumi.yaml and Pulumi.<stack>.yaml live here). */
  workDir: string;
  /** The file state backend's folder. */
  stateDir: string;
  pulumiHome: string;
  passphrase: string;
  /** The folder holding `pulumi`. */
  binDir: string;
  /** The environment engine commands run with (PATH, backend URL, passphrase, home, ...). */
  env: Record<string, string>;
  /** Runs the `pulumi` CLI itself with the same environment, in workDir. */
  pulumi(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Removes the scratch folder (state, config, home). Does not destroy resources. */
  cleanup(): void;
}

/**
 * Creates a fresh stack for an inline program, with its own state backend, passphrase and
 * PULUMI_HOME in a new scratch folder under `.pulumi-test/`.
 */
export async function engineStack(opts: EngineStackOptions): Promise<EngineStack> {
  const binDir = await findEngine();
  bundlePlugin(binDir);
  ensureBuilt();
  mkdirSync(SCRATCH_ROOT, { recursive: true });
  const root = mkdtempSync(path.join(SCRATCH_ROOT, `${opts.label ?? opts.projectName}-`));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    const workDir = path.join(root, "work");
    const stateDir = path.join(root, "state");
    const pulumiHome = path.join(root, "home");
    for (const d of [workDir, stateDir, pulumiHome]) mkdirSync(d);
    // Only protects this throwaway stack's secrets at rest; printed by `demo --keep`.
    const passphrase = randomBytes(12).toString("base64url");
    const env: Record<string, string> = {
      PATH: enginePath(binDir),
      PULUMI_BACKEND_URL: `file://${stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_HOME: pulumiHome,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // Never reach out for plugins: the only one needed ships in node_modules.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...opts.env,
    };
    // PulumiCommand looks for `<root>/bin/pulumi`; a pulumi found elsewhere on PATH is
    // already what a bare "pulumi" names.
    const pulumiCommand =
      path.basename(binDir) === "bin"
        ? await PulumiCommand.get({ root: path.dirname(binDir) })
        : await PulumiCommand.get();
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName: opts.projectName, stackName: opts.stackName ?? "dev", program: opts.program },
      {
        workDir,
        pulumiHome,
        pulumiCommand,
        envVars: env,
        secretsProvider: "passphrase",
        // No `main`: the engine starts plugins in the program's folder, and the provider
        // process must start in workDir to find the package linked above it.
        projectSettings: { name: opts.projectName, runtime: "nodejs" },
      },
    );
    if (opts.config) await stack.setAllConfig(opts.config);
    const pulumi = async (args: string[]) => {
      const { stdout, stderr } = await execFileAsync(path.join(binDir, "pulumi"), [...args, "--non-interactive"], {
        cwd: workDir,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { stdout, stderr };
    };
    return { stack, root, workDir, stateDir, pulumiHome, passphrase, binDir, env, pulumi, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
