/**
 * The embedded backend's server stack is not a dependency of the provider: a Pulumi program
 * that only declares resources installs the provider and the sdk (axios, zod), nothing more.
 * A user who also wants the backend (for their own tests, or as a local stand-in for
 * Atlassian Cloud) installs its server packages beside the package; they are optional peer
 * dependencies, so npm names the versions that fit.
 *
 * Imported first by the backend's entry points, so a missing package fails with this
 * message instead of a bare "Cannot find module" from deep inside the server.
 */

/** The packages the backend's server needs, as the package's peerDependencies name them. */
export const SERVER_PACKAGES = ["fastify", "fastify-type-provider-zod", "@fastify/swagger"] as const;

/** The names of the server packages that cannot be resolved from the backend's folder. */
export function missingServerPackages(resolve: (id: string) => string = require.resolve): string[] {
  return SERVER_PACKAGES.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** The error for the packages missing: what is missing, and the one command that fixes it. */
export function missingServerPackagesError(missing: readonly string[]): Error {
  return new Error(
    `the embedded backend needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed. ` +
      `They are optional peer dependencies of pulumi-atlassian-service-accounts (a program that only declares ` +
      `resources does not need them). Install them beside it: npm install --save-dev ${SERVER_PACKAGES.join(" ")}`,
  );
}

const missing = missingServerPackages();
if (missing.length > 0) throw missingServerPackagesError(missing);
