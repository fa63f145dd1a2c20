/**
 * Builds the Fastify app (without listening) from plugins, as fastify's own examples do: zod on
 * every route, X-Request-Id and rate-limit headers on every response, decoded request
 * Content-Encoding, metrics, a request log that masks credentials, and then the surfaces, each
 * an encapsulated plugin with its own hooks and its own error body: the admin API
 * (`admin.ts`: Atlassian's routes and this backend's extensions), the product plane (Jira and
 * Confluence, each registered under the gateway's `/ex/{product}/:cloudId` prefix and again at
 * the site's own URL) and operations. A refusal outside them answers in the contract's body.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import swagger from "@fastify/swagger";
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { adminApi } from "./admin";
import { BODY_LIMIT, parseJson } from "./body";
import { Context } from "./context";
import { contractErrorBody, errorHandler, zodValidator } from "./error-handler";
import { ApiError, errorBody } from "./errors";
import { clientErrorHandler } from "./client-errors";
import { decodeContent } from "./encoding";
import { loggerOptions, type LogSink } from "./logging";
import { Redactor } from "./redact";
import { FaultHooks, FaultInjector, type FaultSpec } from "./faults";
import { Metrics } from "./metrics";
import { RateLimiter, type RateLimitSpec } from "./ratelimit";
import { sha256 } from "./secrets";
import type { Store } from "./store";
import { productPlane } from "./routes/product-plane";
import { jiraRoutes } from "./routes/jira";
import { confluenceRoutes } from "./routes/confluence";
import { opsRoutes } from "./routes/ops";
import { atlassianOptions, type AtlassianOptions } from "./atlassian";

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
  /** Serve the admin console's routes, which Atlassian does not support (see `console.ts`). */
  consoleRoutes?: boolean;
  /** The stand-in's switches (see `atlassian.ts`); defaults there. */
  atlassian?: Partial<AtlassianOptions>;
  /** The cloud id of the site served at the site-URL form (`/rest/api/3/...`, `/wiki/...`): the default org's. */
  siteCloudId?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(opts: AppOptions): Promise<{ app: FastifyInstance; ctx: Context; metrics: Metrics }> {
  const redactor = new Redactor(opts.knownSecrets);
  const atlassian = atlassianOptions(opts.atlassian, opts.publicOnly ?? false);
  const ctx = new Context(opts.store, opts.now, redactor, atlassian);
  const metrics = new Metrics();
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit) : null;
  const faults = new FaultHooks(opts.faults ? new FaultInjector(opts.faults) : null, metrics);

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

  app.setValidatorCompiler(zodValidator);
  app.setSerializerCompiler(serializerCompiler);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: BODY_LIMIT }, parseJson);
  app.addHook("preParsing", decodeContent(BODY_LIMIT));

  // Outside the surfaces' scopes (no route, /healthz, /metrics), failures answer in the contract's body.
  const sendError = errorHandler(redactor, contractErrorBody);
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req, reply) =>
    sendError(new ApiError(404, "endpoint.notFound", `no endpoint ${req.method} ${redactor.url(req.url.split("?")[0]!).slice(0, 200)}; the API is described at /openapi.json`), req, reply),
  );

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

  // A request whose injected fault is `lost` loses its answer here, after its change landed.
  app.addHook("onSend", faults.loseAnswer);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(adminApi, { ctx, faults, publicOnly: opts.publicOnly ?? false, consoleRoutes: opts.consoleRoutes ?? false });
  const plane = productPlane(ctx, faults, opts.publicOnly ?? false, opts.siteCloudId);
  // Through the gateway (`/ex/{product}/{cloudId}`, scoped tokens), and at the site's own URL
  // (`https://<site>.atlassian.net/rest/api/3/...`, `/wiki/...`, classic tokens): one site, the default org's.
  await typed.register(jiraRoutes, { prefix: "/ex/jira/:cloudId", plane });
  await typed.register(confluenceRoutes, { prefix: "/ex/confluence/:cloudId", plane });
  await typed.register(jiraRoutes, { plane, site: true });
  await typed.register(confluenceRoutes, { plane, site: true });
  await typed.register(async (ops) => opsRoutes(ops, ctx, metrics));

  return { app, ctx, metrics };
}

