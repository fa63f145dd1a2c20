/**
 * `doctor` in a process of its own, as an admin runs it (`node --import tsx cli/index.ts
 * doctor`, what `npm run doctor` does), with exactly the ATLASSIAN_* settings given.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { SETTINGS } from "../../provider/config";

const ROOT = path.resolve(__dirname, "../..");

export interface Run {
  child: ChildProcess;
  /** Resolves with stderr so far once it matches. */
  stderrMatching(re: RegExp): Promise<string>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `doctor <args>` in its own process, with exactly these ATLASSIAN_* settings (every other one unset) and `extraEnv`. */
export function start(args: string[], settings: Record<string, string> = {}, extraEnv: Record<string, string> = {}): Run {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...extraEnv };
  for (const s of SETTINGS) {
    const value = settings[s.configKey];
    if (value === undefined) delete env[s.envVar];
    else env[s.envVar] = value;
  }
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", "index.ts"), "doctor", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiting: { re: RegExp; resolve: (s: string) => void }[] = [];
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiting]) {
      if (!w.re.test(stderr)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(stderr);
    }
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrMatching: (re) =>
      new Promise((resolve, reject) => {
        if (re.test(stderr)) return resolve(stderr);
        waiting.push({ re, resolve });
        void done.then(() => reject(new Error(`doctor ended before its stderr matched ${re}:\n${stderr}`)));
      }),
  };
}

export async function doctor(args: string[], settings?: Record<string, string>, extraEnv?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return start(args, settings, extraEnv).done;
}
