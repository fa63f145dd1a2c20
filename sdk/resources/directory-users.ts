/**
 * A user of the org directory, through Atlassian's Organizations API v2: the read of a user's
 * role assignments (app access), `GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/role-assignments`
 * ([doc] jira.js `getUserRoleAssignments`; scope `read:directories:admin`), in every directory
 * the key manages (`-`).
 *
 * Whether Atlassian answers it for a SERVICE account (by its atlassianId) is unconfirmed
 * (`SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ`): it may list the account's access, or refuse it as
 * the group routes may, 404 `ADMIN-404-8` User not found, which is thrown as it is (test it
 * with `isUserNotFound`). Access given through the console's invite lands asynchronously, so a
 * rule missing right after the invite may be pending, not refused.
 */
import { z } from "zod";
import type { RequestOptions } from "../client";
import type { PageData } from "../pagination";
import { APIResource } from "../resource";
import { directoryPath, EVERY_DIRECTORY } from "./directory-groups";
import { OPAQUE_ID, segment } from "./product";

/** One resource a user has roles on, as Atlassian's `MultiDirectoryUserRoleAssignment` has it; fields past `resourceId` and the roles optional. */
export const UserRoleAssignment = z.looseObject({
  resourceId: z.string(),
  resourceOwner: z.string().nullish(),
  roleAssignments: z.array(z.looseObject({ role: z.string(), roleAssignmentMethods: z.array(z.string()).optional() })),
  directoryId: z.string().optional(),
  userDirectoryStatus: z.string().optional(),
});
export type UserRoleAssignment = z.infer<typeof UserRoleAssignment>;

const RoleAssignmentsPage = z.looseObject({ data: z.array(UserRoleAssignment), links: z.looseObject({ next: z.string().nullish() }).nullish() });
const pageOf = (body: z.infer<typeof RoleAssignmentsPage>): PageData<UserRoleAssignment> => ({ items: body.data, total: undefined, next: body.links?.next ?? undefined });

export class DirectoryUsers extends APIResource {
  /**
   * `GET …/directories/-/users/{accountId}/role-assignments` -> every resource the account has
   * roles on, every page. A service account is named by its atlassianId. Refusals are
   * `APIError`s (`isUserNotFound` for the 404 of a user not in the directory).
   */
  async roleAssignments(accountId: string, opts?: RequestOptions): Promise<UserRoleAssignment[]> {
    const id = segment("accountId", /^\.+$/.test(accountId) ? "" : accountId, OPAQUE_ID, "an account id (letters, digits, '_', ':', '.', '-')");
    const path = `${directoryPath(this._client, EVERY_DIRECTORY)}/users/${id}/role-assignments`;
    return this._client.getList(() => ({ path }), RoleAssignmentsPage, pageOf, opts).toArray();
  }
}
