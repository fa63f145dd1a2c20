/**
 * Atlassian Cloud: Atlassian's public operations only (see `public.ts`). What Atlassian does
 * not publish fails before any request, saying what to do instead.
 */
import type { Client } from "../../sdk/index";
import { ProductAccess } from "./access";
import { publicAccounts, publicTokens } from "./public";
import type { Target } from "./types";

/** Why an ApiToken cannot be managed on Atlassian Cloud, and what to do instead. */
export const API_TOKEN_UNSUPPORTED =
  "Atlassian Cloud has no API to create a service account's API token (nor to revoke just one): " +
  "create the token in admin.atlassian.com (Directory > Service accounts > the account > Create credentials), " +
  "store it as a secret (pulumi config set --secret <key> <token>) and read it in the program with config.requireSecret; " +
  "list an account's tokens and their expiry with listApiTokens({ serviceAccountId }). " +
  'Remove the ApiToken resource, or set atlassian:target to "embedded" when the stack targets the embedded backend';

export const SUSPEND_UNSUPPORTED =
  "Atlassian Cloud has no API to suspend a service account (its update changes displayName and description only): " +
  "suspend it in admin.atlassian.com (Directory > Service accounts), then run pulumi up --refresh: suspended: true is " +
  "accepted for an account that is suspended already; or remove suspended (or set it to false)";

/**
 * Why an account suspended outside Pulumi cannot be made active again on Atlassian Cloud, and
 * the two ways out. Suspending an account in the console is a normal incident step: the
 * stack must not be stuck on it.
 */
export const REACTIVATE_UNSUPPORTED =
  "it was suspended outside Pulumi (in admin.atlassian.com), and Atlassian Cloud has no API to reactivate a service account. " +
  "To keep managing it while it is suspended, declare suspended: true; or reactivate it in admin.atlassian.com " +
  "(Directory > Service accounts) and run pulumi up --refresh";

export function atlassianTarget(client: Client): Target {
  const refuse = (message: string) => () => Promise.reject(new Error(message));
  return {
    name: "atlassian-cloud",
    accounts: {
      ...publicAccounts(client),
      suspendUnsupported: SUSPEND_UNSUPPORTED,
      setSuspended: refuse(SUSPEND_UNSUPPORTED),
    },
    tokens: {
      ...publicTokens(client),
      mintUnsupported: API_TOKEN_UNSUPPORTED,
      mint: refuse(API_TOKEN_UNSUPPORTED),
      revoke: refuse(API_TOKEN_UNSUPPORTED),
    },
    access: ProductAccess.for(client),
    legacyBindings: null,
  };
}
