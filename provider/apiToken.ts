/**
 * `ApiToken`: a scoped, expiring API token of a service account. Its secret exists only
 * in the response that creates it; Pulumi keeps it in the state as a secret output.
 *
 * A token cannot be changed after creation, so an input change replaces it (create-before-delete:
 * the new token exists before the old one is revoked); which inputs do is data,
 * {@link API_TOKEN_RULES}. A token whose `expiresAt` is within `rotateBeforeDays` of now (or
 * that has expired) is replaced too.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  ExpiresInDays,
  Id,
  Label,
  Scopes,
  Timestamp,
  TOKEN_MAX_DAYS,
  type ApiToken as ApiTokenObject,
  type ApiTokenWithSecret,
  type ServiceAccountToken,
} from "../sdk/index";
import { DAY_MS, now } from "./clock";
import {
  CONTEXT_KEY,
  checkProperties,
  clientContextFor,
  defined,
  changesBy,
  diffResult,
  differs,
  type ChangeRules,
  failure,
  isUnknown,
  requestOptions,
  shown,
  type Internal,
} from "./common";
import * as config from "./config";
import { policyFailures } from "./policy";
import { capabilities, target } from "./targets/index";
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:ApiToken` */
export const API_TOKEN_TYPE = typeOf("ApiToken");

/** The arguments of an {@link ApiToken}. */
export interface ApiTokenArgs {
  /** The id of the service account the token belongs to (usually `account.id`). A change replaces the token. */
  serviceAccountId: pulumi.Input<string>;
  /** A label telling the account's tokens apart: 1-100 characters. A change replaces the token. */
  label: pulumi.Input<string>;
  /**
   * What the token may do: 1-50 scopes from the catalogue (`read:jira-work`,
   * `write:page:confluence`, ...; see `SCOPES` in the sdk). An unknown scope fails `check`
   * with the nearest known one. Atlassian cannot change or even show a token's scopes
   * after creation, so a change (other than order) replaces the token.
   */
  scopes: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Lifetime in days, 1-365, counted from creation. Give this or `expiresAt`, not both.
   * A change replaces the token. Needed for `rotateBeforeDays`.
   */
  expiresInDays?: pulumi.Input<number>;
  /**
   * A fixed expiry time (ISO-8601 with offset, e.g. `2027-03-31T00:00:00Z`), in the future
   * and within 365 days of creation. Give this or `expiresInDays`, not both. A change
   * replaces the token. Once the time has passed, `check` fails (preview and up alike), even
   * if it is unchanged: the token has expired, and no replacement can expire in the past;
   * give a later time, or `expiresInDays`.
   */
  expiresAt?: pulumi.Input<string>;
  /**
   * Rotation: the first `pulumi up` at or after `expiresAt` minus this many days replaces the
   * token (the preview shows it), so consumers get a fresh token before the old one expires.
   * A whole number, 0 or more and smaller than `expiresInDays`, which it requires. A change
   * alone replaces nothing (it is an update with no request).
   */
  rotateBeforeDays?: pulumi.Input<number>;
  /**
   * Arbitrary strings; any change replaces the token. Use it to rotate on demand, or tie the
   * token's life to something else (e.g. `{ epoch: "2" }` or a `RandomId`'s value).
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The inputs as the handlers receive them, after `check`. */
export interface ApiTokenInputs extends Internal {
  /** See {@link ApiTokenArgs.serviceAccountId}. */
  serviceAccountId: string;
  /** See {@link ApiTokenArgs.label}. */
  label: string;
  /** See {@link ApiTokenArgs.scopes}. */
  scopes: string[];
  /** See {@link ApiTokenArgs.expiresInDays}. */
  expiresInDays?: number;
  /** See {@link ApiTokenArgs.expiresAt}. */
  expiresAt?: string;
  /** See {@link ApiTokenArgs.rotateBeforeDays}. */
  rotateBeforeDays?: number;
  /** See {@link ApiTokenArgs.keepers}. */
  keepers?: Record<string, string>;
}

/** The outputs, as stored in the state (`token` as a secret). */
export interface ApiTokenOutputs extends Internal {
  /** The owning account's id. */
  serviceAccountId: string;
  /** The input, echoed. */
  label: string;
  /** The input, echoed (in the order given). */
  scopes: string[];
  /** Present when the token was made with a lifetime. */
  expiresInDays?: number;
  /** The input, echoed. */
  rotateBeforeDays?: number;
  /** The input, echoed. */
  keepers?: Record<string, string>;
  /** The secret, returned only when the token was created; carried forward by `read`. */
  token: string;
  /** When the token expires (the input `expiresAt`, or creation plus `expiresInDays`). */
  expiresAt: string;
  /** `active` while the token is in the state (read drops revoked and expired ones). */
  status: "active" | "revoked" | "expired";
  /** When the token was created (ISO-8601 UTC). */
  createdAt: string;
}

const RULES = {
  serviceAccountId: {
    schema: Id,
    required: "give the id of the token's service account, e.g. account.id",
    hint: "give the id of the token's service account, e.g. account.id",
  },
  label: { schema: Label, required: 'give the token a label of 1-100 characters, e.g. "ci"' },
  scopes: { schema: Scopes, required: 'give 1-50 scopes, e.g. ["read:jira-work"]' },
  expiresInDays: { schema: ExpiresInDays },
  expiresAt: { schema: Timestamp, hint: 'give an ISO-8601 time with an offset, e.g. "2027-03-31T00:00:00Z"' },
  rotateBeforeDays: {
    schema: z
      .number({ error: "rotateBeforeDays must be a whole number of days" })
      .int("rotateBeforeDays must be a whole number of days")
      .min(0, "rotateBeforeDays must be 0 or more"),
  },
  keepers: {
    schema: z.record(z.string(), z.string({ error: "keepers values must be strings; convert them with String()" }), {
      error: 'keepers must be an object of strings, e.g. { epoch: "1" }',
    }),
  },
};

/**
 * What is wrong with a fixed `expiresAt` now, if anything: in the past, or more than 365
 * days away. check and create both ask, so they agree: a time that has passed is refused
 * even when it is unchanged since the token was made, because the token has expired then
 * and its replacement (which diff asks for) could only be made with the same past time.
 */
function fixedExpiryProblem(at: string, unchanged: boolean): string | undefined {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return undefined;
  const from = now().getTime();
  if (t <= from) {
    return unchanged
      ? `expiresAt ${shown(at)} has passed: the token expired then, and a new one cannot expire in the past; ` +
          `give a later time (within ${TOKEN_MAX_DAYS} days), or expiresInDays instead`
      : `expiresAt ${shown(at)} is not in the future; give a later time (within ${TOKEN_MAX_DAYS} days), or expiresInDays instead`;
  }
  if (t > from + TOKEN_MAX_DAYS * DAY_MS) {
    return `expiresAt ${shown(at)} is more than ${TOKEN_MAX_DAYS} days away; give a time within ${TOKEN_MAX_DAYS} days`;
  }
  return undefined;
}

/** The rules that span properties, on known values only. */
function crossCheck(olds: Partial<ApiTokenInputs>, news: ApiTokenInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const days = news.expiresInDays;
  const at = news.expiresAt;
  if (days === undefined && at === undefined) {
    failures.push({
      property: "expiresInDays",
      reason: "a token must expire: give expiresInDays (1-365) or expiresAt (a time within 365 days)",
    });
  } else if (days !== undefined && at !== undefined) {
    failures.push({
      property: "expiresAt",
      reason: `give expiresInDays (${shown(days)}) or expiresAt (${shown(at)}), not both`,
    });
  }
  if (typeof at === "string" && !isUnknown(at)) {
    const problem = fixedExpiryProblem(at, at === olds.expiresAt);
    if (problem) failures.push({ property: "expiresAt", reason: problem });
  }
  const rb = news.rotateBeforeDays;
  if (typeof rb === "number" && !isUnknown(rb)) {
    if (days === undefined) {
      failures.push({
        property: "rotateBeforeDays",
        reason:
          `rotateBeforeDays ${shown(rb)} needs expiresInDays: a token with a fixed expiresAt would be replaced by one with ` +
          `the same expiry, again and again; use expiresInDays, or drop rotateBeforeDays`,
      });
    } else if (typeof days === "number" && rb >= days) {
      failures.push({
        property: "rotateBeforeDays",
        reason: `rotateBeforeDays ${shown(rb)} must be smaller than expiresInDays (${days}), or every up would replace the token; e.g. ${Math.max(0, Math.floor(days / 4))}`,
      });
    }
  }
  return failures;
}

function sameScopes(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || b.some(isUnknown)) return false;
  const x = new Set(a);
  return x.size === new Set(b).size && b.every((s) => x.has(s));
}

function sameKeepers(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (isUnknown(b)) return false;
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => k in y && !isUnknown(y[k]) && x[k] === y[k]);
}

/** Times compared to the second: the backend may store fewer digits than were given. */
function sameTime(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || isUnknown(b)) return false;
  return Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);
}

/**
 * Which input changes do what: data, read by `diff` and checked against the README's table.
 * Every input but rotateBeforeDays replaces the token (scopes compared as a set, a fixed
 * expiresAt as a time); so does being inside the rotation window, which `diff` adds.
 */
export const API_TOKEN_RULES: ChangeRules<ApiTokenOutputs, ApiTokenInputs> = {
  replaces: ["serviceAccountId", "label", "scopes", "expiresInDays", "expiresAt", "keepers"],
  inPlace: ["rotateBeforeDays"],
  same: {
    scopes: (olds, news) => sameScopes(olds.scopes, news.scopes),
    expiresInDays: (olds, news) => (news.expiresInDays === undefined ? olds.expiresInDays === undefined : !differs(olds.expiresInDays, news.expiresInDays)),
    // A token made with expiresInDays has an expiresAt output; giving expiresAt instead is a change.
    expiresAt: (olds, news) => news.expiresAt === undefined || (olds.expiresInDays === undefined && sameTime(olds.expiresAt, news.expiresAt)),
    keepers: (olds, news) => sameKeepers(olds.keepers, news.keepers),
  },
};

function outputsOf(token: ApiTokenObject, secret: string, inputs: ApiTokenInputs): ApiTokenOutputs {
  return defined({
    [CONTEXT_KEY]: inputs[CONTEXT_KEY],
    serviceAccountId: token.serviceAccountId,
    label: inputs.label,
    scopes: inputs.scopes,
    expiresInDays: inputs.expiresInDays,
    rotateBeforeDays: inputs.rotateBeforeDays,
    keepers: inputs.keepers,
    token: secret,
    expiresAt: token.expiresAt,
    status: token.status,
    createdAt: token.createdAt,
  });
}

/** The handlers the engine calls (through the shim) for an ApiToken. */
export const apiTokenProvider = {
  configure: config.configure,

  /** Validates every input with the sdk's schemas and scope catalogue; no request. */
  async check(olds: Partial<ApiTokenInputs>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<ApiTokenInputs>> {
    const failures = checkProperties(news, RULES);
    const inputs = news as unknown as ApiTokenInputs;
    const bad = new Set(failures.map((f) => f.property));
    // One failure per property: the first cross-property rule a property breaks is the one reported.
    for (const f of crossCheck(olds ?? {}, inputs)) {
      if (bad.has(f.property)) continue;
      bad.add(f.property);
      failures.push(f);
    }
    // The org's policy (atlassian:policy), judged on the inputs alone.
    failures.push(...policyFailures("ApiToken", news, failures));
    // Atlassian Cloud cannot mint a token (unless atlassian:consoleRoutes): fail the preview, before any request.
    const unsupported = capabilities()?.tokens;
    if (unsupported && !bad.has("serviceAccountId")) failures.push({ property: "serviceAccountId", reason: unsupported });
    return failures.length > 0 ? { failures } : { inputs };
  },

  /**
   * Compares the stored outputs with the new inputs and the provider's clock; no request.
   * Every input but rotateBeforeDays replaces; so does being inside the rotation window.
   */
  async diff(_id: string, olds: ApiTokenOutputs, news: ApiTokenInputs): Promise<pulumi.dynamic.DiffResult> {
    const { replaces, inPlace } = changesBy(API_TOKEN_RULES, olds, news);
    if (!replaces.includes("expiresAt") && typeof olds.expiresAt === "string") {
      // The rotation window (or expiry, with no rotateBeforeDays) by the provider's clock: the
      // inputs may be unchanged, so only the provider can see it (diffResult keeps it).
      const rb = typeof news.rotateBeforeDays === "number" ? news.rotateBeforeDays : 0;
      if (now().getTime() >= Date.parse(olds.expiresAt) - rb * DAY_MS) replaces.push("expiresAt");
    }
    return diffResult(replaces, inPlace, false);
  },

  /**
   * Sends POST /service-accounts/{id}/api-tokens, an EXTENSION of the embedded backend; on
   * Atlassian Cloud, which has no API to create a token, the admin console's
   * POST /users/{atlassianId}/manage/api-tokens with atlassian:consoleRoutes (else check has already failed).
   * Returns the token's id and outputs, the secret included. A fixed expiresAt that is not
   * in range fails as check does, with no request.
   */
  async create(inputs: ApiTokenInputs): Promise<pulumi.dynamic.CreateResult<ApiTokenOutputs>> {
    const what = `API token "${inputs.label}" of service account ${inputs.serviceAccountId}`;
    // The same rule as check, before any request (the backend would refuse it less helpfully).
    const problem = inputs.expiresAt === undefined ? undefined : fixedExpiryProblem(inputs.expiresAt, false);
    if (problem) throw new Error(`cannot create ${what}: ${problem}`);
    const t = target();
    if (t.capabilities.tokens) throw new Error(`cannot create ${what}: ${t.capabilities.tokens}`);
    let created: ApiTokenWithSecret;
    try {
      created = await t.tokens.mint(
        inputs.serviceAccountId,
        defined({ label: inputs.label, scopes: inputs.scopes, expiresInDays: inputs.expiresInDays, expiresAt: inputs.expiresAt }),
        requestOptions(inputs),
      );
    } catch (err) {
      throw failure(`cannot create ${what}`, err);
    }
    const { token, ...rest } = created;
    return { id: created.id, outs: outputsOf(rest, token, inputs) };
  },

  /**
   * Sends GET /service-accounts/{id}/api-tokens (Atlassian's public list) and finds the
   * token in it. Missing, revoked or expired reports the token gone (refresh drops it; the
   * next up mints a new one). The secret is never readable again: it is carried forward from the state.
   */
  async read(id: string, props?: ApiTokenOutputs): Promise<pulumi.dynamic.ReadResult<ApiTokenOutputs>> {
    if (!props?.serviceAccountId) {
      throw new Error(`cannot read API token ${id}: its serviceAccountId is not in the state (an ApiToken cannot be read by id alone)`);
    }
    let token: ServiceAccountToken | null;
    try {
      token = await target().tokens.find(props.serviceAccountId, id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot read API token "${props.label}" (id ${id})`, err);
    }
    if (!token) return {};
    const expiresAt = token.expiresAt ?? props.expiresAt;
    const status = token.status?.toLowerCase() ?? (Date.parse(expiresAt) <= now().getTime() ? "expired" : "active");
    if (status !== "active") return {};
    return {
      id: token.id,
      props: defined({ ...props, expiresAt, createdAt: token.createdAt ?? props.createdAt, status: "active" as const }),
    };
  },

  /** Only rotateBeforeDays changed (everything else replaces): no request, the outputs follow the inputs. */
  async update(_id: string, olds: ApiTokenOutputs, news: ApiTokenInputs): Promise<pulumi.dynamic.UpdateResult<ApiTokenOutputs>> {
    return { outs: defined({ ...olds, rotateBeforeDays: news.rotateBeforeDays, [CONTEXT_KEY]: news[CONTEXT_KEY] }) };
  },

  /**
   * Sends DELETE /service-accounts/{id}/api-tokens/{tokenId}, an EXTENSION of the embedded
   * backend; on Atlassian Cloud with atlassian:consoleRoutes, its documented
   * DELETE /users/{atlassianId}/manage/api-tokens/{tokenId}. Revoked or gone already is fine.
   */
  async delete(id: string, props: ApiTokenOutputs): Promise<void> {
    const t = target();
    if (t.capabilities.tokens) throw new Error(`cannot revoke API token "${props.label}" (id ${id}): ${t.capabilities.tokens}`);
    try {
      await t.tokens.revoke(props.serviceAccountId, id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot revoke API token "${props.label}" (id ${id})`, err);
    }
  },
};

/**
 * A scoped, expiring API token of a service account. `token` is always a secret.
 *
 * ```ts
 * const token = new sa.ApiToken("ci-token", {
 *   serviceAccountId: account.id,
 *   label: "ci",
 *   scopes: ["read:jira-work", "write:jira-work"],
 *   expiresInDays: 30,
 *   rotateBeforeDays: 7,
 * });
 * ```
 */
export class ApiToken extends pulumi.dynamic.Resource {
  /** The id of the token's service account (an input). */
  declare public readonly serviceAccountId: pulumi.Output<string>;
  /** The token's label (an input). */
  declare public readonly label: pulumi.Output<string>;
  /** The token's scopes (an input). */
  declare public readonly scopes: pulumi.Output<string[]>;
  /** The lifetime in days, when the token was made with one (an input). */
  declare public readonly expiresInDays: pulumi.Output<number | undefined>;
  /** Days before expiry from which `up` replaces the token (an input). */
  declare public readonly rotateBeforeDays: pulumi.Output<number | undefined>;
  /** The keepers (an input). */
  declare public readonly keepers: pulumi.Output<Record<string, string> | undefined>;
  /**
   * The token's secret, a secret output: encrypted in the state and masked in output. Use
   * it with HTTP Basic as `<account email>:<token>`. It exists only from creation; it is
   * never read back.
   */
  declare public readonly token: pulumi.Output<string>;
  /** When the token expires (ISO-8601 UTC). */
  declare public readonly expiresAt: pulumi.Output<string>;
  /** `active`, as long as the resource exists in the state (a revoked or expired token is dropped on refresh). */
  declare public readonly status: pulumi.Output<"active" | "revoked" | "expired">;
  /** When the token was created (ISO-8601 UTC). */
  declare public readonly createdAt: pulumi.Output<string>;

  /**
   * @param name The Pulumi resource name (unique in the stack).
   * @param args The token's properties.
   * @param opts Pulumi resource options; `token` is always added to `additionalSecretOutputs`.
   */
  constructor(name: string, args: ApiTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.ApiToken,
      name,
      {
        serviceAccountId: args.serviceAccountId,
        label: args.label,
        scopes: args.scopes,
        expiresInDays: args.expiresInDays,
        expiresAt: args.expiresAt,
        rotateBeforeDays: args.rotateBeforeDays,
        keepers: args.keepers,
        [CONTEXT_KEY]: clientContextFor(API_TOKEN_TYPE, name, opts?.parent),
        token: undefined,
        status: undefined,
        createdAt: undefined,
      },
      { ...opts, additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), "token"])] },
      MODULE,
      "ApiToken",
    );
  }
}
