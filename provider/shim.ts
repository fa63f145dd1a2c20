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
 * self-reference does not apply to a module without a file name.) Where it is not there (a
 * pnpm install that has it only as a transitive dependency, Yarn Plug'n'Play, an inline
 * program whose work dir has no node_modules), every call fails with a message naming the
 * folders searched and the fix.
 *
 * Its text is stored twice per resource (inputs and outputs) and the file state backend
 * rewrites the whole state after every step, so it is kept as short as it can be while it
 * stays the same across versions: one loader, and one-line methods.
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
  // One loader shared by the seven methods, so the state holds its text once. A package the
  // provider process cannot find gets a message naming where it looked and what to do;
  // any other failure (a dependency of the package missing, say) is left as it is.
  const load = () => {
    try {
      return require("pulumi-atlassian-service-accounts").providers[kind];
    } catch (e) {
      if (!String((e as Error)?.message).includes("module 'pulumi-atlassian-service-accounts'")) throw e;
      throw new Error(
        `cannot load pulumi-atlassian-service-accounts from ${process.cwd()}; searched ${require.resolve.paths("pulumi-atlassian-service-accounts")?.join(", ")}. ` +
          "Install it with npm in the Pulumi program's folder (pnpm: a direct dependency; Yarn: nodeLinker: node-modules); see the package's README, Supported layouts",
      );
    }
  };
  return {
    configure: async (req) => load().configure(req),
    check: async (olds, news) => load().check(olds, news),
    diff: async (id, olds, news) => load().diff(id, olds, news),
    create: async (inputs) => load().create(inputs),
    read: async (id, props) => load().read(id, props),
    update: async (id, olds, news) => load().update(id, olds, news),
    delete: async (id, props) => load().delete(id, props),
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
