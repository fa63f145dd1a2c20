/**
 * The resources' Pulumi type tokens, in a module of their own so that what reads a stack's
 * state without running a program (the `report` command) need not load `@pulumi/pulumi`.
 */

/** The resources this package provides, as the type name's last segment. */
export type ResourceKind = "ServiceAccount" | "ApiToken" | "ScopeBinding" | "GroupMembership";

/** The dynamic resource module: types read `pulumi-nodejs:dynamic/atlassian:<kind>`. */
export const MODULE = "atlassian";

/** The full Pulumi type token of a resource. */
export function typeOf(kind: ResourceKind): string {
  return `pulumi-nodejs:dynamic/${MODULE}:${kind}`;
}
