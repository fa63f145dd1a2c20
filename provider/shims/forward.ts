/**
 * The shim's code: an object whose seven methods `require` the installed package at call
 * time and forward to its handlers. Why it is a shim, and what may never change, is told
 * in ../shim.ts. This module imports nothing, so that a kind's module (./ServiceAccount.js,
 * ...), which the provider process may load first, loads nothing else of the package.
 */
import type * as pulumi from "@pulumi/pulumi";

export function shim(kind: "ServiceAccount" | "ApiToken" | "ScopeBinding" | "GroupMembership"): pulumi.dynamic.ResourceProvider {
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
