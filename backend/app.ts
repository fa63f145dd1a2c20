/**
 * Builds the Fastify app (without listening): zod on every route, one error body per surface
 * for every failure (Atlassian's admin shape on its public admin routes, Jira's and
 * Confluence's own on the product plane, the contract's on the extensions and for refusals
 * before any route), X-Request-Id and rate-limit headers on every response, admin
 * authentication, idempotency (extensions only), injected faults, metrics, decoded request
 * Content-Encoding, and a request log that masks credentials. The product plane is two route
 * plugins (Jira, Confluence), each registered under the gateway's `/ex/{product}/:cloudId`
 * prefix and again at the site's own URL.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import swagger from "@fastify/swagger";
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import { describeIssues, ErrorBody } from "../sdk/schemas";
import { Context } from "./context";
import { AdminErrorBody, adminErrorBody, ApiError, errorBody, type ErrorItem } from "./errors";
import { clientErrorHandler } from "./client-errors";
import { decodeContent } from "./encoding";
import { loggerOptions, type LogSink } from "./logging";
import { Redactor } from "./redact";
import { FaultInjector, type FaultSpec } from "./faults";
import { adminAuth } from "./auth";
import { Idempotency } from "./idempotency";
import { Metrics } from "./metrics";
import { RateLimiter, type RateLimitSpec } from "./ratelimit";
import { sha256 } from "./secrets";
import type { Store } from "./store";
import { apiKeyRoutes } from "./routes/api-keys";
import { serviceAccountRoutes } from "./routes/service-accounts";
import { apiTokenRoutes } from "./routes/api-tokens";
import { oauthClientRoutes } from "./routes/oauth-clients";
import { scopeBindingRoutes } from "./routes/scope-bindings";
import { eventRoutes } from "./routes/events";
import { confluenceErrorBody, productPlane } from "./routes/product-plane";
import { jiraRoutes } from "./routes/jira";
import { confluenceRoutes } from "./routes/confluence";
import { opsRoutes } from "./routes/ops";
import { extensionRoutes, isExtensionRoute } from "./extensions";
import { atlassianOptions, type AtlassianOptions } from "./atlassian";

export const BODY_LIMIT = 64 * 1024;
export const ADMIN_BASE = "/admin/api-access/v1/orgs/:orgId";

export interface AppOptions {
  store: Store;
  now: () => Date;
  rateLimit: RateLimitSpec | null;
  faults: FaultSpec | null;
  logger?: boolean;
  /** Where the request log goes when `logger` is on; default stdout. */
  logSink?: LogSink;
  /** Secrets known at start (admin keys given as options), masked wherever they appear in a log or an error. */
  knownSecrets?: string[];
  /** Serve Atlassian's public surfaces only (see `extensions.ts`). */
  publicOnly?: boolean;
  /** The stand-in's switches (see `atlassian.ts`); defaults there. */
  atlassian?: Partial<AtlassianOptions>;
  /** The cloud id of the site served at the site-URL form (`/rest/api/3/...`, `/wiki/...`): the default org's. */
  siteCloudId?: string;
}


/** A zod failure, carried through fastify's validation step to the error handler. */
class SchemaValidationError extends Error {
  constructor(readonly zod: z.ZodError) {
    super("validation failed");
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The JSON pointer of the first string (key or value) that is not well-formed UTF-16, such as
 * `"\ud800"`: SQLite would store it as U+FFFD, so what was acknowledged would not be what was sent.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function illFormedString(root: unknown): string | undefined {
  const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return at || "/";
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${at}/${i}`]));
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return `${at}/${esc(k)}`;
        stack.push([x, `${at}/${esc(k)}`]);
      }
    }
  }
  return undefined;
}

export async function buildApp(opts: AppOptions): Promise<{ app: FastifyInstance; ctx: Context; metrics: Metrics }> {
  const redactor = new Redactor(opts.knownSecrets);
  const atlassian = atlassianOptions(opts.atlassian, opts.publicOnly ?? false);
  const ctx = new Context(opts.store, opts.now, redactor, atlassian);
  const metrics = new Metrics();
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit) : null;
  const faults = opts.faults ? new FaultInjector(opts.faults) : null;

  const app = Fastify({
    logger: opts.logger ? loggerOptions(redactor, opts.logSink) : false,
    // Parser-level refusals (431, framing errors) in the contract's body, with X-Request-Id.
    clientErrorHandler: clientErrorHandler(metrics, redactor),
    // Node refuses an HTTP/1.1 request without Host with a bare 400 of its own; the onRequest
    // hook below refuses it in the contract's body instead.
    http: { requireHostHeader: false },
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      // A credential pasted here would be echoed, logged and stored with every audit event.
      return typeof given === "string" && REQUEST_ID.test(given) && !redactor.holdsSecret(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // While draining, requests on open connections are still served (and told to close).
    return503OnClosing: false,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 500 },
    // A URL that cannot be decoded (bad percent-encoding) gets the contract's body too.
    frameworkErrors: (_err, req, reply) => {
      reply.header("x-request-id", req.id);
      const bad = new ApiError(400, "validation.failed", "the URL is not valid: check its percent-encoding");
      void (reply as FastifyReply).code(400).type("application/json").send(errorBody(400, bad.items, req.id));
    },
  });

  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    const r = (schema as z.ZodType).safeParse(data);
    return r.success ? { value: r.data } : { error: new SchemaValidationError(r.error) };
  });
  app.setSerializerCompiler(serializerCompiler);

  // JSON bodies; an empty body is "no body" (DELETE with a Content-Type header), never a crash.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new ApiError(400, "validation.failed", "the request body is not valid JSON", "/"), undefined);
    }
    const bad = illFormedString(parsed);
    if (bad !== undefined) return done(new ApiError(400, "validation.failed", "text must be well-formed Unicode (no lone surrogate escapes)", bad), undefined);
    done(null, parsed);
  });

  app.addHook("preParsing", decodeContent(BODY_LIMIT));

  app.setErrorHandler((err: FastifyError | ApiError | SchemaValidationError, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    sendError(new ApiError(404, "endpoint.notFound", `no endpoint ${req.method} ${redactor.url(req.url.split("?")[0]!).slice(0, 200)}; the API is described at /openapi.json`), req, reply),
  );

  function sendError(err: FastifyError | ApiError | SchemaValidationError, req: FastifyRequest, reply: FastifyReply) {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof SchemaValidationError) {
      const where = (err as unknown as { validationContext?: string }).validationContext;
      const what = where === "querystring" ? "query parameter" : where === "params" ? "path parameter" : where === "headers" ? "header" : "field";
      e = new ApiError(
        400,
        describeIssues(err.zod).map((i) => ({
          code: "validation.failed" as const,
          detail:
            i.pointer === "/"
              ? where === "body" ? `the body must be a JSON object: ${i.message}` : i.message
              : /received undefined$/.test(i.message)
                ? `${what} ${i.pointer.slice(1)} is required`
                : `${what} ${i.pointer.slice(1)}: ${i.message}`,
          pointer: i.pointer,
        })),
      );
    } else if ((err as FastifyError).code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      e = new ApiError(413, "payload.tooLarge", `the request body is larger than ${BODY_LIMIT} bytes`);
    } else if ((err as FastifyError).code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      e = new ApiError(415, "validation.failed", "send the body as JSON with Content-Type: application/json");
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! >= 400 && (err as FastifyError).statusCode! < 500) {
      const status = (err as FastifyError).statusCode!;
      e = new ApiError(status === 413 ? 413 : 400, status === 413 ? "payload.tooLarge" : "validation.failed", "the request could not be read: check its body, Content-Type and encoding");
    } else {
      req.log.error({ err }, "request failed");
      e = new ApiError(500, "internal", `the server failed; retry later, quoting request id ${req.id}`);
    }
    // A detail may quote what was sent (a path, a key); a credential in it is never echoed back.
    e = e.rendered ? e : new ApiError(e.status, e.items.map((i) => ({ ...i, detail: redactor.text(i.detail) })), undefined, undefined, e.headers);
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    const status = e.items.length > 1 ? 400 : e.status;
    return reply.code(status).type("application/json").send(e.rendered ?? errorFor(req, status, e.items));
  }

  /**
   * The error body each surface answers as the service it stands in for does: Jira's and
   * Confluence's own on the product plane, Atlassian's admin shape on the public admin
   * routes, the contract's on the extensions and everything else.
   */
  function errorFor(req: FastifyRequest, status: number, items: ErrorItem[]): unknown {
    const config = req.routeOptions?.config;
    if (config?.product === "jira") return { errorMessages: items.map((i) => i.detail), errors: {} };
    if (config?.product === "confluence-v1") return { statusCode: status, message: items[0]!.detail };
    if (config?.product === "confluence") return confluenceErrorBody(status, items);
    if (config?.admin && !config.extension) return adminErrorBody(status, items);
    return errorBody(status, items, req.id);
  }

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Identity backend: Atlassian service accounts, API tokens, scope bindings",
        version: "1",
        description: "Admin API (Bearer org admin API key), product plane (HTTP Basic email:token), audit events, operations.",
      },
      components: { securitySchemes: { adminKey: { type: "http", scheme: "bearer" }, token: { type: "http", scheme: "basic" } } },
    },
    transform: jsonSchemaTransform,
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
    if (req.raw.httpVersion === "1.1" && req.headers.host === undefined) {
      throw new ApiError(400, "request.malformed", "an HTTP/1.1 request needs a Host header");
    }
    if (!limiter) return;
    const auth = req.headers.authorization;
    const key = auth ? `k:${sha256(auth).slice(0, 32)}` : `ip:${req.ip}`;
    const d = limiter.take(key);
    reply.header("x-ratelimit-limit", String(d.limit));
    reply.header("x-ratelimit-remaining", String(d.remaining));
    reply.header("x-ratelimit-reset", String(d.resetEpochSeconds));
    if (d.retryAfterSeconds !== undefined) {
      deniedEvent(req, "rate.limited");
      throw new ApiError(429, "rate.limited", `rate limit of ${d.limit} requests reached; retry after ${d.retryAfterSeconds} s`, undefined, {
        "retry-after": String(d.retryAfterSeconds),
      });
    }
  });

  /** A refused request before authentication (rate limit): logged to the org it aimed at. */
  function deniedEvent(req: FastifyRequest, why: string) {
    const p = (req.params ?? {}) as Record<string, string | undefined>;
    const org = p.orgId ? opts.store.org(p.orgId) : p.cloudId ? opts.store.orgByCloudId(p.cloudId) : undefined;
    if (!org) return;
    ctx.audit(req, {
      orgId: org.id,
      action: "request.denied",
      target: { type: why, id: req.routeOptions.url ?? "unknown" },
      outcome: "denied",
    });
  }

  // While draining, every response closes its connection, so keep-alive clients cannot
  // hold the server open after their in-flight request is answered.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });

  app.addHook("onResponse", async (req, reply) => {
    metrics.observe(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });

  // Admin routes: authenticate before the body is read, then guard idempotency, then faults.
  const idempotency = new Idempotency(ctx);
  app.addHook("onRoute", (route) => {
    if (route.config?.faults) {
      // Product-plane routes that take injected faults (Jira role, Confluence role and permission writes).
      const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
      route.preHandler = [...existing, faultHook as never, latencyHook as never];
    }
    if (!route.config?.admin) return;
    // Every admin failure has Atlassian's error body (the contract's on an extension); declaring it documents it in /openapi.json.
    const shape = [route.method].flat().some((m) => isExtensionRoute(m, route.url)) ? ErrorBody : AdminErrorBody;
    if (route.schema) route.schema.response = { ...(route.schema.response as object), "4xx": shape, "5xx": shape };
    const handler = route.handler;
    route.handler = async function (this: FastifyInstance, req, reply) {
      try {
        return await handler.call(this, req, reply);
      } finally {
        idempotency.release(req);
      }
    };
    const add = <T>(existing: T | T[] | undefined, ...hooks: T[]): T[] => [...hooks, ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])];
    route.onRequest = add(route.onRequest, adminAuth(ctx) as never);
    route.preHandler = add(route.preHandler, ...([faultHook, idempotency.guard, latencyHook] as never[]));
  });
  // After the admin hook, so an extension refuses before authentication.
  extensionRoutes(app, opts.publicOnly ?? false);

  const latency = new WeakMap<FastifyRequest, number>();
  async function faultHook(req: FastifyRequest, reply: FastifyReply) {
    if (!faults) return;
    const f = faults.draw();
    if (f.latencyMs > 0) latency.set(req, f.latencyMs);
    if (f.kind === "none") return;
    metrics.fault(f.kind);
    if (f.kind === "error5xx") throw new ApiError(500, "internal", "injected fault (--faults error5xx): the server failed this request; retry it");
    if (f.kind === "throttle") {
      throw new ApiError(429, "rate.limited", "injected fault (--faults throttle): slow down and retry after 1 s", undefined, { "retry-after": "1" });
    }
    if (f.kind === "lost") {
      // The handler runs and its change lands; the answer is lost on the way out (onSend below).
      lost.add(req);
      return;
    }
    reply.hijack();
    metrics.observe(req.method, req.routeOptions.url ?? "unmatched", "reset", 0);
    req.raw.socket?.destroy();
  }
  const lost = new WeakSet<FastifyRequest>();
  app.addHook("onSend", async (req, reply, payload) => {
    if (!faults || !lost.has(req)) return payload;
    lost.delete(req);
    if (faults.coin()) {
      // The connection drops after the change: the client sees a reset, never the answer.
      metrics.observe(req.method, req.routeOptions.url ?? "unmatched", "reset", 0);
      req.raw.socket?.destroy();
      return payload;
    }
    reply.code(500).type("application/json");
    const bad = new ApiError(500, "internal", "injected fault (--faults lost): the request was carried out, but its answer was lost");
    return JSON.stringify(errorFor(req, 500, bad.items));
  });
  async function latencyHook(req: FastifyRequest) {
    const ms = latency.get(req);
    if (ms) await new Promise((r) => setTimeout(r, ms));
  }

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(async (admin) => {
    apiKeyRoutes(admin, ctx);
    serviceAccountRoutes(admin, ctx);
    apiTokenRoutes(admin, ctx);
    oauthClientRoutes(admin, ctx);
    scopeBindingRoutes(admin, ctx);
  }, { prefix: ADMIN_BASE });
  await typed.register(async (events) => eventRoutes(events, ctx));
  const plane = productPlane(ctx, opts.publicOnly ?? false, opts.siteCloudId);
  // Through the gateway (`/ex/{product}/{cloudId}`, scoped tokens), and at the site's own URL
  // (`https://<site>.atlassian.net/rest/api/3/...`, `/wiki/...`, classic tokens): one site, the default org's.
  await typed.register(jiraRoutes, { prefix: "/ex/jira/:cloudId", plane });
  await typed.register(confluenceRoutes, { prefix: "/ex/confluence/:cloudId", plane });
  await typed.register(jiraRoutes, { plane, site: true });
  await typed.register(confluenceRoutes, { plane, site: true });
  await typed.register(async (ops) => opsRoutes(ops, ctx, metrics));

  return { app, ctx, metrics };
}

