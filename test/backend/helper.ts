/**
 * The real backend on a free port with a temp data dir, and a small fetch-based caller.
 * Tests speak plain HTTP (not the sdk) so that they test the wire contract itself.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend, type Backend, type BackendOptions } from "../../backend";
import { ErrorBody, SECRET_PATTERN } from "../../sdk/schemas";

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface Harness extends Backend {
  dataDir: string;
  /** Moves the backend's clock (token expiry, idempotency windows). */
  advance(ms: number): void;
  base: string;
  call(method: string, p: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string>; raw?: string }): Promise<Res>;
  /** An admin call that must succeed; returns the body. */
  ok(method: string, p: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<any>;
  product(method: string, p: string, auth: string | null, body?: unknown): Promise<Res>;
}

export type HarnessOptions = Partial<Omit<BackendOptions, "now">> & { keepDir?: boolean };

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "backend-test-"));
  let offset = 0;
  const b = await startBackend({ rateLimit: "0", ...opts, dataDir, port: 0, now: () => new Date(Date.now() + offset) });
  const base = `${b.url}/admin/api-access/v1/orgs/${b.orgId}`;
  const call: Harness["call"] = async (method, p, body, o = {}) => {
    // Paths of the admin base are given relative to it; anything else from the server root.
    const url = p.startsWith("http") ? p : /^\/(service-accounts|api-keys)/.test(p) ? `${base}${p}` : `${b.url}${p}`;
    const key = o.key === undefined ? b.adminKey : o.key;
    const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(o.headers ?? {}) };
    let payload: string | undefined = o.raw;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  return {
    ...b,
    dataDir,
    base,
    advance: (ms) => {
      offset += ms;
    },
    call,
    ok: async (method, p, body, o) => {
      const r = await call(method, p, body, o);
      if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
      return r.body;
    },
    product: (method, p, auth, body) =>
      call(method, p.replace("{cloudId}", b.cloudId), body, { key: null, headers: auth === null ? {} : { authorization: auth } }),
    close: async () => {
      await b.close();
      if (!opts.keepDir && !opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;

/** Asserts the contract's error body with this status and code (and pointer, when given). */
export function expectError(res: Res, status: number, code: string, pointer?: string): void {
  expect(res.status, res.text).to.equal(status);
  const parsed = ErrorBody.safeParse(res.body);
  expect(parsed.success, `error body of the contract: ${res.text}`).to.equal(true);
  const e = res.body.errors[0];
  expect(e.status).to.equal(String(status));
  expect(e.code).to.equal(code);
  expect(e.detail).to.be.a("string").and.not.match(SECRET_PATTERN);
  if (pointer !== undefined) expect(res.body.errors.map((x: any) => x.source?.pointer)).to.include(pointer);
  if (status === 429 || status >= 500 || code === "idempotency.inProgress") expect(e.meta?.retryable).to.equal(true);
}

let n = 0;
export const uniqueName = (prefix = "svc"): string => `${prefix}-${process.pid.toString(36)}-${(n++).toString(36)}`.slice(0, 30);

export const jiraRead = { label: "reader", scopes: ["read:jira-work"], expiresInDays: 30 };
