/**
 * `ServiceAccount`: an Atlassian service account (a non-human account that scripts and CI
 * use through scoped API tokens).
 *
 * Atlassian generates an account's email and ids; the user chooses only its display name and
 * description. So `displayName` is the account's natural key: the provider refuses to create
 * an account whose display name another account of the org already has (display names may
 * repeat in an org; a stack's accounts do not), and `adoptExisting` takes over the one
 * account of that display name.
 *
 * The change rules are data, {@link SERVICE_ACCOUNT_RULES}: no input replaces the account.
 * What a target cannot do (suspend or reactivate on Atlassian Cloud) is data too, in
 * `targets/capabilities.ts`; a change that needs it fails at `check`.
 *
 * A replacement (`pulumi up --replace`) deletes first (`deleteBeforeReplace: true` by
 * default): the new account keeps the display name, which must be free when it is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { APP_ACCESS_PERMISSION_RULE, Description, DisplayName, GroupId, isNotFound, type PermissionRule, type RequestOptions } from "../sdk/index";
import { now } from "./clock";
import {
  CONTEXT_KEY,
  checkProperties,
  clientContextFor,
  defined,
  changesBy,
  diffResult,
  type ChangeRules,
  failure,
  requestOptions,
  ResourceInitError,
  isUnknown,
  type Internal,
} from "./common";
import * as config from "./config";
import { noteCreated } from "./access";
import { consoleGrantRefusal, consoleRulesOf, grantChanges, grantKey, readAppAccess, reconcile, sortGrants, type AppAccess, type PendingAppAccess } from "./appAccess";
import { policyFailures } from "./policy";
import { capabilities, target, type Account, type Capabilities, type Target } from "./targets/index";
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:ServiceAccount` */
export const SERVICE_ACCOUNT_TYPE = typeOf("ServiceAccount");

export type { AppAccess, PendingAppAccess } from "./appAccess";

/** The arguments of a {@link ServiceAccount}. */
export interface ServiceAccountArgs {
  /**
   * The name people see, 1-100 characters, no control characters: the account's natural key.
   * Atlassian makes the account's email and ids from it when the account is created
   * (`<slug>-<random>@serviceaccount.atlassian.com`). Unique among the org's accounts: creating
   * an account whose display name another account has fails, unless `adoptExisting`.
   * Updates in place.
   */
  displayName: pulumi.Input<string>;
  /** What the account is for: at most 1000 characters. Default: empty. Updates in place. */
  description?: pulumi.Input<string>;
  /**
   * `true` suspends the account: its tokens stop working until it is active again (they
   * are not revoked). Default: `false`. Updates in place on the embedded backend. Atlassian
   * Cloud has no API to suspend or reactivate an account: there, a change fails at preview, and
   * `true` declares an account suspended in admin.atlassian.com (after a refresh shows it so).
   */
  suspended?: pulumi.Input<boolean>;
  /**
   * `true` takes over the existing account of this `displayName` instead of failing because
   * one exists (dynamic resources cannot be `pulumi import`ed); it fails, naming every id,
   * when several accounts have that display name. The account's description and suspension
   * are then set to match these arguments. From then on Pulumi owns the account: `pulumi
   * destroy`, or removing the resource, deletes it, unless the resource has Pulumi's
   * `retainOnDelete: true` option. Default: `false`. A change makes no request.
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * The products the account may use, sent as Atlassian's permission rules with the create
   * (the only documented way to give a service account app access): for example
   * `[{ product: "jira" }, { product: "confluence", role: "user" }]`. Atlassian creates a
   * service account with no app access, and its token then reaches no product (a flat 401).
   * Read back through Atlassian's role-assignment read: a grant asked for and not seen yet is
   * pending for an hour (access lands asynchronously), then drift. Adding a grant to an
   * existing account takes `atlassian:consoleRoutes` (the console's invite); without it, and
   * for taking access back, a change fails at preview, saying what to do. With
   * `adoptExisting`, the account exists already: recorded as declared, not sent. Default: none.
   */
  appAccess?: pulumi.Input<pulumi.Input<AppAccessArgs>[]>;
  /**
   * Org directory group ids the account is created in (Atlassian's documented "additional
   * group memberships"). Set at creation only, like `appAccess`. Default: none.
   */
  groups?: pulumi.Input<pulumi.Input<string>[]>;
}

/** One product a {@link ServiceAccount} may use, on one site. */
export interface AppAccessArgs {
  /** `jira` or `confluence`. */
  product: pulumi.Input<"jira" | "confluence">;
  /** `user` (default) or `admin`: the product role Atlassian gives (`atlassian/user`, `atlassian/admin`). */
  role?: pulumi.Input<"user" | "admin">;
  /** The site's cloud id. Default: the `atlassian:cloudId` setting. */
  cloudId?: pulumi.Input<string>;
}

/** The inputs as the handlers receive them, after `check`. */
export interface ServiceAccountInputs extends Internal {
  /** See {@link ServiceAccountArgs.displayName}. */
  displayName: string;
  /** Filled in by `check` (default: `""`). */
  description?: string;
  /** Filled in by `check` (default: `false`). */
  suspended?: boolean;
  /** See {@link ServiceAccountArgs.adoptExisting}. */
  adoptExisting?: boolean;
  /** Filled in by `check`: every grant with its role and site, sorted; absent when none. */
  appAccess?: AppAccess[];
  /** Filled in by `check`: sorted, no repeats; absent when none. */
  groups?: string[];
}

/** The outputs, as stored in the state: the inputs as the backend holds them, plus what it assigned. */
export interface ServiceAccountOutputs extends Internal {
  /** The name people see, as the backend holds it. */
  displayName: string;
  /** The description, as the backend holds it. */
  description: string;
  /** Whether the account is suspended (`status === "suspended"`). */
  suspended: boolean;
  /** The input, echoed. */
  adoptExisting?: boolean;
  /** The app access the account holds or waits for, as the last read found it (see {@link appAccessPending}). */
  appAccess?: AppAccess[];
  /** Grants asked for (by the create, or the console's invite) and not seen held yet, with when; absent when none. */
  appAccessPending?: PendingAppAccess[];
  /** The groups the create asked for (not read back: the account list does not show them). */
  groups?: string[];
  /** The id product APIs know the account by (Atlassian's `atlassianId`). */
  accountId: string;
  /** The email Atlassian generated: the user name for HTTP Basic with the account's tokens. */
  email: string;
  /** `active` or `suspended`. */
  status: "active" | "suspended";
  /**
   * When the account was created (ISO-8601 UTC): as the target reports it, or the time of
   * the create when it does not (Atlassian's list has no creation time); absent when adopted
   * from Atlassian Cloud.
   */
  createdAt?: string;
  /** Written by 0.1.0, which named accounts; read, never written. */
  name?: string;
}

/**
 * Which input changes do what: data, read by `diff` and checked against the README's table.
 * No input replaces a service account (Atlassian changes a display name in place).
 */
export const SERVICE_ACCOUNT_RULES: ChangeRules<ServiceAccountOutputs, ServiceAccountInputs> = {
  replaces: [],
  inPlace: ["displayName", "description", "suspended", "adoptExisting", "appAccess", "groups"],
  same: {
    adoptExisting: (olds, news) => (olds.adoptExisting ?? false) === (news.adoptExisting ?? false),
    // A state written before these inputs existed holds none: the same as an empty list.
    appAccess: (olds, news) => sameList(olds.appAccess, news.appAccess),
    groups: (olds, news) => sameList(olds.groups, news.groups),
  },
};

/**
 * Two lists as check leaves them (sorted, filled in), absent counting as empty. Compared by
 * value with each object's keys in order: the engine hands back stored objects with their keys
 * sorted, whatever order they were written in.
 */
function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  const canonical = (v: unknown): unknown =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v;
  return JSON.stringify((a ?? []).map(canonical)) === JSON.stringify((b ?? []).map(canonical));
}

const NAME_REMOVED =
  "name is no longer an input: Atlassian generates a service account's email and ids, so the display name is the account's key. " +
  "Remove name and give displayName (for an account created by 0.1.0, the display name it has now, by default the old name); " +
  "the account is kept, not replaced";

const RULES = {
  displayName: {
    schema: DisplayName,
    required: 'give the account a display name, e.g. "CI deployer": Atlassian generates its email and ids from it',
  },
  description: { schema: Description },
  suspended: { schema: z.boolean({ error: "suspended must be true or false" }) },
  adoptExisting: { schema: z.boolean({ error: "adoptExisting must be true or false" }) },
  appAccess: {
    schema: z
      .array(
        z.strictObject({
          product: z.enum(["jira", "confluence"], { error: 'product must be "jira" or "confluence"' }),
          role: z.enum(["user", "admin"], { error: 'role must be "user" or "admin"' }).optional(),
          cloudId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "cloudId must be a site's cloud id (letters, digits, -)").optional(),
        }),
        { error: 'appAccess must be a list such as [{ product: "jira" }]' },
      )
      .max(20),
    hint: 'e.g. appAccess: [{ product: "jira", role: "user" }]',
  },
  groups: {
    schema: z.array(GroupId, { error: "groups must be a list of org directory group ids" }).max(50),
    hint: "give each group's id (admin.atlassian.com > Directory > Groups > the group: the id is in its URL)",
  },
};

/**
 * The grants with role and site filled in (`role` user, `cloudId` from `atlassian:cloudId`),
 * one per product and site, sorted; or the failure naming what is missing.
 */
function appAccessOf(given: unknown): { grants: AppAccess[] } | { reason: string } {
  if (!Array.isArray(given)) return { grants: [] };
  const site = config.raw("cloudId");
  const out = new Map<string, AppAccess>();
  for (const [i, g] of (given as Partial<AppAccess>[]).entries()) {
    const cloudId = g.cloudId ?? site;
    if (cloudId === undefined) {
      return { reason: `appAccess[${i}] names no site: give its cloudId, or set atlassian:cloudId (pulumi config set atlassian:cloudId <cloud id>)` };
    }
    const grant: AppAccess = { product: g.product!, role: g.role ?? "user", cloudId };
    const key = grantKey(grant);
    const before = out.get(key);
    if (before && before.role !== grant.role) {
      return { reason: `appAccess names ${grant.product} on site ${cloudId} twice, as ${before.role} and as ${grant.role}: keep one` };
    }
    out.set(key, grant);
  }
  return { grants: sortGrants([...out.values()]) };
}

/** The create's permission rules for these grants (see `APP_ACCESS_PERMISSION_RULE`). */
export function permissionRulesOf(grants: readonly AppAccess[]): PermissionRule[] {
  const r = APP_ACCESS_PERMISSION_RULE;
  return grants.map((g) => ({ role: r.roles[g.role], resource: r.resource(r.productKeys[g.product], g.cloudId) }));
}

/**
 * Why a change of app access or groups of an existing account is refused, or `null`: both
 * are set at creation only (see the capabilities). `olds` are the recorded inputs.
 */
function setAtCreationRefusals(olds: Partial<ServiceAccountInputs>, inputs: ServiceAccountInputs, can: Capabilities): pulumi.dynamic.CheckFailure[] {
  const out: pulumi.dynamic.CheckFailure[] = [];
  const what = `service account "${inputs.displayName}"`;
  // A value not known yet (during a preview) is judged by update, once it is.
  const known = (v: unknown) => !isUnknown(v) && !(Array.isArray(v) && v.some((x) => isUnknown(x) || (typeof x === "object" && x !== null && Object.values(x).some(isUnknown))));
  if (known(inputs.appAccess)) {
    const { added, withdrawn } = grantChanges(olds.appAccess ?? [], inputs.appAccess ?? []);
    const list = (gs: AppAccess[]) => gs.map((g) => `${g.product} (${g.role}) on site ${g.cloudId}`).join(", ");
    if (withdrawn.length > 0 && can.appAccessWithdraw) {
      out.push({ property: "appAccess", reason: `cannot take ${list(withdrawn)} from ${what}: ${can.appAccessWithdraw}` });
    } else if (added.length > 0 && can.appAccessGrant) {
      out.push({ property: "appAccess", reason: `cannot give ${what} ${list(added)}: ${can.appAccessGrant}` });
    } else if (added.length > 0) {
      // Through the console's invite, which grants product member access only.
      const refusals = added.map(consoleGrantRefusal).filter((r): r is string => r !== null);
      if (refusals.length > 0) out.push({ property: "appAccess", reason: `cannot give ${what} ${list(added)}: ${refusals.join("; ")}` });
    }
  }
  if (can.groupsChange && known(inputs.groups) && !sameList(olds.groups, inputs.groups)) {
    out.push({ property: "groups", reason: `cannot change the groups of ${what}: ${can.groupsChange}` });
  }
  return out;
}

function outputsOf(account: Account, inputs: ServiceAccountInputs, createdAt?: string, pending?: PendingAppAccess[]): ServiceAccountOutputs {
  return defined({
    [CONTEXT_KEY]: inputs[CONTEXT_KEY],
    displayName: account.displayName,
    description: account.description,
    suspended: account.status === "suspended",
    adoptExisting: inputs.adoptExisting,
    // None is left out, as in a state written before these inputs (diff counts absent as empty).
    appAccess: inputs.appAccess?.length ? inputs.appAccess : undefined,
    appAccessPending: pending?.length ? pending : undefined,
    groups: inputs.groups?.length ? inputs.groups : undefined,
    accountId: account.accountId,
    email: account.email,
    status: account.status,
    // Atlassian's list carries no creation time: the one recorded at create is kept.
    createdAt: account.createdAt ?? createdAt,
  }) as ServiceAccountOutputs;
}

/** What differs between `actual` and the desired inputs: the public PATCH's fields, and the suspension (an extension). */
function changesFor(
  actual: { displayName?: string; description?: string; suspended?: boolean },
  desired: ServiceAccountInputs,
): { patch: { displayName?: string; description?: string }; suspended: boolean | undefined } {
  const patch: { displayName?: string; description?: string } = {};
  if (desired.displayName !== undefined && desired.displayName !== actual.displayName) patch.displayName = desired.displayName;
  if (desired.description !== undefined && desired.description !== actual.description) patch.description = desired.description;
  const suspended =
    desired.suspended !== undefined && desired.suspended !== (actual.suspended ?? false) ? desired.suspended : undefined;
  return { patch, suspended };
}

/**
 * Why a target that cannot suspend refuses this suspension, or `null`. The capability judges
 * the change, never the value: `suspended: true` for an account that is suspended already
 * (in admin.atlassian.com, say) asks nothing of the target. `was` is what the account is, as
 * far as the caller knows; `wanted` undefined is a value not known yet.
 */
function suspensionRefusal(what: string, was: boolean, wanted: boolean | undefined, can: Capabilities): string | null {
  if (wanted === undefined || wanted === was) return null;
  if (wanted) return can.suspend && `cannot suspend ${what}: ${can.suspend}`;
  return can.reactivate && `${what} is suspended, and the program wants it active (suspended is false or absent): ${can.reactivate}`;
}

/** Applies the changes: PATCH /service-accounts (id in the body), then the suspension extension. */
async function apply(
  t: Target,
  account: Account,
  changes: ReturnType<typeof changesFor>,
  opts: RequestOptions,
): Promise<Account> {
  let out = account;
  if (Object.keys(changes.patch).length > 0) out = { ...(await t.accounts.update(account, changes.patch, opts)) };
  if (changes.suspended !== undefined) out = { ...out, status: await t.accounts.setSuspended(account.id, changes.suspended, opts) };
  return out;
}


/**
 * The accounts this provider process adopted. The engine runs one provider process per
 * deployment, and creates a resource before it deletes the one it supersedes (a
 * create-before-delete replacement, or a resource renamed without an alias). When the new
 * resource adopted the very account the old one holds, both have the same id, and deleting
 * the old one would delete the account the new one now owns, silently. So a delete of an id
 * adopted in this deployment sends nothing: the account has changed hands, not gone.
 */
const adoptedHere = new Set<string>();

/** How long to wait before asking the console's invite again when it does not find a new account yet (a third party retried at 2, 4 and 8 s). */
const INVITE_RETRY_DELAYS_MS = [2000, 4000, 8000];

/**
 * Sends the console's invite for the grants `news.appAccess` gains over `olds` (check allowed
 * them: the console routes are on); returns the pending grants after it: those still waiting
 * from before, and the new ones. The invite is a grant: sent again, it gives nothing twice.
 */
async function grantAdded(t: Target, olds: ServiceAccountOutputs, news: ServiceAccountInputs, what: string): Promise<PendingAppAccess[]> {
  const { added } = grantChanges(olds.appAccess ?? [], news.appAccess ?? []);
  const declared = new Map((news.appAccess ?? []).map((g) => [grantKey(g), g.role]));
  const kept = (olds.appAccessPending ?? []).filter((p) => declared.get(grantKey(p)) === p.role);
  if (added.length === 0) return kept;
  const invite = t.consoleAccess;
  if (!invite) throw new Error(`cannot give ${what} more app access: ${t.capabilities.appAccessGrant ?? "the console routes are off"}`);
  for (let attempt = 0; ; attempt++) {
    try {
      await invite.invite(olds.accountId, consoleRulesOf(added), requestOptions(news));
      break;
    } catch (err) {
      // A just-made account may not be in the console's directory yet (a 404 that passes).
      if (isNotFound(err) && attempt < INVITE_RETRY_DELAYS_MS.length) {
        await sleep(INVITE_RETRY_DELAYS_MS[attempt]!);
        continue;
      }
      throw failure(`cannot give ${what} app access through the admin console's invite`, err);
    }
  }
  const since = now().toISOString();
  const asked = new Set(added.map(grantKey));
  return sortGrants([...kept.filter((p) => !asked.has(grantKey(p))), ...added.map((g) => ({ ...g, since }))]);
}

/** The handlers the engine calls (through the shim) for a ServiceAccount. */
export const serviceAccountProvider = {
  configure: config.configure,

  /**
   * Validates every input with the sdk's schemas (no request) and fills in the defaults. On a
   * target that cannot suspend, a change of suspension fails here, at preview: `olds` are the
   * inputs the last up or refresh recorded (a refresh records a suspension made in the console),
   * `{}` for a new resource, whose account is created active; an adopted account's status is
   * known only once create lists it. (Not in diff: the engine calls diff during a refresh too,
   * to show drift, and a refresh must never fail on what it finds.)
   */
  async check(olds: Partial<ServiceAccountInputs>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<ServiceAccountInputs>> {
    const { name, ...rest } = news;
    const failures = checkProperties(rest, RULES);
    if (name !== undefined) failures.unshift({ property: "name", reason: NAME_REMOVED });
    const existing = typeof olds?.displayName === "string";
    const can = capabilities();
    if (can && !failures.some((f) => f.property === "suspended") && (existing || news.adoptExisting !== true)) {
      const wanted = news.suspended === undefined ? false : isUnknown(news.suspended) ? undefined : news.suspended === true;
      const refusal = suspensionRefusal(`service account "${String(news.displayName)}"`, existing && olds.suspended === true, wanted, can);
      if (refusal) failures.push({ property: "suspended", reason: refusal });
    }
    // The org's policy (atlassian:policy), judged on the inputs alone.
    failures.push(...policyFailures("ServiceAccount", news, failures));
    const access = failures.some((f) => f.property === "appAccess") || isUnknown(news.appAccess) ? null : appAccessOf(news.appAccess);
    if (access && "reason" in access) failures.push({ property: "appAccess", reason: access.reason });
    if (failures.length > 0) return { failures };
    const inputs = { ...news } as unknown as ServiceAccountInputs;
    inputs.description ??= "";
    inputs.suspended ??= false;
    // None is left out (not `[]`), so the inputs of an account without either match a state
    // written before these inputs existed, and the engine shows no change of them.
    if (access && "grants" in access) inputs.appAccess = access.grants.length > 0 ? access.grants : undefined;
    if (Array.isArray(news.groups) && !news.groups.some(isUnknown)) inputs.groups = news.groups.length > 0 ? [...new Set(news.groups as string[])].sort() : undefined;
    const filled = defined(inputs);
    // Set at creation only: a change of an existing account fails here, at preview. (A value
    // not known yet is judged by update.)
    if (existing && can) {
      const refusals = setAtCreationRefusals(olds, filled, can);
      if (refusals.length > 0) return { failures: refusals };
    }
    return { inputs: filled };
  },

  /** Compares the stored outputs with the new inputs; no request. Nothing replaces (see SERVICE_ACCOUNT_RULES). */
  async diff(_id: string, olds: ServiceAccountOutputs, news: ServiceAccountInputs): Promise<pulumi.dynamic.DiffResult> {
    const { replaces, inPlace } = changesBy(SERVICE_ACCOUNT_RULES, olds, news);
    return diffResult(replaces, inPlace, true);
  },

  /**
   * Lists the org's accounts (once per run, every page) to find accounts of this display
   * name. None: POST /service-accounts `{displayName, description}`, sent once (an answer
   * that is lost is settled by listing again), then on the embedded target the suspension
   * extension when the account must start suspended. One, with `adoptExisting`: takes it
   * over, with a PATCH (id in the body) where it differs. Returns the account's id and outputs.
   */
  async create(inputs: ServiceAccountInputs): Promise<pulumi.dynamic.CreateResult<ServiceAccountOutputs>> {
    const what = `service account "${inputs.displayName}"`;
    const t = target();
    const opts = requestOptions(inputs);
    let same: Account[];
    try {
      same = await t.accounts.findByDisplayName(inputs.displayName, opts);
    } catch (err) {
      throw failure(`cannot create ${what}`, err);
    }
    let account: Account;
    let adopted = false;
    if (same.length === 0) {
      // A target that cannot suspend must not create a half-wanted account. (check refuses it at
      // preview already; an account to adopt may be suspended already, judged once found.)
      if (inputs.suspended && t.capabilities.suspend) throw new Error(`cannot create ${what}: ${t.capabilities.suspend}`);
      try {
        const rules = permissionRulesOf(inputs.appAccess ?? []);
        const groups = inputs.groups ?? [];
        account = await t.accounts.create(
          defined({
            displayName: inputs.displayName,
            description: inputs.description,
            permissionRules: rules.length > 0 ? rules : undefined,
            additionalGroups: groups.length > 0 ? groups : undefined,
          }),
          opts,
        );
      } catch (err) {
        throw failure(`cannot create ${what}`, err);
      }
      noteCreated(account.accountId);
    } else if (!inputs.adoptExisting) {
      throw new Error(
        `cannot create ${what}: the organization already has a service account with that display name (id ${same.map((a) => a.id).join(", id ")}). ` +
          `The display name is how this provider tells accounts apart: choose another displayName, or set adoptExisting: true to take ` +
          `the existing account over (Pulumi then owns it: destroy deletes it unless the resource has retainOnDelete: true). ` +
          `If this is a replacement, leave the resource's deleteBeforeReplace option at its default (true)`,
      );
    } else if (same.length > 1) {
      throw new Error(
        `cannot adopt ${what}: ${same.length} service accounts of the organization have that display name (ids ${same.map((a) => a.id).join(", ")}), ` +
          `and adoptExisting takes over exactly one. Rename or delete the others in admin.atlassian.com, or give this account another displayName`,
      );
    } else {
      account = same[0]!;
      const refusal = suspensionRefusal(`the ${what} (id ${account.id}) that adoptExisting takes over`, account.status === "suspended", inputs.suspended ?? false, t.capabilities);
      if (refusal) throw new Error(refusal);
      adopted = true;
      adoptedHere.add(account.id);
    }
    const createdAt = adopted ? undefined : (account.createdAt ?? now().toISOString());
    // The create's rules land asynchronously: pending until a read sees them (an adopted account is sent none).
    const since = now().toISOString();
    const pending = adopted ? undefined : inputs.appAccess?.map((g) => ({ ...g, since }));

    const changes = changesFor({ ...account, suspended: account.status === "suspended" }, inputs);
    const changing = [...Object.keys(changes.patch), ...(changes.suspended === undefined ? [] : ["suspended"])];
    if (changing.length > 0) {
      try {
        account = await apply(t, account, changes, opts);
      } catch (err) {
        // The account exists now; report its id so Pulumi keeps it, and the next `up` retries the change.
        const message = failure(
          `${what} was ${adopted ? "adopted" : "created"} (id ${account.id}), but setting ${changing.join(", ")} failed; the next pulumi up retries it`,
          err,
        ).message;
        throw new ResourceInitError(message, account.id, outputsOf(account, inputs, createdAt, pending) as unknown as Record<string, unknown>);
      }
    }
    return { id: account.id, outs: outputsOf(account, inputs, createdAt, pending) };
  },

  /**
   * Finds the id in the run's one listing of the org's accounts (GET /service-accounts, every
   * page, once per run: Atlassian has no get-by-id). Not listed: gone. Other fields come back
   * as drift.
   */
  async read(id: string, props?: ServiceAccountOutputs): Promise<pulumi.dynamic.ReadResult<ServiceAccountOutputs>> {
    let account: Account | null;
    try {
      account = await target().accounts.retrieve(id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot read service account ${id}`, err);
    }
    if (!account) return {};
    const recorded: ServiceAccountInputs = { ...(props ?? { displayName: account.displayName }) };
    let pending = props?.appAccessPending;
    // App access is read back for an account that declares some (the read needs read:directories:admin).
    if (recorded.appAccess?.length || pending?.length) {
      let observed;
      try {
        observed = await readAppAccess(account.accountId, requestOptions(props));
      } catch (err) {
        throw failure(`cannot read the app access of service account "${account.displayName}" (id ${id})`, err);
      }
      const found = reconcile(recorded.appAccess ?? [], pending ?? [], observed, now().getTime());
      recorded.appAccess = found.appAccess;
      pending = found.pending;
    }
    const outs = outputsOf(account, recorded, props?.createdAt, pending);
    // The inputs follow what was found, so that drift shows as a change of the inputs (see diffResult).
    const inputs = defined({
      [CONTEXT_KEY]: outs[CONTEXT_KEY],
      displayName: outs.displayName,
      description: outs.description,
      suspended: outs.suspended,
      adoptExisting: outs.adoptExisting,
      // As the role-assignment read found it (held or pending); groups are not observable here
      // (the account list shows none): a GroupMembership reads its own.
      appAccess: outs.appAccess,
      groups: outs.groups,
    });
    return { id: account.id, props: outs, inputs: inputs as ServiceAccountOutputs };
  },

  /**
   * Gives the grants `appAccess` gains through the admin console's invite (with
   * `atlassian:consoleRoutes` only; they are then pending until a read sees them). Then sends
   * one PATCH /service-accounts (the id in the body) with the displayName and description that
   * differ, and on the embedded target the suspension extension; none when only adoptExisting
   * changed.
   */
  async update(id: string, olds: ServiceAccountOutputs, news: ServiceAccountInputs): Promise<pulumi.dynamic.UpdateResult<ServiceAccountOutputs>> {
    // A value check could not see (unknown at preview) is judged here, before any request.
    const refusals = setAtCreationRefusals(olds, news, target().capabilities);
    if (refusals.length > 0) throw new Error(refusals.map((r) => r.reason).join("; "));
    const what = `service account "${olds.displayName}" (id ${id})`;
    const t = target();
    const changes = changesFor(olds, news);
    // Every refusal before the first request.
    const refusal = suspensionRefusal(what, olds.suspended ?? false, changes.suspended, t.capabilities);
    if (refusal) throw new Error(refusal);
    const pending = await grantAdded(t, olds, news, what);
    if (Object.keys(changes.patch).length === 0 && changes.suspended === undefined) {
      return {
        outs: defined({
          ...olds,
          name: undefined,
          adoptExisting: news.adoptExisting,
          appAccess: news.appAccess?.length ? news.appAccess : undefined,
          appAccessPending: pending.length ? pending : undefined,
          groups: news.groups?.length ? news.groups : undefined,
          [CONTEXT_KEY]: news[CONTEXT_KEY],
        }),
      };
    }
    const current: Account = {
      id,
      accountId: olds.accountId,
      displayName: olds.displayName,
      description: olds.description,
      email: olds.email,
      status: olds.status,
      createdAt: olds.createdAt,
    };
    let account: Account;
    try {
      account = await apply(t, current, changes, requestOptions(news));
    } catch (err) {
      throw failure(`cannot update ${what}`, err);
    }
    return { outs: outputsOf(account, news, olds.createdAt, pending) };
  },

  /**
   * Sends DELETE /service-accounts/{id}/api-tokens (revoke all its tokens), then DELETE
   * /service-accounts/{id}; gone already (any 404) is fine. Nothing is sent for an account
   * adopted by another resource in this deployment (see adoptedHere).
   */
  async delete(id: string, props: ServiceAccountOutputs): Promise<void> {
    if (adoptedHere.has(id)) return;
    try {
      await target().accounts.delete({ id, accountId: props.accountId }, requestOptions(props));
    } catch (err) {
      throw failure(`cannot delete service account "${props.displayName ?? props.name}" (id ${id})`, err);
    }
  },
};

/**
 * An Atlassian service account.
 *
 * ```ts
 * const account = new sa.ServiceAccount("ci-deployer", {
 *   displayName: "CI deployer",
 *   description: "Files release issues from CI",
 * });
 * ```
 */
export class ServiceAccount extends pulumi.dynamic.Resource {
  /** The name people see, and the account's key in the org (an input). */
  declare public readonly displayName: pulumi.Output<string>;
  /** What the account is for (an input; default empty). */
  declare public readonly description: pulumi.Output<string>;
  /** Whether the account is suspended (an input; default `false`). */
  declare public readonly suspended: pulumi.Output<boolean>;
  /** Whether the account was allowed to be adopted (an input). */
  declare public readonly adoptExisting: pulumi.Output<boolean | undefined>;
  /** The products the account holds or waits for, role and site filled in (an input, read back; undefined when none). */
  declare public readonly appAccess: pulumi.Output<AppAccess[] | undefined>;
  /** Grants asked for and not seen held yet (access lands asynchronously), with when they were asked; undefined when none. */
  declare public readonly appAccessPending: pulumi.Output<PendingAppAccess[] | undefined>;
  /** The group ids the account was created in (an input; undefined when none). */
  declare public readonly groups: pulumi.Output<string[] | undefined>;
  /** The id product APIs know the account by (Jira and Confluence user references): pass it to a ScopeBinding. */
  declare public readonly accountId: pulumi.Output<string>;
  /** The email Atlassian generated for the account: the user name for HTTP Basic with its tokens. */
  declare public readonly email: pulumi.Output<string>;
  /** `active` or `suspended`, as the backend reports it. */
  declare public readonly status: pulumi.Output<"active" | "suspended">;
  /** When the account was created (ISO-8601 UTC). */
  declare public readonly createdAt: pulumi.Output<string>;

  /**
   * @param name The Pulumi resource name (unique in the stack; not the account's display name).
   * @param args The account's properties.
   * @param opts Pulumi resource options (`protect`, `retainOnDelete`, `dependsOn`, ...).
   *   `deleteBeforeReplace` defaults to `true`: a replacement (`--replace`) keeps the display
   *   name, which must be free when the new account is created.
   */
  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.ServiceAccount,
      name,
      {
        displayName: args.displayName,
        description: args.description,
        suspended: args.suspended,
        adoptExisting: args.adoptExisting,
        appAccess: args.appAccess,
        groups: args.groups,
        // A program written for 0.1.0 that still passes `name` fails check, which says what to do.
        ...((args as { name?: unknown }).name === undefined ? {} : { name: (args as { name?: unknown }).name }),
        [CONTEXT_KEY]: clientContextFor(SERVICE_ACCOUNT_TYPE, name, opts?.parent),
        accountId: undefined,
        appAccessPending: undefined,
        email: undefined,
        status: undefined,
        createdAt: undefined,
      },
      // As a resource option, not only diff's verdict: `--replace` never reaches diff.
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      MODULE,
      "ServiceAccount",
    );
  }
}
