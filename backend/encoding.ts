/**
 * Request bodies sent with a Content-Encoding: gzip (or x-gzip), deflate and br are decoded,
 * in the reverse of the order listed (`Content-Encoding: br, gzip` was brotli'd first); any
 * other coding is refused with 415 and `Accept-Encoding` naming what is decoded (RFC 9110
 * 15.5.16), never ignored: a body read as plain text while declared encoded is not what the
 * caller meant. Both what arrives and what it decodes to are held to the body limit, so a
 * small compressed body that would inflate to gigabytes stops at the limit with a 413.
 */
import { PassThrough, Transform, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "./errors";

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
export const ACCEPT_ENCODING = "gzip, deflate, br";
/** Three codings stacked is more than any client sends; more only burns CPU. */
const MAX_CODINGS = 3;

const tooLarge = (limit: number) => new ApiError(413, "payload.tooLarge", `the request body is larger than ${limit} bytes (after decoding its Content-Encoding)`);

/** Counts bytes through it and fails past `limit`. */
function meter(limit: number, onCount: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      onCount(n);
      if (n > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
}

/** A `preParsing` hook: the body stream Fastify parses, decoded. */
export function decodeContent(limit: number) {
  return async function decode(req: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
    const header = req.headers["content-encoding"];
    if (header === undefined) return payload;
    const codings = header
      .split(",")
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== "" && c !== "identity");
    const length = req.headers["content-length"];
    const hasBody = req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
    if (codings.length === 0 || !hasBody) return payload;
    const unknown = codings.find((c) => !Object.hasOwn(DECODERS, c));
    if (unknown !== undefined || codings.length > MAX_CODINGS) {
      const what = unknown !== undefined ? `Content-Encoding ${JSON.stringify(unknown.slice(0, 40))} is not supported` : `more than ${MAX_CODINGS} Content-Encodings`;
      throw new ApiError(415, "unsupported.mediaType", `${what}: send the body unencoded, or encoded with gzip, deflate or br`, undefined, {
        "accept-encoding": ACCEPT_ENCODING,
      });
    }

    // Fastify never reads the body of these: decoding it would only fill buffers nobody drains.
    if (req.method === "GET" || req.method === "HEAD") return payload;

    // Fastify compares `receivedEncodedLength` with Content-Length and the body limit.
    const out = new PassThrough() as PassThrough & { receivedEncodedLength: number };
    out.receivedEncodedLength = 0;
    const stages: Transform[] = [meter(limit, (n) => (out.receivedEncodedLength = n))];
    for (const c of [...codings].reverse()) {
      const d = DECODERS[c]!();
      d.on("error", (e: Error) => fail(e instanceof ApiError ? e : new ApiError(400, "validation.failed", `the body is not valid ${c} data, as its Content-Encoding says`)));
      stages.push(d);
    }
    stages.push(meter(limit, () => {}));
    stages[0]!.on("error", fail);
    stages[stages.length - 1]!.on("error", fail);
    payload.on("error", fail);

    let failed = false;
    function fail(e: Error) {
      if (failed) return;
      failed = true;
      payload.unpipe(stages[0]);
      for (const s of stages) s.destroy();
      out.destroy(e);
    }
    let s: Readable = payload;
    for (const stage of stages) s = s.pipe(stage);
    s.pipe(out);
    return out;
  };
}
