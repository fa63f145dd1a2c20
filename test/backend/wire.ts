/**
 * For hostile-request tests: the CLI started with `--log` (what it writes to stdout is the
 * log under test), raw HTTP over a `net` socket (requests fetch refuses to send), and a
 * check that no part of a secret appears in a text.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ErrorBody } from "../../sdk/schemas";

const ROOT = path.resolve(__dirname, "../..");

export interface LoggedBackend {
  url: string;
  port: number;
  orgId: string;
  cloudId: string;
  adminKey: string;
  /** Everything the process wrote to stdout and stderr so far (the listening line aside). */
  log(): string;
  /** Waits until the log stops growing (at most 2 s). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** `serve --log` as users start it, with an admin key of our choosing (so the ready line carries none). */
export async function loggedBackend(adminKey: string, extra: string[] = []): Promise<LoggedBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-log-"));
  const proc: ChildProcess = spawn(
    process.execPath,
    // App access is not what these tests study: tokens reach the products whatever it is (an `--atlassian` in `extra` replaces this one).
    ["--import", "tsx", path.join(ROOT, "backend/cli.ts"), "serve", "--data-dir", dir, "--admin-key", adminKey, "--rate-limit", "0", "--log", "--atlassian", "appAccess=ignored", ...extra],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  const ready = await new Promise<any>((resolve, reject) => {
    proc.stdout!.on("data", (d) => {
      out += d;
      const first = out.split("\n").find((l) => l.includes('"event":"listening"'));
      if (first) resolve(JSON.parse(first));
    });
    proc.once("exit", (code) => reject(new Error(`backend exited with ${code}: ${err}`)));
  });
  const port = Number(new URL(ready.url).port);
  return {
    url: ready.url,
    port,
    orgId: ready.orgId,
    cloudId: ready.cloudId,
    adminKey,
    log: () =>
      out
        .split("\n")
        .filter((l) => !l.includes('"event":"listening"'))
        .join("\n") + err,
    settle: async () => {
      // Pino writes the "request completed" line as the answer goes out; give the pipe a moment.
      let before = -1;
      for (let i = 0; i < 40 && out.length !== before; i++) {
        before = out.length;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawRes {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

/** Sends `request` as is and reads until the server closes the connection (send `Connection: close`). */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawRes> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms to ${String(request).slice(0, 80)}`));
    }, timeoutMs);
    s.on("data", (d) => chunks.push(d));
    // A reset after the answer was written still leaves the answer to read.
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString("utf8");
      const end = all.indexOf("\r\n\r\n");
      if (end === -1) return reject(new Error(`no HTTP answer: ${JSON.stringify(all.slice(0, 200))}`));
      const [statusLine, ...lines] = all.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let text = all.slice(end + 4);
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
        let dechunked = "";
        for (let rest = text; ; ) {
          const nl = rest.indexOf("\r\n");
          const size = parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          dechunked += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        text = dechunked;
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: kept as text */
      }
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, text, body });
    });
    s.write(request);
  });
}

/** Asserts the contract's error body with an X-Request-Id header that the body repeats. */
export function expectContractError(res: { status: number; headers: Record<string, string> | Headers; body: any; text: string }, status: number, code?: string): void {
  expect(res.status, res.text).to.equal(status);
  const id = res.headers instanceof Headers ? res.headers.get("x-request-id") : res.headers["x-request-id"];
  expect(id, "X-Request-Id").to.be.a("string").and.not.equal("");
  const parsed = ErrorBody.safeParse(res.body);
  expect(parsed.success, `the contract's error body: ${res.text}`).to.equal(true);
  const e = res.body.errors[0];
  expect(e).to.include.keys("id", "status", "code", "title", "detail");
  expect(e.status).to.equal(String(status));
  expect(e.meta?.requestId).to.equal(id);
  if (code) expect(e.code).to.equal(code);
}

/**
 * Whether `text` holds any 12-character run of a secret's random part, as sent, percent-
 * encoded, or inside an HTTP Basic credential: a secret cut short is still a leak.
 */
export function leakedFrom(text: string, secrets: string[]): string | undefined {
  for (const secret of secrets) {
    const body = secret.replace(/^pasa[tk]_/, "");
    for (let i = 0; i + 12 <= body.length; i += 4) {
      if (text.includes(body.slice(i, i + 12))) return `${secret.slice(0, 6)}… (characters ${i}-${i + 12})`;
    }
  }
  return undefined;
}

export function expectNoLeak(text: string, secrets: string[], where: string): void {
  const leak = leakedFrom(text, secrets);
  expect(leak, `${where} holds part of a secret: ${leak}`).to.equal(undefined);
}
