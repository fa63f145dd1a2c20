/**
 * The stand-in's switches: where the evidence about Atlassian's admin API has more than one
 * reading (see ../shared/reference/atlassian-evidence-admin.md), the backend plays each, so a
 * client can be shown to cope with all of them. `startBackend({ atlassian: {...} })`, or on the
 * command line `--atlassian linksNext=cursor,tokenPathId=atlassianId,...`.
 */
import { GROUP_ADD_AFTER_CREATE, SERVICE_ACCOUNT_PATCH_ID_FIELD, SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ } from "../sdk/atlassian-assumptions";

export interface AtlassianOptions {
  /** `links.next` of the public admin lists: an absolute URL (default), a relative one, or the bare cursor. */
  linksNext: "absolute" | "relative" | "cursor";
  /** Which id `GET`/`DELETE …/service-accounts/{id}/api-tokens` take: the admin `id` (default) or the `atlassianId`; the other answers 404. */
  tokenPathId: "id" | "atlassianId";
  /** The body field that names the account in `PATCH …/service-accounts`: `serviceAccountId` (default, `SERVICE_ACCOUNT_PATCH_ID_FIELD`) or `id`; the other is a 400. */
  patchIdField: "serviceAccountId" | "id";
  /** The answer to `PATCH …/service-accounts`: 200 with the account (default), 204 with no body, or 200 with a body that is not the account. */
  patchReply: "account" | "empty" | "partial";
  /** `present` (default), or `absent`: `GET /wiki/api/v2/space-role-mode` answers 404 and the site works as before roles (v1 permissions). */
  roleModeEndpoint: "present" | "absent";
  /** The largest `limit` the public admin lists take (default 80; above it a 400); the default page is 50 or this, if smaller. */
  maxPageSize: number;
  /**
   * The status of a create refused because the org's plan is full: 402 (default) or 409 with
   * `ADMIN-UAM-409-3` "Product License Limit Exceeded" (a third party saw both).
   */
  quotaStatus: "402" | "409";
  /** For this long after its creation, a grant naming an account answers 404 as for an unknown account. Default 3000 with `publicOnly`, else 0. */
  accountReadyDelayMs: number;
  /** `present` (default): a listed token carries its last use (`lastActiveAt`); `absent`: it does not, as crewlet saw ("an id and a label and nothing else" for ids). */
  tokenListLastUsed: "present" | "absent";
  /**
   * `enforced` (default): as on Atlassian, which creates a service account with no app access,
   * a token of an account given no permission rule for the product on this site (by its create,
   * `APP_ACCESS_PERMISSION_RULE`, or the console's invite) is refused there with a flat 401.
   * `ignored`: a service account's token reaches Jira and Confluence whatever app access it
   * was given (the test harnesses' default, for the tests that do not study app access).
   */
  appAccess: "ignored" | "enforced";
  /**
   * `refused` (default): adding a service account to a group after its creation answers 404
   * `ADMIN-404-8` User not found, as a third party saw ("service accounts are not directory
   * users"); `allowed`: it is added.
   */
  groupAddAfterCreate: "refused" | "allowed";
  /**
   * How long after it is given a permission rule (in the create body or through the console's
   * invite) takes effect: Atlassian applies the console invite asynchronously ("minutes", a
   * third party saw). Until then `appAccess=enforced` does not count it and the role-assignment
   * read does not list it. Default 0.
   */
  appAccessDelayMs: number;
  /**
   * `served` (default): `GET /admin/v2/…/users/{accountId}/role-assignments` lists a service
   * account's app access; `userNotFound`: it answers 404 `ADMIN-404-8` User not found, as the
   * group add after creation may ("service accounts are not directory users").
   */
  roleAssignmentsRead: "served" | "userNotFound";
}

const CHOICES = {
  linksNext: ["absolute", "relative", "cursor"],
  tokenPathId: ["id", "atlassianId"],
  patchIdField: ["serviceAccountId", "id"],
  patchReply: ["account", "empty", "partial"],
  roleModeEndpoint: ["present", "absent"],
  quotaStatus: ["402", "409"],
  tokenListLastUsed: ["present", "absent"],
  appAccess: ["ignored", "enforced"],
  groupAddAfterCreate: ["refused", "allowed"],
  roleAssignmentsRead: ["served", "userNotFound"],
} as const;
const NUMBERS = { maxPageSize: [1, 1000], accountReadyDelayMs: [0, 600_000], appAccessDelayMs: [0, 600_000] } as const;

export const ATLASSIAN_USAGE = `--atlassian <k=v,...> plays one reading of Atlassian's admin API where the evidence has several:
  linksNext=absolute|relative|cursor      links.next of the admin lists (default absolute)
  tokenPathId=id|atlassianId              the id GET/DELETE …/service-accounts/{id}/api-tokens take (default id)
  patchIdField=serviceAccountId|id        the body field PATCH …/service-accounts names the account by (default serviceAccountId)
  patchReply=account|empty|partial        PATCH …/service-accounts answers 200 account, 204, or 200 without the account (default account)
  roleModeEndpoint=present|absent         absent: GET /wiki/api/v2/space-role-mode answers 404, the site works pre-roles (default present)
  quotaStatus=402|409                      the status of a create past the plan's limit (default 402)
  maxPageSize=<1-1000>                    largest list limit; above it a 400 (default 80)
  accountReadyDelayMs=<0-600000>          a new account is not grantable for this long (default 3000 with --public-only, else 0)
  tokenListLastUsed=present|absent        absent: a listed token has no last-use field (default present)
  appAccess=ignored|enforced              enforced: a token of an account without access to a product is refused there, 401; ignored lets it through (default enforced)
  groupAddAfterCreate=refused|allowed     adding a service account to a group after its creation: 404 User not found, or done (default refused)
  appAccessDelayMs=<0-600000>             a permission rule (create or console invite) takes effect this long after it is given (default 0)
  roleAssignmentsRead=served|userNotFound reading a service account's role assignments: listed, or 404 User not found (default served)`;

/** The options with their defaults; throws an Error naming the bad one. */
export function atlassianOptions(given: Partial<AtlassianOptions> | undefined, publicOnly: boolean): AtlassianOptions {
  const out: AtlassianOptions = {
    linksNext: "absolute",
    tokenPathId: "id",
    patchIdField: SERVICE_ACCOUNT_PATCH_ID_FIELD,
    patchReply: "account",
    roleModeEndpoint: "present",
    quotaStatus: "402",
    maxPageSize: 80,
    accountReadyDelayMs: publicOnly ? 3000 : 0,
    tokenListLastUsed: "present",
    appAccess: "enforced",
    groupAddAfterCreate: GROUP_ADD_AFTER_CREATE,
    appAccessDelayMs: 0,
    roleAssignmentsRead: SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ,
  };
  for (const [k, v] of Object.entries(given ?? {})) {
    if (v === undefined) continue;
    if (k in CHOICES) {
      const allowed = CHOICES[k as keyof typeof CHOICES] as readonly string[];
      if (typeof v !== "string" || !allowed.includes(v)) throw new Error(`atlassian.${k} must be ${allowed.join(", ")}; got ${JSON.stringify(v)}`);
    } else if (k in NUMBERS) {
      const [lo, hi] = NUMBERS[k as keyof typeof NUMBERS];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) throw new Error(`atlassian.${k} must be a whole number from ${lo} to ${hi}; got ${JSON.stringify(v)}`);
    } else {
      throw new Error(`atlassian.${k} is not a switch; known: ${[...Object.keys(CHOICES), ...Object.keys(NUMBERS)].join(", ")}`);
    }
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** `"linksNext=cursor,maxPageSize=20"` as options (checked by `atlassianOptions`). */
export function parseAtlassian(spec: string): Partial<AtlassianOptions> {
  const out: Record<string, string | number> = {};
  for (const part of spec.split(",")) {
    if (part.trim() === "") continue;
    const i = part.indexOf("=");
    if (i <= 0) throw new Error(`--atlassian ${JSON.stringify(part)}: expected name=value`);
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    out[k] = k in NUMBERS && /^\d+$/.test(v) ? Number(v) : v;
  }
  return out as Partial<AtlassianOptions>;
}

/** The default page size of a public admin list. */
export const defaultPageSize = (o: AtlassianOptions) => Math.min(50, o.maxPageSize);
