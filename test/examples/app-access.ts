import type { BackendOptions } from "../e2e/fixture";

/**
 * The examples' accounts declare app access, so their stacks run against a backend that
 * enforces it, as Atlassian does (the test harness otherwise turns it off): a token of an
 * account without access to a product would get a flat 401 there.
 */
export const ENFORCED: { backend: BackendOptions } = { backend: { atlassian: { appAccess: "enforced" } } };
