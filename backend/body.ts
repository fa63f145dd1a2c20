/**
 * Request bodies: the size limit, and JSON as this backend reads it. An empty body is no body
 * (a DELETE with a Content-Type header), never a crash; text that is not well-formed Unicode
 * is refused, since SQLite would store a lone surrogate as U+FFFD and what was acknowledged
 * would not be what was sent.
 */
import type { FastifyRequest } from "fastify";
import { ApiError } from "./errors";

export const BODY_LIMIT = 64 * 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The JSON pointer of the first string (key or value) that is not well-formed UTF-16, such as `"\ud800"`. */
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

/** The `application/json` content-type parser (`parseAs: "string"`). */
export function parseJson(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
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
}
