/**
 * The real backend on a free port with a temp data dir, and a small fetch-based caller.
 * Tests speak plain HTTP (not the sdk) so that they test the wire contract itself.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend, type Backend, type BackendOptions } from "../../backend";
import { AdminErrorBody } from "../../backend/errors";
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
  const removeDir = () => {
    if (!opts.keepDir && !opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let offset = 0;
  let b: Backend;
  try {
    // App access is enforced by the backend by default; only the tests that study it do here.
    b = await startBackend({ rateLimit: "0", ...opts, atlassian: { appAccess: "ignored", ...opts.atlassian }, dataDir, port: 0, now: () => new Date(Date.now() + offset) });
  } catch (e) {
    // A start refused (a bad option, say) leaves no folder behind either.
    removeDir();
    throw e;
  }
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
      removeDir();
    },
  };
}

export const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;

/**
 * Asserts Atlassian's admin error body (the public admin routes): this status, the code
 * `ADMIN-<status>-<n>` and title given, no `id`, a detail that quotes no secret.
 */
export function expectAdminError(res: Res, status: number, code: string, title?: string): void {
  expect(res.status, res.text).to.equal(status);
  const parsed = AdminErrorBody.safeParse(res.body);
  expect(parsed.success, `Atlassian's admin error body: ${res.text}`).to.equal(true);
  const e = res.body.errors[0];
  expect(e).to.not.have.property("id");
  expect(e.status).to.equal(String(status));
  expect(e.code).to.equal(code);
  if (title !== undefined) expect(e.title).to.equal(title);
  expect(e.detail).to.be.a("string").and.not.match(SECRET_PATTERN);
}

/** Asserts Jira's error body `{"errorMessages":[...],"errors":{}}` with this status; returns the first message. */
export function expectJiraError(res: Res, status: number): string {
  expect(res.status, res.text).to.equal(status);
  expect(res.body).to.have.all.keys("errorMessages", "errors");
  expect(res.body.errorMessages).to.be.an("array").with.length.greaterThan(0);
  return res.body.errorMessages[0];
}

/** Asserts Confluence v2's error body `{"errors":[{status,code,title,detail}]}`; returns the first detail. */
export function expectConfluenceError(res: Res, status: number, code: string): string {
  expect(res.status, res.text).to.equal(status);
  const e = res.body?.errors?.[0];
  expect(e, res.text).to.include({ status, code });
  expect(e.title).to.be.a("string");
  return e.detail;
}

/** Creates a service account through Atlassian's public create; returns the list item. */
export async function createAccount(b: Harness, displayName = uniqueName("sa"), description?: string): Promise<any> {
  return b.ok("POST", "/service-accounts", { displayName, ...(description === undefined ? {} : { description }) });
}

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
