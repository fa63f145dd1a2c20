/**
 * What the Jira and Confluence route plugins share: the product plane's callers and how they
 * are checked. A caller uses HTTP Basic `<email>:<token>` or `Bearer <token>`: a service
 * account's API token, or a site admin's. Bad, revoked or expired token, deleted or suspended
 * account: 401. Scope or access missing: 403 saying which. A service account's access follows
 * its role grants (see `backend/access.ts`): any role reads, an editor-level or admin role
 * writes, an admin role manages the project's or space's access. A site admin may do
 * everything. Each use of a service account's token is an audit event and sets the token's
 * lastUsedAt.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AccessLevel } from "../../sdk/atlassian-assumptions";
import { atLeast, levelOf } from "../access";
import type { Context } from "../context";
import { ApiError } from "../errors";
import { hashSecret, sameHash } from "../secrets";
import { GroupCommit } from "../usage";
import type { OrgRow } from "../store";
import type { Place } from "../store/access";

/** Who calls the product plane: a service account's token or a site admin's. */
export interface Holder {
  orgId: string;
  cloudId: string;
  kind: "service-account" | "site-admin";
  /** The account id Jira and Confluence know the caller by. */
  accountId: string;
  /** The audit actor's id: the service account's id, or the site admin's account id. */
  actorId: string;
  email: string;
  displayName: string;
  /** A service account's token; a site admin's token holds every scope. */
  tokenId?: string;
  scopes: string[] | null;
}

declare module "fastify" {
  interface FastifyRequest {
    holder?: Holder;
  }
}

export const KEY = /^[A-Z][A-Z0-9]{1,9}$/;
export const SPACE_KEY = /^~?[A-Za-z0-9]{1,255}$/;
export const NUMERIC = /^\d{1,15}$/;
export const CloudParams = z.object({ cloudId: z.string().max(200) });
/** 401, 403 and 404 of the product plane, in the shape of Atlassian's product APIs. */
const Message = z.object({ code: z.number(), message: z.string() });
export const DENIALS = { 401: Message, 403: Message, 404: Message };
/** Jira's error body, as its routes declare it for 400. */
export const JiraErrors = z.object({ errorMessages: z.array(z.string()), errors: z.record(z.string(), z.string()) });
export const avatars = (base: string) => ({ "16x16": `${base}?size=xsmall`, "24x24": `${base}?size=small`, "32x32": `${base}?size=medium`, "48x48": base });

/** The product plane's shared state (caches of the hot path) and checks, one per app. */
export function productPlane(ctx: Context, publicOnly = false) {
  const { store } = ctx;
  const usage = new GroupCommit(store);
  // Orgs and their cloud ids are fixed once the server runs (they are seeded at start).
  const sites = new Map<string, OrgRow | undefined>();
  const site = (cloudId: string) => {
    if (!sites.has(cloudId)) {
      if (sites.size > 10_000) sites.clear();
      sites.set(cloudId, store.orgByCloudId(cloudId));
    }
    return sites.get(cloudId);
  };

  // Auth reads of the hot path, valid until the next change (see Context.generation).
  const holders = new Map<string, { gen: number; value: ReturnType<typeof store.tokenHolder> }>();
  const levels = new Map<string, { gen: number; value: AccessLevel | undefined }>();
  const cached = <V>(m: Map<string, { gen: number; value: V }>, k: string, read: () => V): V => {
    const hit = m.get(k);
    if (hit && hit.gen === ctx.generation) return hit.value;
    if (m.size > 10_000) m.clear();
    const value = read();
    m.set(k, { gen: ctx.generation, value });
    return value;
  };

  function denied(req: FastifyRequest, orgId: string, status: 401 | 403, message: string, target: { type: string; id: string }, actor?: { type: "service-account" | "site-admin"; id: string }): ApiError {
    ctx.audit(req, { orgId, action: "request.denied", actor: actor ?? { type: "anonymous", id: "unknown" }, target, outcome: "denied" });
    return new ApiError(status, status === 401 ? "unauthorized" : "forbidden.insufficientScope", message);
  }

  /** 401 unless the request carries a live token of this site's org: a service account's or a site admin's. */
  async function authenticate(req: FastifyRequest): Promise<void> {
    const { cloudId } = (req.params ?? {}) as { cloudId?: string };
    const org = cloudId === undefined ? undefined : site(cloudId);
    if (!org) throw new ApiError(404, "not.found", "no site has this cloud id");
    const target = { type: "site", id: org.cloudId };
    const auth = req.headers.authorization ?? "";
    let email: string | undefined;
    let secret: string | undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (basic) {
      const text = Buffer.from(basic[1]!, "base64").toString("utf8");
      const i = text.indexOf(":");
      if (i > 0) {
        email = text.slice(0, i);
        secret = text.slice(i + 1);
      }
    } else if (bearer) secret = bearer[1];
    if (!secret) throw denied(req, org.id, 401, "Client must be authenticated to access this resource: send Basic <email>:<token>", target);
    const hash = hashSecret(secret);
    const t = cached(holders, hash, () => store.tokenHolder(hash));
    if (!t || !sameHash(t.hash, hash) || t.orgId !== org.id) {
      const admin = store.access.siteAdminByHash(hash);
      if (admin && sameHash(admin.hash, hash) && admin.orgId === org.id) {
        const actor = { type: "site-admin" as const, id: admin.accountId };
        if (email !== undefined && email.toLowerCase() !== admin.email.toLowerCase()) {
          throw denied(req, org.id, 401, "the email does not belong to this token's site admin", target, actor);
        }
        req.holder = { orgId: org.id, cloudId: org.cloudId, kind: "site-admin", accountId: admin.accountId, actorId: admin.accountId, email: admin.email, displayName: admin.displayName, scopes: null };
        return;
      }
      throw denied(req, org.id, 401, "the API token is not valid for this site", target);
    }
    const actor = { type: "service-account" as const, id: t.serviceAccountId };
    if (t.revoked) throw denied(req, org.id, 401, "the API token is revoked", target, actor);
    if (t.expiresAt <= ctx.now()) throw denied(req, org.id, 401, "the API token has expired", target, actor);
    if (t.accountStatus === null) throw denied(req, org.id, 401, "the service account of this token was deleted", target, actor);
    if (t.accountStatus !== "active") throw denied(req, org.id, 401, "the service account of this token is suspended", target, actor);
    if (email !== undefined && email.toLowerCase() !== t.accountEmail!.toLowerCase()) {
      throw denied(req, org.id, 401, "the email does not belong to this token's service account", target, actor);
    }
    req.holder = {
      orgId: org.id,
      cloudId: org.cloudId,
      kind: "service-account",
      accountId: t.productAccountId!,
      actorId: t.serviceAccountId,
      email: t.accountEmail!,
      displayName: t.accountDisplayName!,
      tokenId: t.id,
      scopes: t.scopes,
    };
  }

  const actorOf = (h: Holder) => ({ type: h.kind, id: h.actorId });
  /** Audits one account added to or removed from a Jira project role, as the caller. */
  const levelOn = (h: Holder, resource: string): AccessLevel | undefined =>
    h.kind === "site-admin" ? "admin" : cached(levels, `${h.accountId}\n${resource}`, () => levelOf(store.access.grantsOf(h.accountId, resource)));

  /**
   * 403 unless the caller's token holds one of `scopes` and its account at least `level` on
   * `resource` (a site admin holds every scope and is admin everywhere). Records the use.
   */
  async function authorize(req: FastifyRequest, scopes: string[], resource: string | null, level: AccessLevel, what: string): Promise<void> {
    const h = req.holder!;
    const target = resource ? { type: resource.split("/")[0]!, id: resource } : { type: "site", id: h.cloudId };
    if (h.scopes !== null && !scopes.some((s) => h.scopes!.includes(s))) {
      throw denied(req, h.orgId, 403, `the token lacks a scope to ${what}: it needs ${scopes.join(" or ")}`, target, actorOf(h));
    }
    if (resource) {
      const have = levelOn(h, resource);
      if (!have) throw denied(req, h.orgId, 403, `the service account holds no role on ${resource}`, target, actorOf(h));
      if (!atLeast(have, level)) {
        const need = level === "editor" ? "editor or admin" : level;
        throw denied(req, h.orgId, 403, `the service account's role on ${resource} gives ${have} access; to ${what} it needs ${need}`, target, actorOf(h));
      }
    }
    if (h.tokenId === undefined) return;
    const tokenId = h.tokenId;
    await usage.run(() => {
      store.touchToken(tokenId, ctx.now());
      ctx.audit(req, { orgId: h.orgId, action: "api-token.used", actor: actorOf(h), target: { type: "api-token", id: tokenId }, outcome: "success" });
    });
  }

  const notFound = (message: string) => new ApiError(404, "not.found", message);
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  const jiraBase = (req: FastifyRequest) => `${origin(req)}/ex/jira/${req.holder!.cloudId}/rest/api/3`;
  const wikiBase = (req: FastifyRequest) => `${origin(req)}/ex/confluence/${req.holder!.cloudId}/wiki`;
  const tags = ["product plane"];

  // Projects and spaces are never deleted, so a place once read stays valid: the hot path reads it once.
  const places = new Map<string, Place>();
  const ensurePlace = (kind: "jira" | "confluence", orgId: string, key: string): Place => {
    const k = `${kind}\n${orgId}\n${key}`;
    let p = places.get(k);
    if (!p) {
      if (places.size > 10_000) places.clear();
      p = store.access.ensurePlace(kind, orgId, key, ctx.now());
      places.set(k, p);
    }
    return p;
  };

  /** Name, email and kind of an account id Jira or Confluence may be told about, or undefined. */
  function person(orgId: string, accountId: string): { displayName: string; email: string; kind: "service-account" | "site-admin" } | undefined {
    const a = store.accountByProductId(orgId, accountId);
    if (a) return { displayName: a.displayName, email: a.email, kind: "service-account" };
    const admin = store.access.siteAdminByAccountId(orgId, accountId);
    return admin && { displayName: admin.displayName, email: admin.email, kind: "site-admin" };
  }

  return { ctx, publicOnly, tags, authenticate, authorize, actorOf, levelOn, notFound, origin, jiraBase, wikiBase, ensurePlace, person };
}

export type ProductPlane = ReturnType<typeof productPlane>;
