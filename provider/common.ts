/**
 * What the three resources share: the check machinery (one failure per bad property), the
 * client context every request carries, the error a handler throws when the backend has
 * created something it could not finish, and the translation of sdk errors into messages
 * that name the resource and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { APIError, isNotFound, isQuotaExceeded, type RequestOptions } from "../sdk/index";

/**
 * The engine's stand-in for a value not known yet during a preview (an id of a resource still
 * to be created, say). `check` must not judge it, and `diff` treats it as changed.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/**
 * The hidden input that carries who is making a change (project, stack, resource URN) into
 * the provider process, where the engine hands the handlers nothing but properties. Sent as
 * `X-Client-Context` on every request, so the backend's audit events name the code.
 */
export const CONTEXT_KEY = "__context";

/** What every resource carries besides its own properties (the engine adds `__provider`). */
export interface Internal {
  /** `project=<p>;stack=<s>;resource=<urn>`, set by the resource class; sent as `X-Client-Context`. */
  [CONTEXT_KEY]?: string;
}

/** The `X-Client-Context` value for a resource: `project=<p>;stack=<s>;resource=<urn>`. */
export function clientContextFor(type: string, name: string, parent?: pulumi.Resource): pulumi.Input<string> {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const build = (parentUrn?: string) => {
    // A URN is urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>; the stack
    // resource itself never appears in the chain.
    const parentType = parentUrn?.split("::")[2];
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `project=${project};stack=${stack};resource=urn:pulumi:${stack}::${project}::${qualified}::${name}`;
  };
  return parent ? parent.urn.apply(build) : build();
}

/** The longest header value the sdk sends (and the backend records). */
const MAX_CONTEXT = 1024;

/**
 * Request options carrying the stored context, if any. A header holds printable ASCII
 * only, and Pulumi names may hold any character: others are percent-encoded, and an
 * over-long context is cut, rather than failing the request.
 */
export function requestOptions(props: Internal | undefined): RequestOptions {
  const ctx = props?.[CONTEXT_KEY];
  if (typeof ctx !== "string" || ctx === "") return {};
  let safe = ctx.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
  if (safe.length > MAX_CONTEXT) safe = `${safe.slice(0, MAX_CONTEXT - 3)}...`;
  return { clientContext: safe };
}

// ---------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------

/** How one input property is validated. */
export interface PropertyRule {
  schema: z.ZodType;
  /** Present when the property is required: how to fix its absence. */
  required?: string;
  /** How to fix a bad value, where the schema's own message does not say. */
  hint?: string;
}

/** A value as it appears in a failure: JSON, cut short. Inputs hold no secrets. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Validates each property against its rule. One failure per bad property, naming the
 * property, the value given and how to fix it; values not known yet are not judged, nor are
 * the elements of a list that are not known yet.
 */
export function checkProperties(
  news: Record<string, unknown>,
  rules: Record<string, PropertyRule>,
): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  for (const [property, rule] of Object.entries(rules)) {
    const value = news[property];
    if (value === undefined || value === null) {
      if (rule.required) failures.push({ property, reason: `${property} is required: ${rule.required}` });
      continue;
    }
    if (isUnknown(value)) continue;
    const known = Array.isArray(value) ? value.filter((v) => !isUnknown(v)) : value;
    const result = rule.schema.safeParse(known);
    if (result.success) continue;
    const problems = result.error.issues.map((issue) => {
      const at = issue.path.length > 0 ? `${property}[${issue.path.map(String).join("][")}]: ` : "";
      return at + issue.message;
    });
    const hint = rule.hint ? `; ${rule.hint}` : "";
    failures.push({ property, reason: `${property} ${shown(value)} is invalid: ${[...new Set(problems)].join("; ")}${hint}` });
  }
  for (const property of Object.keys(news)) {
    if (property.startsWith("__") || property in rules) continue;
    failures.push({
      property,
      reason: `${property} is not a property of this resource; remove it (known: ${Object.keys(rules).join(", ")})`,
    });
  }
  return failures;
}

/**
 * The diff result for the engine, from the handler's verdict: the properties that force a
 * replacement, and whether anything changes in place.
 *
 * The dynamic-provider host (`@pulumi/pulumi`'s cmd/dynamic-provider, every version to
 * date) passes the engine only `changes`, `replaces` and `deleteBeforeReplace`: never the
 * changed properties or a detailed diff. What the engine does with `changes`:
 * - `true`: the verdict stands, whatever the inputs show; but the engine then knows no
 *   changed property, so `replaceOnChanges` has nothing to act on and the step's `diffs` is
 *   empty (the CLI still prints `[diff: ...]`, from the inputs).
 * - "unknown" (`undefined`): the engine compares the old and new inputs itself and takes
 *   that comparison as the verdict, keeping `replaces`: the changed properties are listed
 *   and `replaceOnChanges` applies, but equal inputs mean "no change", replacement or not.
 *
 * So a replacement is always `true`: whatever the rule (an input, the clock, an expired
 * date), the engine cannot drop it. An in-place change is "unknown", because an in-place
 * change is by nature a change of the inputs (read keeps the stored inputs in step with what
 * it finds, so drift shows in them too), and `replaceOnChanges` must see it. No change is
 * `false`.
 */
export function diffResult(replaces: string[], changesInPlace: boolean, deleteBeforeReplace: boolean): pulumi.dynamic.DiffResult {
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace };
  return { changes: changesInPlace ? undefined : false, replaces, deleteBeforeReplace };
}

/** Whether an input changed: a value not known yet (during a preview) may have. */
export function differs(old: unknown, now: unknown): boolean {
  return isUnknown(now) || old !== now;
}

/**
 * A resource's change rules, as data, stated once: which inputs replace the resource when
 * they change and which update it in place. `same` says how an input is compared where plain
 * equality ({@link differs}) is not the rule. `diff` reads them ({@link changesBy}), and a test
 * checks that the README's tables say the same.
 */
export interface ChangeRules<O, I> {
  readonly replaces: readonly (keyof I & string)[];
  readonly inPlace: readonly (keyof I & string)[];
  readonly same?: { readonly [K in keyof I & string]?: (olds: O, news: I) => boolean };
}

/** The inputs that replace the resource, and whether any changes it in place, by its rules. */
export function changesBy<O extends object, I extends object>(rules: ChangeRules<O, I>, olds: O, news: I): { replaces: string[]; inPlace: boolean } {
  const changed = (p: keyof I & string) => {
    const same = rules.same?.[p];
    return same ? !same(olds, news) : differs((olds as Record<string, unknown>)[p], (news as Record<string, unknown>)[p]);
  };
  return { replaces: rules.replaces.filter(changed), inPlace: rules.inPlace.some(changed) };
}

/** A copy without properties whose value is `undefined` (the engine's structs cannot hold them). */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------

/**
 * Thrown when the backend created something but the handler could not finish (a follow-up
 * request failed). The dynamic provider host turns an error carrying `id` into the engine's
 * "resource initialization failed": Pulumi records the resource under that id, with these
 * properties, instead of forgetting it, and the next `up` finishes the job through `update`.
 */
export class ResourceInitError extends Error {
  override readonly name = "ResourceInitError";
  /** Read by the dynamic provider host. */
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
    this.reasons = [message];
  }
}

/**
 * An sdk error as a message for the person running `pulumi up`: what was being done to
 * which resource, what the backend said, and the request id to quote. The sdk guarantees
 * its errors hold no credential or token secret; nothing else is added here.
 */
export function failure(action: string, err: unknown): Error {
  if (err instanceof ResourceInitError) return err;
  if (err instanceof APIError) {
    const said = err.detail && err.detail !== err.title ? `${err.title}: ${err.detail}` : err.title;
    const at = err.pointer ? ` (at ${err.pointer})` : "";
    const meta = [`HTTP ${err.status}${err.code ? ` ${err.code}` : ""}`, err.requestId ? `request ${err.requestId}` : undefined];
    return new Error(`${action}: ${said}${at}${hintFor(err)} [${meta.filter(Boolean).join(", ")}]`);
  }
  if (err instanceof Error) return new Error(`${action}: ${err.message}`);
  return new Error(`${action}: ${String(err)}`);
}

/** The admin API's paths (the org admin key); every other path is a product's (the site admin's credentials). */
const isAdminPath = (path: string) => path.startsWith("/admin/");

/** What to do about an error, by HTTP status (Atlassian's codes are not documented enough to key on). */
function hintFor(err: APIError): string {
  const admin = isAdminPath(err.path);
  const quota: boolean = isQuotaExceeded(err);
  if (quota) {
    return "; the organization's plan allows no more service accounts: delete one, or move the organization to a larger plan";
  }
  if (err.status === 401 || err.status === 403) {
    const scope = /scope/i.test(`${err.code ?? ""} ${err.title} ${err.detail ?? ""}`);
    if (admin) {
      return scope || err.status === 403
        ? "; the org admin API key (atlassian:apiKey) lacks a scope this call needs: use a key with the service-account scopes the README lists, or an unscoped key"
        : "; the org admin API key (atlassian:apiKey) was refused: check that it is the org's (atlassian:orgId), current and not expired";
    }
    return scope || err.status === 403
      ? "; the site admin's API token (atlassian:siteAdminToken) lacks a scope or a permission this call needs: see the README's site admin scopes"
      : "; the site admin's credentials were refused: check atlassian:siteAdminEmail and atlassian:siteAdminToken (a scoped token works through the gateway only; a classic token needs atlassian:siteUrl)";
  }
  if (isNotFound(err)) return "; it was deleted outside Pulumi: run `pulumi refresh` to drop it from the state";
  return "";
}
