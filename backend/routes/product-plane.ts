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
import { grantsAccess, landedRules } from "../app-access";
import type { Context } from "../context";
import type { ErrorBodyOf } from "../error-handler";
import { ApiError } from "../errors";
import type { FaultHooks } from "../faults";
import { hashSecret, sameHash } from "../secrets";
import { GroupCommit } from "../usage";
import type { OrgRow, PermissionRuleRow } from "../store";
import type { Place } from "../store/access";

/** Which product a request of the product plane is for: Confluence's paths are under `/wiki`. */
function productOf(req: FastifyRequest): "jira" | "confluence" {
  return /^\/(ex\/confluence\/[^/]+\/)?wiki\//.test(req.url) || req.url.startsWith("/ex/confluence/") ? "confluence" : "jira";
}

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
/** Jira's error body: `{"errorMessages":[...],"errors":{}}`. */
export const JiraErrors = z.object({ errorMessages: z.array(z.string()), errors: z.record(z.string(), z.string()) });
/** Confluence v2's error body: `{"errors":[{status,code,title,detail}]}`. */
export const ConfluenceErrors = z.object({
  errors: z.array(z.object({ status: z.number(), code: z.string(), title: z.string(), detail: z.string() })).min(1),
});
/** Confluence v1's error body. */
export const ConfluenceV1Error = z.object({ statusCode: z.number(), message: z.string() });
/** Every refusal of a route, in its product's shape (documented in /openapi.json). */
export const JIRA_ERRORS = { "4xx": JiraErrors, "5xx": JiraErrors };
export const CONFLUENCE_ERRORS = { "4xx": ConfluenceErrors, "5xx": ConfluenceErrors };
export const CONFLUENCE_V1_ERRORS = { "4xx": ConfluenceV1Error, "5xx": ConfluenceV1Error };

const CONFLUENCE_CODES: Record<number, [string, string]> = {
  400: ["INVALID_REQUEST_PARAMETER", "Bad Request"],
  401: ["UNAUTHORIZED", "Unauthorized"],
  403: ["FORBIDDEN", "Forbidden"],
  404: ["NOT_FOUND", "Not Found"],
  413: ["PAYLOAD_TOO_LARGE", "Payload Too Large"],
  415: ["UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type"],
  429: ["TOO_MANY_REQUESTS", "Too Many Requests"],
};
/** Each product's error body, as its scope's error handler answers (see `error-handler.ts`). */
export const jiraErrorBody: ErrorBodyOf = (_status, items) => ({ errorMessages: items.map((i) => i.detail), errors: {} });
export const confluenceErrorBody: ErrorBodyOf = (status, items): z.infer<typeof ConfluenceErrors> => {
  const [code, title] = CONFLUENCE_CODES[status] ?? (status >= 500 ? ["INTERNAL_SERVER_ERROR", "Internal Server Error"] : ["BAD_REQUEST", "Bad Request"]);
  return { errors: items.map((i) => ({ status, code, title, detail: i.detail })) };
};
export const confluenceV1ErrorBody: ErrorBodyOf = (status, items) => ({ statusCode: status, message: items[0]!.detail });

/**
 * A product route's path parameters. A product plugin is registered twice: under the gateway's
 * `/ex/{product}/:cloudId` prefix, where the path carries `cloudId`, and at the site's own URL
 * (`https://<site>.atlassian.net/...`, `site`), where it does not.
 */
export const pathParams =
  (site: boolean) =>
  <S extends z.ZodRawShape>(shape: S) =>
    site ? z.object(shape) : CloudParams.extend(shape);
export const avatars = (base: string) => ({ "16x16": `${base}?size=xsmall`, "24x24": `${base}?size=small`, "32x32": `${base}?size=medium`, "48x48": base });

/** The product plane's shared state (caches of the hot path), checks and injected faults, one per app. */
export function productPlane(ctx: Context, faults: FaultHooks, publicOnly = false, siteCloudId?: string) {
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
  const permissionRules = new Map<string, { gen: number; value: PermissionRuleRow[] }>();
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
    // The site-URL form has no cloud id in its path: it is the default org's site.
    const cloudId = ((req.params ?? {}) as { cloudId?: string }).cloudId ?? siteCloudId;
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
    // --atlassian appAccess=enforced: as on Atlassian, an account whose create or console invite
    // gave it no access to this product on this site (see `app-access.ts`) authenticates and is
    // then refused with a flat 401.
    if (ctx.atlassian.appAccess === "enforced") {
      const product = productOf(req);
      // Cached with their land times and judged against the clock at each call: a rule that
      // lands later (appAccessDelayMs) changes no generation, and is still seen when it does.
      const rules = cached(permissionRules, t.serviceAccountId, () => store.permissionRules(t.serviceAccountId));
      if (!landedRules(rules, ctx.nowMs()).some((r) => grantsAccess(r, product, org.cloudId))) {
        throw denied(req, org.id, 401, `the service account has no access to ${product === "jira" ? "Jira" : "Confluence"} on this site`, target, actor);
      }
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
      // One time for both: a token's lastUsedAt is the time of its latest `api-token.used` event.
      const at = ctx.now();
      store.touchToken(tokenId, at);
      ctx.audit(req, { orgId: h.orgId, action: "api-token.used", actor: actorOf(h), target: { type: "api-token", id: tokenId }, outcome: "success" }, at);
    });
  }

  const notFound = (message: string) => new ApiError(404, "not.found", message);
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  const gateway = (req: FastifyRequest) => req.routeOptions.url?.startsWith("/ex/") ?? true;
  const jiraBase = (req: FastifyRequest) => `${origin(req)}${gateway(req) ? `/ex/jira/${req.holder!.cloudId}` : ""}/rest/api/3`;
  const wikiBase = (req: FastifyRequest) => `${origin(req)}${gateway(req) ? `/ex/confluence/${req.holder!.cloudId}` : ""}/wiki`;
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
  /**
   * Name, email and kind of an account id Jira or Confluence may be told about, or undefined.
   * `toGrant`: a service account younger than `atlassian.accountReadyDelayMs` is not known yet,
   * as Atlassian answers a grant to a new account for some seconds (crewlet's ErrAccountNotReady).
   */
  function person(orgId: string, accountId: string, toGrant = false): { displayName: string; email: string; kind: "service-account" | "site-admin" } | undefined {
    const a = store.accountByProductId(orgId, accountId);
    if (a && toGrant && ctx.nowMs() - Date.parse(a.createdAt) < ctx.atlassian.accountReadyDelayMs) return undefined;
    if (a) return { displayName: a.displayName, email: a.email, kind: "service-account" };
    const admin = store.access.siteAdminByAccountId(orgId, accountId);
    return admin && { displayName: admin.displayName, email: admin.email, kind: "site-admin" };
  }

  /** The site's space-role mode; with `atlassian.roleModeEndpoint: absent` a site from before roles. */
  const confluenceMode = (orgId: string) => (ctx.atlassian.roleModeEndpoint === "absent" ? ("PRE_ROLES" as const) : store.access.confluenceMode(orgId));

  /**
   * The preHandlers of a route that takes injected faults (Jira role, Confluence role and
   * permission routes), a lost answer in `bodyOf`'s shape.
   */
  const injectedFaults = (bodyOf: ErrorBodyOf) => [faults.draw(bodyOf), faults.latency];

  return { ctx, publicOnly, tags, confluenceMode, authenticate, authorize, actorOf, levelOn, notFound, origin, jiraBase, wikiBase, ensurePlace, person, injectedFaults };
}

export type ProductPlane = ReturnType<typeof productPlane>;
