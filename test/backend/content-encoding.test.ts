import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { basic, expectAdminError, uniqueName } from "./helper";
import { loggedBackend, rawRequest, type LoggedBackend } from "./wire";

const ENCODE: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, "x-gzip": gzipSync, deflate: deflateSync, br: brotliCompressSync, identity: (b) => b };

/** `body` encoded as `Content-Encoding: <codings>` says: the first listed was applied first. */
const encode = (body: string | Buffer, codings: string[]) => codings.reduce<Buffer>((b, c) => ENCODE[c]!(b), Buffer.from(body));

/**
 * A request body's Content-Encoding is decoded (gzip, deflate, br), held to the body limit
 * after decoding, and refused with 415 when it is anything else: never ignored.
 */
describe("backend: Content-Encoding of request bodies", function () {
  this.timeout(60_000);
  const ADMIN = "pasak_" + "E".repeat(43);
  let b: LoggedBackend;
  const accounts = () => `${b.url}/admin/api-access/v1/orgs/${b.orgId}/service-accounts`;
  const create = async (body: Buffer | string, encoding: string | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(accounts(), {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", ...(encoding === undefined ? {} : { "content-encoding": encoding }), ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  };
  const exists = async (name: string) => {
    const res = await fetch(`${accounts()}?limit=80`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return ((await res.json()) as any).items.some((a: any) => a.displayName === name);
  };

  before(async () => {
    b = await loggedBackend(ADMIN);
  });
  after(() => b?.close());
  afterEach(async () => {
    expect((await fetch(`${b.url}/healthz`)).status, "the server still serves").to.equal(200);
  });

  it("refuses a plain body declared as br, gzip, deflate, and creates nothing", async () => {
    const name = uniqueName("plain");
    const res = await create(JSON.stringify({ displayName: name }), "br, gzip, deflate");
    expectAdminError(res as never, 400, "ADMIN-400-24");
    expect(res.body.errors[0].detail).to.match(/not valid deflate data/);
    expect(await exists(name)).to.equal(false);
  });

  it("decodes gzip, x-gzip, deflate, br, identity and stacked codings, in the order listed", async () => {
    for (const codings of [["gzip"], ["x-gzip"], ["deflate"], ["br"], ["identity"], ["br", "gzip", "deflate"], ["gzip", "identity", "br"]]) {
      const name = uniqueName("enc");
      const res = await create(encode(JSON.stringify({ displayName: name, description: codings.join(" then ") }), codings), codings.join(", ").toUpperCase());
      expect(res.status, `${codings}: ${res.text}`).to.equal(201);
      expect(res.body.description).to.equal(codings.join(" then "));
    }
  });

  it("decodes a gzip body on the product plane too", async () => {
    const a = await create(JSON.stringify({ displayName: uniqueName("enc") }), undefined);
    const auth = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const t: any = await (
      await fetch(`${accounts()}/${a.body.id}/api-tokens`, { method: "POST", headers: auth, body: JSON.stringify({ label: "e", scopes: ["write:jira-work"], expiresInDays: 2 }) })
    ).json();
    await fetch(`${accounts()}/${a.body.id}/scope-bindings`, { method: "POST", headers: auth, body: JSON.stringify({ resource: "jira:project/ENC", role: "editor" }) });
    const res = await fetch(`${b.url}/ex/jira/${b.cloudId}/rest/api/3/issue`, {
      method: "POST",
      headers: { authorization: basic(a.body.email, t.token), "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify({ fields: { project: { key: "ENC" }, summary: "compressed" } })),
    });
    expect(res.status).to.equal(201);
  });

  it("refuses any other coding with 415 and Accept-Encoding, and creates nothing", async () => {
    for (const coding of ["compress", "zstd", "bogus", "gzip, bogus", "gzip, gzip, gzip, gzip"]) {
      const name = uniqueName("enc");
      const res = await create(JSON.stringify({ displayName: name }), coding);
      expectAdminError(res as never, 415, "ADMIN-415-1", "UNSUPPORTED_MEDIA_TYPE");
      expect(res.headers.get("accept-encoding")).to.equal("gzip, deflate, br");
      expect(await exists(name)).to.equal(false);
    }
  });

  it("answers a body that decodes past 64 KiB with 413 (a compression bomb)", async () => {
    const bomb = JSON.stringify({ displayName: uniqueName("bomb"), description: " ".repeat(20 * 1024 * 1024) });
    for (const codings of [["gzip"], ["br"], ["deflate", "gzip"]]) {
      const body = encode(bomb, codings);
      expect(body.length, "the encoded bomb is small").to.be.below(64 * 1024);
      const started = Date.now();
      const res = await create(body, codings.join(", "));
      expectAdminError(res as never, 413, "ADMIN-413-1", "PAYLOAD_TOO_LARGE");
      expect(Date.now() - started, "decoding stops at the limit").to.be.below(2000);
    }
  });

  it("answers an encoded body over 64 KiB sent chunked with 413, and a corrupt one with 400", async () => {
    const incompressible = gzipSync(randomBytes(80 * 1024));
    const path = `/admin/api-access/v1/orgs/${b.orgId}/service-accounts`;
    const chunked = await rawRequest(
      b.port,
      Buffer.concat([
        Buffer.from(
          `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${incompressible.length.toString(16)}\r\n`,
        ),
        incompressible,
        Buffer.from("\r\n0\r\n\r\n"),
      ]),
    );
    expectAdminError(chunked as never, 413, "ADMIN-413-1");
    const corrupt = gzipSync(JSON.stringify({ displayName: uniqueName("bad") }));
    corrupt[corrupt.length - 6]! ^= 0xff;
    expectAdminError((await create(corrupt, "gzip")) as never, 400, "ADMIN-400-24");
    expectAdminError((await create(corrupt.subarray(0, 10), "gzip")) as never, 400, "ADMIN-400-24");
  });
});
