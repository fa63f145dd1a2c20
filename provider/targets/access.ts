/**
 * What access is on Atlassian: membership of a Jira project role; a Confluence space role
 * assignment, or (on a site not in role mode) a set of v1 space permissions. Both targets
 * grant it the same way, through Atlassian's public Jira and Confluence APIs with a site
 * admin's credentials.
 *
 * Role ids, space ids and the site's role mode are looked up once per provider process (they
 * do not change while a deployment runs); memberships are always read fresh.
 */
import { hasUser, type Client, type JiraRoleRef, type RequestOptions, type SpaceRoleMode } from "../../sdk/index";
import * as config from "../config";
import { CONFLUENCE_PERMISSION_SETS, type AccessRole, type SpacePermission } from "./roles";

/** What a binding granted, kept in the state so read checks it and delete undoes exactly it. */
export interface Grant {
  via: "jira-project-role" | "confluence-space-role" | "confluence-space-permissions";
  /** The Jira or Confluence role's id and name (role grants). */
  roleId?: string;
  roleName?: string;
  /** The Confluence space's numeric id. */
  spaceId?: string;
  /** Jira: whether create added the membership (false: the account already held it, and delete leaves it). */
  added?: boolean;
  /** Confluence roles: the role the account held in the space before (delete restores it); absent: none. */
  previousRoleId?: string;
  /** Confluence v1: the permissions the binding added, by id (delete removes exactly these). */
  permissions?: (SpacePermission & { id: string })[];
}

/** Which role a binding asks for: a level mapped through `atlassian:roleMapping`, or a role named directly. */
export interface RoleWanted {
  role: AccessRole;
  /** A Jira project role or Confluence space role name, instead of the mapping. */
  roleName?: string | undefined;
}

export interface ParsedResource {
  product: "jira" | "confluence";
  key: string;
}

export function parseResource(resource: string): ParsedResource {
  const i = resource.indexOf("/");
  return { product: resource.startsWith("jira:") ? "jira" : "confluence", key: resource.slice(i + 1) };
}

/** A project or space not found: a wrong key, a wrong site, or one the site admin cannot see. */
function notFoundHint(): string {
  const { cloudId } = config.siteSettings();
  return (
    `check the key, that atlassian:cloudId (or ATLASSIAN_CLOUD_ID), now ${JSON.stringify(cloudId.slice(0, 100))}, is the site's cloud id, ` +
    `and that the site admin (atlassian:siteAdminEmail) can see it`
  );
}

const clients = new WeakMap<Client, ProductAccess>();

export class ProductAccess {
  readonly #client: Client;
  readonly #jiraRoles = new Map<string, Promise<JiraRoleRef[] | null>>();
  readonly #spaces = new Map<string, Promise<string | null>>();
  #mode: Promise<SpaceRoleMode> | undefined;
  #spaceRoles: Promise<{ id: string; name: string }[]> | undefined;

  private constructor(client: Client) {
    this.#client = client;
  }

  /** One per client, so lookups are cached for as long as the settings stay the same. */
  static for(client: Client): ProductAccess {
    let a = clients.get(client);
    if (!a) {
      a = new ProductAccess(client);
      clients.set(client, a);
    }
    return a;
  }

  /** Grants the role; returns what was granted. */
  async grant(resource: string, accountId: string, wanted: RoleWanted, opts: RequestOptions): Promise<Grant> {
    config.siteSettings();
    const { product, key } = parseResource(resource);
    if (product === "jira") {
      const role = await this.#jiraRole(key, wanted, opts);
      // Read first, so delete removes the membership only when this binding added it.
      const current = await this.#client.jiraProjectRoles.retrieve(key, role.id, opts);
      if (current && hasUser(current, accountId)) return { via: "jira-project-role", roleId: role.id, roleName: role.name, added: false };
      await this.#client.jiraProjectRoles.addUsers(key, role.id, [accountId], opts);
      return { via: "jira-project-role", roleId: role.id, roleName: role.name, added: true };
    }
    const spaceId = await this.#spaceId(key, opts);
    if ((await this.#roleMode(opts)) !== "PRE_ROLES") {
      const role = await this.#spaceRole(key, wanted, opts);
      const before = await this.#client.confluenceSpaceRoles.assignmentsOf(spaceId, accountId, opts);
      const previous = before.find((a) => a.roleId)?.roleId ?? undefined;
      if (previous !== role.id) await this.#client.confluenceSpaceRoles.assign(spaceId, accountId, role.id, opts);
      return { via: "confluence-space-role", spaceId, roleId: role.id, roleName: role.name, ...(previous ? { previousRoleId: previous } : {}) };
    }
    if (wanted.roleName !== undefined) {
      throw new Error(
        `the Confluence site is not in role mode (space-role-mode PRE_ROLES), so it has no role "${wanted.roleName}" to assign: ` +
          `give role (viewer, editor or admin) without roleName, and the binding grants the matching space permissions`,
      );
    }
    return { via: "confluence-space-permissions", spaceId, permissions: await this.#addPermissions(key, spaceId, accountId, wanted.role, opts) };
  }

  /**
   * Whether the account still holds what the grant gave (one request; Confluence v1 reads
   * every page of the space's permissions). A project or space that is gone: false.
   */
  async holds(resource: string, accountId: string, grant: Grant, opts: RequestOptions): Promise<boolean> {
    config.siteSettings();
    const { key } = parseResource(resource);
    switch (grant.via) {
      case "jira-project-role": {
        const role = await this.#client.jiraProjectRoles.retrieve(key, grant.roleId!, opts);
        return role !== null && hasUser(role, accountId);
      }
      case "confluence-space-role": {
        const now = await this.#client.confluenceSpaceRoles.assignmentsOf(grant.spaceId!, accountId, opts);
        return now.some((a) => a.roleId === grant.roleId);
      }
      case "confluence-space-permissions": {
        const ids = new Set((await this.#client.confluenceSpacePermissions.listFor(grant.spaceId!, accountId, opts)).map((p) => p.id));
        // read/space is what every other permission hangs on: without it there is no access.
        return (grant.permissions ?? []).every((p) => ids.has(p.id));
      }
    }
  }

  /** Moves the binding to another role: grants the new one, then undoes what the old grant added. */
  async change(resource: string, accountId: string, old: Grant, wanted: RoleWanted, opts: RequestOptions): Promise<Grant> {
    config.siteSettings();
    const { key } = parseResource(resource);
    if (old.via === "confluence-space-role") {
      const role = await this.#spaceRole(key, wanted, opts);
      if (role.id !== old.roleId) await this.#client.confluenceSpaceRoles.assign(old.spaceId!, accountId, role.id, opts);
      return { ...old, roleId: role.id, roleName: role.name };
    }
    if (old.via === "confluence-space-permissions") {
      const next = await this.#addPermissions(key, old.spaceId!, accountId, wanted.role, opts);
      const keep = new Set(CONFLUENCE_PERMISSION_SETS[wanted.role].map((p) => `${p.key}/${p.target}`));
      const kept: (SpacePermission & { id: string })[] = [];
      // Remove in reverse, so read/space (which the others need) goes last.
      for (const p of [...(old.permissions ?? [])].reverse()) {
        if (keep.has(`${p.key}/${p.target}`)) kept.push(p);
        else await this.#client.confluenceSpacePermissions.remove(key, p.id, opts);
      }
      return { ...old, permissions: [...kept.reverse(), ...next] };
    }
    const role = await this.#jiraRole(key, wanted, opts);
    if (role.id === old.roleId) return { ...old, roleName: role.name };
    const granted = await this.grant(resource, accountId, wanted, opts);
    await this.revoke(resource, accountId, old, opts);
    return granted;
  }

  /** Undoes exactly what the grant added. Gone already: success. */
  async revoke(resource: string, accountId: string, grant: Grant, opts: RequestOptions): Promise<void> {
    config.siteSettings();
    const { key } = parseResource(resource);
    switch (grant.via) {
      case "jira-project-role":
        if (grant.added) await this.#client.jiraProjectRoles.removeUser(key, grant.roleId!, accountId, opts);
        return;
      case "confluence-space-role": {
        const now = await this.#client.confluenceSpaceRoles.assignmentsOf(grant.spaceId!, accountId, opts);
        // Someone else has changed the role since: theirs to keep.
        if (!now.some((a) => a.roleId === grant.roleId)) return;
        await this.#client.confluenceSpaceRoles.assign(grant.spaceId!, accountId, grant.previousRoleId ?? null, opts);
        return;
      }
      case "confluence-space-permissions":
        for (const p of [...(grant.permissions ?? [])].reverse()) await this.#client.confluenceSpacePermissions.remove(key, p.id, opts);
        return;
    }
  }

  // ----- lookups, cached per process ---------------------------------------------------

  async #jiraRole(projectKey: string, wanted: RoleWanted, opts: RequestOptions): Promise<JiraRoleRef> {
    let roles = this.#jiraRoles.get(projectKey);
    if (!roles) {
      roles = this.#client.jiraProjectRoles.list(projectKey, opts);
      this.#jiraRoles.set(projectKey, roles);
      roles.catch(() => this.#jiraRoles.delete(projectKey));
    }
    const list = await roles;
    if (list === null) {
      this.#jiraRoles.delete(projectKey);
      throw new Error(`the Jira project ${projectKey} was not found: ${notFoundHint()}`);
    }
    const name = wanted.roleName ?? config.roleMapping().jira[wanted.role];
    const found = list.find((r) => r.name === name) ?? list.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      const how = wanted.roleName
        ? "name one of its roles in roleName"
        : `map ${wanted.role} to one of them with atlassian:roleMapping, e.g. {"jira":{"${wanted.role}":"${list[0]?.name ?? "Developers"}"}}, or name the role in roleName`;
      throw new Error(`the Jira project ${projectKey} has no role "${name}" (it has: ${list.map((r) => r.name).join(", ") || "none"}); ${how}`);
    }
    return found;
  }

  async #spaceId(spaceKey: string, opts: RequestOptions): Promise<string> {
    let id = this.#spaces.get(spaceKey);
    if (!id) {
      id = this.#client.confluenceSpaces.byKey(spaceKey, opts).then((s) => s?.id ?? null);
      this.#spaces.set(spaceKey, id);
    }
    let found: string | null;
    try {
      found = await id;
    } catch (err) {
      this.#spaces.delete(spaceKey);
      throw err;
    }
    if (found === null) {
      this.#spaces.delete(spaceKey);
      throw new Error(`the Confluence space ${spaceKey} was not found: ${notFoundHint()}`);
    }
    return found;
  }

  async #roleMode(opts: RequestOptions): Promise<SpaceRoleMode> {
    this.#mode ??= this.#client.confluenceSpaces.roleMode(opts);
    try {
      return await this.#mode;
    } catch (err) {
      this.#mode = undefined;
      throw err;
    }
  }

  async #spaceRole(spaceKey: string, wanted: RoleWanted, opts: RequestOptions): Promise<{ id: string; name: string }> {
    this.#spaceRoles ??= this.#client.confluenceSpaceRoles.list(opts);
    let roles: { id: string; name: string }[];
    try {
      roles = await this.#spaceRoles;
    } catch (err) {
      this.#spaceRoles = undefined;
      throw err;
    }
    const name = wanted.roleName ?? config.roleMapping().confluence[wanted.role];
    const found = roles.find((r) => r.name === name) ?? roles.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      const how = wanted.roleName
        ? "name one of them in roleName"
        : `map ${wanted.role} to one of them with atlassian:roleMapping, e.g. {"confluence":{"${wanted.role}":"${roles[0]?.name ?? "Collaborator"}"}}, or name the role in roleName`;
      throw new Error(`the Confluence site has no space role "${name}" for ${spaceKey} (it has: ${roles.map((r) => r.name).join(", ") || "none"}); ${how}`);
    }
    return found;
  }

  /** Adds the role's v1 permissions the account lacks, read/space first; returns those added. */
  async #addPermissions(spaceKey: string, spaceId: string, accountId: string, role: AccessRole, opts: RequestOptions) {
    const have = await this.#client.confluenceSpacePermissions.listFor(spaceId, accountId, opts);
    const held = new Set(have.map((p) => `${p.operation.key}/${p.operation.targetType}`));
    const added: (SpacePermission & { id: string })[] = [];
    for (const p of CONFLUENCE_PERMISSION_SETS[role]) {
      if (held.has(`${p.key}/${p.target}`)) continue;
      const id = await this.#client.confluenceSpacePermissions.add(spaceKey, accountId, { key: p.key, target: p.target }, opts);
      added.push({ id, key: p.key, target: p.target });
    }
    return added;
  }
}
