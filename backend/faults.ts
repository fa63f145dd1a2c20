/**
 * Injected failures on the admin API and the product plane's access routes, for reliability
 * tests of clients: `"error5xx=0.1,throttle=0.05,latencyMs=20-200,reset=0.02,lost=0.05,seed=42"`.
 * `error5xx`, `throttle` and `reset` fail a request before its handler runs; `lost` lets the
 * handler run (the change lands) and then loses the answer: a reset or a 500, by the same
 * generator. Each request draws from one seeded generator, so the same seed and the same
 * request sequence give the same failures.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBodyOf } from "./error-handler";
import { ApiError } from "./errors";
import type { Metrics } from "./metrics";

export interface FaultSpec {
  error5xx: number;
  throttle: number;
  reset: number;
  lost: number;
  latencyMs: [number, number];
  seed: number;
}

export type Fault = { latencyMs: number; kind: "none" | "error5xx" | "throttle" | "reset" | "lost" };

export function parseFaults(spec: string | undefined): FaultSpec | null {
  if (spec === undefined || spec.trim() === "" || spec.trim() === "none") return null;
  const out: FaultSpec = { error5xx: 0, throttle: 0, reset: 0, lost: 0, latencyMs: [0, 0], seed: 1 };
  for (const part of spec.split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    const bad = (why: string) => new Error(`--faults ${JSON.stringify(part)}: ${why}`);
    if (!k || v === undefined) throw bad("expected name=value");
    if (k === "error5xx" || k === "throttle" || k === "reset" || k === "lost") {
      const p = Number(v);
      if (!Number.isFinite(p) || p < 0 || p > 1) throw bad("a probability between 0 and 1");
      out[k] = p;
    } else if (k === "latencyMs") {
      const m = /^(\d+)(?:-(\d+))?$/.exec(v);
      if (!m) throw bad('latencyMs is "<min>-<max>" milliseconds');
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      if (hi < lo || hi > 60_000) throw bad("latencyMs needs min <= max <= 60000");
      out.latencyMs = [lo, hi];
    } else if (k === "seed") {
      if (!/^\d+$/.test(v)) throw bad("seed is a whole number");
      out.seed = Number(v) >>> 0;
    } else throw bad("known faults are error5xx, throttle, latencyMs, reset, lost, seed");
  }
  if (out.error5xx + out.throttle + out.reset + out.lost > 1) throw new Error("--faults: error5xx + throttle + reset + lost must not exceed 1");
  return out;
}

export class FaultInjector {
  private state: number;
  constructor(private readonly spec: FaultSpec) {
    this.state = spec.seed || 1;
  }

  /** mulberry32: small, fast and good enough to spread failures; not for secrets. */
  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  draw(): Fault {
    const [lo, hi] = this.spec.latencyMs;
    const latencyMs = hi > 0 ? Math.round(lo + this.next() * (hi - lo)) : 0;
    const r = this.next();
    const { error5xx, throttle, reset, lost } = this.spec;
    const kind =
      r < error5xx ? "error5xx" : r < error5xx + throttle ? "throttle" : r < error5xx + throttle + reset ? "reset" : r < error5xx + throttle + reset + lost ? "lost" : "none";
    return { latencyMs, kind };
  }

  /** Heads or tails, from the same generator (how a lost answer is lost: reset or 500). */
  coin(): boolean {
    return this.next() < 0.5;
  }
}

/**
 * The hooks that inject faults into a route, one set per app. `draw(bodyOf)` is a preHandler
 * that fails the request before its handler runs (500, 429, a reset), or marks its answer to
 * be lost, in `bodyOf`'s error body; `latency` is a preHandler that waits the drawn delay (on
 * the admin API after the idempotency claim, so a retry meanwhile meets
 * idempotency.inProgress); `loseAnswer` is the app's onSend hook that loses a marked answer
 * after the handler's change landed: a reset or a 500, by the same generator.
 */
export class FaultHooks {
  private readonly latencies = new WeakMap<FastifyRequest, number>();
  private readonly lost = new WeakMap<FastifyRequest, ErrorBodyOf>();
  constructor(
    private readonly injector: FaultInjector | null,
    private readonly metrics: Metrics,
  ) {}

  draw(bodyOf: ErrorBodyOf) {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (!this.injector) return;
      const f = this.injector.draw();
      if (f.latencyMs > 0) this.latencies.set(req, f.latencyMs);
      if (f.kind === "none") return;
      this.metrics.fault(f.kind);
      if (f.kind === "error5xx") throw new ApiError(500, "internal", "injected fault (--faults error5xx): the server failed this request; retry it");
      if (f.kind === "throttle") {
        throw new ApiError(429, "rate.limited", "injected fault (--faults throttle): slow down and retry after 1 s", undefined, { "retry-after": "1" });
      }
      if (f.kind === "lost") {
        // The handler runs and its change lands; the answer is lost on the way out (loseAnswer).
        this.lost.set(req, bodyOf);
        return;
      }
      reply.hijack();
      this.metrics.observe(req.method, req.routeOptions.url ?? "unmatched", "reset", 0);
      req.raw.socket?.destroy();
    };
  }

  readonly latency = async (req: FastifyRequest): Promise<void> => {
    const ms = this.latencies.get(req);
    if (ms) await new Promise((r) => setTimeout(r, ms));
  };

  readonly loseAnswer = async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const bodyOf = this.lost.get(req);
    if (!this.injector || !bodyOf) return payload;
    this.lost.delete(req);
    if (this.injector.coin()) {
      // The connection drops after the change: the client sees a reset, never the answer.
      this.metrics.observe(req.method, req.routeOptions.url ?? "unmatched", "reset", 0);
      req.raw.socket?.destroy();
      return payload;
    }
    reply.code(500).type("application/json");
    const bad = new ApiError(500, "internal", "injected fault (--faults lost): the request was carried out, but its answer was lost");
    return JSON.stringify(bodyOf(500, bad.items, req));
  };
}
