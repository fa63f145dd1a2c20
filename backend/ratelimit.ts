/**
 * Fixed-window rate limits per API key (or per client address when a request has no
 * credential). `"<n>/<seconds>"`; `"0"` turns them off.
 */
export interface RateLimitSpec {
  limit: number;
  windowMs: number;
}

export function parseRateLimit(spec: string | undefined): RateLimitSpec | null {
  const s = (spec ?? "6000/60").trim();
  if (s === "0" || s === "off") return null;
  const m = /^(\d+)\s*\/\s*(\d+)(s|m)?$/.exec(s);
  if (!m) throw new Error(`--rate-limit must be "<requests>/<seconds>" (e.g. 6000/60) or 0 to turn it off, not ${JSON.stringify(s)}`);
  const limit = Number(m[1]);
  const windowMs = Number(m[2]) * (m[3] === "m" ? 60_000 : 1000);
  if (limit === 0) return null;
  if (windowMs <= 0) throw new Error("--rate-limit window must be at least one second");
  return { limit, windowMs };
}

export interface RateDecision {
  limit: number;
  remaining: number;
  resetEpochSeconds: number;
  retryAfterSeconds?: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly spec: RateLimitSpec) {}

  take(key: string, nowMs = Date.now()): RateDecision {
    if (nowMs - this.lastSweep > this.spec.windowMs) {
      for (const [k, w] of this.windows) if (w.resetAt <= nowMs) this.windows.delete(k);
      this.lastSweep = nowMs;
    }
    let w = this.windows.get(key);
    if (!w || w.resetAt <= nowMs) {
      w = { count: 0, resetAt: nowMs + this.spec.windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    const over = w.count > this.spec.limit;
    return {
      limit: this.spec.limit,
      remaining: Math.max(0, this.spec.limit - w.count),
      resetEpochSeconds: Math.ceil(w.resetAt / 1000),
      ...(over ? { retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - nowMs) / 1000)) } : {}),
    };
  }
}
