/**
 * The embedded backend as a process of its own (`dist/backend/cli.js serve`, built first), for
 * the benchmarks: a bench must not share its event loop with the server it measures.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";

const CLI = path.join(__dirname, "..", "dist", "backend", "cli.js");

export interface Served {
  url: string;
  cloudId: string;
  /** SIGTERM, and waits for the process to exit. */
  stop: () => Promise<void>;
}

/** Starts `serve` on a free port with `dataDir` and the given flags; resolves with its first stdout line (url, cloudId). */
export async function serveBackend(dataDir: string, opts: { org: string; adminKey: string; plan: string }): Promise<Served> {
  const args = ["serve", "--port", "0", "--data-dir", dataDir, "--org", opts.org, "--admin-key", opts.adminKey, "--plan", opts.plan, "--rate-limit", "0",
    // The benches' accounts are made without app access: their tokens reach the products as before the stand-in enforced it.
    "--atlassian", "appAccess=ignored"];
  const server = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).once("line", resolve);
      server.once("exit", (code) => reject(new Error(`backend exited with ${code}`)));
    });
    return { ...(JSON.parse(line) as { url: string; cloudId: string }), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
