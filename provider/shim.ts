/**
 * The provider object that `pulumi.dynamic.Resource` serializes into the state
 * (`__provider`) and that the engine's dynamic-provider host deserializes and calls.
 *
 * It is deliberately a shim (shims/forward.ts): each method `require`s the installed package
 * at call time and forwards to its handlers. So the serialized text
 * - holds no credential (those are read inside the provider process, see config.ts),
 * - captures no axios or zod object and no handler code (closure serialization of those
 *   modules is fragile, and state would freeze old handler code),
 * - is the same text whatever version of the handlers is installed, so upgrading the
 *   package causes no `~ __provider` diff.
 *
 * Its text is stored twice per resource (inputs and outputs) and the file state backend
 * rewrites the whole state after every step, so its size is paid per resource per step.
 * Each kind's shim is therefore the whole `module.exports` of its own module
 * (shims/<Kind>.js), exported by package.json under its own file path. Pulumi's closure
 * serializer writes a value that is a module's exports, in a module under node_modules, as
 * a `require` of that module by its exported path instead of as code, so in an installed
 * package the text is about 300 bytes:
 *
 *     const provider = require("pulumi-atlassian-service-accounts/dist/provider/shims/ApiToken.js");
 *
 * (The export's key is the file's own path, so the same `require` is written when the
 * serializer cannot read the exports map.) Where the package is not under node_modules (this
 * repository, linked to itself), the serializer writes the shim's code instead, about 2.8 KB,
 * which works the same; so does a pnpm store (see inPnpmStore).
 *
 * The host compiles the text as a module with no file name, so `require` resolves from the
 * provider process's working directory, which the engine sets to the Pulumi program's: the
 * package is found in the program's node_modules, as any dependency is. (package.json
 * self-reference does not apply to a module without a file name.) Where it is not there (a
 * pnpm install that has it only as a transitive dependency, Yarn Plug'n'Play, an inline
 * program whose work dir has no node_modules), the `require` fails with Node's "Cannot find
 * module"; so the program warns first (warnWhenUnresolvable below), naming the folders
 * searched and the fix. (The shim's code, where it is stored as code, fails each call with
 * the same message.)
 *
 * Nothing here or in shims/ may change without need: every state written by a released
 * version holds this text; shims/<Kind>.js must stay where they are, exported; and the
 * package root must keep exporting `providers` in this shape.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import ApiTokenShim = require("./shims/ApiToken");
import GroupMembershipShim = require("./shims/GroupMembership");
import ScopeBindingShim = require("./shims/ScopeBinding");
import ServiceAccountShim = require("./shims/ServiceAccount");
import { shim } from "./shims/forward";

import { type ResourceKind } from "./type-names";
export { MODULE, typeOf, type ResourceKind } from "./type-names";

/**
 * One shim object per resource kind, made once: `dynamic.Resource` caches the serialized
 * text per provider object, so every resource of a kind shares one serialization.
 */
export const shims: Readonly<Record<ResourceKind, pulumi.dynamic.ResourceProvider>> = (() => {
  const byKind: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = inPnpmStore(__dirname)
    ? { ServiceAccount: shim("ServiceAccount"), ApiToken: shim("ApiToken"), ScopeBinding: shim("ScopeBinding"), GroupMembership: shim("GroupMembership") }
    : { ServiceAccount: ServiceAccountShim, ApiToken: ApiTokenShim, ScopeBinding: ScopeBindingShim, GroupMembership: GroupMembershipShim };
  // Read by each resource's constructor, so the first read is in the running program,
  // where the engine's settings say which folder the provider process starts in.
  let checked = false;
  const out = {} as Record<ResourceKind, pulumi.dynamic.ResourceProvider>;
  for (const kind of Object.keys(byKind) as ResourceKind[]) {
    Object.defineProperty(out, kind, {
      enumerable: true,
      get: () => {
        if (!checked) {
          checked = true;
          warnWhenUnresolvable();
        }
        return byKind[kind];
      },
    });
  }
  return Object.freeze(out);
})();

/**
 * Whether this package runs from pnpm's store (`node_modules/.pnpm/<name>@<version>/...`).
 * There, @pulumi/pulumi before its fix for pulumi/pulumi#10009 fails to serialize a module
 * reference into a package that has an exports map ("package.json export path for
 * \".pnpm/...\" not found"), so the shims are given as new objects, which every version
 * serializes as code: the same text as in this repository.
 */
export function inPnpmStore(dir: string): boolean {
  return dir.split(path.sep).includes(".pnpm");
}

/**
 * Warns, in the program's process, when the package cannot be resolved from the program's
 * folder, where the engine starts the provider process that `require`s it: the provider's
 * own failure is then only Node's "Cannot find module". A warning, not an error: where the
 * engine does not say which folder that is, the program's working directory stands in.
 * (Resolved as a module of the folder would: `require.resolve` from this package would find
 * the package itself by name.)
 */
export function warnWhenUnresolvable(from = programFolder(), warn: (message: string) => void = (m) => void pulumi.log.warn(m)): string | undefined {
  const req = createRequire(path.join(from, "[program].js"));
  try {
    req.resolve("pulumi-atlassian-service-accounts/package.json");
    return undefined;
  } catch {
    const message =
      `the provider process will not find pulumi-atlassian-service-accounts from ${from}; searched ${req.resolve.paths("pulumi-atlassian-service-accounts")?.join(", ")}. ` +
      "Install it with npm in the Pulumi program's folder (pnpm: a direct dependency; Yarn: nodeLinker: node-modules); see the package's README, Supported layouts";
    warn(message);
    return message;
  }
}

/** The program's folder (Pulumi.yaml's), where the engine starts the provider process. */
function programFolder(): string {
  // Not in every @pulumi/pulumi the peer range allows; empty outside a program.
  // (Under mocks it is a placeholder, not a path.)
  const root = (pulumi.runtime as { getRootDirectory?: () => string }).getRootDirectory?.();
  return root && path.isAbsolute(root) ? root : process.cwd();
}
