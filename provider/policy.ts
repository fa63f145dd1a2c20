/**
 * The org's rules for what a stack may declare, from `atlassian:policy` (or
 * `ATLASSIAN_POLICY`): a JSON object such as
 *
 * ```json
 * { "maxTokenDays": 90, "minRotateBeforeDays": 7, "forbiddenScopes": ["delete:*"],
 *   "maxRoles": { "jira:project/FIN*": "viewer" }, "requireDescription": true,
 *   "displayNamePattern": "svc-[a-z0-9-]+" }
 * ```
 *
 * Every rule is judged in `check`, on the inputs alone: no request, so `pulumi preview`
 * fails before anything is sent, naming the rule, the resource and the value. A value not
 * known yet (an output of a resource still to be made) is never judged: a preview cannot
 * tell, and the `up` that knows it runs `check` again. A malformed policy fails every
 * resource's check, naming the field at fault and the fix.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Role, SCOPES, TOKEN_MAX_DAYS, type Role as RoleName } from "../sdk/index";
import { DAY_MS, now } from "./clock";
import { CONTEXT_KEY, isUnknown, shown } from "./common";
import * as config from "./config";

/** The roles a binding grants, weakest first: the order `maxRoles` compares by. */
const ROLE_ORDER: readonly RoleName[] = Role.options;

/** A scope pattern: scope characters, with `*` for any run of characters (`delete:*`). */
const SCOPE_PATTERN = /^[a-z0-9*][a-z0-9*:._-]*$/;
/** A project or space pattern: `jira:project/<KEY or KEY*>`, `confluence:space/<KEY*>`, or `*` (every one). */
const RESOURCE_PATTERN = /^(\*|jira:project\/[A-Z0-9*]{1,10}|confluence:space\/~?[A-Za-z0-9*]{1,255})$/;

/** `*` as "any run of characters", everything else literally, the whole string. */
function glob(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

function compilesAsRegExp(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}

/** The policy as written: every rule optional; an unknown rule is an error (a typo must not pass for "no rule"). */
export const Policy = z.strictObject({
  maxTokenDays: z
    .number({ error: "must be a whole number of days, e.g. 90" })
    .int("must be a whole number of days, e.g. 90")
    .min(1, `must be 1-${TOKEN_MAX_DAYS} days`)
    .max(TOKEN_MAX_DAYS, `must be 1-${TOKEN_MAX_DAYS} days (Atlassian's own limit is ${TOKEN_MAX_DAYS})`)
    .optional(),
  minRotateBeforeDays: z
    .number({ error: "must be a whole number of days, e.g. 7" })
    .int("must be a whole number of days, e.g. 7")
    .min(0, "must be 0 or more days")
    .max(TOKEN_MAX_DAYS - 1, `must be less than ${TOKEN_MAX_DAYS} days`)
    .optional(),
  forbiddenScopes: z
    .array(
      z
        .string({ error: 'must be a scope or a pattern such as "delete:*"' })
        .regex(SCOPE_PATTERN, 'must be a scope or a pattern of scope characters and "*", such as "delete:*"')
        .refine((p) => SCOPES.some((s) => glob(p).test(s)), {
          error: 'matches no scope of the catalogue (SCOPES in the sdk); check its spelling, e.g. "delete:*" or "manage:jira-configuration"',
        }),
      { error: 'must be a list of scopes or patterns, e.g. ["delete:*"]' },
    )
    .max(500, "may hold at most 500 patterns")
    .optional(),
  maxRoles: z
    .record(
      z
        .string()
        .regex(
          RESOURCE_PATTERN,
          'must be a project or space pattern: "jira:project/<KEY>" (uppercase, "*" for any characters, e.g. "jira:project/FIN*"), "confluence:space/<KEY>", or "*"',
        ),
      z.enum(ROLE_ORDER as [RoleName, ...RoleName[]], { error: 'must be "viewer", "editor" or "admin"' }),
      { error: 'must be an object of pattern to role, e.g. {"jira:project/FIN*": "viewer"}' },
    )
    .optional(),
  requireDescription: z.boolean({ error: "must be true or false" }).optional(),
  displayNamePattern: z
    .string({ error: 'must be a regular expression as a string, e.g. "svc-[a-z0-9-]+"' })
    .min(1, 'must not be empty; give a regular expression, e.g. "svc-[a-z0-9-]+"')
    .max(500, "must be at most 500 characters")
    .refine(compilesAsRegExp, 'is not a valid regular expression (JavaScript syntax); e.g. "svc-[a-z0-9-]+"')
    .optional(),
});
export type Policy = z.infer<typeof Policy>;

/** The rules' names, as messages and the README name them. */
export const POLICY_RULES = Object.keys(Policy.shape) as (keyof Policy)[];

/** A policy ready to judge with: the patterns compiled once. */
export interface CompiledPolicy {
  readonly rules: Policy;
  readonly forbiddenScopes: readonly { pattern: string; re: RegExp }[];
  readonly maxRoles: readonly { pattern: string; re: RegExp; role: RoleName }[];
  readonly displayName: RegExp | undefined;
}

/** The rule nearest to a misspelt one, for the did-you-mean. */
function nearestRule(key: string): string | undefined {
  const lower = key.toLowerCase();
  return POLICY_RULES.find((r) => r.toLowerCase() === lower) ?? POLICY_RULES.find((r) => r.toLowerCase().startsWith(lower.slice(0, 6)));
}

/**
 * Parses and checks a policy's text. Throws an Error whose message names each field at fault
 * (`maxRoles["jira:FIN*"]: …`) and how to fix it; the caller adds which setting it came from.
 */
export function parsePolicy(text: string): CompiledPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message}); give a JSON object such as {"maxTokenDays":90,"forbiddenScopes":["delete:*"]}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error('not a JSON object; give one such as {"maxTokenDays":90}');
  }
  const parsed = Policy.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => {
          const near = nearestRule(k);
          return `${JSON.stringify(k)} is not a rule${near ? `; did you mean "${near}"?` : ""} (rules: ${POLICY_RULES.join(", ")})`;
        });
      }
      const at = issue.path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `[${JSON.stringify(p)}]`))
        .join("");
      const value = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey], raw);
      // A bad key of a record (maxRoles): the key is at fault, and the key's own rule says why.
      if (issue.code === "invalid_key") return [`${at}: the key ${issue.issues.map((i) => i.message).join("; ")}`];
      return [`${at}${value === undefined ? "" : ` ${shown(value)}`} ${issue.message}`];
    });
    throw new Error(problems.join("; "));
  }
  const rules = parsed.data;
  if (rules.maxTokenDays !== undefined && rules.minRotateBeforeDays !== undefined && rules.minRotateBeforeDays >= rules.maxTokenDays) {
    throw new Error(
      `minRotateBeforeDays ${rules.minRotateBeforeDays} must be smaller than maxTokenDays ${rules.maxTokenDays}: ` +
        `no token could satisfy both (rotateBeforeDays must be smaller than expiresInDays); lower minRotateBeforeDays or raise maxTokenDays`,
    );
  }
  return {
    rules,
    forbiddenScopes: (rules.forbiddenScopes ?? []).map((pattern) => ({ pattern, re: glob(pattern) })),
    maxRoles: Object.entries(rules.maxRoles ?? {}).map(([pattern, role]) => ({ pattern, re: glob(pattern), role })),
    displayName: rules.displayNamePattern === undefined ? undefined : new RegExp(`^(?:${rules.displayNamePattern})$`, "u"),
  };
}

let cache: { text: string | undefined; policy: CompiledPolicy | null } | undefined;

/**
 * The policy in force (`atlassian:policy`, else `ATLASSIAN_POLICY`), or null when none is
 * set. A malformed one throws, naming the setting, the field at fault and the fix.
 */
export function currentPolicy(): CompiledPolicy | null {
  const text = config.policyText();
  if (cache !== undefined && cache.text === text) return cache.policy;
  let policy: CompiledPolicy | null = null;
  if (text !== undefined) {
    try {
      policy = parsePolicy(text);
    } catch (err) {
      throw config.invalid("policy", text, (err as Error).message);
    }
  }
  cache = { text, policy };
  return policy;
}

// ---------------------------------------------------------------------------------------
// Judging a resource's inputs
// ---------------------------------------------------------------------------------------

type Failure = pulumi.dynamic.CheckFailure;
type Inputs = Record<string, unknown>;

/** `ApiToken "ci-token"`: the kind and the Pulumi name, from the context every resource carries. */
function resourceOf(kind: string, news: Inputs): string {
  const ctx = news[CONTEXT_KEY];
  const urn = typeof ctx === "string" ? /(?:^|;)resource=([^;]*)/.exec(ctx)?.[1] : undefined;
  const name = urn?.split("::").pop();
  return name ? `${kind} "${name}"` : kind;
}

/** A failure of one rule: names the rule, the resource, the value, and the fix. */
function broken(kind: string, news: Inputs, property: string, rule: keyof Policy, problem: string, fix: string): Failure {
  return {
    property,
    reason: `${resourceOf(kind, news)} breaks the policy rule ${rule} (atlassian:policy): ${problem}; ${fix}, or change the policy`,
  };
}

const known = (v: unknown): boolean => v !== undefined && v !== null && !isUnknown(v);

function apiTokenFailures(p: CompiledPolicy, news: Inputs): Failure[] {
  const out: Failure[] = [];
  const kind = "ApiToken";
  const { maxTokenDays, minRotateBeforeDays } = p.rules;
  const days = news.expiresInDays;
  const at = news.expiresAt;
  if (maxTokenDays !== undefined) {
    if (typeof days === "number" && days > maxTokenDays) {
      out.push(broken(kind, news, "expiresInDays", "maxTokenDays", `expiresInDays is ${days}, more than ${maxTokenDays}`, `give expiresInDays of ${maxTokenDays} or fewer`));
    } else if (typeof at === "string" && !isUnknown(at)) {
      const t = Date.parse(at);
      const left = (t - now().getTime()) / DAY_MS;
      if (!Number.isNaN(t) && left > maxTokenDays) {
        out.push(
          broken(kind, news, "expiresAt", "maxTokenDays", `expiresAt ${shown(at)} is ${Math.ceil(left)} days away, more than ${maxTokenDays}`, `give a time within ${maxTokenDays} days, or expiresInDays of ${maxTokenDays} or fewer`),
        );
      }
    }
  }
  const rb = news.rotateBeforeDays;
  if (minRotateBeforeDays !== undefined && minRotateBeforeDays > 0 && !isUnknown(rb)) {
    if (typeof rb === "number") {
      if (rb < minRotateBeforeDays) {
        out.push(broken(kind, news, "rotateBeforeDays", "minRotateBeforeDays", `rotateBeforeDays is ${rb}, less than ${minRotateBeforeDays}`, `give rotateBeforeDays of ${minRotateBeforeDays} or more`));
      }
    } else if (!known(days) && known(at)) {
      out.push(
        broken(kind, news, "expiresAt", "minRotateBeforeDays", `a token with a fixed expiresAt is never rotated`, `give expiresInDays with rotateBeforeDays of ${minRotateBeforeDays} or more instead`),
      );
    } else {
      out.push(broken(kind, news, "rotateBeforeDays", "minRotateBeforeDays", "rotateBeforeDays is not set, so the token is not rotated before it expires", `give rotateBeforeDays of ${minRotateBeforeDays} or more`));
    }
  }
  const scopes = news.scopes;
  if (p.forbiddenScopes.length > 0 && Array.isArray(scopes)) {
    const hits: string[] = [];
    scopes.forEach((s, i) => {
      if (typeof s !== "string" || isUnknown(s)) return;
      const hit = p.forbiddenScopes.find((f) => f.re.test(s));
      if (hit) hits.push(`scopes[${i}] ${shown(s)} matches the forbidden ${shown(hit.pattern)}`);
    });
    if (hits.length > 0) out.push(broken(kind, news, "scopes", "forbiddenScopes", hits.join(", "), hits.length > 1 ? "remove these scopes" : "remove this scope"));
  }
  return out;
}

function scopeBindingFailures(p: CompiledPolicy, news: Inputs): Failure[] {
  const { resource, role } = news;
  if (p.maxRoles.length === 0 || typeof resource !== "string" || isUnknown(resource) || typeof role !== "string" || isUnknown(role)) return [];
  const rank = ROLE_ORDER.indexOf(role as RoleName);
  if (rank < 0) return [];
  // Where several patterns match, the strictest applies.
  let limit: { pattern: string; role: RoleName } | undefined;
  for (const m of p.maxRoles) {
    if (m.re.test(resource) && (limit === undefined || ROLE_ORDER.indexOf(m.role) < ROLE_ORDER.indexOf(limit.role))) limit = m;
  }
  if (!limit || rank <= ROLE_ORDER.indexOf(limit.role)) return [];
  return [
    broken(
      "ScopeBinding",
      news,
      "role",
      "maxRoles",
      `role ${shown(role)} on ${resource} is above ${shown(limit.role)}, the highest role allowed on ${shown(limit.pattern)}`,
      `give role ${shown(limit.role)}${limit.role === "viewer" ? "" : " or lower"}`,
    ),
  ];
}

function serviceAccountFailures(p: CompiledPolicy, news: Inputs): Failure[] {
  const out: Failure[] = [];
  const kind = "ServiceAccount";
  const description = news.description;
  if (p.rules.requireDescription && !isUnknown(description) && (typeof description !== "string" || description.trim() === "")) {
    out.push(
      broken(kind, news, "description", "requireDescription", `description is ${description === undefined ? "not set" : "empty"}`, 'say what the account is for and who owns it, e.g. description: "Deploys billing from CI; owner: payments team"'),
    );
  }
  const name = news.displayName;
  if (p.displayName && typeof name === "string" && !isUnknown(name) && !p.displayName.test(name)) {
    out.push(
      broken(kind, news, "displayName", "displayNamePattern", `displayName ${shown(name)} does not match ${shown(p.rules.displayNamePattern)} (the whole name must match)`, "give a display name that matches"),
    );
  }
  return out;
}

const JUDGES = {
  ApiToken: apiTokenFailures,
  ScopeBinding: scopeBindingFailures,
  ServiceAccount: serviceAccountFailures,
} as const;

/**
 * The policy's failures for one resource's new inputs, leaving out properties that already
 * failed (`failed`: one failure per property). No policy set: none. A malformed policy
 * throws, naming the setting and the field (the engine reports it for the resource).
 */
export function policyFailures(kind: keyof typeof JUDGES, news: Inputs, failed: readonly Failure[] = []): Failure[] {
  const policy = currentPolicy();
  if (!policy) return [];
  const bad = new Set(failed.map((f) => f.property));
  return JUDGES[kind](policy, news).filter((f) => {
    if (bad.has(f.property)) return false;
    bad.add(f.property);
    return true;
  });
}
