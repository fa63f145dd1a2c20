/**
 * The product plane: proof that a token works, as Atlassian's product APIs are called
 * (`/ex/jira/{cloudId}/...`, `/ex/confluence/{cloudId}/...`) with HTTP Basic `<email>:<token>`
 * or `Bearer <token>`. Bad, revoked or expired token, deleted or suspended account: 401.
 * Scope or binding missing: 403 `{"code":403,"message":...}` saying which. Each use is an
 * audit event and sets the token's lastUsedAt.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Role } from "../../sdk/schemas";
import type { Context, ZodApp } from "../context";
import { ApiError } from "../errors";
import { hashSecret, sameHash } from "../secrets";
import { GroupCommit } from "../usage";
import type { OrgRow } from "../store";

interface Holder {
  orgId: string;
  cloudId: string;
  tokenId: string;
  scopes: string[];
  serviceAccountId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    holder?: Holder;
  }
}

const KEY = /^[A-Z][A-Z0-9]{1,9}$/;
const SPACE_KEY = /^~?[A-Za-z0-9]{1,255}$/;
const CloudParams = z.object({ cloudId: z.string().max(200) });
/** 401, 403 and 404 of the product plane, in the shape of Atlassian's product APIs. */
const Message = z.object({ code: z.number(), message: z.string() });
const DENIALS = { 401: Message, 403: Message, 404: Message };

export function productRoutes(app: ZodApp, ctx: Context): void {
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

  // Auth reads of the hot path, valid until the next admin change (see Context.generation).
  const holders = new Map<string, { gen: number; value: ReturnType<typeof store.tokenHolder> }>();
  const roleCache = new Map<string, { gen: number; value: Role | undefined }>();
  const cached = <V>(m: Map<string, { gen: number; value: V }>, k: string, read: () => V): V => {
    const hit = m.get(k);
    if (hit && hit.gen === ctx.generation) return hit.value;
    if (m.size > 10_000) m.clear();
    const value = read();
    m.set(k, { gen: ctx.generation, value });
    return value;
  };

  function denied(req: FastifyRequest, orgId: string, status: 401 | 403, message: string, target: { type: string; id: string }, actorId?: string): ApiError {
    ctx.audit(req, {
      orgId,
      action: "request.denied",
      actor: actorId ? { type: "service-account", id: actorId } : { type: "anonymous", id: "unknown" },
      target,
      outcome: "denied",
    });
    return new ApiError(status, status === 401 ? "unauthorized" : "forbidden.insufficientScope", message);
  }

  /** 401 unless the request carries a live token of this site's org. */
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
    if (!t || !sameHash(t.hash, hash) || t.orgId !== org.id) throw denied(req, org.id, 401, "the API token is not valid for this site", target);
    const actor = t.serviceAccountId;
    if (t.revoked) throw denied(req, org.id, 401, "the API token is revoked", target, actor);
    if (t.expiresAt <= ctx.now()) throw denied(req, org.id, 401, "the API token has expired", target, actor);
    if (t.accountStatus === null) throw denied(req, org.id, 401, "the service account of this token was deleted", target, actor);
    if (t.accountStatus !== "active") throw denied(req, org.id, 401, "the service account of this token is suspended", target, actor);
    if (email !== undefined && email.toLowerCase() !== t.accountEmail!.toLowerCase()) {
      throw denied(req, org.id, 401, "the email does not belong to this token's service account", target, actor);
    }
    req.holder = { orgId: org.id, cloudId: org.cloudId, tokenId: t.id, scopes: t.scopes, serviceAccountId: t.serviceAccountId };
  }

  /** 403 unless the token holds one of `scopes` and the account a binding on `resource` with a role in `roles`. */
  async function authorize(req: FastifyRequest, scopes: string[], resource: string, roles: Role[], what: string): Promise<void> {
    const h = req.holder!;
    const target = { type: resource.split("/")[0]!, id: resource };
    if (!scopes.some((s) => h.scopes.includes(s))) {
      throw denied(req, h.orgId, 403, `the token lacks a scope to ${what}: it needs ${scopes.join(" or ")}`, target, h.serviceAccountId);
    }
    const role = cached(roleCache, `${h.serviceAccountId}\n${resource}`, () => store.roleOn(h.serviceAccountId, resource));
    if (!role) throw denied(req, h.orgId, 403, `the service account has no scope binding on ${resource}`, target, h.serviceAccountId);
    if (!roles.includes(role)) {
      throw denied(req, h.orgId, 403, `the service account's role on ${resource} is ${role}; to ${what} it needs ${roles.join(" or ")}`, target, h.serviceAccountId);
    }
    await usage.run(() => {
      store.touchToken(h.tokenId, ctx.now());
      ctx.audit(req, {
        orgId: h.orgId,
        action: "api-token.used",
        actor: { type: "service-account", id: h.serviceAccountId },
        target: { type: "api-token", id: h.tokenId },
        outcome: "success",
      });
    });
  }

  const notFound = (message: string) => new ApiError(404, "not.found", message);
  const ALL: Role[] = ["viewer", "editor", "admin"];
  const WRITERS: Role[] = ["editor", "admin"];
  const tags = ["product plane"];

  app.get(
    "/ex/jira/:cloudId/rest/api/3/project/:key",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Jira project", params: CloudParams.extend({ key: z.string().max(255) }), response: { 200: z.object({ id: z.string(), key: z.string(), name: z.string(), projectTypeKey: z.string(), self: z.string() }), ...DENIALS } },
    },
    async (req) => {
      const { key, cloudId } = req.params;
      if (!KEY.test(key)) throw notFound(`No project could be found with key '${key.slice(0, 20)}'.`);
      await authorize(req, ["read:jira-work", "read:project:jira"], `jira:project/${key}`, ALL, "read Jira projects");
      return { id: String(stableNumber(key)), key, name: key, projectTypeKey: "software", self: `/ex/jira/${cloudId}/rest/api/3/project/${key}` };
    },
  );

  app.post(
    "/ex/jira/:cloudId/rest/api/3/issue",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Jira issue",
        params: CloudParams,
        body: z.object({ fields: z.object({ project: z.object({ key: z.string().max(255) }), summary: z.string().min(1).max(255) }) }),
        response: { 201: z.object({ id: z.string(), key: z.string(), self: z.string() }), ...DENIALS },
      },
    },
    async (req, reply) => {
      const { key } = req.body.fields.project;
      if (!KEY.test(key)) throw notFound(`No project could be found with key '${key.slice(0, 20)}'.`);
      await authorize(req, ["write:jira-work", "write:issue:jira"], `jira:project/${key}`, WRITERS, "create Jira issues");
      const n = store.nextCounter(req.holder!.orgId, `jira:${key}`);
      const id = String(10000 + store.nextCounter(req.holder!.orgId, "jira:issue-id"));
      reply.code(201);
      return { id, key: `${key}-${n}`, self: `/ex/jira/${req.params.cloudId}/rest/api/3/issue/${id}` };
    },
  );

  app.get(
    "/ex/confluence/:cloudId/wiki/api/v2/spaces/:key",
    {
      onRequest: authenticate,
      schema: { tags, summary: "Read a Confluence space", params: CloudParams.extend({ key: z.string().max(255) }), response: { 200: z.object({ id: z.string(), key: z.string(), name: z.string(), type: z.string(), status: z.string() }), ...DENIALS } },
    },
    async (req) => {
      const { key } = req.params;
      if (!SPACE_KEY.test(key)) throw notFound(`No space could be found with key '${key.slice(0, 20)}'.`);
      await authorize(req, ["read:confluence-space.summary", "read:space:confluence"], `confluence:space/${key}`, ALL, "read Confluence spaces");
      return { id: String(stableNumber(key)), key, name: key, type: "global", status: "current" };
    },
  );

  app.post(
    "/ex/confluence/:cloudId/wiki/api/v2/pages",
    {
      onRequest: authenticate,
      schema: {
        tags,
        summary: "Create a Confluence page",
        params: CloudParams,
        body: z.object({ spaceKey: z.string().max(255), title: z.string().min(1).max(255) }).passthrough(),
        response: { 201: z.object({ id: z.string(), title: z.string(), spaceKey: z.string(), status: z.string() }), ...DENIALS },
      },
    },
    async (req, reply) => {
      const { spaceKey, title } = req.body;
      if (!SPACE_KEY.test(spaceKey)) throw notFound(`No space could be found with key '${spaceKey.slice(0, 20)}'.`);
      await authorize(req, ["write:confluence-content", "write:page:confluence"], `confluence:space/${spaceKey}`, WRITERS, "create Confluence pages");
      const id = String(store.nextCounter(req.holder!.orgId, "confluence:page-id"));
      reply.code(201);
      return { id, title, spaceKey, status: "current" };
    },
  );

}

/** A stable numeric id for a key (projects and spaces exist as far as bindings name them). */
function stableNumber(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 10000 + (h % 90000);
}
