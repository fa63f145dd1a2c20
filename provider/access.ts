/**
 * What access is on Atlassian: membership of a Jira project role; a Confluence space role
 * assignment, or (on a site not in role mode) a set of v1 space permissions. Both targets
 * grant it the same way, through Atlassian's public Jira and Confluence APIs with a site
 * admin's credentials.
 *
 * Role ids, space ids and the site's role mode are looked up once per provider process (they
 * do not change while a deployment runs); memberships are always read fresh.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import {
  hasUser,
  isAmbiguousWriteFailure,
  NEW_ACCOUNT_GRANT_RETRY,
  type SpacePermissionEntry,
  NotFoundError,
  type Client,
  type JiraRoleRef,
  type RequestOptions,
  type SpaceRoleMode,
} from "../sdk/index";
import * as config from "./config";
import { CONFLUENCE_PERMISSION_SETS, type AccessRole, type SpacePermission } from "./roles";

/**
 * A new account is not grantable at once: for some seconds Jira and Confluence answer a grant
 * naming it with a 404 that reads exactly like "no such account" (observed by a third party,
 * who retries at 2, 4 and 8 s). A grant to an account this process created is retried with
 * backoff for this long after its first 404; for any other account a 404 is an error at once.
 */
export const ACCOUNT_READY_WAIT_MS = NEW_ACCOUNT_GRANT_RETRY.withinMs;
/** The backoff between those retries: each in turn, then the last again. */
export const ACCOUNT_READY_BACKOFF_MS = NEW_ACCOUNT_GRANT_RETRY.delaysMs;
/** Sends of one non-idempotent grant (a Jira role POST, a v1 permission POST) at most, each after reading that it did not land. */
export const GRANT_ATTEMPTS = 5;

/** Product account ids of the accounts this process (this deployment) created. */
const createdHere = new Set<string>();

/** Records that this deployment created the account: its grants may meet the not-ready window. */
export function noteCreated(accountId: string): void {
  createdHere.add(accountId);
}

/**
 * Which grant (by its `ref`) made or found each membership, role assignment and permission in
 * this process. A binding handed to a new URN (renamed without an alias, or replaced
 * create-first) is created before the old one is deleted, finds the old one's grant in place
 * and records that it added nothing; the old one's delete must then leave it, or the access
 * is silently lost.
 * Keys: `jira/<project>/<roleId>/<accountId>`, `space-role/<spaceId>/<roleId>/<accountId>`,
 * `space-permission/<spaceId>/<permissionId>`.
 */
const heldHere = new Map<string, string>();

/** Whether a grant other than `ref` made or found it in this deployment (a grant stored before refs were recorded has none). */
function heldByAnother(key: string, ref: string | undefined): boolean {
  const by = heldHere.get(key);
  return by !== undefined && by !== ref;
}

/** A line in the engine's output (the engine shows what the provider process writes to stderr). */
function notice(message: string): void {
  process.stderr.write(`${message}\n`);
}


/**
 * The run's one read of `key`: made by the first caller, shared by the others, forgotten if it
 * fails (or, with `gone`, if it finds nothing) so that the next caller reads again.
 */
async function readOnce<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>, gone?: (v: V) => boolean): Promise<V> {
  let read = cache.get(key);
  if (!read) {
    read = load();
    cache.set(key, read);
    read.catch(() => cache.delete(key));
  }
  const value = await read;
  if (gone?.(value)) cache.delete(key);
  return value;
}

/**
 * Sends a write that is not idempotent (a second one answers 400). When its answer is lost
 * (`isAmbiguousWriteFailure`), `landed` reads whether it took effect, and it is sent again
 * only if not, at most GRANT_ATTEMPTS times.
 */
export async function sendOnce<T>(send: () => Promise<T>, landed: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!isAmbiguousWriteFailure(err)) throw err;
      // It may have landed: read before sending it again, and before giving up (the last
      // send's answer may be the one that was lost).
      const found = await landed();
      if (found !== undefined) return found;
      if (attempt >= GRANT_ATTEMPTS) throw err;
    }
  }
}

/**
 * Sends a grant naming `accountId`; for an account this deployment created, a 404 means
 * "not grantable yet", retried with backoff for {@link ACCOUNT_READY_WAIT_MS}, saying so.
 */
async function whenReady<T>(accountId: string, what: string, send: () => Promise<T>): Promise<T> {
  let firstNotFound: number | undefined;
  for (let retry = 0; ; retry++) {
    try {
      return await send();
    } catch (err) {
      if (!createdHere.has(accountId) || !(err instanceof NotFoundError)) throw err;
      firstNotFound ??= Date.now();
      const waited = Date.now() - firstNotFound;
      const delay = ACCOUNT_READY_BACKOFF_MS[Math.min(retry, ACCOUNT_READY_BACKOFF_MS.length - 1)]!;
      if (waited + delay > ACCOUNT_READY_WAIT_MS) {
        throw new Error(
          `${what}: the new account ${accountId} was still not known to the product after ${Math.round(waited / 1000)} s ` +
            `(404 each time; new accounts take some seconds to become grantable). Run pulumi up again in a minute. Last answer: ${(err as Error).message}`,
        );
      }
      notice(
        `${what}: the new account ${accountId} is not grantable yet (404: new accounts take some seconds); retrying in ${delay / 1000} s`,
      );
      await sleep(delay);
    }
  }
}

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
  /**
   * Confluence v1: the level whose permission set the binding grants (read checks the whole
   * set, held by hand or not; absent from grants stored before it was recorded: read then uses the role input).
   */
  level?: AccessRole;
  /**
   * A random id naming this grant to the other handlers of the deployment (see `heldHere`):
   * a binding's create and its own delete in one process are not a hand-over. Absent in
   * grants stored before it was recorded.
   */
  ref?: string;
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
  const { cloudId, siteUrl } = config.siteSettings();
  const site =
    siteUrl !== undefined
      ? `that atlassian:siteUrl (or ATLASSIAN_SITE_URL), now ${JSON.stringify(siteUrl.slice(0, 200))}, is the site's URL`
      : `that atlassian:cloudId (or ATLASSIAN_CLOUD_ID), now ${JSON.stringify((cloudId ?? "").slice(0, 100))}, is the site's cloud id`;
  return `check the key, ${site}, and that the site admin (atlassian:siteAdminEmail) can see it`;
}

const clients = new WeakMap<Client, ProductAccess>();

export class ProductAccess {
  readonly #client: Client;
  readonly #jiraRoles = new Map<string, Promise<JiraRoleRef[] | null>>();
  readonly #spaces = new Map<string, Promise<string | null>>();
  /**
   * Who holds a Jira role (`<project>/<roleId>`) and a Confluence space's v1 permissions, read
   * once per run when a grant first needs them and kept in step with what this process
   * changes: a run of N grants on one role costs one read, not N.
   */
  readonly #jiraMembers = new Map<string, Promise<Set<string> | null>>();
  readonly #spacePermissions = new Map<string, Promise<SpacePermissionEntry[]>>();
  /** A space's role assignments, user account id to role id, likewise. */
  readonly #spaceAssignments = new Map<string, Promise<Map<string, string>>>();
  #mode: Promise<SpaceRoleMode> | undefined;
  #spaceRoles: Promise<{ id: string; name: string }[]> | undefined;

  private constructor(client: Client) {
    this.#client = client;
  }

  /** One per client, so lookups are cached for as long as the settings stay the same. See {@link productAccess}. */
  static for(client: Client): ProductAccess {
    let a = clients.get(client);
    if (!a) {
      a = new ProductAccess(client);
      clients.set(client, a);
    }
    return a;
  }

  /**
   * Grants the role; returns what was granted, with a new `ref` (or the given one). What it
   * makes or finds is the grant's own for the rest of the deployment: another grant's revoke
   * leaves it (see {@link heldHere}).
   */
  async grant(resource: string, accountId: string, wanted: RoleWanted, opts: RequestOptions, ref: string = randomUUID()): Promise<Grant> {
    config.siteSettings();
    const { product, key } = parseResource(resource);
    const hold = (k: string) => heldHere.set(k, ref);
    if (product === "jira") {
      const role = await this.#jiraRole(key, wanted, opts);
      // Read first (once per run per role), so delete removes the membership only when this binding added it.
      const members = await this.#membersOf(key, role.id, opts);
      const found = members.has(accountId);
      if (!found) {
        await this.#addToJiraRole(key, role, accountId, opts);
        members.add(accountId);
      }
      hold(`jira/${key}/${role.id}/${accountId}`);
      return { via: "jira-project-role", roleId: role.id, roleName: role.name, added: !found, ref };
    }
    const spaceId = await this.#spaceId(key, opts);
    if ((await this.#roleMode(opts)) !== "PRE_ROLES") {
      const role = await this.#spaceRole(key, wanted, opts);
      const assigned = await this.#assignmentsIn(spaceId, opts);
      const previous = assigned.get(accountId);
      if (previous !== role.id) {
        // Setting a role is idempotent: the sdk retries it as it is.
        await whenReady(accountId, `assigning the Confluence space role "${role.name}" in ${key}`, () =>
          this.#client.confluenceSpaceRoles.assign(spaceId, accountId, role.id, opts),
        );
        assigned.set(accountId, role.id);
      }
      hold(`space-role/${spaceId}/${role.id}/${accountId}`);
      // Held already: previousRoleId is the role itself, and delete leaves it as it was found.
      return { via: "confluence-space-role", spaceId, roleId: role.id, roleName: role.name, ...(previous ? { previousRoleId: previous } : {}), ref };
    }
    if (wanted.roleName !== undefined) {
      throw new Error(
        `the Confluence site is not in role mode (space-role-mode PRE_ROLES), so it has no role "${wanted.roleName}" to assign: ` +
          `give role (viewer, editor or admin) without roleName, and the binding grants the matching space permissions`,
      );
    }
    const { added, held } = await this.#addPermissions(key, spaceId, accountId, wanted.role, opts);
    for (const p of [...added, ...held]) hold(`space-permission/${spaceId}/${p.id}`);
    return { via: "confluence-space-permissions", spaceId, level: wanted.role, permissions: added, ref };
  }

  /**
   * Whether the account still holds what the grant gave (one request; Confluence v1 reads
   * every page of the space's permissions). A project or space that is gone: false.
   * Confluence v1: every permission of the level's set (`grant.level`, else `role`), whoever
   * added it: a grant that found them all held added none, and is still only held while they are.
   */
  async holds(resource: string, accountId: string, grant: Grant, role: AccessRole, opts: RequestOptions): Promise<boolean> {
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
        const now = await this.#client.confluenceSpacePermissions.listFor(grant.spaceId!, accountId, opts);
        const held = new Set(now.map((p) => `${p.operation.key}/${p.operation.targetType}`));
        return CONFLUENCE_PERMISSION_SETS[grant.level ?? role].every((p) => held.has(`${p.key}/${p.target}`));
      }
    }
  }

  /** Moves the binding to another role: grants the new one, then undoes what the old grant added. */
  async change(resource: string, accountId: string, old: Grant, wanted: RoleWanted, opts: RequestOptions): Promise<Grant> {
    config.siteSettings();
    const { key } = parseResource(resource);
    const ref = old.ref ?? randomUUID();
    if (old.via === "confluence-space-role") {
      const role = await this.#spaceRole(key, wanted, opts);
      heldHere.set(`space-role/${old.spaceId}/${role.id}/${accountId}`, ref);
      if (role.id !== old.roleId) {
        await this.#client.confluenceSpaceRoles.assign(old.spaceId!, accountId, role.id, opts);
        this.#spaceAssignments.get(old.spaceId!)?.then((m) => m.set(accountId, role.id), () => undefined);
      }
      return { ...old, roleId: role.id, roleName: role.name, ref };
    }
    if (old.via === "confluence-space-permissions") {
      const { added: next, held } = await this.#addPermissions(key, old.spaceId!, accountId, wanted.role, opts);
      for (const p of [...next, ...held]) heldHere.set(`space-permission/${old.spaceId}/${p.id}`, ref);
      const keep = new Set(CONFLUENCE_PERMISSION_SETS[wanted.role].map((p) => `${p.key}/${p.target}`));
      const kept: (SpacePermission & { id: string })[] = [];
      // Remove in reverse, so read/space (which the others need) goes last.
      for (const p of [...(old.permissions ?? [])].reverse()) {
        if (keep.has(`${p.key}/${p.target}`)) kept.push(p);
        else if (!heldByAnother(`space-permission/${old.spaceId}/${p.id}`, old.ref)) {
          // Never read/space: every level's set has it, so it is always kept.
          await this.#client.confluenceSpacePermissions.remove(key, p.id, opts);
          this.#forgetPermissions(old.spaceId!, accountId, [p]);
        }
      }
      return { ...old, level: wanted.role, permissions: [...kept.reverse(), ...next], ref };
    }
    const role = await this.#jiraRole(key, wanted, opts);
    if (role.id === old.roleId) return { ...old, roleName: role.name, ref };
    const granted = await this.grant(resource, accountId, wanted, opts, ref);
    await this.revoke(resource, accountId, { ...old, ref }, opts);
    return granted;
  }

  /**
   * Undoes exactly what the grant added. Gone already: success. Leaves what another binding
   * made or found in this deployment (see {@link heldHere}), and a read/space this grant added
   * while the account holds other permissions in the space that it did not (Confluence takes
   * all of a user's permissions with read/space).
   */
  async revoke(resource: string, accountId: string, grant: Grant, opts: RequestOptions): Promise<void> {
    config.siteSettings();
    const { key } = parseResource(resource);
    const handedOver = (what: string) =>
      notice(
        `${resource}: ${what} of ${accountId} is left in place: another binding took it over in this deployment (renamed, or replaced create-first). ` +
          `That binding found it in place, so it will leave it too when it is deleted: remove it by hand then if it should go`,
      );
    switch (grant.via) {
      case "jira-project-role":
        if (grant.added && heldByAnother(`jira/${key}/${grant.roleId}/${accountId}`, grant.ref)) handedOver(`the Jira role "${grant.roleName}"`);
        else if (grant.added) {
          await this.#client.jiraProjectRoles.removeUser(key, grant.roleId!, accountId, opts);
          this.#jiraMembers.get(`${key}/${grant.roleId}`)?.then((m) => m?.delete(accountId), () => undefined);
        }
        return;
      case "confluence-space-role": {
        if (heldByAnother(`space-role/${grant.spaceId}/${grant.roleId}/${accountId}`, grant.ref)) return handedOver(`the space role "${grant.roleName}"`);
        // The role was held already when the binding was made: nothing to undo.
        if (grant.previousRoleId === grant.roleId) return;
        const now = await this.#client.confluenceSpaceRoles.assignmentsOf(grant.spaceId!, accountId, opts);
        // Someone else has changed the role since: theirs to keep.
        if (!now.some((a) => a.roleId === grant.roleId)) return;
        await this.#client.confluenceSpaceRoles.assign(grant.spaceId!, accountId, grant.previousRoleId ?? null, opts);
        this.#spaceAssignments.get(grant.spaceId!)?.then(
          (m) => (grant.previousRoleId ? m.set(accountId, grant.previousRoleId) : m.delete(accountId)),
          () => undefined,
        );
        return;
      }
      case "confluence-space-permissions": {
        const spaceId = grant.spaceId!;
        const taken = (grant.permissions ?? []).filter((p) => heldByAnother(`space-permission/${spaceId}/${p.id}`, grant.ref));
        if (taken.length > 0) handedOver(taken.map((p) => `${p.key}/${p.target}`).join(", "));
        const mine = (grant.permissions ?? []).filter((p) => !taken.includes(p));
        if (mine.length === 0) return;
        const ids = new Set(mine.map((p) => p.id));
        const readSpace = mine.find((p) => p.key === "read" && p.target === "space");
        if (readSpace) {
          const others = (await this.#permissionsIn(spaceId, opts)).filter((p) => p.principal?.type === "user" && p.principal.id === accountId && !ids.has(p.id));
          if (others.length > 0) {
            ids.delete(readSpace.id);
            notice(
              `${resource}: read/space of ${accountId} is left in place: removing it would also remove ` +
                `${others.map((p) => `${p.operation.key}/${p.operation.targetType}`).join(", ")}, which this binding did not add`,
            );
          }
        }
        // In reverse, so read/space (which the others need) goes last.
        const gone = [...mine].reverse().filter((p) => ids.has(p.id));
        for (const p of gone) await this.#client.confluenceSpacePermissions.remove(key, p.id, opts);
        this.#forgetPermissions(spaceId, accountId, gone);
        return;
      }
    }
  }

  /**
   * POST .../role/{id} `{user:[accountId]}`. Not idempotent (a second one answers 400), so an
   * answer that was lost is settled by reading the role's members before sending again.
   */
  async #addToJiraRole(projectKey: string, role: JiraRoleRef, accountId: string, opts: RequestOptions): Promise<void> {
    await whenReady(accountId, `adding the account to the Jira role "${role.name}" of ${projectKey}`, () =>
      sendOnce(
        async () => void (await this.#client.jiraProjectRoles.addUsers(projectKey, role.id, [accountId], opts)),
        async () => {
          const now = await this.#client.jiraProjectRoles.retrieve(projectKey, role.id, opts);
          return now && hasUser(now, accountId) ? null : undefined;
        },
      ),
    );
  }

  /** One v1 POST .../permission; an answer that was lost is settled by reading the account's permissions first. */
  async #addPermission(spaceKey: string, spaceId: string, accountId: string, p: SpacePermission, opts: RequestOptions): Promise<string> {
    return whenReady(accountId, `adding the Confluence permission ${p.key}/${p.target} in ${spaceKey}`, () =>
      sendOnce(
        () => this.#client.confluenceSpacePermissions.add(spaceKey, accountId, { key: p.key, target: p.target }, opts),
        async () =>
          (await this.#client.confluenceSpacePermissions.listFor(spaceId, accountId, opts)).find(
            (x) => x.operation.key === p.key && x.operation.targetType === p.target,
          )?.id,
      ),
    );
  }

  // ----- lookups, cached per process ---------------------------------------------------

  /** The account ids holding a Jira role: GET .../role/{id} once per run per role. */
  async #membersOf(projectKey: string, roleId: string, opts: RequestOptions): Promise<Set<string>> {
    const found = await readOnce(
      this.#jiraMembers,
      `${projectKey}/${roleId}`,
      async () => {
        const r = await this.#client.jiraProjectRoles.retrieve(projectKey, roleId, opts);
        return r === null ? null : new Set(r.actors.map((a) => a.actorUser?.accountId).filter((id): id is string => !!id));
      },
      (v) => v === null,
    );
    if (found === null) throw new Error(`the Jira project ${projectKey} or its role ${roleId} was not found: ${notFoundHint()}`);
    return found;
  }

  /** A space's role assignments of users (every page of GET /api/v2/spaces/{id}/role-assignments), once per run per space. */
  async #assignmentsIn(spaceId: string, opts: RequestOptions): Promise<Map<string, string>> {
    return readOnce(this.#spaceAssignments, spaceId, async () => {
      const byAccount = new Map<string, string>();
      for (const a of await this.#client.confluenceSpaceRoles.assignments(spaceId, opts)) {
        if (a.roleId && a.principal.principalType.toUpperCase() === "USER") byAccount.set(a.principal.principalId, a.roleId);
      }
      return byAccount;
    });
  }

  /** A space's v1 permissions (every page of GET /api/v2/spaces/{id}/permissions), once per run per space. */
  #permissionsIn(spaceId: string, opts: RequestOptions): Promise<SpacePermissionEntry[]> {
    return readOnce(this.#spacePermissions, spaceId, () => this.#client.confluenceSpacePermissions.listAll(spaceId, opts));
  }

  #rememberPermission(spaceId: string, entry: SpacePermissionEntry): void {
    this.#spacePermissions.get(spaceId)?.then((all) => all.push(entry), () => undefined);
  }

  /** Drops removed permissions from the run's copy; read/space takes all of the account's in the space with it, as Confluence does. */
  #forgetPermissions(spaceId: string, accountId: string, removed: (SpacePermission & { id: string })[]): void {
    const ids = new Set(removed.map((p) => p.id));
    const all = removed.some((p) => p.key === "read" && p.target === "space");
    this.#spacePermissions.get(spaceId)?.then(
      (list) => {
        for (let i = list.length - 1; i >= 0; i--) {
          const p = list[i]!;
          if (ids.has(p.id) || (all && p.principal?.type === "user" && p.principal.id === accountId)) list.splice(i, 1);
        }
      },
      () => undefined,
    );
  }

  async #jiraRole(projectKey: string, wanted: RoleWanted, opts: RequestOptions): Promise<JiraRoleRef> {
    const list = await readOnce(this.#jiraRoles, projectKey, () => this.#client.jiraProjectRoles.list(projectKey, opts), (v) => v === null);
    if (list === null) {
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
    const found = await readOnce(this.#spaces, spaceKey, async () => (await this.#client.confluenceSpaces.byKey(spaceKey, opts))?.id ?? null, (v) => v === null);
    if (found === null) {
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

  /** Adds the role's v1 permissions the account lacks, read/space first; returns those added and those of the set it held already. */
  async #addPermissions(spaceKey: string, spaceId: string, accountId: string, role: AccessRole, opts: RequestOptions) {
    const have = (await this.#permissionsIn(spaceId, opts)).filter((p) => p.principal?.type === "user" && p.principal.id === accountId);
    const byOp = new Map(have.map((p) => [`${p.operation.key}/${p.operation.targetType}`, p.id]));
    const added: (SpacePermission & { id: string })[] = [];
    const held: (SpacePermission & { id: string })[] = [];
    for (const p of CONFLUENCE_PERMISSION_SETS[role]) {
      const found = byOp.get(`${p.key}/${p.target}`);
      if (found !== undefined) {
        held.push({ id: found, key: p.key, target: p.target });
        continue;
      }
      const id = await this.#addPermission(spaceKey, spaceId, accountId, p, opts);
      added.push({ id, key: p.key, target: p.target });
      this.#rememberPermission(spaceId, { id, principal: { type: "user", id: accountId }, operation: { key: p.key, targetType: p.target } } as SpacePermissionEntry);
    }
    return { added, held };
  }
}

/** Jira and Confluence access for the settings in force: the same on both targets. */
export function productAccess(): ProductAccess {
  return ProductAccess.for(config.client());
}
