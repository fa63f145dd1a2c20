/**
 * Inline Pulumi programs for the scenarios, written the way a user writes one: service
 * accounts, their tokens and bindings from the published package. Each scenario describes
 * its desired state as data and changes it between operations.
 */
import * as pulumi from "@pulumi/pulumi";
// The package as users install it (resolves to the built dist/ through package.json
// self-reference), so the program and the provider process run the same code.
import * as sa from "pulumi-atlassian-service-accounts";

export interface TokenSpec {
  label: string;
  scopes: string[];
  expiresInDays?: number;
  expiresAt?: string;
  rotateBeforeDays?: number;
  keepers?: Record<string, string>;
  /** Pulumi resource options the test sets (replaceOnChanges, deleteBeforeReplace). */
  options?: SpecOptions;
}

export interface BindingSpec {
  resource: string;
  role: "viewer" | "editor" | "admin";
  /** Leave the `accountId` input out (the binding then looks the account up in the run's listing). */
  withoutAccountId?: boolean;
  options?: SpecOptions;
}

/** The resource options a scenario may give a resource. */
export type SpecOptions = Pick<pulumi.CustomResourceOptions, "replaceOnChanges" | "deleteBeforeReplace">;

export interface AccountSpec {
  /** The account's natural key (Atlassian generates its email and ids). */
  displayName: string;
  description?: string;
  suspended?: boolean;
  adoptExisting?: boolean;
  options?: SpecOptions;
  /** The products the account may use (ServiceAccount `appAccess`). */
  appAccess?: { product: "jira" | "confluence"; role?: "user" | "admin" }[];
  /** Org directory group ids the account is created in (ServiceAccount `groups`). */
  groups?: string[];
  /** Group memberships, by Pulumi resource name suffix: `<key>-<membershipKey>`. */
  memberships?: Record<string, { groupId?: string; groupName?: string }>;
  /** By Pulumi resource name suffix. */
  tokens?: Record<string, TokenSpec>;
  bindings?: Record<string, BindingSpec>;
}

/** Desired state: accounts by Pulumi resource name suffix. */
export type Fleet = Record<string, AccountSpec>;

/**
 * A program declaring the fleet. Resource names: `<key>` for an account, `<key>-<tokenKey>`
 * for a token, `<key>-<bindingKey>` for a binding. Outputs:
 * - `accounts`: `{ [key]: { id, accountId, email, status } }`
 * - `tokens`: `{ ["<key>-<tokenKey>"]: { id, token, expiresAt } }` (secret: it holds tokens)
 * - `bindings`: `{ ["<key>-<bindingKey>"]: id }`
 */
export function fleetProgram(fleet: Fleet): () => Promise<Record<string, unknown>> {
  // Copied now, so a test that mutates its spec afterwards does not change this program.
  const desired: Fleet = structuredClone(fleet);
  return async () => {
    const accounts: Record<string, unknown> = {};
    const tokens: Record<string, unknown> = {};
    const bindings: Record<string, unknown> = {};
    const memberships: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(desired)) {
      const account = new sa.ServiceAccount(key, {
        displayName: spec.displayName,
        ...(spec.description === undefined ? {} : { description: spec.description }),
        ...(spec.suspended === undefined ? {} : { suspended: spec.suspended }),
        ...(spec.adoptExisting === undefined ? {} : { adoptExisting: spec.adoptExisting }),
        ...(spec.appAccess === undefined ? {} : { appAccess: spec.appAccess }),
        ...(spec.groups === undefined ? {} : { groups: spec.groups }),
      }, spec.options);
      accounts[key] = {
        id: account.id,
        accountId: account.accountId,
        email: account.email,
        status: account.status,
      };
      for (const [tkey, t] of Object.entries(spec.tokens ?? {})) {
        const token = new sa.ApiToken(`${key}-${tkey}`, {
          serviceAccountId: account.id,
          label: t.label,
          scopes: t.scopes,
          ...(t.expiresInDays === undefined ? {} : { expiresInDays: t.expiresInDays }),
          ...(t.expiresAt === undefined ? {} : { expiresAt: t.expiresAt }),
          ...(t.rotateBeforeDays === undefined ? {} : { rotateBeforeDays: t.rotateBeforeDays }),
          ...(t.keepers === undefined ? {} : { keepers: t.keepers }),
        }, t.options);
        tokens[`${key}-${tkey}`] = { id: token.id, token: token.token, expiresAt: token.expiresAt };
      }
      for (const [mkey, m] of Object.entries(spec.memberships ?? {})) {
        const membership = new sa.GroupMembership(`${key}-${mkey}`, { accountId: account.accountId, ...m });
        memberships[`${key}-${mkey}`] = membership.id;
      }
      for (const [bkey, b] of Object.entries(spec.bindings ?? {})) {
        const binding = new sa.ScopeBinding(`${key}-${bkey}`, {
          serviceAccountId: account.id,
          ...(b.withoutAccountId ? {} : { accountId: account.accountId }),
          resource: b.resource,
          role: b.role,
        }, b.options);
        bindings[`${key}-${bkey}`] = binding.id;
      }
    }
    return { accounts, tokens: pulumi.secret(tokens), bindings, memberships };
  };
}

/** The `up` outputs of a fleet program, typed. */
export interface FleetOutputs {
  accounts: Record<string, { id: string; accountId: string; email: string; status: string }>;
  tokens: Record<string, { id: string; token: string; expiresAt: string }>;
  bindings: Record<string, string>;
}

export function fleetOutputs(outputs: Record<string, { value: unknown }>): FleetOutputs {
  return {
    accounts: (outputs.accounts?.value ?? {}) as FleetOutputs["accounts"],
    tokens: (outputs.tokens?.value ?? {}) as FleetOutputs["tokens"],
    bindings: (outputs.bindings?.value ?? {}) as FleetOutputs["bindings"],
  };
}

/** The dynamic resource type tokens the provider registers, by resource. */
export const TYPES = {
  ServiceAccount: "pulumi-nodejs:dynamic/atlassian:ServiceAccount",
  ApiToken: "pulumi-nodejs:dynamic/atlassian:ApiToken",
  ScopeBinding: "pulumi-nodejs:dynamic/atlassian:ScopeBinding",
  GroupMembership: "pulumi-nodejs:dynamic/atlassian:GroupMembership",
} as const;
