/**
 * A service account's app access (Jira, Confluence) beyond its create: what the account holds,
 * read through Atlassian's documented role-assignment read
 * (`GET /admin/v2/orgs/{orgId}/directories/-/users/{accountId}/role-assignments`), and the
 * console invite's rules for a grant made after creation (`atlassian:consoleRoutes` only).
 *
 * Access given by the create's permission rules or by the console's invite lands
 * asynchronously (minutes, on Atlassian): a grant asked for and not seen yet is *pending*
 * for {@link PENDING_WINDOW_MS}, and only then *missing* (drift). The read is the same on
 * both targets, like the product roles of `access.ts`; it is not a target.
 */
import { APP_ACCESS_PERMISSION_RULE, isUserNotFound, memberRule, type ConsolePermissionRule, type RequestOptions, type UserRoleAssignment } from "../sdk/index";
import * as config from "./config";

/** One product grant as check fills it in: every field set. */
export interface AppAccess {
  product: "jira" | "confluence";
  role: "user" | "admin";
  cloudId: string;
}

/** A grant asked for (by the create or the console's invite) and not seen held yet, with when it was asked. */
export interface PendingAppAccess extends AppAccess {
  /** ISO-8601 UTC: when the create or the invite asked for it. */
  since: string;
}

/**
 * How long a grant asked for may stay unseen before a read calls it missing. Atlassian applies
 * the console's invite "asynchronously (minutes)" (a third party's observation); the create's
 * rules are "then invited" (Atlassian's text), so may take as long. An hour covers both with
 * room; a grant still unseen after that shows as drift.
 */
export const PENDING_WINDOW_MS = 60 * 60 * 1000;

/** The key one grant is known by: one role per product and site. */
export const grantKey = (g: Pick<AppAccess, "product" | "cloudId">): string => `${g.product}/${g.cloudId}`;

/**
 * The console invite's rules for these grants: the role ARI `ari:cloud:<product>::role/product/member`
 * on the site's ARI, with Jira's product key `jira-software` (a third party saw the plain `jira`
 * ARI accepted and granting nothing). The console grants product member access only: `admin`
 * is refused before any request (see {@link consoleGrantRefusal}).
 */
export function consoleRulesOf(grants: readonly AppAccess[]): ConsolePermissionRule[] {
  return grants.map((g) => memberRule(APP_ACCESS_PERMISSION_RULE.productKeys[g.product], g.cloudId));
}

/** Why the console's invite cannot give this grant, or `null`. */
export function consoleGrantRefusal(g: AppAccess): string | null {
  return g.role === "user"
    ? null
    : `the admin console's invite gives product member access only (role "user"); give ${g.product} admin on site ${g.cloudId} in admin.atlassian.com, or declare role "user"`;
}

/** The product a site ARI's product key stands for, or `null` for one this package does not manage. */
function productOfKey(key: string): AppAccess["product"] | null {
  if (key === "confluence") return "confluence";
  // Atlassian's workspaces list Jira as `jira`; the console's rules name it `jira-software`.
  if (key === "jira" || key === "jira-software" || key === "jira-core") return "jira";
  return null;
}

/**
 * The role a role id stands for: the public API's canonical ids (`atlassian/user`,
 * `atlassian/admin`) or the console's role ARIs (`…::role/product/member`, `…/admin`); `null`
 * for any other role (guest, viewer, …), which is not app access this package declares.
 */
function roleOf(role: string): AppAccess["role"] | null {
  if (role === "atlassian/admin" || /::role\/product\/admin$/.test(role)) return "admin";
  if (role === "atlassian/user" || /::role\/product\/member$/.test(role)) return "user";
  return null;
}

/** What the read found: the grants held, the highest role per product and site, and which of them were given directly (not through a group). */
export interface ObservedAppAccess {
  held: Map<string, AppAccess>;
  direct: Set<string>;
}

/** The grants a role-assignment read shows (parsed leniently: an entry this package cannot read is skipped). */
export function observedOf(entries: readonly UserRoleAssignment[]): ObservedAppAccess {
  const held = new Map<string, AppAccess>();
  const direct = new Set<string>();
  for (const e of entries) {
    const m = /^ari:cloud:([a-z0-9.-]+)::site\/([A-Za-z0-9-]+)$/.exec(e.resourceId);
    const product = m ? productOfKey(m[1]!) : null;
    if (!m || !product) continue;
    for (const a of e.roleAssignments) {
      const role = roleOf(a.role);
      if (!role) continue;
      const grant: AppAccess = { product, role, cloudId: m[2]! };
      const key = grantKey(grant);
      if (held.get(key)?.role !== "admin") held.set(key, grant);
      // No methods given is read as direct: the documented model lists them, a reply may not.
      if (!a.roleAssignmentMethods || a.roleAssignmentMethods.includes("direct")) direct.add(key);
    }
  }
  return { held, direct };
}

/**
 * The account's app access, or `null` when Atlassian does not show a service account's role
 * assignments (the reading in which service accounts "are not directory users": 404
 * `ADMIN-404-8`, assumption `SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ`). Other failures throw.
 */
export async function readAppAccess(atlassianId: string, opts: RequestOptions): Promise<ObservedAppAccess | null> {
  try {
    return observedOf(await config.client().directoryUsers.roleAssignments(atlassianId, opts));
  } catch (err) {
    if (isUserNotFound(err)) return null;
    throw err;
  }
}

/**
 * What a read makes of the declared grants: each held one is kept; one not held but asked
 * for within {@link PENDING_WINDOW_MS} stays, pending; any other is missing and left out (the
 * drift a refresh shows). A grant given directly outside Pulumi (not through a group) is
 * added, so a refresh shows it too. `observed` null (not readable): everything stays as it was.
 */
export function reconcile(
  declared: readonly AppAccess[],
  pending: readonly PendingAppAccess[],
  observed: ObservedAppAccess | null,
  nowMs: number,
): { appAccess: AppAccess[]; pending: PendingAppAccess[] } {
  if (observed === null) return { appAccess: [...declared], pending: [...pending] };
  const waiting = new Map(pending.filter((p) => nowMs - Date.parse(p.since) < PENDING_WINDOW_MS).map((p) => [grantKey(p), p]));
  const out = new Map<string, AppAccess>();
  const stillPending: PendingAppAccess[] = [];
  for (const g of declared) {
    const key = grantKey(g);
    const held = observed.held.get(key);
    if (held) out.set(key, held);
    else if (waiting.has(key)) {
      out.set(key, g);
      stillPending.push(waiting.get(key)!);
    }
  }
  for (const [key, g] of observed.held) if (!out.has(key) && observed.direct.has(key)) out.set(key, g);
  return { appAccess: sortGrants([...out.values()]), pending: stillPending };
}

/** Grants sorted by product and site, as check leaves them. */
export function sortGrants<T extends AppAccess>(grants: T[]): T[] {
  return grants.sort((a, b) => (grantKey(a) < grantKey(b) ? -1 : grantKey(a) > grantKey(b) ? 1 : 0));
}

/** The grants of `news` that `olds` has not (by product and site), and those of `olds` that `news` drops or gives another role. */
export function grantChanges(olds: readonly AppAccess[], news: readonly AppAccess[]): { added: AppAccess[]; withdrawn: AppAccess[] } {
  const before = new Map(olds.map((g) => [grantKey(g), g]));
  const after = new Map(news.map((g) => [grantKey(g), g]));
  return {
    added: news.filter((g) => before.get(grantKey(g))?.role !== g.role),
    withdrawn: olds.filter((g) => after.get(grantKey(g))?.role !== g.role),
  };
}
