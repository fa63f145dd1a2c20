import { expect } from "chai";
import * as net from "node:net";
import { clientErrorHandler } from "../../backend/client-errors";
import { Metrics } from "../../backend/metrics";
import { Redactor } from "../../backend/redact";
import { expectContractError, expectNoLeak, loggedBackend, rawRequest, type LoggedBackend } from "./wire";

/**
 * Requests Node's HTTP parser refuses before any route runs still get the contract's error
 * body and an X-Request-Id, and the connection is closed (the rest of its bytes cannot be
 * trusted to frame a next request).
 */
describe("backend: requests the HTTP parser refuses", function () {
  this.timeout(60_000);
  const ADMIN = "pasak_" + "P".repeat(43);
  let b: LoggedBackend;
  let path: string;
  before(async () => {
    b = await loggedBackend(ADMIN);
    path = `/admin/api-access/v1/orgs/${b.orgId}/service-accounts`;
  });
  after(() => b?.close());
  afterEach(async () => {
    expect((await fetch(`${b.url}/healthz`)).status, "the server still serves").to.equal(200);
  });

  const head = (lines: string[]) => lines.join("\r\n") + "\r\n\r\n";

  it("answers a 100 KB header with 431 headers.tooLarge, and logs none of it", async () => {
    const res = await rawRequest(
      b.port,
      head([`GET ${path} HTTP/1.1`, "Host: x", `Authorization: Bearer ${ADMIN}`, `X-Padding: ${ADMIN}${"a".repeat(100 * 1024)}`]),
    );
    expectContractError(res, 431, "headers.tooLarge");
    expect(res.headers.connection).to.equal("close");
    expect(res.body.errors[0].detail).to.match(/headers/);
    await b.settle();
    expect(b.log()).to.include(`"reqId":"${res.headers["x-request-id"]}"`);
    expectNoLeak(b.log(), [ADMIN], "the log");
  });

  it("answers Content-Length with Transfer-Encoding: chunked with 400 request.malformed", async () => {
    const body = '{"name":"smuggle"}';
    for (const te of ["chunked", "gzip, chunked"]) {
      const res = await rawRequest(
        b.port,
        head([`POST ${path} HTTP/1.1`, "Host: x", `Authorization: Bearer ${ADMIN}`, "Content-Type: application/json", `Content-Length: ${body.length}`, `Transfer-Encoding: ${te}`]) +
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      expectContractError(res, 400, "request.malformed");
      expect(res.body.errors[0].detail).to.match(/Content-Length/);
      expect(res.headers.connection).to.equal("close");
    }
  });

  it("answers two Content-Length headers, equal or not, with 400 request.malformed", async () => {
    for (const [a, c] of [[2, 2], [2, 40]]) {
      const res = await rawRequest(b.port, head([`POST ${path} HTTP/1.1`, "Host: x", `Authorization: Bearer ${ADMIN}`, "Content-Type: application/json", `Content-Length: ${a}`, `Content-Length: ${c}`]) + "{}");
      expectContractError(res, 400, "request.malformed");
      expect(res.body.errors[0].detail).to.match(/Content-Length twice/);
    }
  });

  it("answers a folded header line with 400 request.malformed, keeping the caller's X-Request-Id", async () => {
    const res = await rawRequest(b.port, head(["GET /healthz HTTP/1.1", "Host: x", "X-Request-Id: trace-fold-1", "X-Folded: first", "  continued"]));
    expectContractError(res, 400, "request.malformed");
    expect(res.headers["x-request-id"]).to.equal("trace-fold-1");
    expect(res.body.errors[0].detail).to.match(/one line/);
  });

  it("answers a request line that is not HTTP with 400 request.malformed", async () => {
    const res = await rawRequest(b.port, "G@T / HTTP/1.1\r\nHost: x\r\n\r\n");
    expectContractError(res, 400, "request.malformed");
  });

  it("answers a broken chunk in a body being read with 400 request.malformed", async () => {
    const res = await rawRequest(
      b.port,
      head([`POST ${path} HTTP/1.1`, "Host: x", `Authorization: Bearer ${ADMIN}`, "Content-Type: application/json", "Transfer-Encoding: chunked"]) + "zz\r\n{}\r\n0\r\n\r\n",
    );
    expectContractError(res, 400, "request.malformed");
    expect(res.body.errors[0].detail).to.match(/chunked body/);
  });

  it("answers an HTTP/1.1 request without Host with 400 request.malformed (Node's own answer has no body)", async () => {
    const res = await rawRequest(b.port, head(["GET /healthz HTTP/1.1", "Connection: close"]));
    expectContractError(res, 400, "request.malformed");
    expect(res.body.errors[0].detail).to.match(/Host header/);
    const old = await rawRequest(b.port, head(["GET /healthz HTTP/1.0"]));
    expect(old.status, "HTTP/1.0 needs no Host").to.equal(200);
  });

  it("answers a request pipelined before the bad bytes first, then refuses the rest", async () => {
    const res = await rawRequest(b.port, head(["GET /healthz HTTP/1.1", "Host: x"]) + head(["GET /healthz HTTP/1.1", "Host: x", "Content-Length: 1", "Content-Length: 2"]));
    expect(res.status, "the first request's answer").to.equal(200);
    const second = res.text.slice(res.text.indexOf("HTTP/1.1 "));
    expect(second).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(second).to.include("X-Request-Id: ").and.include("Connection: close").and.include('"code":"request.malformed"');
  });

  it("counts parser refusals in /metrics", async () => {
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).to.match(/http_requests_total\{method="GET",route="unparsed",status="431"\} [1-9]/);
    expect(metrics).to.match(/route="unparsed",status="400"\} [1-9]/);
  });

  // Node checks request timeouts every 30 s at the soonest, too slow for a test through the
  // server: the handler is driven directly with the error Node raises, on a real socket.
  it("answers a request too slow to arrive with 408 request.timeout, retryable", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      server.once("connection", (socket) => {
        const timeout = Object.assign(new Error("Request timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT", rawPacket: Buffer.from("GET /healthz HTTP/1.1\r\nX-Request-Id: slow-1\r\n") });
        clientErrorHandler(new Metrics(), new Redactor()).call({ log: { info: () => {} } } as never, timeout as never, socket);
      });
      const res = await rawRequest(port, "GET /healthz HTTP/1.1\r\n");
      expectContractError(res, 408, "request.timeout");
      expect(res.headers["x-request-id"]).to.equal("slow-1");
      expect(res.body.errors[0].meta.retryable).to.equal(true);
    } finally {
      server.close();
    }
  });
});
