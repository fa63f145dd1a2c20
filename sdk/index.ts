/**
 * `pulumi-atlassian-service-accounts/sdk`: the typed client for the identity API, its errors,
 * and the wire schemas and scope catalogue that the backend and the provider share.
 */
export * from "./schemas";
export * from "./scopes";
export * from "./errors";
export { Client, VERSION, type ClientOptions, type RequestOptions, type RetryInfo } from "./client";
export { CursorPage, PagePromise, type PageData } from "./pagination";
export { ServiceAccounts, ServiceAccountListParams } from "./resources/service-accounts";
export { ApiTokens, ApiTokenListParams } from "./resources/api-tokens";
export { ScopeBindings, ScopeBindingListParams } from "./resources/scope-bindings";
export { Events, EventListParams } from "./resources/events";
export { ApiKeys, ApiKeyListParams } from "./resources/api-keys";
export {
  OrgServiceAccounts,
  OrgServiceAccount,
  OrgServiceAccountCreateParams,
  OrgServiceAccountUpdateParams,
  nameOf,
  productAccountIdOf,
  adminIdOf,
} from "./resources/org-service-accounts";
export { ServiceAccountTokens, type ServiceAccountToken } from "./resources/service-account-tokens";
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
export * as assumptions from "./atlassian-assumptions";
