/**
 * `Idempotency-Key` on POST/PATCH/DELETE of the extensions: `guard` and `release` are hooks of
 * the extensions' scope only (see `admin.ts`), since nothing evidences the header at
 * Atlassian and its public routes ignore it (a retried create makes a second account). The
 * first response (2xx) is stored with the change itself (see `Context.mutate`) and replayed
 * for 24 hours to the same key with the same request; a different request under that key
 * gets 422, and a second request while the first is still running gets 409
 * idempotency.inProgress. Keys are per API key, stored hashed. A replayed token creation
 * carries the secret only within 10 minutes of creation.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "./context";
import { DAY_MS } from "../sdk/schemas";
import { ApiError } from "./errors";
import { sha256, unseal } from "./secrets";

export const REPLAY_MS = DAY_MS;
export const SECRET_REPLAY_MS = 10 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so that key order does not make two bodies differ. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** A claim older than this is taken to be abandoned (its handler never ran). */
const STALE_CLAIM_MS = 60_000;

export class Idempotency {
  /** Requests under way, by org, API key and key hash: a second one meanwhile gets 409. */
  private readonly running = new Map<string, number>();
  constructor(private readonly ctx: Context) {}

  /** onSend: the handler has finished (it ran to completion or threw), and its answer goes out. */
  readonly release = async (req: FastifyRequest, _reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (req.idem) this.running.delete(`${req.idem.scope}|${req.idem.keyHash}`);
    return payload;
  };

  readonly guard = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const { ctx, running } = this;
    if (req.method !== "POST" && req.method !== "PATCH" && req.method !== "DELETE") return;
    const raw = req.headers["idempotency-key"];
    if (raw === undefined) return;
    if (typeof raw !== "string" || !KEY.test(raw)) {
      throw new ApiError(400, "validation.failed", "header Idempotency-Key must be 1-255 printable ASCII characters", "/headers/Idempotency-Key");
    }
    const scope = `${((req.params ?? {}) as { orgId?: string }).orgId}:${req.actor?.id}`;
    const keyHash = sha256(raw);
    const fingerprint = sha256(`${req.method} ${req.url.split("?")[0]}\n${canonical(req.body ?? null)}`);
    const slot = `${scope}|${keyHash}`;
    const since = running.get(slot);
    if (since !== undefined && Date.now() - since < STALE_CLAIM_MS) {
      throw new ApiError(409, "idempotency.inProgress", "the first request with this Idempotency-Key is still running; retry shortly", undefined, {
        "retry-after": "1",
      });
    }
    const rec = ctx.store.idempotency(scope, keyHash);
    if (rec && rec.createdAtMs > ctx.nowMs() - REPLAY_MS) {
      if (rec.fingerprint !== fingerprint) {
        throw new ApiError(422, "idempotency.mismatch", "this Idempotency-Key was used with a different request; use a new key for a new request");
      }
      let body = rec.body;
      if (body !== null && rec.secretBox !== null && rec.createdAtMs > ctx.nowMs() - SECRET_REPLAY_MS) {
        const token = unseal(ctx.serverKey, raw, rec.secretBox);
        if (token !== undefined) body = JSON.stringify({ ...(JSON.parse(body) as object), token });
      }
      reply.header("idempotent-replayed", "true").code(rec.status);
      if (body === null) return reply.send();
      return reply.type("application/json").send(body);
    }
    // Released when the handler finishes, not when the client hangs up: a client that
    // timed out and retries must not run the change a second time while the first runs.
    running.set(slot, Date.now());
    req.idem = { scope, keyHash, rawKey: raw, fingerprint };
  };
}
