/**
 * What this package assumes about Atlassian Cloud's public APIs where Atlassian's published
 * material does not settle it (see `reference/atlassian-cloud-api.md`, sections 2-4). One
 * module, so one live check against a real org can confirm or correct each value, and the
 * embedded backend and the provider's Atlassian target cannot disagree: both import these.
 *
 * Every constant says what is unconfirmed and why this value was picked.
 */

// ---------------------------------------------------------------------------------------
// Admin "API Access" API: service accounts
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED. The body field that names the account in `PATCH /orgs/{orgId}/service-accounts`
 * (Atlassian's update has no id in the path). Picked because the one body Atlassian's API
 * Access group is known to take that names service accounts, `POST …/service-accounts/count`,
 * calls them `serviceAccountIds`.
 */
export const SERVICE_ACCOUNT_PATCH_ID_FIELD = "serviceAccountId" as const;

/**
 * UNCONFIRMED. Which field of a listed service account goes into `{serviceAccountId}` paths
 * (delete, api-tokens). The list item carries `id` and `atlassianId`; the natural reading is
 * `id` = the admin record id used in admin paths.
 */
export const SERVICE_ACCOUNT_PATH_ID_FIELD = "id" as const;

/**
 * UNCONFIRMED. Which field of a listed service account is the product account id that Jira
 * (`user: [accountId]`, `?user=`) and Confluence (`principalId`, `subject.identifier`) take.
 * Natural reading: `atlassianId`. Live check: `GET /ex/jira/{cloudId}/rest/api/3/myself`
 * with the account's token and compare `accountId`.
 */
export const SERVICE_ACCOUNT_PRODUCT_ID_FIELD = "atlassianId" as const;

/**
 * UNCONFIRMED. Body field names of `POST /orgs/{orgId}/service-accounts`. Atlassian says an
 * account is created "with the given display name and optional description"; the name that
 * makes its email (`<name>@serviceaccount.atlassian.com`) is assumed to travel as `name`.
 */
export const SERVICE_ACCOUNT_CREATE_FIELDS = { name: "name", displayName: "displayName", description: "description" } as const;

/**
 * Documented sample ([doc] §2.2): the list item's `updatedAt` is epoch milliseconds (a
 * number), not an ISO string. Listed here because it differs from every other time field.
 */
export const SERVICE_ACCOUNT_LIST_UPDATED_AT = "epoch-ms" as const;

// ---------------------------------------------------------------------------------------
// Admin API: a service account's tokens
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED. The shape of `GET /orgs/{orgId}/service-accounts/{id}/api-tokens`. Assumed
 * to page like the service-account list (`{links:{next,prev}, items:[…], total}`), each item
 * carrying these fields: the admin UI shows a token's name, creation date, expiry and last
 * use; a third-party client of the org-wide token list names them `label`, `createdAt`,
 * `expiresAt`, `lastActiveAt` and `status`.
 */
export const TOKEN_LIST_ITEMS_FIELD = "items" as const;
export const TOKEN_LIST_ITEM_FIELDS = {
  id: "id",
  label: "label",
  status: "status",
  createdAt: "createdAt",
  expiresAt: "expiresAt",
  lastActiveAt: "lastActiveAt",
} as const;

// ---------------------------------------------------------------------------------------
// Jira platform REST v3
// ---------------------------------------------------------------------------------------

/** UNCONFIRMED. The `accountType` Jira reports for a service account (`/myself`, user lookups). */
export const SERVICE_ACCOUNT_JIRA_ACCOUNT_TYPE = "app" as const;

/**
 * Documented: the default roles of a team-managed Jira project ("Administrator", "Member",
 * "Viewer"). Role ids differ per site, so resolve them by name through `GET …/project/{key}/role`.
 */
export const JIRA_DEFAULT_ROLES = { admin: "Administrator", editor: "Member", viewer: "Viewer" } as const;

// ---------------------------------------------------------------------------------------
// Confluence
// ---------------------------------------------------------------------------------------

/**
 * Documented: Confluence's default space roles (Admin, Manager, Collaborator, Viewer). Role
 * ids are tenant-specific strings: resolve by name through `GET /wiki/api/v2/space-roles`.
 * `Manager` has no level of its own in the default mapping; it counts as admin.
 */
export const CONFLUENCE_DEFAULT_ROLES = { admin: "Admin", editor: "Collaborator", viewer: "Viewer" } as const;
export const CONFLUENCE_SYSTEM_ROLE_NAMES = ["Admin", "Manager", "Collaborator", "Viewer"] as const;

/**
 * This package's choice, not Atlassian's: the v1 space permissions that stand for each level
 * on a site not in role mode (`space-role-mode` PRE_ROLES). `read/space` must come first
 * (Atlassian refuses other permissions without it) and removing it removes all the others.
 */
export const CONFLUENCE_LEVEL_PERMISSIONS = {
  viewer: [{ key: "read", target: "space" }],
  editor: [
    { key: "read", target: "space" },
    { key: "create", target: "page" },
    { key: "create", target: "blogpost" },
    { key: "create", target: "comment" },
    { key: "create", target: "attachment" },
  ],
  admin: [
    { key: "read", target: "space" },
    { key: "create", target: "page" },
    { key: "create", target: "blogpost" },
    { key: "create", target: "comment" },
    { key: "create", target: "attachment" },
    { key: "administer", target: "space" },
  ],
} as const;

/** The levels a binding names (`viewer` reads, `editor` writes, `admin` also manages access). */
export type AccessLevel = keyof typeof JIRA_DEFAULT_ROLES;
