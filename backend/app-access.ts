/**
 * A service account's app access (Jira, Confluence), as the stand-in judges it from the
 * permission rules its create and the console's invite gave it (kept verbatim in the store).
 * Evidence: `shared/reference/atlassian-evidence-groups-tokens-audit.md` §2. A rule counts for
 * a product on a site only when
 *
 * - it has landed: Atlassian applies the console's invite asynchronously ("minutes", [3p-obs]
 *   crewlet), played by `--atlassian appAccessDelayMs`, for the create's rules too;
 * - its resource is the site's ARI with the product key Atlassian needs: `jira-software` for
 *   Jira (the plain `ari:cloud:jira::site/…` "is ACCEPTED … and silently grants nothing",
 *   [3p-obs]), `confluence` for Confluence;
 * - its role is a canonical `atlassian/user|admin` ([doc] the public org API) or the console's
 *   role ARI `ari:cloud:<product>::role/product/member|admin` ([3p-obs]).
 *
 * Any other rule is accepted where it is given and grants nothing, as Atlassian does.
 */
import { APP_ACCESS_PERMISSION_RULE } from "../sdk/atlassian-assumptions";
import { consoleRole } from "../sdk/resources/console";
import type { Context } from "./context";
import type { PermissionRuleRow } from "./store";

export type Product = keyof typeof APP_ACCESS_PERMISSION_RULE.productKeys;

/** When a rule given now takes effect (epoch ms). */
export const landsAt = (ctx: Context): number => ctx.nowMs() + ctx.atlassian.appAccessDelayMs;

/** The rules that have taken effect by `nowMs`. */
export const landedRules = <R extends Pick<PermissionRuleRow, "landedAtMs">>(rules: readonly R[], nowMs: number): R[] => rules.filter((r) => r.landedAtMs <= nowMs);

/** Whether a (landed) rule gives access to `product` on the site `cloudId`. */
export function grantsAccess(rule: Pick<PermissionRuleRow, "role" | "resource">, product: Product, cloudId: string): boolean {
  const key = APP_ACCESS_PERMISSION_RULE.productKeys[product];
  if (rule.resource !== APP_ACCESS_PERMISSION_RULE.resource(key, cloudId)) return false;
  const roles: string[] = [...Object.values(APP_ACCESS_PERMISSION_RULE.roles), consoleRole(key, "member"), consoleRole(key, "admin")];
  return roles.includes(rule.role);
}

/** The product key an ARI names (`ari:cloud:<key>::…`), or null for anything else. */
export function resourceOwnerOf(ari: string): string | null {
  return /^ari:cloud:([a-z0-9.-]+)::/.exec(ari)?.[1] ?? null;
}
