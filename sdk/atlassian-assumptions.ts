/**
 * What this package assumes about Atlassian Cloud's public APIs where Atlassian's published
 * material does not settle it. One module, so one live check against a real org (`doctor`,
 * the next issue) can confirm or correct each value, and the embedded backend and the
 * provider's Atlassian target cannot disagree: both import these.
 *
 * Every UNCONFIRMED entry says what is unconfirmed, the grade of the evidence behind the
 * value (see `shared/reference/atlassian-evidence-admin.md`: [doc] Atlassian's own page or
 * OpenAPI, [3p] third-party code quoting Atlassian, [3p-obs] a third party that says it
 * observed live behaviour, [none] nothing found), and the live check that settles it.
 */

// ---------------------------------------------------------------------------------------
// Admin "API Access" API: service accounts
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED that it is served ([doc] the developer pages document list and create under
 * `/admin/api-access/v1/orgs/{orgId}/service-accounts`, Experimental; [3p-obs] crewlet: that
 * service "serves only `/count` and answers the collection with 'Request failed to match any
 * route'", the console using `/admin/account-management/v1/…` instead). The root of every
 * admin service-account and token path (`client.adminPath`). A 404 that says no route matched
 * is never read as "gone" (see `isNotFound`). Live check: `GET …/service-accounts` with a
 * scoped org key: served, or "failed to match any route"?
 */
export const ADMIN_API_ROOT = "/admin/api-access/v1" as const;

/**
 * UNCONFIRMED ([none]: no source shows the PATCH body). The body field that names the
 * account in `PATCH /orgs/{orgId}/service-accounts` (Atlassian's update has no id in the
 * path). Picked because the one body Atlassian's API Access group is known to take that
 * names service accounts, `POST …/service-accounts/count`, calls them `serviceAccountIds`.
 * Live check: `PATCH …/service-accounts` with `{"id":…}` and with `{"serviceAccountId":…}`;
 * record which is accepted and what the reply is (200 with the account, 204, or partial:
 * `ServiceAccounts.update` copes with all three).
 */
export const SERVICE_ACCOUNT_PATCH_ID_FIELD = "serviceAccountId" as const;

/**
 * Supported for delete ([3p-obs] crewlet: `id` addresses the account collection). Which field
 * of a listed service account goes into `DELETE /service-accounts/{serviceAccountId}`. The
 * list item carries `id` and `atlassianId`. Live check: `DELETE …/service-accounts/<id>` of a
 * probe account answers 204 and the account leaves the list.
 */
export const SERVICE_ACCOUNT_PATH_ID_FIELD = "id" as const;

/**
 * UNCONFIRMED, two readings. Which id the token routes (`GET|DELETE
 * …/service-accounts/{serviceAccountId}/api-tokens`) take: `id` (the natural reading of
 * Atlassian's "ID for the service account", [doc] unspecified) or `atlassianId` ([3p-obs]
 * crewlet: "the account id every other surface uses — the token routes … Using one where the
 * other belongs answers 404"). `ServiceAccountTokens` tries this field first and, on a 404,
 * the other one, and remembers per client which answered. Live check: `GET …/api-tokens`
 * with each id of one account; the one that does not 404 wins.
 */
export const SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD: "id" | "atlassianId" = "id";

/**
 * Supported ([3p-obs] crewlet: "AtlassianID is the account id every other surface uses").
 * Which field of a listed service account is the product account id that Jira
 * (`user: [accountId]`, `?user=`) and Confluence (`principalId`, `subject.identifier`) take.
 * Live check: `GET /ex/jira/{cloudId}/rest/api/3/myself` with the account's token and
 * compare `accountId`.
 */
export const SERVICE_ACCOUNT_PRODUCT_ID_FIELD = "atlassianId" as const;

/**
 * UNCONFIRMED field names ([doc] Atlassian: an account is created "with the given display
 * name and optional description", and "we generate a unique account ID and service account
 * email"; [3p-obs] crewlet sends `{"displayName","description"}`). Body field names of
 * `POST /orgs/{orgId}/service-accounts`. There is no `name`: the email is generated, with a
 * random suffix (`…-x1axxw94zz@serviceaccount.atlassian.com`), so nothing derives a name
 * from it. Atlassian's text also says the account is "invited with the specified permission
 * rules and optional additional group memberships" ([doc], field names unpublished):
 * `permissionRules` (`[{role, resource}]`, see `APP_ACCESS_PERMISSION_RULE`) and
 * `additionalGroups` (`[groupId]`) are [guess] by analogy with the v2 invite
 * (`POST /admin/v2/orgs/{orgId}/users/invite`), whose text Atlassian's mirrors; they are sent
 * only when a `ServiceAccount` declares `appAccess` or `groups`. Live check: `POST`
 * `{"displayName":"probe-sa-1"}`; record the status, the reply's fields, and whether a
 * missing `permissionRules` is refused; then probe 6 of the groups/tokens evidence (a create
 * with one rule: accepted, and does the account then reach Jira?).
 */
export const SERVICE_ACCOUNT_CREATE_FIELDS = {
  displayName: "displayName",
  description: "description",
  permissionRules: "permissionRules",
  additionalGroups: "additionalGroups",
} as const;

/**
 * UNCONFIRMED, two readings ([doc] the public org API (invite, `roles/assign`) takes canonical
 * role ids `atlassian/user`, `atlassian/admin` with a site resource
 * `ari:cloud:<product>::site/<cloudId>`; [3p-obs] crewlet, on the console's invite route for
 * service accounts: role ARIs `ari:cloud:<product>::role/product/member`, and Jira's product
 * key must be `jira-software`: "the plain `jira` ARI is ACCEPTED … and silently grants
 * nothing"). One permission rule of the create body, for a product and a role: the role id
 * of the documented model, the resource with the product key the one live observation needs.
 * Live check: probe 6 (a create with `{"role":"atlassian/user","resource":"ari:cloud:jira-software::site/<cloudId>"}`),
 * then a call of the account's token to Jira: 200, or the flat 401 of an account without access.
 */
export const APP_ACCESS_PERMISSION_RULE = {
  roles: { user: "atlassian/user", admin: "atlassian/admin" },
  productKeys: { jira: "jira-software", confluence: "confluence" },
  resource: (productKey: string, cloudId: string) => `ari:cloud:${productKey}::site/${cloudId}`,
} as const;

/**
 * UNCONFIRMED, two readings. Whether Atlassian's documented read of a user's app access,
 * `GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/role-assignments`
 * ([doc] jira.js `getUserRoleAssignments`: `{data:[{resourceId, resourceOwner,
 * roleAssignments:[{role, roleAssignmentMethods}], directoryId, userDirectoryStatus}], links}`,
 * scope `read:directories:admin`), answers for a SERVICE account named by its atlassianId:
 * `served` (crewlet: "role assignments are read-only", [3p-obs], which suggests reads work) or
 * 404 `ADMIN-404-8` User not found (a third party saw the group routes refuse service accounts,
 * "service accounts are not directory users", [3p-obs]). `client.directoryUsers.roleAssignments`
 * passes the 404 on (`isUserNotFound`); the stand-in plays both (`roleAssignmentsRead`). Access
 * from the console's invite lands asynchronously, so a missing rule may be pending. Live check:
 * `GET …/directories/-/users/<atlassianId>/role-assignments` of a service account created with a
 * permission rule; record the status, `errors[].code`, and whether the rule is listed.
 */
export const SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ: "served" | "userNotFound" = "served";

/**
 * UNCONFIRMED, two readings ([doc] Atlassian's create text: the account is "invited with the
 * specified permission rules and optional additional group memberships", so groups come with
 * the create, `SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups`; [3p-obs] crewlet: "Service
 * accounts are not directory users, so adding one to a group answers USER_NOT_FOUND", which
 * matches Atlassian's 404 `ADMIN-404-8` User not found for a user not in the directory [doc]).
 * Whether a service account can join a group after its creation, through the Organizations
 * API v2 `POST …/directories/{directoryId}/groups/{groupId}/memberships {accountId}`:
 * `refused` (404 `ADMIN-404-8`) is the reading the package relies on: `ServiceAccount.groups`
 * is sent with the create only and a change replaces the account
 * (`provider/targets/capabilities.ts` `GROUPS_CHANGE_UNSUPPORTED`), and `GroupMembership`
 * fails saying so. `allowed` would let groups change in place. The stand-in plays both
 * (`groupAddAfterCreate`, default `refused`). Live check (`doctor --write --group <group>`):
 * add a just-created service account (its atlassianId) to a group; 204 and listed, or 404
 * `ADMIN-404-8`.
 */
export const GROUP_ADD_AFTER_CREATE: "refused" | "allowed" = "refused";

/**
 * [doc] / [3p-obs]. Display names are not unique in an org (crewlet observed duplicates
 * allowed; no source documents a 409 for a taken display name). Code that keys accounts by
 * display name must cope with several matches (`ServiceAccounts.findByDisplayName`).
 * Live check: create two probe accounts with the same display name.
 */
export const SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE = false as const;

/**
 * UNCONFIRMED page size ([3p-obs] crewlet: the console's account-management list accepts
 * `limit` up to 80 and answers 400 above it; [doc] the api-access page names no limit).
 * The sdk asks for this many service accounts per page. Live check: `GET …/service-accounts?limit=80`
 * and `?limit=81`.
 */
export const SERVICE_ACCOUNT_LIST_PAGE_SIZE = 80 as const;

/**
 * UNCONFIRMED form of `links.next` ([doc] sample `"next":"<string>"`, format not stated;
 * [3p] jira.js's admin models call it "Cursor to fetch next page", a bare cursor;
 * [3p-obs] crewlet: account-management gives an absolute URL). The sdk accepts all three:
 * an absolute URL, a relative URL, or a bare cursor (sent back as `cursor=`); see
 * `nextPageQuery` in `../pagination`. This value only records the reading the stand-in
 * plays by default. Live check: page the service-account list of an org with more accounts
 * than one page and record `links.next`.
 */
export const LINKS_NEXT_FORMS = ["absolute", "relative", "cursor"] as const;
export type LinksNextForm = (typeof LINKS_NEXT_FORMS)[number];
export const LINKS_NEXT_DEFAULT_FORM: LinksNextForm = "absolute";

/**
 * [3p-obs] (crewlet: "A NEW ACCOUNT IS NOT GRANTABLE YET … answers a grant before then with a
 * 404 that reads exactly like 'no such account'"; it retries at 2, 4 and 8 s). How long a
 * grant (Jira role POST, Confluence role assignment or permission POST) naming an account
 * created in this run keeps retrying a 404, and the waits between attempts (the last one
 * repeats until `withinMs` has passed). An account that existed before the run gets no such
 * grace: its 404 is an error at once. Live check: a Jira role POST for a just-created
 * account, immediately and then every 2 s, recording when it first succeeds.
 */
export const NEW_ACCOUNT_GRANT_RETRY = { withinMs: 60_000, delaysMs: [2_000, 4_000, 8_000] } as const;

/**
 * Documented sample ([doc] §2.2): the list item's `updatedAt` is epoch milliseconds (a
 * number), not an ISO string. Listed here because it differs from every other time field.
 */
export const SERVICE_ACCOUNT_LIST_UPDATED_AT = "epoch-ms" as const;

// ---------------------------------------------------------------------------------------
// Admin API: a service account's tokens
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED ([none] for this route: item fields not published). The shape of
 * `GET /orgs/{orgId}/service-accounts/{id}/api-tokens`. Assumed to page like the
 * service-account list (`{links:{next,prev}, items:[…], total}`), each item carrying these
 * fields: [doc] the org-wide user-token list names them `label`, `createdAt`, `expiresAt`,
 * `lastActiveAt` and `status` under `data`; [doc] the user-management list is a bare array of
 * `{label, lastAccess, createdAt, id, expiry}`; [3p-obs] crewlet saw "an id and a label and
 * nothing else". The reader (`ServiceAccountTokens`) accepts all of these. Live check:
 * `GET …/service-accounts/{id}/api-tokens` for an account holding a token; record the body.
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

/**
 * UNCONFIRMED status values ([doc] the org-wide user-token list shows `"status":"ALLOWED"`;
 * other values unpublished; the embedded backend says `active`/`revoked`/`expired`). How a
 * listed token's `status` maps to the package's three states, compared case-insensitively;
 * an unknown value maps to nothing (`tokenStatus` answers undefined). Live check: list the
 * tokens of an account holding an active, a revoked and an expired token.
 */
export const TOKEN_STATUS_VALUES = {
  active: ["active", "allowed", "enabled"],
  revoked: ["revoked", "blocked", "disabled"],
  expired: ["expired"],
} as const;

// ---------------------------------------------------------------------------------------
// Admin API: OAuth 2.0 clients of service accounts
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED page size ([doc] `GET /orgs/{orgId}/oauth-clients?pageSize=&cursor=` names
 * `pageSize` and no bounds). How many OAuth clients the sdk asks for per page. Live check:
 * `GET …/oauth-clients?pageSize=50` on an org with more clients than that.
 */
export const OAUTH_CLIENT_PAGE_SIZE = 50 as const;

/**
 * UNCONFIRMED link between a client and its account. [doc] The org's list
 * (`GET /orgs/{orgId}/oauth-clients`, `{data:[{clientId,name,createdAt,updatedAt,status}],
 * links:{self,next,prev}}`, times in epoch milliseconds) names no service account. [3p] A
 * vault note quotes `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients`
 * (shape not published). So a client is tied to an account by appearing in that account's
 * list, assumed to answer the org list's shape (`{data, links}`; an array, `{items}` or
 * `{values}` also reads) and to take the same id as the token routes
 * (`SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD`: both live under `/service-accounts/{serviceAccountId}/`
 * of the same service). A client in the org's list and in no account's list is reported with
 * its account unknown. Live check: `GET …/service-accounts/{id}/oauth-clients` with each id
 * of an account holding a client; record the body.
 */
export const OAUTH_CLIENT_ACCOUNT_LINK = "per-account-list" as const;

/**
 * UNCONFIRMED status values ([doc] the sample shows `"status":"ACTIVE"`; others unpublished).
 * Shown as listed; no decision depends on them.
 */
export const OAUTH_CLIENT_STATUS_ACTIVE = "ACTIVE" as const;

// ---------------------------------------------------------------------------------------
// Organization audit log (`/admin/v1/orgs/{orgId}/events`)
// ---------------------------------------------------------------------------------------

/**
 * [doc] jira.js `getEvents`: "10 requests per minute" per user and per path (since May
 * 2025). The most requests the credential report sends to `/events` in one run, so that a
 * daily job never meets the limit; the sdk still honours a 429's `Retry-After`.
 */
export const AUDIT_LOG_REQUESTS_PER_MINUTE = 10 as const;

/**
 * [doc] An event made with an API token carries `attributes.actor.auth` =
 * `{authType:"api-token", tokenId, tokenLabel}`; `from`/`to` are epoch milliseconds (sent as
 * strings). UNCONFIRMED: that `tokenId` is the id the service-account token list shows
 * ([none]; the user-management list's `id` is the likeliest match), that a service account's
 * token use is logged at all ([none]), the action ids of token use ([none]: so no `action`
 * filter is sent), and the order of the pages ([none]: the reader keeps the latest time per
 * token, whatever the order). Live check: use a service account's token, then
 * `GET …/events?from=<ms before the use>` and look for its `tokenId`.
 */
export const AUDIT_TOKEN_USE = { authType: "api-token", idField: "tokenId", fromFormat: "epoch-ms" } as const;

// ---------------------------------------------------------------------------------------
// Admin API errors
// ---------------------------------------------------------------------------------------

/**
 * Atlassian's admin error codes the package knows. The body is
 * `{"errors":[{"code","status","title","detail"}]}` with no `id` ([doc] AX-196). The sdk
 * classifies by HTTP status first and reads these only to say more; a code missing here is
 * never an error. Grades: `ADMIN-401-2` INSUFFICIENT_SCOPE [doc] (a missing scope is 401,
 * not 403); `ADMIN-404-8` "User not found", `ADMIN-400-1` invalid cursor, `ADMIN-400-24`
 * invalid body, `ADMIN-429-1` [doc] (the Organizations API's generated client);
 * `ADMIN-UAM-404-1` "Unknown Resource", `ADMIN-UAM-409-2` "Resource Conflicts",
 * `ADMIN-UAM-409-3` "Product License Limit Exceeded" [3p] (jira.js admin models);
 * `ADMIN-401-1`, `ADMIN-404-1`, `ADMIN-402-1` are the stand-in's choices [none]. Live check:
 * a DELETE of a random account id, a call with a key lacking a scope, and a create in a full
 * org; record `errors[].code` and `title`.
 */
export const ADMIN_ERROR_CODES = {
  unauthorized: "ADMIN-401-1",
  insufficientScope: "ADMIN-401-2",
  invalidCursor: "ADMIN-400-1",
  invalidBody: "ADMIN-400-24",
  notFound: "ADMIN-404-1",
  userNotFound: "ADMIN-404-8",
  unknownResource: "ADMIN-UAM-404-1",
  resourceConflict: "ADMIN-UAM-409-2",
  licenceLimitExceeded: "ADMIN-UAM-409-3",
  quotaExceeded: "ADMIN-402-1",
  rateLimited: "ADMIN-429-1",
} as const;

/**
 * UNCONFIRMED ([3p-obs] crewlet saw 402 or 409 for "org full"; [3p] `ADMIN-UAM-409-3`
 * "Product License Limit Exceeded"). What makes an error a quota failure: HTTP 402, a code
 * listed here, or a 409/403/400 whose code, title or detail matches `QUOTA_ERROR_TEXT`.
 * Live check: create past the org's plan limit and record status, code, title and detail.
 */
export const QUOTA_ERROR_CODES: readonly string[] = ["quota.exceeded", ADMIN_ERROR_CODES.licenceLimitExceeded, ADMIN_ERROR_CODES.quotaExceeded];
export const QUOTA_ERROR_TEXT = /quota|licen[cs]e|limit exceeded|plan/i;

// ---------------------------------------------------------------------------------------
// Jira platform REST v3
// ---------------------------------------------------------------------------------------

/**
 * UNCONFIRMED ([none]). The `accountType` Jira reports for a service account (`/myself`,
 * user lookups); used only by the embedded backend's `/myself`. Live check:
 * `GET /rest/api/3/myself` with a service account's token.
 */
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
