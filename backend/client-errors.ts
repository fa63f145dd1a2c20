/**
 * Requests Node's HTTP parser refuses before Fastify sees them: headers over the size limit
 * (431), framing that could smuggle a second request (Content-Length with
 * Transfer-Encoding: chunked, two Content-Lengths, a header folded over two lines) and
 * other malformed HTTP (400), a request that arrives too slowly (408). Node hands over only
 * the raw socket, so the answer is written onto it by hand, in the contract's body, with an
 * X-Request-Id, and the connection is closed: after a framing error the rest of the stream
 * cannot be trusted to start a new request.
 */
import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionError, FastifyInstance } from "fastify";
import type { ErrorCode } from "../sdk/schemas";
import { errorBody } from "./errors";
import type { Metrics } from "./metrics";
import type { Redactor } from "./redact";

const REQUEST_ID = /^x-request-id:[ \t]*([A-Za-z0-9._:-]{1,128})[ \t]*\r?$/im;
const METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /;

function classify(err: ConnectionError): { status: number; code: ErrorCode; detail: string } {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, code: "headers.tooLarge", detail: `the request line and headers are larger than ${maxHeaderSize} bytes: send fewer or shorter headers` };
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "ERR_HTTP_HEADERS_TIMEOUT":
      return { status: 408, code: "request.timeout", detail: "the request did not arrive in time; send it again" };
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return {
        status: 400,
        code: "request.malformed",
        detail: "the request has Content-Length with Transfer-Encoding: chunked, or Content-Length twice: send exactly one of them, once",
      };
    case "HPE_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "request.malformed", detail: "Content-Length is not a single whole number of bytes: send it once, as digits" };
    case "HPE_INVALID_TRANSFER_ENCODING":
      return {
        status: 400,
        code: "request.malformed",
        detail: "Transfer-Encoding is not valid or comes with Content-Length: send Content-Length alone, or Transfer-Encoding: chunked alone",
      };
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_LF_EXPECTED":
    case "HPE_CR_EXPECTED":
    case "HPE_UNEXPECTED_SPACE":
      return {
        status: 400,
        code: "request.malformed",
        detail: "a header line is not valid HTTP: write each header on one line (no folding), as Name: value, ended by CRLF",
      };
    case "HPE_INVALID_CHUNK_SIZE":
    case "HPE_INVALID_EOF_STATE":
      return {
        status: 400,
        code: "request.malformed",
        detail: "the chunked body is not valid: send each chunk as its size in hex, CRLF, the bytes, CRLF, and end with 0 CRLF CRLF",
      };
    case "HPE_INVALID_METHOD":
      return { status: 400, code: "request.malformed", detail: "the request method is not valid HTTP" };
    default:
      return { status: 400, code: "request.malformed", detail: `the request is not valid HTTP/1.1 (${/^[A-Z_]+$/.test(err.code) ? err.code : "parse error"})` };
  }
}

export function clientErrorHandler(metrics: Metrics, redactor: Redactor) {
  const answered = new WeakSet<Socket>();
  return function handle(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
    // A reset socket has nobody to answer.
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    // The parser fails again on every later chunk of the same bad stream: one answer per connection.
    if (answered.has(socket)) return;
    answered.add(socket);
    const { status, code, detail } = classify(err);
    // Node hands over the bytes it had read (typed otherwise by Fastify).
    const packet: unknown = err.rawPacket;
    const raw = Buffer.isBuffer(packet) ? packet.toString("latin1") : "";
    const given = REQUEST_ID.exec(raw)?.[1];
    const id = given !== undefined && !redactor.holdsSecret(given) ? given : randomUUID();
    const method = METHOD.exec(raw)?.[1] ?? "unparsed";
    metrics.observe(method, "unparsed", status, 0);
    // The raw packet may hold credentials: only the parser's code goes to the log.
    this.log.info({ reqId: id, parserError: err.code, res: { statusCode: status } }, "request refused by the HTTP parser");
    const body = JSON.stringify(errorBody(status, [{ code, detail }], id));
    const answer = () => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          "Content-Type: application/json; charset=utf-8\r\n" +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${id}\r\n` +
          "Connection: close\r\n\r\n" +
          body,
      );
      // The client may keep its side open; once the answer is out the socket goes.
      socket.once("finish", () => socket.destroy());
    };
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const inFlight = pending && !pending.writableFinished ? pending : undefined;
    if (inFlight && !inFlight.req.complete) {
      // The bad bytes are this request's own body (a broken chunk): it can never be served.
      // Answer now if its response has not begun, as Node itself does; else just cut it off.
      if (inFlight.headersSent) socket.destroy();
      else answer();
    } else if (inFlight) {
      // A request parsed whole before the bad bytes (pipelined) is answered first; writing
      // now would cut into its response. A handler that never finishes does not hold the
      // connection for ever.
      const cutoff = setTimeout(() => socket.destroy(), 10_000);
      cutoff.unref();
      inFlight.once("finish", () => {
        clearTimeout(cutoff);
        answer();
      });
    } else answer();
  };
}
