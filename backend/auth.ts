/**
 * Admin API authentication: `Authorization: Bearer <org admin API key>`. Unknown, deleted or
 * expired key: 401. A key of another org: 403 forbidden.orgMismatch. A scope missing: 401 on
 * Atlassian's public routes (its `ADMIN-401-2 INSUFFICIENT_SCOPE`, AX-196), 403
 * forbidden.insufficientScope on this backend's extensions. Every refusal is an audit event of
 * the org it aimed at.
 */
import type { FastifyRequest } from "fastify";
import type { Context } from "./context";
import { ApiError } from "./errors";
import { hashSecret, sameHash } from "./secrets";

/** What a request acts on, for audit events: the innermost id in its path. */
export function targetOf(req: FastifyRequest): { type: string; id: string } {
  const p = (req.params ?? {}) as Record<string, string | undefined>;
  const clip = (s: string) => s.slice(0, 100);
  if (p.tokenId) return { type: "api-token", id: clip(p.tokenId) };
  if (p.bindingId) return { type: "scope-binding", id: clip(p.bindingId) };
  if (p.keyId) return { type: "api-key", id: clip(p.keyId) };
  if (p.id) return { type: "service-account", id: clip(p.id) };
  return { type: "org", id: clip(p.orgId ?? "unknown") };
}

/**
 * The onRequest hook of an admin scope (see `admin.ts`). `insufficientScope`: how the scope's
 * surface answers a key that lacks the route's scope (Atlassian's 401, the extensions' 403).
 */
export function adminAuth(ctx: Context, insufficientScope: 401 | 403) {
  return async function authenticate(req: FastifyRequest): Promise<void> {
    const named = ((req.params ?? {}) as { orgId?: string }).orgId;
    let orgId = named ?? "";
    const store = ctx.store;
    const deny = (status: number, code: "unauthorized" | "forbidden.orgMismatch" | "forbidden.insufficientScope", detail: string, orgs: string[]) => {
      for (const o of new Set(orgs)) {
        if (store.org(o)) ctx.audit(req, { orgId: o, action: "request.denied", target: targetOf(req), outcome: "denied" });
      }
      return new ApiError(status, code, detail);
    };

    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m) throw deny(401, "unauthorized", "send Authorization: Bearer <org admin API key>", [orgId]);
    const hash = hashSecret(m[1]!);
    const key = store.apiKeyByHash(hash);
    if (!key || !sameHash(key.hash, hash) || key.deleted || (key.expiresAt !== null && key.expiresAt <= ctx.now())) {
      throw deny(401, "unauthorized", "the API key is not valid: unknown, deleted or expired", [orgId]);
    }
    req.actor = { type: "api-key", id: key.id };
    req.apiKeyScopes = key.scopes;
    req.apiKeyOrgId = key.orgId;
    // A route that names no org (Atlassian's `/users/{accountId}/…`) acts on the key's.
    if (named === undefined && req.routeOptions.config.orgOfKey === true) orgId = key.orgId;
    if (key.orgId !== orgId) {
      throw deny(403, "forbidden.orgMismatch", "this API key belongs to another org; use a key of the org in the path", [orgId, key.orgId]);
    }
    const need = req.routeOptions.config.scope;
    if (need === "unscoped" && key.scopes !== null) {
      throw deny(insufficientScope, "forbidden.insufficientScope", "only an unscoped API key (one holding every scope) may call this route", [orgId]);
    }
    if (need && need !== "unscoped" && key.scopes !== null && !key.scopes.includes(need)) {
      throw deny(insufficientScope, "forbidden.insufficientScope", `this API key lacks the scope ${need}`, [orgId]);
    }
    // lastUsedAt to the second: a busy key is not a write per request.
    const now = ctx.now();
    if (key.lastUsedAt === null || Date.parse(now) - Date.parse(key.lastUsedAt) >= 1000) store.touchApiKey(key.id, now);
  };
}
