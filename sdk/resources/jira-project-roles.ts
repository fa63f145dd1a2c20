/**
 * Jira Cloud platform REST v3: a project's roles and their members, at `siteUrl` or through
 * the gateway on the site `cloudId`, with a site admin's credentials (Administer Projects or Administer Jira).
 * Stable, non-experimental operations; none pages.
 */
import { z } from "zod";
import type { RequestOptions } from "../client";
import { isProductNotFound } from "../errors";
import { APIResource } from "../resource";
import { NUMERIC_ID, PROJECT_KEY, segment, siteDelete } from "./product";

/** `GET .../project/{key}/role`: `{ "<role name>": "<self URL ending in the role id>" }`. */
const RoleMap = z.record(z.string(), z.string());

export const JiraRoleActor = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  displayName: z.string().optional(),
  // Optional in Jira's spec (`RoleActor.type`); `actorUser`/`actorGroup` say what the actor is.
  type: z.string().optional(),
  actorUser: z.looseObject({ accountId: z.string() }).optional(),
  actorGroup: z.looseObject({ name: z.string().optional(), groupId: z.string().optional() }).optional(),
});
export type JiraRoleActor = z.infer<typeof JiraRoleActor>;

export const JiraProjectRole = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  name: z.string(),
  self: z.string().optional(),
  description: z.string().optional(),
  actors: z.array(JiraRoleActor).default([]),
});
export type JiraProjectRole = z.infer<typeof JiraProjectRole>;

/** A role of a project: its name and its site-wide id. */
export interface JiraRoleRef {
  name: string;
  id: string;
}

/** `[/ex/jira/{cloudId}]/rest/api/3/project/{key}/role[/{id}]` */
export class JiraProjectRoles extends APIResource {
  /** `GET .../project/{key}/role` -> the project's roles (name and id); `null` when there is no such project. */
  async list(projectKey: string, opts?: RequestOptions): Promise<JiraRoleRef[] | null> {
    let map: Record<string, string>;
    try {
      map = await this._client.site({ method: "GET", path: this.#path(projectKey), schema: RoleMap, opts });
    } catch (err) {
      if (isProductNotFound(err)) return null;
      throw err;
    }
    return Object.entries(map).map(([name, self]) => ({ name, id: self.replace(/\/+$/, "").split("/").pop() ?? "" }));
  }

  /** `GET .../project/{key}/role/{id}` -> the role with its actors; `null` when the project or role is gone. */
  async retrieve(projectKey: string, roleId: string, opts?: RequestOptions): Promise<JiraProjectRole | null> {
    try {
      return await this._client.site({ method: "GET", path: this.#path(projectKey, roleId), schema: JiraProjectRole, opts });
    } catch (err) {
      if (isProductNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * `POST .../project/{key}/role/{id}` `{"user":[accountId…]}` -> the role with its actors. Not
   * idempotent (a second POST answers 400 "already a member"): after a failure for which
   * `isAmbiguousWriteFailure(err)` is true, read the role (`retrieve`, `hasUser`) before adding again.
   */
  async addUsers(projectKey: string, roleId: string, accountIds: string[], opts?: RequestOptions): Promise<JiraProjectRole> {
    return this._client.site({ method: "POST", path: this.#path(projectKey, roleId), body: { user: accountIds }, schema: JiraProjectRole, opts });
  }

  /** `DELETE .../project/{key}/role/{id}?user=<accountId>`. Not a member, or gone: success. */
  async removeUser(projectKey: string, roleId: string, accountId: string, opts?: RequestOptions): Promise<void> {
    return siteDelete(this._client, this.#path(projectKey, roleId), { user: accountId }, opts);
  }

  #path(projectKey: string, roleId?: string): string {
    const base = `${this._client.productPath("jira")}/rest/api/3/project/${segment("projectKey", projectKey, PROJECT_KEY, "a Jira project key (an uppercase letter, then 1-9 uppercase letters or digits)")}/role`;
    return roleId === undefined ? base : `${base}/${segment("roleId", roleId, NUMERIC_ID, "a numeric Jira role id")}`;
  }
}

/** Whether a role's actors hold the user `accountId`. */
export function hasUser(role: JiraProjectRole, accountId: string): boolean {
  return role.actors.some((a) => a.actorUser?.accountId === accountId);
}
