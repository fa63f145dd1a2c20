/**
 * The request log's settings (pino, through Fastify). A request line shows the method, the
 * route with credential-bearing parts of the URL masked, and the caller's address; headers
 * and bodies are never logged. Every finished line then passes through the redactor once
 * more, so a secret that reaches any field (an error message, a future log call) is masked
 * before it is written.
 */
import type { FastifyRequest, FastifyServerOptions } from "fastify";
import { REDACTED, SECRET_HEADERS, type Redactor } from "./redact";

/** Where log lines go: anything with `write(line)` (stdout by default). */
export interface LogSink {
  write(line: string): unknown;
}

export function loggerOptions(redactor: Redactor, sink: LogSink = process.stdout): FastifyServerOptions["logger"] {
  return {
    level: "info",
    stream: { write: (line: string) => sink.write(redactor.text(line)) },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactor.url(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
      err: (err: Error & { code?: unknown; statusCode?: unknown }) => ({
        type: err.name,
        ...(typeof err.code === "string" ? { code: err.code } : {}),
        ...(typeof err.statusCode === "number" ? { statusCode: err.statusCode } : {}),
        message: redactor.text(err.message),
        stack: redactor.text(err.stack ?? ""),
      }),
    },
    // Should a log call ever pass headers along, the credential-bearing ones are censored.
    redact: { paths: SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]), censor: REDACTED },
  };
}
