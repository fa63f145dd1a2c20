/**
 * `pulumi-atlassian-service-accounts/sdk`: the typed client for the identity API, its errors,
 * and the wire schemas and scope catalogue that the backend and the provider share.
 */
export * from "./schemas";
export * from "./scopes";
export * from "./errors";
export { Client, VERSION, type ClientOptions, type RequestOptions, type RetryInfo } from "./client";
export { CursorPage, PagePromise, nextPageQuery, type PageData } from "./pagination";
export {
  ADMIN_API_ROOT,
  ADMIN_ERROR_CODES,
  APP_ACCESS_PERMISSION_RULE,
  AUDIT_LOG_REQUESTS_PER_MINUTE,
  LINKS_NEXT_DEFAULT_FORM,
  LINKS_NEXT_FORMS,
  NEW_ACCOUNT_GRANT_RETRY,
  OAUTH_CLIENT_ACCOUNT_LINK,
  QUOTA_ERROR_CODES,
  QUOTA_ERROR_TEXT,
  SERVICE_ACCOUNT_CREATE_FIELDS,
  SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE,
  SERVICE_ACCOUNT_LIST_PAGE_SIZE,
  SERVICE_ACCOUNT_PATCH_ID_FIELD,
  SERVICE_ACCOUNT_PATH_ID_FIELD,
  SERVICE_ACCOUNT_PRODUCT_ID_FIELD,
  SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ,
  SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD,
  TOKEN_STATUS_VALUES,
  type LinksNextForm,
} from "./atlassian-assumptions";
// Atlassian's public operations (the client's top-level resources).
export {
  ServiceAccounts,
  ServiceAccount,
  ServiceAccountCreateParams,
  ServiceAccountUpdateParams,
  ServiceAccountListParams,
  productAccountIdOf,
  adminIdOf,
} from "./resources/service-accounts";
export { ApiKeys, ApiKeyListParams } from "./resources/api-keys";
export { Events, EventListParams, type LastTokenUses, type LastTokenUsesParams } from "./resources/events";
export { OAuthClients, OAuthClientItem, type OAuthClient } from "./resources/oauth-clients";
export { DirectoryGroups, DirectoryGroup, isUserNotFound } from "./resources/directory-groups";
export { DirectoryUsers, UserRoleAssignment } from "./resources/directory-users";
export { ServiceAccountTokens, tokenStatus, type ServiceAccountToken, type ServiceAccountRef } from "./resources/service-account-tokens";
export { JiraProjectRoles, JiraProjectRole, JiraRoleActor, hasUser, type JiraRoleRef } from "./resources/jira-project-roles";
export {
  ConfluenceSpaces,
  ConfluenceSpaceRoles,
  ConfluenceSpacePermissions,
  ConfluenceSpace,
  ConfluenceSpaceRole,
  RoleAssignment,
  SpacePermissionEntry,
  SpaceRoleMode,
} from "./resources/confluence-spaces";
export { UserApiTokens } from "./resources/user-api-tokens";
// Routes of Atlassian's admin console, unsupported by Atlassian (`client.console`).
export {
  Console,
  ConsoleApiTokens,
  ConsoleServiceAccounts,
  ConsoleTokenMintParams,
  ConsoleInviteParams,
  ConsolePermissionRule,
  memberRule,
  type ConsoleMintedToken,
} from "./resources/console";
// The embedded backend's extensions (`client.extensions`).
export {
  Extensions,
  ExtensionServiceAccounts,
  ExtensionApiTokens,
  ExtensionScopeBindings,
  ExtensionApiKeys,
  ScopeBindingListParams,
} from "./resources/extensions";
export * as assumptions from "./atlassian-assumptions";
