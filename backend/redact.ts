/**
 * Keeps credentials out of what the backend writes about a request: its log lines and the
 * `detail` of its errors. A caller may put a key or token anywhere (a query parameter such
 * as `?access_token=`, a path segment, a header, a body field), so masking goes two ways:
 * by shape (anything that looks like a secret this backend issues, even cut short or
 * percent-encoded) and by literal (admin keys given at start, which may have any shape).
 */
export const REDACTED = "[REDACTED]";

/** `pasat_`/`pasak_` and whatever follows: a partial token is still part of a secret. */
const SHAPED = /pasa[tk](?:_|%5f)[A-Za-z0-9_%-]*/gi;

/** Query parameters whose values are logged as sent: the API's own, none of which is a credential. */
const PLAIN_PARAMS = new Set(["limit", "cursor", "name", "action", "from", "to"]);

/** Request headers that carry credentials (or, for Idempotency-Key, derive a sealing key). */
export const SECRET_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "idempotency-key"];

function decoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

export class Redactor {
  readonly #literals: string[];

  /** `literals`: secrets known at start (admin keys given by flag); a short one would shred ordinary words, so under 8 characters it is left to the shape rule. */
  constructor(literals: readonly string[] = []) {
    const all = new Set<string>();
    for (const l of literals) {
      if (l.length < 8) continue;
      all.add(l);
      // As it appears inside a JSON log line, and percent-encoded in a URL.
      all.add(JSON.stringify(l).slice(1, -1));
      all.add(encodeURIComponent(l));
    }
    // Longest first, so a literal that contains another is masked whole.
    this.#literals = [...all].sort((a, b) => b.length - a.length);
  }

  /** Whether `s` (as sent, or percent-decoded) holds a secret. */
  holdsSecret(s: string): boolean {
    for (const v of [s, decoded(s)]) {
      SHAPED.lastIndex = 0;
      if (SHAPED.test(v) || this.#literals.some((l) => v.includes(l))) return true;
    }
    return false;
  }

  /** `text` with every secret replaced by `[REDACTED]`. */
  text(text: string): string {
    let out = text.replace(SHAPED, REDACTED);
    for (const l of this.#literals) if (out.includes(l)) out = out.split(l).join(REDACTED);
    return out;
  }

  /**
   * A request URL fit to log: the route stays readable, each path segment holding a secret
   * and the value of every query parameter that is not one of the API's own is masked.
   */
  url(url: string): string {
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const segments = path.split("/").map((s) => (this.holdsSecret(s) ? REDACTED : s));
    if (q === -1) return segments.join("/");
    const params = url
      .slice(q + 1)
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=");
        const name = eq === -1 ? pair : pair.slice(0, eq);
        if (this.holdsSecret(name)) return REDACTED;
        if (eq === -1) return name;
        const value = pair.slice(eq + 1);
        return `${name}=${PLAIN_PARAMS.has(decoded(name)) && !this.holdsSecret(value) ? value : REDACTED}`;
      });
    return `${segments.join("/")}?${params.join("&")}`;
  }
}
