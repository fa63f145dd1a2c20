/**
 * What each target can do beyond Atlassian's public operations, as data. The handlers ask
 * here, never compare the target's name: `check` reads it before any request or credential
 * (a preview fails on what the target cannot do), and the targets refuse with the same words.
 * A capability is `null` when the target has it, else the reason it has not and what to do
 * instead, which is the message the user sees.
 */
import * as config from "../config";
import type { TargetName } from "../config";

/** Why an ApiToken cannot be managed on Atlassian Cloud, and what to do instead. */
export const API_TOKEN_UNSUPPORTED =
  "Atlassian Cloud has no API to create a service account's API token (nor to revoke just one): " +
  "create the token in admin.atlassian.com (Directory > Service accounts > the account > Create credentials), " +
  "store it as a secret (pulumi config set --secret <key> <token>) and read it in the program with config.requireSecret; " +
  "list an account's tokens and their expiry with listApiTokens({ serviceAccountId }). " +
  'Remove the ApiToken resource, or set atlassian:target to "embedded" when the stack targets the embedded backend; ' +
  "or, accepting routes of Atlassian's admin console that Atlassian does not support and may change without notice, " +
  "set atlassian:consoleRoutes to true (or ATLASSIAN_CONSOLE_ROUTES=true) with an unscoped org key (see the README)";

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

/**
 * Why an existing account cannot be given more app access. Atlassian documents one way to give
 * a service account app access by API, the permission rules of its create; none to add to them
 * later. The admin console's invite route does (unsupported by Atlassian): `atlassian:consoleRoutes`.
 */
export const APP_ACCESS_GRANT_UNSUPPORTED =
  "Atlassian documents no API to give an existing service account app access (only the create takes permission rules): " +
  "give the product in admin.atlassian.com (Directory > Service accounts > the account > App access), then run pulumi up --refresh; " +
  "or replace the account with the new appAccess (pulumi up --replace <urn>: a new account, new ids, its tokens and bindings made again); " +
  "or, accepting routes of Atlassian's admin console that Atlassian does not support and may change without notice, " +
  "set atlassian:consoleRoutes to true (or ATLASSIAN_CONSOLE_ROUTES=true) with an unscoped org key (see the README)";

/** Why app access cannot be taken back (or a role changed) by API: no route does it, the console's invite grants only. */
export const APP_ACCESS_WITHDRAW_UNSUPPORTED =
  "Atlassian has no API to take app access back from a service account or change its product role (the admin console's invite only grants): " +
  "remove the product in admin.atlassian.com (Directory > Service accounts > the account > App access), then run pulumi up --refresh; " +
  "or replace the account with the new appAccess (pulumi up --replace <urn>: a new account, new ids, its tokens and bindings made again)";

/** Why an account's `groups` cannot change after it is created: they are sent with the create only. */
export const GROUPS_CHANGE_UNSUPPORTED =
  "groups are sent only when the account is created (Atlassian's documented \"additional group memberships\"), and a third party saw " +
  "Atlassian refuse to add a service account to a group afterwards (\"service accounts are not directory users\"): " +
  "change the membership in admin.atlassian.com (Directory > Groups), then change groups to match; or replace the account with " +
  "the new groups (pulumi up --replace <urn>: a new account, new ids, its tokens and bindings made again)";

/** A target's capabilities: `null` where it has one, else why not (the user's message). */
export interface Capabilities {
  /** Suspending an active account. */
  readonly suspend: string | null;
  /** Reactivating a suspended account. */
  readonly reactivate: string | null;
  /** Minting one API token and revoking one (ApiToken's create and delete); on Atlassian Cloud, with `atlassian:consoleRoutes` only. */
  readonly tokens: string | null;
  /** Reading, changing and removing a binding made by a version before 0.2 (the embedded backend kept those). */
  readonly legacyBindings: string | null;
  /** Giving an existing account more app access (`appAccess` gains a grant): the console's invite only. */
  readonly appAccessGrant: string | null;
  /** Taking app access back from an existing account, or changing a grant's role: no route does it. */
  readonly appAccessWithdraw: string | null;
  /** Changing the groups an existing account was created in (`groups`). */
  readonly groupsChange: string | null;
}

const LEGACY_BINDINGS_UNSUPPORTED =
  "it was made by an earlier version of this package for the embedded backend, and cannot be managed on Atlassian Cloud: " +
  "remove it from the state (pulumi state delete) and declare it again";

export const CAPABILITIES: Readonly<Record<TargetName, Capabilities>> = Object.freeze({
  "atlassian-cloud": Object.freeze({
    suspend: SUSPEND_UNSUPPORTED,
    reactivate: REACTIVATE_UNSUPPORTED,
    tokens: API_TOKEN_UNSUPPORTED,
    legacyBindings: LEGACY_BINDINGS_UNSUPPORTED,
    appAccessGrant: APP_ACCESS_GRANT_UNSUPPORTED,
    appAccessWithdraw: APP_ACCESS_WITHDRAW_UNSUPPORTED,
    groupsChange: GROUPS_CHANGE_UNSUPPORTED,
  }),
  // The embedded backend's extensions (marked so in embedded.ts and the README). It follows
  // Atlassian on app access and groups: set at create, with no extension to change them (with
  // the console routes served and on, it takes the console's invite, as Atlassian Cloud does).
  embedded: Object.freeze({
    suspend: null,
    reactivate: null,
    tokens: null,
    legacyBindings: null,
    appAccessGrant: APP_ACCESS_GRANT_UNSUPPORTED,
    appAccessWithdraw: APP_ACCESS_WITHDRAW_UNSUPPORTED,
    groupsChange: GROUPS_CHANGE_UNSUPPORTED,
  }),
});

/**
 * Atlassian Cloud with `atlassian:consoleRoutes: true`: tokens through the admin console's
 * mint (unsupported by Atlassian) and Atlassian's documented single revoke, and app access for
 * an existing account through the console's invite (grant only); the rest as without.
 */
export const ATLASSIAN_CLOUD_WITH_CONSOLE: Capabilities = Object.freeze({ ...CAPABILITIES["atlassian-cloud"], tokens: null, appAccessGrant: null });

/**
 * A target's capabilities under the settings: the console routes add tokens on Atlassian
 * Cloud, and on both targets the invite of app access to an existing account.
 */
export function capabilitiesOf(name: TargetName, consoleRoutes: boolean): Capabilities {
  if (!consoleRoutes) return CAPABILITIES[name];
  return name === "atlassian-cloud" ? ATLASSIAN_CLOUD_WITH_CONSOLE : Object.freeze({ ...CAPABILITIES[name], appAccessGrant: null });
}

/**
 * The capabilities of the target in force, known from the settings alone (`atlassian:target`
 * and `atlassian:consoleRoutes`; no request, no credential). `null` when one of them is
 * malformed: `check` then judges nothing, and the first operation fails naming the setting.
 */
export function capabilities(): Capabilities | null {
  try {
    return capabilitiesOf(config.targetName(), config.consoleRoutes());
  } catch {
    return null;
  }
}
