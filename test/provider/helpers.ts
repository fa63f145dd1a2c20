/**
 * Calling the handlers as the engine does: `check(olds, news)` with the program's inputs
 * (plus the serialized provider and the context), then `create(inputs)` with what check
 * returned; `diff`/`update`/`read`/`delete` with the stored outputs as `olds`/`props`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type * as pulumi from "@pulumi/pulumi";
import type { startBackend as StartBackend } from "../../backend/index";
import { resetConfiguration } from "../../provider/config";
import { providers } from "../../provider/index";
import { Client, SECRET_PATTERN, type Plan } from "../../sdk/index";
export { rejection } from "../rejection";

export type Kind = keyof typeof providers;

/** The engine hands every handler these besides the resource's own properties. */
export const CONTEXT = "project=handler-tests;stack=dev;resource=urn:pulumi:dev::handler-tests::test::it";
export const ENGINE_PROPS = { __provider: "exports.handler = __f0; /* serialized shim */", __context: CONTEXT };

/** A `pulumi.dynamic.Config` over a plain map, as the dynamic-provider host builds one. */
export function configOf(values: Record<string, string>): pulumi.dynamic.ConfigureRequest {
  return {
    config: {
      get: (key: string) => values[key],
      require: (key: string) => {
        const v = values[key];
        if (v === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return v;
      },
    },
  };
}

export interface Backend {
  url: string;
  orgId: string;
  cloudId: string;
  adminKey: string;
  /** The site admin of the product plane (HTTP Basic on the Jira and Confluence routes). */
  siteAdmin: { email: string; token: string };
  /** The target the provider is configured for. */
  target: "embedded" | "atlassian-cloud";
  /** An sdk client with the admin key and the site admin: the test's own view of the backend. */
  admin: Client;
  /** The stack config that points the provider at this backend (or `url` instead, e.g. a proxy). */
  config(url?: string): Record<string, string>;
  /**
   * Starts a new "provider process" (the engine runs one per deployment): forgets the client,
   * and with it the run's listing of accounts and its role and space lookups, then configures
   * every kind for this backend (or `url`, e.g. a proxy). Tests that change the org by hand
   * call it before the provider should see the change.
   */
  newRun(url?: string): void;
  close(): Promise<void>;
}

/** The site admin every provider test backend has; the token is a secret the tests look for in errors. */
export const SITE_ADMIN = { email: "site-admin@example.com", token: "site-admin-token-for-provider-tests-0001" };

export interface BackendChoice {
  plan?: Plan;
  /** Atlassian Cloud's path: the backend serves the public surfaces only, and the provider's target is `atlassian-cloud`. */
  publicOnly?: boolean;
  /** The site's Confluence space-role mode. */
  confluenceMode?: "ROLES" | "ROLES_TRANSITION" | "PRE_ROLES";
  /**
   * The stand-in's readings of Atlassian (see the s15 contract). `accountReadyDelayMs`
   * defaults to 0 here (the backend's own default in public-only mode is 3000): only the
   * tests that study the not-ready window set it.
   */
  atlassian?: {
    accountReadyDelayMs?: number;
    linksNext?: "absolute" | "relative" | "cursor";
    patchReply?: "account" | "empty" | "partial";
    maxPageSize?: number;
    appAccess?: "ignored" | "enforced";
    appAccessDelayMs?: number;
    roleAssignmentsRead?: "served" | "userNotFound";
    groupAddAfterCreate?: "refused" | "allowed";
  };
  /** The backend also serves the admin console's routes, and the provider's `atlassian:consoleRoutes` is on. */
  consoleRoutes?: boolean;
  /** Injected failures, e.g. `"lost=1,seed=7"` (the write lands, its answer is lost). */
  faults?: string;
}

/** The two paths every handler test runs on: the embedded backend, and Atlassian Cloud's public API (a public-only backend). */
export const PATHS: { name: string; choice: BackendChoice }[] = [
  { name: "on the embedded target", choice: {} },
  { name: "on the Atlassian Cloud target (public-only backend)", choice: { publicOnly: true } },
];

/** Starts a real backend on a free port with a temp data dir, and points the provider at it through `configure`. */
export function useBackend(opts: BackendChoice = {}): { readonly current: Backend } {
  let current: Backend | undefined;
  let dir = "";
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "provider-test-"));
    // Loaded here, so that the tests that need no backend run without loading it.
    const { startBackend } = require("../../backend/index") as { startBackend: typeof StartBackend };
    // Typed as a variable, not a literal: the stand-in's `atlassian` switches arrive with the s15 backend.
    const options: Parameters<typeof StartBackend>[0] & Pick<BackendChoice, "atlassian" | "faults"> = {
      dataDir: dir,
      port: 0,
      siteAdmin: SITE_ADMIN,
      // App access is enforced by the backend by default; only the tests that study it do here.
      atlassian: { accountReadyDelayMs: 0, appAccess: "ignored", ...opts.atlassian },
      ...(opts.plan ? { plan: opts.plan } : {}),
      ...(opts.publicOnly ? { publicOnly: true } : {}),
      ...(opts.confluenceMode ? { confluenceMode: opts.confluenceMode } : {}),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.consoleRoutes ? { consoleRoutes: true } : {}),
    };
    const b = await startBackend(options);
    const admin = new Client({
      baseUrl: b.url,
      orgId: b.orgId,
      apiKey: b.adminKey,
      cloudId: b.cloudId,
      siteAdmin: { email: SITE_ADMIN.email, apiToken: SITE_ADMIN.token },
      maxRetries: 0,
    });
    const target = opts.publicOnly ? "atlassian-cloud" : "embedded";
    current = {
      url: b.url,
      orgId: b.orgId,
      cloudId: b.cloudId,
      adminKey: b.adminKey,
      siteAdmin: SITE_ADMIN,
      target,
      admin,
      config: (url = b.url) => ({
        "atlassian:target": target,
        "atlassian:baseUrl": url,
        "atlassian:orgId": b.orgId,
        "atlassian:apiKey": b.adminKey,
        "atlassian:cloudId": b.cloudId,
        "atlassian:siteAdminEmail": SITE_ADMIN.email,
        "atlassian:siteAdminToken": SITE_ADMIN.token,
        ...(opts.consoleRoutes ? { "atlassian:consoleRoutes": "true" } : {}),
      }),
      newRun: (url?: string) => {
        resetConfiguration();
        for (const p of Object.values(providers)) p.configure(configOf(current!.config(url)));
      },
      close: b.close,
    };
    configure();
  });
  after(async () => {
    resetConfiguration();
    current?.admin.close();
    await current?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const configure = () => {
    for (const p of Object.values(providers)) p.configure(configOf(current!.config()));
  };
  return {
    get current() {
      if (!current) throw new Error("the backend is not started");
      return current;
    },
  };
}

/** check, expecting no failures; returns the inputs check made. */
export async function checked<K extends Kind>(kind: K, news: Record<string, unknown>, olds: object = {}) {
  const result = await providers[kind].check(olds as never, { ...ENGINE_PROPS, ...news });
  expect(result.failures ?? [], "check failures").to.deep.equal([]);
  return result.inputs as never as Parameters<(typeof providers)[K]["create"]>[0];
}

/** check then create, as the engine does for a new resource. */
export async function created<K extends Kind>(kind: K, news: Record<string, unknown>) {
  const inputs = await checked(kind, news);
  const result = await (providers[kind].create as (i: unknown) => Promise<pulumi.dynamic.CreateResult>)(inputs);
  return { id: result.id, outs: result.outs as Awaited<ReturnType<(typeof providers)[K]["create"]>>["outs"] & Record<string, unknown>, inputs };
}


/** Asserts that no text holds a secret this system issues, nor any of the given literals. */
export function expectNoSecret(text: string, literals: string[] = []): void {
  expect(text).to.not.match(SECRET_PATTERN);
  for (const l of literals) expect(text.includes(l), "a known secret in the text").to.equal(false);
}

/** Runs `fn` with environment variables set (undefined unsets), restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/** An answer in Atlassian's admin error shape that {@link startProxy} sends instead of forwarding. */
export interface Refusal {
  status: number;
  code: string;
  title: string;
  detail: string;
}

/** How {@link startProxy} loses the answer to a request it forwarded: the connection reset, or a 500 in Atlassian's shape. */
export type LostAs = "reset" | "500";

/**
 * A pass-through HTTP proxy in front of the backend that logs every request, and answers
 * the ones `refuse` picks with a non-retryable error in Atlassian's admin error shape (to
 * make a follow-up request fail after the backend has created something). The ones `lose`
 * picks are forwarded, and once the backend has answered (the write has landed), the answer
 * is lost: the connection reset, or a 500 sent instead.
 */
export async function startProxy(
  target: string,
  refuse: (method: string, path: string) => boolean | Refusal = () => false,
  lose: (method: string, path: string) => LostAs | false = () => false,
): Promise<{ url: string; requests: string[]; contexts: (string | undefined)[]; lost: string[]; close(): Promise<void> }> {
  const http = await import("node:http");
  const upstream = new URL(target);
  const requests: string[] = [];
  /** The X-Client-Context header of each request, in the order of `requests`. */
  const contexts: (string | undefined)[] = [];
  /** The requests whose answers were lost, as "METHOD path". */
  const lost: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? "").split("?")[0]}`);
    contexts.push(req.headers["x-client-context"] as string | undefined);
    const refusal = refuse(req.method ?? "", req.url ?? "");
    if (refusal) {
      const r: Refusal =
        refusal === true ? { status: 403, code: "ADMIN-403-1", title: "Refused by the test proxy", detail: "the test proxy refuses this request" } : refusal;
      req.resume();
      res.writeHead(r.status, { "content-type": "application/json", "x-request-id": "proxy-refused" });
      res.end(JSON.stringify({ errors: [{ code: r.code, status: String(r.status), title: r.title, detail: r.detail }] }));
      return;
    }
    const losing = lose(req.method ?? "", req.url ?? "");
    const out = http.request(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (losing) {
          // The backend has done the work; the client never learns the outcome.
          lost.push(`${req.method} ${(req.url ?? "").split("?")[0]}`);
          answer.resume();
          answer.on("end", () => {
            if (losing === "reset") {
              res.socket?.resetAndDestroy();
              return;
            }
            res.writeHead(500, { "content-type": "application/json", "x-request-id": "proxy-lost" });
            res.end(JSON.stringify({ errors: [{ code: "ADMIN-500-1", status: "500", title: "INTERNAL_SERVER_ERROR", detail: "the test proxy lost the answer" }] }));
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    contexts,
    lost,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
