/**
 * The provider object that `pulumi.dynamic.Resource` serializes into the state
 * (`__provider`) and that the engine's dynamic-provider host deserializes and calls.
 *
 * It is deliberately a shim: each method `require`s the installed package at call time and
 * forwards to its handlers. So the serialized text
 * - holds no credential (those are read inside the provider process, see config.ts),
 * - captures no axios or zod object and no handler code (closure serialization of those
 *   modules is fragile, and state would freeze old handler code),
 * - is the same text whatever version of the handlers is installed, so upgrading the
 *   package causes no `~ __provider` diff.
 *
 * The host compiles the text as a module with no file name, so `require` resolves from the
 * provider process's working directory, which the engine sets to the Pulumi program's: the
 * package is found in the program's node_modules, as any dependency is. (package.json
 * self-reference does not apply to a module without a file name.)
 *
 * Nothing in this file may change without need: every state written by a released version
 * holds this text, and the package root must keep exporting `providers` in this shape.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The resources this package provides, as the type name's last segment. */
export type ResourceKind = "ServiceAccount" | "ApiToken" | "ScopeBinding";

/** The dynamic resource module: types read `pulumi-nodejs:dynamic/atlassian:<kind>`. */
export const MODULE = "atlassian";

/** The full Pulumi type token of a resource. */
export function typeOf(kind: ResourceKind): string {
  return `pulumi-nodejs:dynamic/${MODULE}:${kind}`;
}

function shim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      return require("pulumi-atlassian-service-accounts").providers[kind].configure(req);
    },
    async check(olds, news) {
      return require("pulumi-atlassian-service-accounts").providers[kind].check(olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-atlassian-service-accounts").providers[kind].diff(id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-atlassian-service-accounts").providers[kind].create(inputs);
    },
    async read(id, props) {
      return require("pulumi-atlassian-service-accounts").providers[kind].read(id, props);
    },
    async update(id, olds, news) {
      return require("pulumi-atlassian-service-accounts").providers[kind].update(id, olds, news);
    },
    async delete(id, props) {
      return require("pulumi-atlassian-service-accounts").providers[kind].delete(id, props);
    },
  };
}

/**
 * One shim object per resource kind, made once: `dynamic.Resource` caches the serialized
 * text per provider object, so every resource of a kind shares one serialization.
 */
export const shims: Readonly<Record<ResourceKind, pulumi.dynamic.ResourceProvider>> = Object.freeze({
  ServiceAccount: shim("ServiceAccount"),
  ApiToken: shim("ApiToken"),
  ScopeBinding: shim("ScopeBinding"),
});
