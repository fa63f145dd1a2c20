/**
 * pulumi-atlassian-service-accounts: Atlassian service accounts, their scoped API tokens
 * and their access to Jira projects and Confluence spaces, as Pulumi resources.
 *
 * ```ts
 * import * as sa from "pulumi-atlassian-service-accounts";
 * const account = new sa.ServiceAccount("ci", { displayName: "CI deployer" });
 * ```
 *
 * Configuration (stack config, falling back to the environment): `atlassian:orgId`
 * (`ATLASSIAN_ORG_ID`), `atlassian:apiKey` (`ATLASSIAN_API_KEY`, `--secret`); for
 * ScopeBindings `atlassian:cloudId` (or `atlassian:siteUrl`), `atlassian:siteAdminEmail`,
 * `atlassian:siteAdminToken` (`--secret`); optional `atlassian:baseUrl` (default Atlassian's), `atlassian:target`,
 * `atlassian:roleMapping`. See `SETTINGS`.
 */
import { apiTokenProvider, type ApiTokenInputs, type ApiTokenOutputs } from "./apiToken";
import { groupMembershipProvider, type GroupMembershipInputs, type GroupMembershipOutputs } from "./groupMembership";
import { scopeBindingProvider, type ScopeBindingInputs, type ScopeBindingOutputs } from "./scopeBinding";
import { serviceAccountProvider, type ServiceAccountInputs, type ServiceAccountOutputs } from "./serviceAccount";
import type { ResourceKind } from "./shim";
import { versioned, type Handlers } from "./version";

export { ServiceAccount, SERVICE_ACCOUNT_TYPE, SERVICE_ACCOUNT_RULES } from "./serviceAccount";
export type { AppAccess, AppAccessArgs, PendingAppAccess, ServiceAccountArgs, ServiceAccountInputs, ServiceAccountOutputs } from "./serviceAccount";
export { ApiToken, API_TOKEN_TYPE, API_TOKEN_RULES } from "./apiToken";
export type { ApiTokenArgs, ApiTokenInputs, ApiTokenOutputs } from "./apiToken";
export { ScopeBinding, SCOPE_BINDING_TYPE, SCOPE_BINDING_RULES } from "./scopeBinding";
export type { ScopeBindingArgs, ScopeBindingInputs, ScopeBindingOutputs, ScopeBindingRole } from "./scopeBinding";
export { GroupMembership, GROUP_MEMBERSHIP_TYPE, GROUP_MEMBERSHIP_RULES, GROUP_ADD_REFUSED } from "./groupMembership";
export type { GroupMembershipArgs, GroupMembershipInputs, GroupMembershipOutputs } from "./groupMembership";
export { SETTINGS, TARGETS, ATLASSIAN_BASE_URL, type Setting, type TargetName } from "./config";
export { listApiTokens, type ListApiTokensArgs, type ListApiTokensSettings, type ServiceAccountToken } from "./listApiTokens";
export { DEFAULT_ROLE_MAPPING, CONFLUENCE_PERMISSION_SETS, type RoleMapping } from "./roles";
export { API_TOKEN_UNSUPPORTED, APP_ACCESS_GRANT_UNSUPPORTED, APP_ACCESS_WITHDRAW_UNSUPPORTED, CAPABILITIES, GROUPS_CHANGE_UNSUPPORTED, type Capabilities } from "./targets/capabilities";
export { NOW_ENV } from "./clock";
export type { ResourceKind } from "./shim";
export { INSTALLED_VERSION, VERSION_KEY } from "./version";

/** What each kind's handlers take and give, checked against Pulumi's provider interface. */
export interface HandlerTables {
  ServiceAccount: Handlers<ServiceAccountInputs, ServiceAccountOutputs>;
  ApiToken: Handlers<ApiTokenInputs, ApiTokenOutputs>;
  ScopeBinding: Handlers<ScopeBindingInputs, ScopeBindingOutputs>;
  GroupMembership: Handlers<GroupMembershipInputs, GroupMembershipOutputs>;
}

/**
 * The handlers behind each resource, by kind, with the state-version rules around them
 * (version.ts). The serialized provider in the state calls
 * `require("pulumi-atlassian-service-accounts").providers[kind]`, so this name and shape are
 * part of the state format; programs have no use for it.
 */
export const providers: Readonly<HandlerTables> = Object.freeze({
  ServiceAccount: versioned<ServiceAccountInputs, ServiceAccountOutputs>("ServiceAccount", serviceAccountProvider),
  ApiToken: versioned<ApiTokenInputs, ApiTokenOutputs>("ApiToken", apiTokenProvider),
  ScopeBinding: versioned<ScopeBindingInputs, ScopeBindingOutputs>("ScopeBinding", scopeBindingProvider),
  GroupMembership: versioned<GroupMembershipInputs, GroupMembershipOutputs>("GroupMembership", groupMembershipProvider),
} satisfies HandlerTables & Record<ResourceKind, unknown>);
