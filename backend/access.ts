/**
 * Access on the product plane, one truth for every view of it: the grants (Jira project role
 * memberships, Confluence space role assignments, v1 space permissions). A grant's role gives
 * a level (viewer reads, editor writes, admin also manages access); an account's level on a
 * project or space is the highest its grants give. A scope binding is this level seen from
 * the admin API: creating one adds the default grants for its role, and a grant made through
 * Jira's or Confluence's own API shows as a binding, so the two views never disagree.
 */
import { createHash } from "node:crypto";
import {
  type AccessLevel,
  CONFLUENCE_DEFAULT_ROLES,
  CONFLUENCE_LEVEL_PERMISSIONS,
  JIRA_DEFAULT_ROLES,
} from "../sdk/atlassian-assumptions";
import { Role, type ScopeBinding } from "../sdk/schemas";
import type { Store } from "./store";
import type { Grant } from "./store/access";

/** The levels, lowest first: a binding's roles, as the sdk's `Role` lists them. */
export const LEVELS: readonly AccessLevel[] = Role.options;
const RANK = Object.fromEntries(LEVELS.map((l, i) => [l, i + 1])) as Record<AccessLevel, number>;
export const atLeast = (have: AccessLevel | undefined, need: AccessLevel): boolean => have !== undefined && RANK[have] >= RANK[need];

export interface JiraRole {
  id: number;
  name: string;
  description: string;
  level: AccessLevel;
}

/** A team-managed project's roles (ids as on a fresh site; Atlassian's differ per site). */
export const JIRA_ROLES: readonly JiraRole[] = [
  { id: 10002, name: JIRA_DEFAULT_ROLES.admin, description: "Admins can do most things, like update settings and add other admins.", level: "admin" },
  { id: 10003, name: JIRA_DEFAULT_ROLES.editor, description: "Members are part of the team, and can add, edit, and collaborate on all work.", level: "editor" },
  { id: 10004, name: JIRA_DEFAULT_ROLES.viewer, description: "Viewers can search through, view, and comment on your team's work, but not much else.", level: "viewer" },
];

export interface SpaceRole {
  id: string;
  name: string;
  description: string;
  level: AccessLevel;
  spacePermissions: string[];
}

const READ = ["read/space"];
const WRITE = [...READ, "create/page", "create/blogpost", "create/comment", "create/attachment", "delete/page", "delete/blogpost", "delete/comment", "delete/attachment"];
const MANAGE = [...WRITE, "export/space", "archive/page", "restrict_content/space"];

/** Confluence's default system roles. Their ids are tenant-specific strings on Atlassian. */
export const SPACE_ROLES: readonly SpaceRole[] = [
  { id: "7e5a1d30-0a4f-4c37-9d1b-000000000001", name: "Admin", description: "Full control of the space, its content and its access.", level: "admin", spacePermissions: [...MANAGE, "administer/space", "delete/space"] },
  { id: "7e5a1d30-0a4f-4c37-9d1b-000000000002", name: "Manager", description: "Manages the space's content and access.", level: "admin", spacePermissions: [...MANAGE, "administer/space"] },
  { id: "7e5a1d30-0a4f-4c37-9d1b-000000000003", name: CONFLUENCE_DEFAULT_ROLES.editor, description: "Creates and edits content in the space.", level: "editor", spacePermissions: WRITE },
  { id: "7e5a1d30-0a4f-4c37-9d1b-000000000004", name: CONFLUENCE_DEFAULT_ROLES.viewer, description: "Views the space's content.", level: "viewer", spacePermissions: READ },
];

export const isJira = (resource: string): boolean => resource.startsWith("jira:");
export const jiraResource = (key: string): string => `jira:project/${key}`;
export const spaceResource = (key: string): string => `confluence:space/${key}`;
export const keyOf = (resource: string): string => resource.slice(resource.indexOf("/") + 1);

/** The level one grant gives. */
export function grantLevel(g: Grant): AccessLevel | undefined {
  if (g.roleId !== "") {
    const role = isJira(g.resource) ? JIRA_ROLES.find((r) => String(r.id) === g.roleId) : SPACE_ROLES.find((r) => r.id === g.roleId);
    return role?.level;
  }
  if (g.opKey === "administer" && g.opTarget === "space") return "admin";
  if (g.opKey === "create" || g.opKey === "delete") return "editor";
  if (g.opKey === "read" && g.opTarget === "space") return "viewer";
  return undefined;
}

export function levelOf(grants: Grant[]): AccessLevel | undefined {
  let best: AccessLevel | undefined;
  for (const g of grants) {
    const l = grantLevel(g);
    if (l && (best === undefined || RANK[l] > RANK[best])) best = l;
  }
  return best;
}

/** A binding's id: the same for an account and a resource whichever API made the access. */
export function bindingId(serviceAccountId: string, resource: string): string {
  return "sb-" + createHash("sha256").update(`${serviceAccountId}\n${resource}`).digest("base64url").slice(0, 32);
}

/** The bindings of an account, in the order its access to each resource began. */
export function bindingsOf(store: Store, account: { id: string; accountId: string }): (ScopeBinding & { seq: number })[] {
  const byResource = new Map<string, Grant[]>();
  for (const g of store.access.grantsOf(account.accountId)) {
    const list = byResource.get(g.resource) ?? [];
    list.push(g);
    byResource.set(g.resource, list);
  }
  const out: (ScopeBinding & { seq: number })[] = [];
  const kept = byResource.size ? store.access.bindingIds(account.id) : new Map<string, string>();
  for (const [resource, grants] of byResource) {
    const role = levelOf(grants);
    if (!role) continue;
    out.push({
      id: kept.get(resource) ?? bindingId(account.id, resource),
      serviceAccountId: account.id,
      resource,
      role,
      createdAt: grants.map((g) => g.createdAt).sort()[0]!,
      updatedAt: grants.map((g) => g.updatedAt).sort().at(-1)!,
      seq: Math.min(...grants.map((g) => g.seq)),
    });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/**
 * Gives an account `level` on a resource the way the site stores it: the default Jira role,
 * the default Confluence space role, or (a site not in role mode) the level's v1 permissions.
 */
export function grantDefault(store: Store, orgId: string, accountId: string, resource: string, level: AccessLevel, createdAt: string, now: string): void {
  const kind = isJira(resource) ? "jira" : "confluence";
  store.access.ensurePlace(kind, orgId, keyOf(resource), now);
  const at = { resource, accountId, createdAt, updatedAt: now };
  if (kind === "jira") {
    store.access.addGrant(orgId, { ...at, roleId: String(JIRA_ROLES.find((r) => r.name === JIRA_DEFAULT_ROLES[level])!.id) });
  } else if (store.access.confluenceMode(orgId) === "PRE_ROLES") {
    for (const p of CONFLUENCE_LEVEL_PERMISSIONS[level]) store.access.addGrant(orgId, { ...at, opKey: p.key, opTarget: p.target });
  } else {
    store.access.addGrant(orgId, { ...at, roleId: SPACE_ROLES.find((r) => r.name === CONFLUENCE_DEFAULT_ROLES[level])!.id });
  }
}
