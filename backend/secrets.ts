/**
 * Secrets this backend issues: `pasat_` (API tokens) and `pasak_` (org admin keys) followed
 * by 43 base64url characters of 256 random bits. Only their SHA-256 is stored. Lookup goes by
 * the hash (an index), and the stored hash is then compared with `timingSafeEqual`, so the
 * time a check takes says nothing about how much of a guess was right.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ADMIN_KEY_PREFIX, API_TOKEN_PREFIX } from "../sdk/schemas";

export const newTokenSecret = (): string => API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
export const newAdminKey = (): string => ADMIN_KEY_PREFIX + randomBytes(32).toString("base64url");

export const hashSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

export const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

export function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * Seals a secret for the idempotent replay of a token creation. The key derives from the
 * caller's Idempotency-Key (never stored: only its hash is) and a server key, so the database
 * file alone cannot open the box; the box itself is erased ten minutes after creation.
 */
export function seal(serverKey: Buffer, idempotencyKey: string, plain: string): string {
  const key = hmac(serverKey, `seal:${idempotencyKey}`);
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return [iv, c.getAuthTag(), ct].map((b) => b.toString("base64url")).join(".");
}

export function unseal(serverKey: Buffer, idempotencyKey: string, box: string): string | undefined {
  try {
    const [iv, tag, ct] = box.split(".").map((p) => Buffer.from(p, "base64url"));
    const d = createDecipheriv("aes-256-gcm", hmac(serverKey, `seal:${idempotencyKey}`), iv!);
    d.setAuthTag(tag!);
    return Buffer.concat([d.update(ct!), d.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
