/**
 * Which version of this package wrote a resource's state, and what the installed version
 * does with state written by another.
 *
 * Every state binds to the package by name (the serialized shim `require`s whatever version
 * is installed), so the handlers of one version meet the outputs of another: after an
 * upgrade, and in CI running an older lockfile than the developer who last ran `up`.
 * Each output map carries the version that wrote it, as the hidden output `__version`. It
 * is an output only: the engine compares inputs, so a new stamp after an upgrade shows no
 * change and causes no update by itself (the next create, update or refresh restamps).
 *
 * - No stamp: written by 0.1.0, the first version, before stamping. Its output shapes are
 *   the current ones.
 * - Written by an older version: read as it is (a future change of an output's shape adds
 *   its conversion here, keyed by the writer's version).
 * - Written by a newer version within the installed one's compatible range (semver caret:
 *   the same major, or for 0.x the same minor): read as it is; such a version only adds.
 * - Written by a newer major (for 0.x, a newer minor): refused before any request, naming
 *   both versions and the fix, because these handlers may misread it and act on that.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { ResourceInitError } from "./common";

/** The hidden output holding the version of this package that wrote the state. */
export const VERSION_KEY = "__version";

/** The package's name, as states and lockfiles know it. */
export const PACKAGE_NAME = "pulumi-atlassian-service-accounts";

/** What a state with no stamp was written by. */
export const UNSTAMPED_VERSION = "0.1.0";

/** The package.json above this file (provider/ in the sources, dist/provider/ when built). */
function readInstalledVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the package.json of ${PACKAGE_NAME} above ${__dirname}`);
  }
}

/** The version installed, which stamps what it writes. */
export const INSTALLED_VERSION = readInstalledVersion();

interface SemVer {
  major: number;
  minor: number;
}

function parse(version: string): SemVer | undefined {
  const m = /^(\d+)\.(\d+)\.\d+(?:[-+].*)?$/.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** The part of a version whose change may break state (semver caret): `major`, or `0.minor`. */
function line(v: SemVer): [number, number] {
  return v.major > 0 ? [v.major, 0] : [0, v.minor];
}

/** The version that wrote these outputs: the stamp, or 0.1.0 without one. */
export function writerOf(outputs: Record<string, unknown> | undefined): string {
  const stamp = outputs?.[VERSION_KEY];
  return typeof stamp === "string" && stamp !== "" ? stamp : UNSTAMPED_VERSION;
}

/**
 * Refuses outputs written by a version this one cannot read (see the module comment):
 * throws an error naming the resource, both versions and the fix. `installed` is a
 * parameter for the tests only.
 */
export function assertReadable(what: string, outputs: Record<string, unknown> | undefined, installed = INSTALLED_VERSION): void {
  const writer = writerOf(outputs);
  const w = parse(writer);
  const i = parse(installed);
  if (!i) return;
  const fix =
    `install ${PACKAGE_NAME} ${w ? `^${writer}` : "at the version that wrote it"} where the program runs ` +
    `(npm install ${PACKAGE_NAME}@${w ? `^${writer}` : "<that version>"}, and commit package-lock.json: ` +
    `an older lockfile in CI is the usual cause), then run the command again`;
  if (!w) {
    throw new Error(
      `${what}: its state was written by ${PACKAGE_NAME} "${writer}", which is not a version this one (${installed}) knows; ${fix}`,
    );
  }
  const [wa, wb] = line(w);
  const [ia, ib] = line(i);
  if (wa > ia || (wa === ia && wb > ib)) {
    const newer =
      wa > ia
        ? `a newer major version than the installed ${installed}`
        : `a newer minor version than the installed ${installed} (before 1.0, a minor version may change state as a major one does)`;
    throw new Error(
      `${what}: its state was written by ${PACKAGE_NAME} ${writer}, ${newer}, ` +
        `which may misread it; nothing was sent. ${fix[0]!.toUpperCase()}${fix.slice(1)}`,
    );
  }
}

/** A copy of the outputs stamped with the installed version (none stays none). */
export function stamped<T extends object>(outputs: T | undefined): T | undefined {
  return outputs === undefined ? undefined : { ...outputs, [VERSION_KEY]: INSTALLED_VERSION };
}

/**
 * A resource's handlers as the dynamic-provider host calls them: Pulumi's own interface,
 * every method present, so that a handler of the wrong signature fails to compile. One
 * deliberate difference, where the interface claims more than the engine gives: `check` is
 * given the program's values before validation, and no old inputs for a new resource (or
 * a replacement), so `news` and `olds` are typed as what they may be.
 */
export type Handlers<Inputs, Outputs> = Required<Omit<pulumi.dynamic.ResourceProvider<Inputs, Outputs>, "check">> & {
  check: (olds: Partial<Inputs>, news: Record<string, unknown>) => Promise<pulumi.dynamic.CheckResult<Inputs>>;
};

/**
 * The handlers of one kind, with the version rules of this module around them: state they
 * are given is checked first (assertReadable), and the outputs they return, or leave in the
 * state through a ResourceInitError, are stamped.
 */
export function versioned<I, O extends object>(kind: string, h: Handlers<I, O>): Handlers<I, O> {
  const readable = (id: string, outputs: O | undefined) =>
    assertReadable(`cannot use the state of ${kind} ${id}`, outputs as Record<string, unknown> | undefined);
  return {
    configure: h.configure,
    check: h.check,
    async diff(id, olds, news) {
      readable(id, olds);
      return h.diff(id, olds, news);
    },
    async create(inputs) {
      try {
        const result = await h.create(inputs);
        return { ...result, outs: stamped(result.outs) };
      } catch (err) {
        if (err instanceof ResourceInitError) {
          // The host adds the serialized provider to the outputs of a create that succeeds, not
          // to those of one that fails half way; without it, the next refresh, destroy or removal
          // of the resource cannot load its provider ("code must be a string"). So it goes here.
          const provider = (inputs as Record<string, unknown>).__provider;
          Object.assign(err.properties, { [VERSION_KEY]: INSTALLED_VERSION }, typeof provider === "string" ? { __provider: provider } : {});
        }
        throw err;
      }
    },
    async read(id, props) {
      readable(id, props);
      const result = await h.read(id, props);
      return { ...result, props: stamped(result.props) };
    },
    async update(id, olds, news) {
      readable(id, olds);
      const result = await h.update(id, olds, news);
      return { ...result, outs: stamped(result.outs) };
    },
    async delete(id, props) {
      readable(id, props);
      return h.delete(id, props);
    },
  };
}
