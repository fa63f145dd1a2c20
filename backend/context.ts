/**
 * What every route shares: the store, the clock, page cursors, the audit log, and
 * `mutate`, which runs a change, its audit events and its idempotency record in one
 * transaction, so a change is never half-written nor recorded without its replay copy.
 */
import { randomUUID } from "node:crypto";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AdminScope } from "../sdk/schemas";
import { atlassianOptions, defaultPageSize, type AtlassianOptions } from "./atlassian";
import { Cursors } from "./cursor";
import { ApiError, errorBody } from "./errors";
import { Redactor } from "./redact";
import { seal } from "./secrets";
import type { EventInput, Store } from "./store";

export type Actor = EventInput["actor"];

/** Where Atlassian's admin "API Access" collection lives; the admin API's routes are registered under it. */
export const ADMIN_BASE = "/admin/api-access/v1/orgs/:orgId";

/** The app as routes see it: zod schemas give the request and reply their types. */
export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export interface IdempotencyClaim {
  scope: string;
  keyHash: string;
  rawKey: string;
  fingerprint: string;
}

declare module "fastify" {
  interface FastifyRequest {
    actor?: Actor;
    apiKeyScopes?: AdminScope[] | null;
    /** The org of the authenticated admin key (what a route that names no org acts on). */
    apiKeyOrgId?: string;
    idem?: IdempotencyClaim;
  }
  interface FastifyContextConfig {
    /** Admin scope a route needs; `"unscoped"`: only a key holding every scope. */
    scope?: AdminScope | "unscoped";
    /** The route names no org (`/users/{accountId}/…`): it acts on the key's org. */
    orgOfKey?: boolean;
  }
}

/** A list's body: one page of items, `links.next` to the next page (absent on the last), and the list's size. */
export interface Page<T> {
  items: T[];
  links: { next?: string };
  total: number;
}

/** A page's `links`: `{ next }`, or `{}` on the last page (`next` is absent there, never null). */
export const linksOf = (next: string | undefined): { next?: string } => (next ? { next } : {});

/** The body of a list (`Page`) from one page of `ctx.page` or `ctx.adminPage`, each item as `map` shows it. */
export function listBody<T, U>(p: { items: T[]; next?: string; total: number }, map: (item: T) => U): Page<U> {
  return { items: p.items.map(map), links: linksOf(p.next), total: p.total };
}

export class Context {
  readonly cursors: Cursors;
  readonly serverKey: Buffer;
  /**
   * Bumped by every admin change. This process is the database's only writer, so a cache
   * of reads stamped with the generation it was read in is exact: any change (a revoke, a
   * suspension, a removed binding) invalidates it before the change is acknowledged.
   */
  generation = 0;

  constructor(
    readonly store: Store,
    private readonly clock: () => Date,
    /** Masks credentials in what an event copies from the request (a path id, User-Agent, X-Client-Context), and in error details. */
    readonly redactor = new Redactor(),
    /** The stand-in's switches (see `atlassian.ts`). */
    readonly atlassian: AtlassianOptions = atlassianOptions(undefined, false),
  ) {
    const key = store.metaValue("server_key", () => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString("hex"));
    this.serverKey = Buffer.from(key, "hex");
    this.cursors = new Cursors(this.serverKey);
  }

  nowMs(): number {
    return this.clock().getTime();
  }
  now(): string {
    return this.clock().toISOString();
  }

  /** Appends one audit event; inside `mutate` it commits with the change. */
  /** Records an audit event at `at` (default now; a write recorded beside it passes its own time, so the two agree). */
  audit(req: FastifyRequest, e: Omit<EventInput, "requestId" | "userAgent" | "clientContext" | "actor"> & { actor?: Actor }, at?: string): void {
    // A refused request's target comes from its path, and any header may carry a pasted
    // credential: the audit log is a log too. Masked before clipping, so no secret is cut short of its mask.
    const masked = (name: string, max: number) => {
      const v = header(req, name, 16 * 1024);
      return v === null ? null : this.redactor.text(v).slice(0, max);
    };
    this.store.insertEvent(
      {
        ...e,
        target: { ...e.target, id: this.redactor.text(e.target.id) },
        actor: e.actor ?? req.actor ?? { type: "anonymous", id: "unknown" },
        requestId: req.id,
        userAgent: masked("user-agent", 512),
        clientContext: masked("x-client-context", 1024),
      },
      randomUUID(),
      at ?? this.now(),
    );
  }

  /**
   * Runs `fn` (store writes and their audit events) and, with an Idempotency-Key, stores the
   * response for replay, all in one transaction. A token secret in the body is kept only
   * sealed (see `seal`).
   */
  mutate<T extends object | undefined>(req: FastifyRequest, reply: FastifyReply, status: number, fn: () => T): T {
    try {
      return this.#mutate(req, reply, status, fn);
    } catch (err) {
      // The contract replays the first response, refusals included: a 4xx of the handler
      // (name taken, quota, not found) is stored under the key once its change has rolled
      // back, so a retry under that key cannot later do what the first request was refused.
      // 5xx and failures before the handler are not stored: they may go away on a retry.
      const claim = req.idem;
      if (claim && err instanceof ApiError && err.status >= 400 && err.status < 500) {
        const errStatus = err.items.length > 1 ? 400 : err.status;
        // Stored and replayed as is: masked here, as every error detail is when sent.
        err.rendered = errorBody(errStatus, err.items.map((i) => ({ ...i, detail: this.redactor.text(i.detail) })), req.id);
        this.store.saveIdempotency(claim.scope, claim.keyHash, {
          fingerprint: claim.fingerprint,
          status: errStatus,
          body: JSON.stringify(err.rendered),
          secretBox: null,
          createdAtMs: this.nowMs(),
        });
      }
      throw err;
    }
  }

  #mutate<T extends object | undefined>(req: FastifyRequest, reply: FastifyReply, status: number, fn: () => T): T {
    const body = this.store.transaction(() => {
      this.generation += 1;
      const out = fn();
      const claim = req.idem;
      if (claim) {
        let stored: object | undefined = out;
        let secretBox: string | null = null;
        if (out && "token" in out && typeof out.token === "string") {
          secretBox = seal(this.serverKey, claim.rawKey, out.token);
          const { token: _omit, ...rest } = out as { token: string };
          stored = rest;
        }
        this.store.saveIdempotency(claim.scope, claim.keyHash, {
          fingerprint: claim.fingerprint,
          status,
          body: stored === undefined ? null : JSON.stringify(stored),
          secretBox,
          createdAtMs: this.nowMs(),
        });
      }
      return out;
    });
    this.generation += 1;
    reply.code(status);
    return body;
  }

  /**
   * One page of a public admin list, as the switches say: `links.next` in the configured form,
   * the default page size, and a 400 above the largest `limit`.
   */
  adminPage<T>(
    req: FastifyRequest,
    list: string,
    query: Record<string, string | number | undefined>,
    fetch: (after: number, limit: number) => { items: T[]; seqs: number[]; total?: number },
    /** The audit log is another Atlassian API with its own page sizes (its schema bounds `limit`). */
    max = this.atlassian.maxPageSize,
  ): { items: T[]; next?: string; total: number } {
    if (typeof query.limit === "number" && query.limit > max) throw new ApiError(400, "validation.failed", `limit must be 1-${max}`, "/limit");
    return this.page(req, list, query, fetch, this.atlassian.linksNext, Math.min(max, defaultPageSize(this.atlassian)));
  }

  /** One page of a list, with `links.next` carrying a signed cursor bound to `list`. */
  page<T>(
    req: FastifyRequest,
    list: string,
    query: Record<string, string | number | undefined>,
    fetch: (after: number, limit: number) => { items: T[]; seqs: number[]; total?: number },
    /** `links.next` as a path with its query (default), an absolute URL, or the bare cursor. */
    form: AtlassianOptions["linksNext"] = "relative",
    defaultLimit = 50,
  ): { items: T[]; next?: string; total: number } {
    const limit = typeof query.limit === "number" ? query.limit : defaultLimit;
    const after = this.cursors.decode(list, typeof query.cursor === "string" ? query.cursor : undefined);
    const got = fetch(after, limit + 1);
    const more = got.items.length > limit;
    const items = got.items.slice(0, limit);
    let next: string | undefined;
    if (more) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== "cursor" && k !== "limit") params.set(k, String(v));
      params.set("limit", String(limit));
      const cursor = this.cursors.encode(list, got.seqs[limit - 1]!);
      params.set("cursor", cursor);
      const path = `${req.url.split("?")[0]}?${params.toString()}`;
      next = form === "cursor" ? cursor : form === "absolute" ? `${req.protocol}://${req.host}${path}` : path;
    }
    return { items, next, total: got.total ?? items.length };
  }
}

/** A request header as one bounded string, or null. */
export function header(req: FastifyRequest, name: string, max: number): string | null {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v.join(", ") : v;
  return s === undefined ? null : s.slice(0, max);
}
