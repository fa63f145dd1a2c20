/**
 * A tiny HTTP server that answers from a script, for the wire-level behaviours the real
 * backend cannot be made to show on demand (a 408, a body of the wrong shape, a redirect, a
 * connection dropped after the write). Everything else is tested against the real backend.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: the same port on two requests means one reused connection. */
  remotePort: number | undefined;
}

export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string>; raw?: string; delayMs?: number }
  | "reset";

export interface ScriptedServer {
  url: string;
  requests: Recorded[];
  /** Queues answers; once the queue is empty, `fallback` answers. */
  script(...replies: Reply[]): void;
  fallback: Reply;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const queue: Reply[] = [];
  const requests: Recorded[] = [];
  const state = { fallback: { status: 200, body: {} } as Reply };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), remotePort: req.socket.remotePort });
      const reply = queue.shift() ?? state.fallback;
      if (reply === "reset") {
        req.socket.destroy();
        return;
      }
      const send = () => {
        const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(text);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    get fallback() {
      return state.fallback;
    },
    set fallback(reply: Reply) {
      state.fallback = reply;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An error document as the contract writes it. */
export function errorDoc(status: number, code: string, extra: { detail?: string; pointer?: string; retryable?: boolean } = {}) {
  return {
    errors: [
      {
        id: "00000000-0000-4000-8000-000000000000",
        status: String(status),
        code,
        title: code,
        ...(extra.detail === undefined ? {} : { detail: extra.detail }),
        ...(extra.pointer === undefined ? {} : { source: { pointer: extra.pointer } }),
        ...(extra.retryable === undefined ? {} : { meta: { retryable: extra.retryable } }),
      },
    ],
  };
}
