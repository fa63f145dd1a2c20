/**
 * Atlassian generates a service account's email when it creates the account: a slug of the
 * display name, a random suffix, `@serviceaccount.atlassian.com` (a real one:
 * `my-service-account-all-x1axxw94zz@serviceaccount.atlassian.com`). The suffix cannot be
 * known in advance, so the examples' tests read the email from the stack's outputs and
 * check only its form.
 */
import { expect } from "chai";

export const SERVICE_ACCOUNT_EMAIL_DOMAIN = "serviceaccount.atlassian.com";

/** The display name as the email's local part starts: lowercase, other characters as one hyphen. */
export function slugOf(displayName: string): string {
  return displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Fails unless `email` is one Atlassian would generate for an account named `displayName`. */
export function expectGeneratedEmail(email: string, displayName: string): void {
  const at = email.lastIndexOf("@");
  expect(email.slice(at + 1), `the domain of ${JSON.stringify(email)}`).to.equal(SERVICE_ACCOUNT_EMAIL_DOMAIN);
  const local = email.slice(0, at);
  const slug = slugOf(displayName);
  expect(slug, `the slug of ${JSON.stringify(displayName)}`).to.not.equal("");
  expect(local.startsWith(`${slug}-`), `${JSON.stringify(email)} starts with "${slug}-", the display name's slug`).to.equal(true);
  expect(local.length, `${JSON.stringify(email)} carries a suffix after "${slug}-"`).to.be.greaterThan(slug.length + 1);
}
