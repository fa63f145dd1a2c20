/**
 * Opaque page cursors: `<payload>.<mac>`, HMAC-signed with a key kept in the database, and
 * bound to the list they came from (org, resource, filters). A forged, altered or foreign
 * cursor fails the check and the request gets a 400 naming `cursor`.
 */
import { timingSafeEqual } from "node:crypto";
import { invalid } from "./errors";
import { hmac } from "./secrets";

export class Cursors {
  constructor(private readonly key: Buffer) {}

  encode(list: string, after: number): string {
    const payload = Buffer.from(JSON.stringify({ a: after }), "utf8").toString("base64url");
    return `${payload}.${this.mac(list, payload)}`;
  }

  /** The position after which the page starts; 0 without a cursor. */
  decode(list: string, cursor: string | undefined): number {
    if (cursor === undefined) return 0;
    const bad = () => invalid("cursor is not valid for this list (altered, or from another list); start again without it", "/cursor");
    const [payload, mac, ...rest] = cursor.split(".");
    if (!payload || !mac || rest.length) throw bad();
    const want = Buffer.from(this.mac(list, payload), "base64url");
    const got = Buffer.from(mac, "base64url");
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw bad();
    try {
      const a = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { a?: unknown }).a;
      if (typeof a === "number" && Number.isSafeInteger(a) && a >= 0) return a;
    } catch {
      /* falls through to the 400 */
    }
    throw bad();
  }

  private mac(list: string, payload: string): string {
    return hmac(this.key, `${list}\n${payload}`).subarray(0, 18).toString("base64url");
  }
}
