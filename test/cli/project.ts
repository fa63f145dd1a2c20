/**
 * An example folder as a user has it: copied out of the repository into a folder of its
 * own, with the package installed from its `npm pack` tarball (not linked to the checkout,
 * so a file missing from the tarball fails), beside the project's own `@pulumi/pulumi`,
 * and driven by the `pulumi` command in that folder, as CI runs it. The Node.js language
 * host loads `index.ts`; the engine starts the dynamic-provider host there, which finds the
 * package in the project's node_modules.
 *
 * Also the engine benchmark's (bench/engine.ts) way to a project as a user has it.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { SETTINGS } from "../../provider/config";
import { expectNoSecrets, TestBackend } from "../e2e/fixture";
import { bundlePlugin, ensureBuilt, findEngine, REPO_ROOT } from "../../scripts/engine";

const execFileAsync = promisify(execFile);

/** Per test file: npm installs and a cold engine build take minutes; a command, seconds. */
export const CLI_TIMEOUT = 15 * 60_000;

/**
 * PATH for npm and the engine: the Node.js running these tests (the project's Node 24)
 * first, so that npm, the language host and the dynamic-provider plugin all run on it.
 */
function nodeFirstPath(...dirs: string[]): string {
  return [...dirs, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter);
}

let packed: Promise<string> | undefined;

/** The package's tarball, packed once per test run from a fresh build, as `npm publish` would. */
export function packedTarball(): Promise<string> {
  packed ??= (async () => {
    ensureBuilt();
    const dest = mkdtempSync(path.join(os.tmpdir(), "atlassian-pack-"));
    process.once("exit", () => rmSync(dest, { recursive: true, force: true }));
    // --ignore-scripts: prepack would rebuild dist/, which ensureBuilt has just made current.
    const { stdout } = await execFileAsync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: nodeFirstPath() },
      maxBuffer: 16 * 1024 * 1024,
    });
    const [info] = JSON.parse(stdout) as { filename: string }[];
    if (!info) throw new Error(`npm pack printed no file: ${stdout}`);
    return path.join(dest, info.filename);
  })();
  return packed;
}

/** A file state backend, a passphrase and a PULUMI_HOME of its own, in `root`. */
function engineEnv(root: string, binDir: string): Record<string, string> {
  const stateDir = path.join(root, "state");
  const home = path.join(root, "home");
  mkdirSync(stateDir);
  mkdirSync(home);
  return {
    PATH: nodeFirstPath(binDir),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(12).toString("base64url"),
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The machine's own settings must not reach this stack: its config alone points it.
    ...Object.fromEntries(SETTINGS.map((s) => [s.envVar, ""])),
    NO_COLOR: "1",
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliProjectOptions {
  /** The folder under examples/ to copy. */
  example?: string;
  /** Any other project folder to copy (instead of `example`). */
  source?: string;
  /** An exact @pulumi/pulumi version instead of the example's own range. */
  pulumiVersion?: string;
  /** A label for the temp folder. */
  label?: string;
  /** A package tarball to install instead of this checkout's (`packedTarball()`). */
  tarball?: string;
}

export class CliProject {
  /** Everything the commands printed, for the leak checks. */
  private readonly printed: string[] = [];

  private constructor(
    /** The temp folder holding the project, its state and its PULUMI_HOME. */
    readonly root: string,
    /** The project folder: Pulumi.yaml, package.json, index.ts, node_modules. */
    readonly dir: string,
    private readonly env: Record<string, string>,
    readonly binDir: string,
    /** Where stack config is kept when not beside Pulumi.yaml (`--config-file`). */
    private readonly configFile?: string,
  ) {}

  /**
   * The repository root as a project (its Pulumi.yaml runs examples/quickstart), as a
   * developer runs it in a clone: state, home and stack config in a temp folder, so nothing
   * is written into the clone.
   */
  static async inRepository(): Promise<CliProject> {
    ensureBuilt();
    const binDir = await findEngine();
    bundlePlugin(binDir);
    const root = mkdtempSync(path.join(os.tmpdir(), "atlassian-cli-repo-"));
    return new CliProject(root, REPO_ROOT, engineEnv(root, binDir), binDir, path.join(root, "Pulumi.stack.yaml"));
  }

  /** Copies the example, installs its dependencies with the packed package, prepares the engine. */
  static async install(opts: CliProjectOptions): Promise<CliProject> {
    const [tarball, binDir] = await Promise.all([opts.tarball ? path.resolve(opts.tarball) : packedTarball(), findEngine()]);
    bundlePlugin(binDir);
    const source = opts.source ?? (opts.example && path.join(REPO_ROOT, "examples", opts.example));
    if (!source) throw new Error("CliProject.install: give an example or a source folder");
    const root = mkdtempSync(path.join(os.tmpdir(), `atlassian-cli-${opts.label ?? opts.example ?? path.basename(source)}-`));
    try {
      const dir = path.join(root, "project");
      cpSync(source, dir, {
        recursive: true,
        filter: (src) => path.basename(src) !== "node_modules",
      });
      const manifestPath = path.join(dir, "package.json");
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { dependencies: Record<string, string> };
      manifest.dependencies["pulumi-atlassian-service-accounts"] = `file:${tarball}`;
      if (opts.pulumiVersion) manifest.dependencies["@pulumi/pulumi"] = opts.pulumiVersion;
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
      await execFileAsync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: dir,
        env: { ...process.env, PATH: nodeFirstPath() },
        maxBuffer: 64 * 1024 * 1024,
      });

      return new CliProject(root, dir, engineEnv(root, binDir), binDir);
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }

  /** The version of a package installed in the project's node_modules. */
  installedVersion(name: string): string {
    return (JSON.parse(readFileSync(path.join(this.dir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  }

  /**
   * Runs `pulumi <args> --non-interactive` in the project folder. `input` goes to stdin (a
   * secret for `config set --secret`, kept off the command line). Fails the test on a
   * non-zero exit unless `allowFailure`. `env` adds to the engine's environment.
   */
  async pulumi(
    args: string[],
    opts: { input?: string; allowFailure?: boolean; record?: boolean; env?: Record<string, string> } = {},
  ): Promise<CommandResult> {
    const result = await new Promise<CommandResult>((resolve, reject) => {
      const configArgs = this.configFile && args[0] !== "stack" ? ["--config-file", this.configFile] : [];
      const child = spawn(path.join(this.binDir, "pulumi"), [...args, ...configArgs, "--non-interactive"], {
        cwd: this.dir,
        env: { ...process.env, ...this.env, ...opts.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(opts.input ?? "");
    });
    // `stack output --show-secrets` prints secrets on purpose; everything else is checked.
    if (opts.record !== false) this.printed.push(`$ pulumi ${args.join(" ")}\n${result.stdout}${result.stderr}`);
    if (result.code !== 0 && !opts.allowFailure) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  /**
   * `stack init`, then the stack config that points the provider at `backend`, one
   * `config set` per setting, the secrets with `--secret` and their values on stdin.
   */
  async initStack(stack: string, backend: { stackConfig(): { config: Record<string, string>; secretConfig: Record<string, string> } }): Promise<void> {
    await this.pulumi(["stack", "init", stack]);
    if (this.configFile) {
      // `stack init` has no --config-file: it writes the passphrase's salt beside Pulumi.yaml.
      const written = path.join(this.dir, `Pulumi.${stack}.yaml`);
      cpSync(written, this.configFile);
      rmSync(written);
    }
    const { config, secretConfig } = backend.stackConfig();
    for (const [key, value] of Object.entries(config)) await this.pulumi(["config", "set", key, value]);
    for (const [key, value] of Object.entries(secretConfig)) await this.pulumi(["config", "set", "--secret", key], { input: value });
  }

  /** The stack's outputs with secrets shown (kept out of the recorded output). */
  async secretOutputs(): Promise<Record<string, unknown>> {
    const { stdout } = await this.pulumi(["stack", "output", "--json", "--show-secrets"], { record: false });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  /** Everything the recorded commands printed, stdout and stderr. */
  transcript(): string {
    return this.printed.join("\n");
  }

  /** Every file the project and its state hold outside node_modules, concatenated. */
  filesAtRest(): string {
    const texts: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules" && entry.name !== "plugins") walk(p);
        } else if (entry.isFile()) texts.push(readFileSync(p, "latin1"));
      }
    };
    walk(this.root);
    return texts.join("\n");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A backend of its own, a project with a stack pointed at it, and the leak check after every test. */
export interface CliFrame {
  readonly backend: TestBackend;
  readonly project: CliProject;
  /** Values that must never appear in what the commands print: the keys, plus what tests add. */
  readonly secrets: string[];
}

/**
 * Registers the mocha hooks of one CLI test file: before, a real backend and the project
 * `open` makes (in parallel: an npm install takes a while), with stack `stack` configured for
 * the backend; after every test, no secret in anything the commands printed; after all,
 * the project's folders removed and the backend stopped.
 */
export function useCliFrame(open: () => Promise<CliProject>, stack = "dev"): CliFrame {
  let backend: TestBackend | undefined;
  let project: CliProject | undefined;
  const secrets: string[] = [];

  before(async () => {
    // The examples declare app access: the backend enforces it, as Atlassian does.
    [backend, project] = await Promise.all([TestBackend.start({ atlassian: { appAccess: "enforced" } }), open()]);
    secrets.push(backend.adminKey, backend.siteAdmin.token);
    await project.initStack(stack, backend);
  });
  afterEach(function () {
    if (project) expectNoSecrets(project.transcript(), `the pulumi command's output up to "${this.currentTest?.title}"`, secrets);
  });
  after(async () => {
    project?.dispose();
    await backend?.close();
  });

  return {
    get backend() {
      if (!backend) throw new Error("the backend is not started yet (use it inside a test)");
      return backend;
    },
    get project() {
      if (!project) throw new Error("the project is not installed yet (use it inside a test)");
      return project;
    },
    secrets,
  };
}
