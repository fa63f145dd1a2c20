/**
 * The org directory's groups, through Atlassian's Organizations API v2
 * (`/admin/v2/orgs/{orgId}/directories/{directoryId}/…`, [doc]: clients generated from
 * Atlassian's spec): find groups by id or name, add and remove a member, and test a
 * membership. Groups are searched in every directory the key manages (`directoryId` `-`);
 * writes go to the directory the search names for the group, so no directory id is assumed.
 * Atlassian prints no scope for these operations: they take an unscoped org key.
 *
 * Whether a service account can be added to a group after its creation is not settled: a
 * third party saw Atlassian answer 404 `ADMIN-404-8` User not found ("service accounts are
 * not directory users"). `addMember` passes that answer on as it is (`isUserNotFound`).
 */
import { z } from "zod";
import { ADMIN_ERROR_CODES } from "../atlassian-assumptions";
import type { RequestOptions } from "../client";
import { APIError } from "../errors";
import { APIResource, validateParams } from "../resource";
import { GroupId } from "../schemas";
import { OPAQUE_ID, segment } from "./product";

/** A group as Atlassian's search lists it (`{id, name, description, directoryId, …}`). */
export const DirectoryGroup = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  directoryId: z.string(),
});
export type DirectoryGroup = z.infer<typeof DirectoryGroup>;

const GroupsPage = z.looseObject({ data: z.array(DirectoryGroup), links: z.looseObject({ next: z.string().nullish() }).nullish() });
const UsersPage = z.looseObject({ data: z.array(z.looseObject({ accountId: z.string() })) });
const GroupName = z.string().trim().min(1, "a group name must not be empty").max(255);
const GroupCreateParams = z.strictObject({ name: GroupName, description: z.string().max(1000).optional() });

/** Whether `err` is Atlassian's 404 for an account that is not a user of the directory. */
export function isUserNotFound(err: unknown): boolean {
  return err instanceof APIError && err.status === 404 && err.code === ADMIN_ERROR_CODES.userNotFound;
}

/** The directory id that stands for every directory the key manages. */
export const EVERY_DIRECTORY = "-";

/** `/admin/v2/orgs/{orgId}/directories/{directoryId}` of the client's org, the id checked for a path. */
export function directoryPath(client: { orgId: string }, directoryId: string): string {
  const dir = directoryId === EVERY_DIRECTORY ? EVERY_DIRECTORY : segment("directoryId", directoryId, OPAQUE_ID, "a directory id");
  return `/admin/v2/orgs/${encodeURIComponent(client.orgId)}/directories/${dir}`;
}

export class DirectoryGroups extends APIResource {
  /** `POST …/directories/-/groups/search` `{groupIds}` or `{groupNames}` -> the groups found (others are not there). */
  async search(by: { ids: string[] } | { names: string[] }, opts?: RequestOptions): Promise<DirectoryGroup[]> {
    const body = "ids" in by ? { groupIds: validateParams(z.array(GroupId).max(100), by.ids, "group ids") } : { groupNames: validateParams(z.array(GroupName).max(100), by.names, "group names") };
    const page = await this._client.post(`${this.#path(EVERY_DIRECTORY)}/groups/search`, { ...body, limit: 100 }, GroupsPage, opts);
    return page.data;
  }

  /** The group of this id, or of this name (a name matches exactly); `null` when none. */
  async find(ref: { id: string } | { name: string }, opts?: RequestOptions): Promise<DirectoryGroup | null> {
    const found = "id" in ref ? await this.search({ ids: [ref.id] }, opts) : await this.search({ names: [ref.name] }, opts);
    return found.find((g) => ("id" in ref ? g.id === ref.id : g.name === ref.name)) ?? null;
  }

  /** `POST …/directories/{directoryId}/groups` `{name, description}`. */
  async create(params: z.input<typeof GroupCreateParams>, directoryId: string, opts?: RequestOptions): Promise<void> {
    const p = validateParams(GroupCreateParams, params, "group");
    await this._client.post(`${this.#path(directoryId)}/groups`, p, z.unknown(), opts);
  }

  /** `POST …/groups/{groupId}/memberships` `{accountId}` (204). Refused for a service account by some orgs: see `isUserNotFound`. */
  async addMember(group: Pick<DirectoryGroup, "id" | "directoryId">, accountId: string, opts?: RequestOptions): Promise<void> {
    this.#accountId(accountId);
    await this._client.post(`${this.#groupPath(group)}/memberships`, { accountId }, z.unknown(), opts);
  }

  /** `DELETE …/groups/{groupId}/memberships/{accountId}` (204); not a member (any 404): success. */
  async removeMember(group: Pick<DirectoryGroup, "id" | "directoryId">, accountId: string, opts?: RequestOptions): Promise<void> {
    await this._client.delete(`${this.#groupPath(group)}/memberships/${this.#accountId(accountId)}`, opts);
  }

  /** Whether the account is a member: `POST …/directories/{directoryId}/users/search` `{groupIds:[id], accountIds:[accountId]}`. */
  async hasMember(group: Pick<DirectoryGroup, "id" | "directoryId">, accountId: string, opts?: RequestOptions): Promise<boolean> {
    this.#accountId(accountId);
    const page = await this._client.post(`${this.#path(group.directoryId)}/users/search`, { groupIds: [group.id], accountIds: [accountId] }, UsersPage, opts);
    return page.data.some((u) => u.accountId === accountId);
  }

  /** The account id checked (it goes into a path or a body), encoded for a path. */
  #accountId(accountId: string): string {
    return segment("accountId", accountId, OPAQUE_ID, "an account id (letters, digits, '_', ':', '.', '-')");
  }

  #groupPath(group: Pick<DirectoryGroup, "id" | "directoryId">): string {
    return `${this.#path(group.directoryId)}/groups/${segment("groupId", group.id, OPAQUE_ID, "a group id")}`;
  }

  #path(directoryId: string): string {
    return directoryPath(this._client, directoryId);
  }
}
