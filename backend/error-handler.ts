/**
 * The one error handler, in the error body of the service a scope stands in for. Each scope
 * sets it with its own body (`scope.setErrorHandler(errorHandler(redactor, bodyOf))`), and
 * fastify answers a failure anywhere in a request (a hook, parsing, validation, the handler)
 * with the handler of the scope its route was registered in: Atlassian's admin shape on its
 * public admin routes, Jira's and Confluence's own on the product plane, the contract's on
 * the extensions and for everything outside a scope (no route, `/healthz`). A zod failure
 * becomes a 400 naming each field; anything unexpected a 500 that says nothing about
 * internals; a detail never echoes a credential.
 */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { describeIssues } from "../sdk/schemas";
import { BODY_LIMIT } from "./body";
import { ApiError, errorBody, type ErrorItem } from "./errors";
import type { Redactor } from "./redact";

/** A zod failure, carried through fastify's validation step to the error handler. */
export class SchemaValidationError extends Error {
  constructor(readonly zod: z.ZodError) {
    super("validation failed");
  }
}

/** Validates with the route's zod schema; a failure goes to the error handler whole. */
export const zodValidator: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data: unknown) => {
    const r = schema.safeParse(data);
    return r.success ? { value: r.data } : { error: new SchemaValidationError(r.error) };
  };

/** A surface's error body: `items` answered with `status`. */
export type ErrorBodyOf = (status: number, items: ErrorItem[], req: FastifyRequest) => unknown;

/** The contract's error body (`errors.ts`): the extensions', and every refusal outside a surface's scope. */
export const contractErrorBody: ErrorBodyOf = (status, items, req) => errorBody(status, items, req.id);

/** What a failure means, as an ApiError: a zod failure, a body fastify could not read, or a 500. */
function asApiError(err: FastifyError | ApiError | SchemaValidationError, req: FastifyRequest): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof SchemaValidationError) {
    const where = (err as unknown as { validationContext?: string }).validationContext;
    const what = where === "querystring" ? "query parameter" : where === "params" ? "path parameter" : where === "headers" ? "header" : "field";
    return new ApiError(
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
  }
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new ApiError(413, "payload.tooLarge", `the request body is larger than ${BODY_LIMIT} bytes`);
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new ApiError(415, "validation.failed", "send the body as JSON with Content-Type: application/json");
  const status = err.statusCode;
  if (status && status >= 400 && status < 500) {
    return new ApiError(status === 413 ? 413 : 400, status === 413 ? "payload.tooLarge" : "validation.failed", "the request could not be read: check its body, Content-Type and encoding");
  }
  req.log.error({ err }, "request failed");
  return new ApiError(500, "internal", `the server failed; retry later, quoting request id ${req.id}`);
}

/** The error handler of a scope whose failures answer in `bodyOf`'s shape. */
export function errorHandler(redactor: Redactor, bodyOf: ErrorBodyOf) {
  return function sendError(err: FastifyError | ApiError | SchemaValidationError, req: FastifyRequest, reply: FastifyReply) {
    let e = asApiError(err, req);
    // A detail may quote what was sent (a path, a key); a credential in it is never echoed back.
    e = e.rendered ? e : new ApiError(e.status, e.items.map((i) => ({ ...i, detail: redactor.text(i.detail) })), undefined, undefined, e.headers);
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    const status = e.items.length > 1 ? 400 : e.status;
    return reply.code(status).type("application/json").send(e.rendered ?? bodyOf(status, e.items, req));
  };
}
