/**
 * What `viewer`, `editor` and `admin` mean on a Jira project and a Confluence space: a role
 * name, resolved to the site's role id at run time (ids are per site). The defaults fit
 * team-managed Jira projects (Viewer, Member, Administrator) and Confluence's default space
 * roles (Viewer, Collaborator, Admin); `atlassian:roleMapping` overrides any of them, e.g.
 * `{"jira":{"editor":"Developers","admin":"Administrators"}}` for a company-managed project.
 *
 * On a Confluence site not yet in role mode (`PRE_ROLES`), a role is a set of v1 space
 * permissions instead: {@link CONFLUENCE_PERMISSION_SETS}. The defaults live with the other
 * Atlassian facts in `sdk/atlassian-assumptions.ts`.
 */
import { z } from "zod";
import { CONFLUENCE_DEFAULT_ROLES, CONFLUENCE_LEVEL_PERMISSIONS, JIRA_DEFAULT_ROLES } from "../sdk/atlassian-assumptions";
import { Role } from "../sdk/index";

/** `viewer`, `editor` or `admin`: the sdk's `Role`, the one list of the role names. */
export type AccessRole = Role;
export const ACCESS_ROLES: readonly AccessRole[] = Role.options;

export interface RoleMapping {
  jira: Record<AccessRole, string>;
  confluence: Record<AccessRole, string>;
}

export const DEFAULT_ROLE_MAPPING: RoleMapping = Object.freeze({
  jira: Object.freeze({ ...JIRA_DEFAULT_ROLES }),
  confluence: Object.freeze({ ...CONFLUENCE_DEFAULT_ROLES }),
});

/** One v1 space permission: `{operation: {key, target}}` in Confluence's terms. */
export interface SpacePermission {
  key: string;
  target: string;
}

/**
 * The v1 permissions a role grants on a site not in role mode. `read/space` comes first:
 * Confluence refuses any other permission without it.
 */
export const CONFLUENCE_PERMISSION_SETS: Readonly<Record<AccessRole, readonly SpacePermission[]>> = CONFLUENCE_LEVEL_PERMISSIONS;

const RoleName = z.string().trim().min(1, "a role name must not be empty").max(255, "a role name must be at most 255 characters");
const Overrides = z.strictObject({
  viewer: RoleName.optional(),
  editor: RoleName.optional(),
  admin: RoleName.optional(),
});
const MappingText = z.strictObject({ jira: Overrides.optional(), confluence: Overrides.optional() });

/** The defaults with the given JSON laid over them; throws a message naming what is wrong. */
export function parseRoleMapping(text: string | undefined): RoleMapping {
  if (text === undefined) return DEFAULT_ROLE_MAPPING;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not JSON; give e.g. {"jira":{"editor":"Developers"},"confluence":{"editor":"Collaborator"}}');
  }
  const parsed = MappingText.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`${issues}; give {"jira":{viewer?,editor?,admin?},"confluence":{viewer?,editor?,admin?}} with role names`);
  }
  return {
    jira: { ...DEFAULT_ROLE_MAPPING.jira, ...parsed.data.jira },
    confluence: { ...DEFAULT_ROLE_MAPPING.confluence, ...parsed.data.confluence },
  };
}
