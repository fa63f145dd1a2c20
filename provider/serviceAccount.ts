/**
 * `ServiceAccount`: an Atlassian service account (a non-human account that scripts and CI
 * use through scoped API tokens).
 *
 * | input | change |
 * | --- | --- |
 * | `name` | replaces |
 * | `displayName`, `description` | updates in place (one PATCH, the id in the body) |
 * | `suspended` | updates in place (an extension of the embedded backend; Atlassian Cloud has no API for it) |
 * | `adoptExisting` | no request; only matters at creation |
 *
 * A replacement deletes first (`deleteBeforeReplace: true` by default): the name is unique
 * in the organization, so a replacement that keeps it can only be made once the old account
 * is gone, and its tokens and bindings are replaced with it.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Description, DisplayName, ServiceAccountName, type RequestOptions } from "../sdk/index";
import { now } from "./clock";
import {
  CONTEXT_KEY,
  checkProperties,
  clientContextFor,
  defined,
  diffResult,
  failure,
  isNameTaken,
  isUnknown,
  requestOptions,
  ResourceInitError,
  type Internal,
} from "./common";
import * as config from "./config";
import { SUSPEND_UNSUPPORTED, target, type Account, type Target } from "./targets/index";

function targetIsCloud(): boolean {
  try {
    return config.targetName() === "atlassian-cloud";
  } catch {
    // A bad atlassian:target fails the first operation, naming the setting.
    return false;
  }
}
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:ServiceAccount` */
export const SERVICE_ACCOUNT_TYPE = typeOf("ServiceAccount");

/** The arguments of a {@link ServiceAccount}. */
export interface ServiceAccountArgs {
  /**
   * The account's name: 6-30 characters, lowercase letters, digits and inner hyphens,
   * unique in the organization. It also makes the account's fixed email address,
   * `<name>@serviceaccount.atlassian.com`. Atlassian cannot rename an account, so a
   * change **replaces** it: the old account is deleted with its tokens and bindings, then
   * the new one is created (delete first: see the `deleteBeforeReplace` option below).
   */
  name: pulumi.Input<string>;
  /**
   * The name people see: 1-100 characters, no control characters. Default: `name`.
   * Updates in place.
   */
  displayName?: pulumi.Input<string>;
  /** What the account is for: at most 1000 characters. Default: empty. Updates in place. */
  description?: pulumi.Input<string>;
  /**
   * `true` suspends the account: its tokens stop working until it is active again (they
   * are not revoked). Default: `false`. Updates in place.
   */
  suspended?: pulumi.Input<boolean>;
  /**
   * `true` takes over an existing account of this `name` instead of failing because the
   * name is taken (dynamic resources cannot be `pulumi import`ed). The account's
   * displayName, description and suspension are then set to match these arguments.
   * From then on Pulumi owns the account: `pulumi destroy`, or removing the resource,
   * deletes it, unless the resource has Pulumi's `retainOnDelete: true` option.
   * Default: `false`. A change makes no request.
   */
  adoptExisting?: pulumi.Input<boolean>;
}

/** The inputs as the handlers receive them, after `check`. */
export interface ServiceAccountInputs extends Internal {
  /** See {@link ServiceAccountArgs.name}. */
  name: string;
  /** Filled in by `check` (default: `name`) when `name` is known. */
  displayName?: string;
  /** Filled in by `check` (default: `""`). */
  description?: string;
  /** Filled in by `check` (default: `false`). */
  suspended?: boolean;
  /** See {@link ServiceAccountArgs.adoptExisting}. */
  adoptExisting?: boolean;
}

/** The outputs, as stored in the state: the inputs as the backend holds them, plus what it assigned. */
export interface ServiceAccountOutputs extends Internal {
  /** The account's name. */
  name: string;
  /** The name people see, as the backend holds it. */
  displayName: string;
  /** The description, as the backend holds it. */
  description: string;
  /** Whether the account is suspended (`status === "suspended"`). */
  suspended: boolean;
  /** The input, echoed. */
  adoptExisting?: boolean;
  /** The id product APIs know the account by. */
  accountId: string;
  /** `<name>@serviceaccount.atlassian.com`. */
  email: string;
  /** `active` or `suspended`. */
  status: "active" | "suspended";
  /**
   * When the account was created (ISO-8601 UTC): as the target reports it, or the time of
   * the create when it does not (Atlassian's list has no creation time); absent when adopted
   * from Atlassian Cloud.
   */
  createdAt?: string;
}

const RULES = {
  name: {
    schema: ServiceAccountName,
    required: 'give the account a name of 6-30 lowercase letters, digits and inner hyphens, e.g. "ci-deployer"',
  },
  displayName: { schema: DisplayName },
  description: { schema: Description },
  suspended: { schema: z.boolean({ error: "suspended must be true or false" }) },
  adoptExisting: { schema: z.boolean({ error: "adoptExisting must be true or false" }) },
};

function outputsOf(account: Account, inputs: ServiceAccountInputs, createdAt?: string): ServiceAccountOutputs {
  return defined({
    [CONTEXT_KEY]: inputs[CONTEXT_KEY],
    name: account.name,
    displayName: account.displayName,
    description: account.description,
    suspended: account.status === "suspended",
    adoptExisting: inputs.adoptExisting,
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

/** Applies the changes: PATCH /service-accounts (id in the body), then the suspension extension. */
async function apply(
  t: Target,
  account: Account,
  changes: ReturnType<typeof changesFor>,
  opts: RequestOptions,
): Promise<Account> {
  let out = account;
  if (Object.keys(changes.patch).length > 0) out = { ...(await t.accounts.update(account.id, changes.patch, opts)) };
  if (changes.suspended !== undefined) out = { ...out, status: await t.accounts.setSuspended(account.id, changes.suspended, opts) };
  return out;
}

const IN_PLACE = ["displayName", "description", "suspended", "adoptExisting"] as const;

/**
 * The accounts this provider process adopted. The engine runs one provider process per
 * deployment, and creates a resource before it deletes the one it supersedes (a
 * create-before-delete replacement, or a resource renamed without an alias). When the new
 * resource adopted the very account the old one holds, both have the same id, and deleting
 * the old one would delete the account the new one now owns, silently. So a delete of an id
 * adopted in this deployment sends nothing: the account has changed hands, not gone.
 */
const adoptedHere = new Set<string>();

/** The handlers the engine calls (through the shim) for a ServiceAccount. */
export const serviceAccountProvider = {
  configure: config.configure,

  /** Validates every input with the sdk's schemas (no request) and fills in the defaults. */
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<ServiceAccountInputs>> {
    const failures = checkProperties(news, RULES);
    // Atlassian Cloud cannot suspend an account: fail the preview, before any request.
    if (news.suspended === true && !failures.some((f) => f.property === "suspended") && targetIsCloud()) {
      failures.push({ property: "suspended", reason: SUSPEND_UNSUPPORTED });
    }
    if (failures.length > 0) return { failures };
    const inputs = { ...news } as unknown as ServiceAccountInputs;
    if (inputs.displayName === undefined && typeof inputs.name === "string" && !isUnknown(inputs.name)) {
      inputs.displayName = inputs.name;
    }
    inputs.description ??= "";
    inputs.suspended ??= false;
    return { inputs };
  },

  /** Compares the stored outputs with the new inputs; no request. `name` replaces. */
  async diff(_id: string, olds: ServiceAccountOutputs, news: ServiceAccountInputs): Promise<pulumi.dynamic.DiffResult> {
    const differs = (a: unknown, b: unknown) => isUnknown(b) || a !== b;
    const replaces = differs(olds.name, news.name) ? ["name"] : [];
    const changed = IN_PLACE.filter((p) =>
      p === "adoptExisting"
        ? (olds.adoptExisting ?? false) !== (news.adoptExisting ?? false)
        : news[p] !== undefined && differs(olds[p], news[p]),
    );
    return diffResult(replaces, changed.length > 0, true);
  },

  /**
   * Sends POST /service-accounts, then on the embedded target the suspension extension when
   * the account must start suspended. With `adoptExisting` and the name taken: GET
   * /service-accounts page by page until the name's email is found, then a PATCH (id in the
   * body) where the account differs. Returns the account's id and outputs.
   */
  async create(inputs: ServiceAccountInputs): Promise<pulumi.dynamic.CreateResult<ServiceAccountOutputs>> {
    const what = `service account "${inputs.name}"`;
    const t = target();
    // Before any request: a target that cannot suspend must not create a half-wanted account.
    if (inputs.suspended && t.accounts.suspendUnsupported) throw new Error(`cannot create ${what}: ${t.accounts.suspendUnsupported}`);
    const opts = requestOptions(inputs);
    let account: Account;
    let adopted = false;
    try {
      account = await t.accounts.create(
        defined({ name: inputs.name, displayName: inputs.displayName, description: inputs.description }),
        opts,
      );
    } catch (err) {
      if (!isNameTaken(err)) throw failure(`cannot create ${what}`, err);
      if (!inputs.adoptExisting) {
        throw new Error(
          `cannot create ${what}: an account of that name already exists in the organization. ` +
            `Choose another name, or set adoptExisting: true to take the existing account over ` +
            `(Pulumi then owns it: destroy deletes it unless the resource has retainOnDelete: true). ` +
            `If this is a replacement that keeps the name, leave the resource's deleteBeforeReplace option at its default (true)`,
        );
      }
      let found: Account | null;
      try {
        found = await t.accounts.findByName(inputs.name, opts);
      } catch (lookupErr) {
        throw failure(`cannot adopt ${what}`, lookupErr);
      }
      if (!found) {
        throw new Error(`cannot adopt ${what}: the name was taken, but no account of that name was found; it may have just been deleted. Run pulumi up again`);
      }
      if (found.status === "suspended" && !inputs.suspended && t.accounts.suspendUnsupported) {
        throw new Error(`cannot adopt ${what}: it is suspended, and ${t.accounts.suspendUnsupported}`);
      }
      account = found;
      adopted = true;
      adoptedHere.add(account.id);
    }
    const createdAt = adopted ? undefined : (account.createdAt ?? now().toISOString());

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
        throw new ResourceInitError(message, account.id, outputsOf(account, inputs, createdAt) as unknown as Record<string, unknown>);
      }
    }
    return { id: account.id, outs: outputsOf(account, inputs, createdAt) };
  },

  /**
   * Sends GET /service-accounts page by page until the id is found (Atlassian has no
   * get-by-id). Not listed: gone. Other fields come back as drift.
   */
  async read(id: string, props?: ServiceAccountOutputs): Promise<pulumi.dynamic.ReadResult<ServiceAccountOutputs>> {
    let account: Account | null;
    try {
      account = await target().accounts.retrieve(id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot read service account ${id}`, err);
    }
    if (!account) return {};
    const outs = outputsOf(account, { ...(props ?? { name: account.name }) }, props?.createdAt);
    // The inputs follow what was found, so that drift shows as a change of the inputs (see diffResult).
    const inputs = defined({
      [CONTEXT_KEY]: outs[CONTEXT_KEY],
      name: outs.name,
      displayName: outs.displayName,
      description: outs.description,
      suspended: outs.suspended,
      adoptExisting: outs.adoptExisting,
    });
    return { id: account.id, props: outs, inputs: inputs as ServiceAccountOutputs };
  },

  /**
   * Sends one PATCH /service-accounts (the id in the body) with the displayName and
   * description that differ, and on the embedded target the suspension extension; none when
   * only adoptExisting changed.
   */
  async update(id: string, olds: ServiceAccountOutputs, news: ServiceAccountInputs): Promise<pulumi.dynamic.UpdateResult<ServiceAccountOutputs>> {
    const changes = changesFor(olds, news);
    if (Object.keys(changes.patch).length === 0 && changes.suspended === undefined) {
      return { outs: defined({ ...olds, adoptExisting: news.adoptExisting, [CONTEXT_KEY]: news[CONTEXT_KEY] }) };
    }
    const what = `service account "${olds.name}" (id ${id})`;
    const t = target();
    if (changes.suspended !== undefined && t.accounts.suspendUnsupported) throw new Error(`cannot update ${what}: ${t.accounts.suspendUnsupported}`);
    const current: Account = {
      id,
      accountId: olds.accountId,
      name: olds.name,
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
    return { outs: outputsOf(account, news, olds.createdAt) };
  },

  /**
   * Sends DELETE /service-accounts/{id}/api-tokens (revoke all its tokens), then DELETE
   * /service-accounts/{id}; gone already is fine. Nothing is sent for an account adopted by
   * another resource in this deployment (see adoptedHere).
   */
  async delete(id: string, props: ServiceAccountOutputs): Promise<void> {
    if (adoptedHere.has(id)) return;
    try {
      await target().accounts.delete(id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot delete service account "${props.name}" (id ${id})`, err);
    }
  },
};

/**
 * An Atlassian service account.
 *
 * ```ts
 * const account = new sa.ServiceAccount("ci-deployer", {
 *   name: "ci-deployer",
 *   displayName: "CI deployer",
 *   description: "Files release issues from CI",
 * });
 * ```
 */
export class ServiceAccount extends pulumi.dynamic.Resource {
  /** The account's name (an input; a change replaces the account). */
  declare public readonly name: pulumi.Output<string>;
  /** The name people see (an input; default `name`). */
  declare public readonly displayName: pulumi.Output<string>;
  /** What the account is for (an input; default empty). */
  declare public readonly description: pulumi.Output<string>;
  /** Whether the account is suspended (an input; default `false`). */
  declare public readonly suspended: pulumi.Output<boolean>;
  /** Whether the account was allowed to be adopted (an input). */
  declare public readonly adoptExisting: pulumi.Output<boolean | undefined>;
  /** The id product APIs know the account by (Jira and Confluence user references). */
  declare public readonly accountId: pulumi.Output<string>;
  /** The account's fixed email address, `<name>@serviceaccount.atlassian.com`: the user name for HTTP Basic with its tokens. */
  declare public readonly email: pulumi.Output<string>;
  /** `active` or `suspended`, as the backend reports it. */
  declare public readonly status: pulumi.Output<"active" | "suspended">;
  /** When the account was created (ISO-8601 UTC). */
  declare public readonly createdAt: pulumi.Output<string>;

  /**
   * @param name The Pulumi resource name (unique in the stack; not the account's name).
   * @param args The account's properties.
   * @param opts Pulumi resource options (`protect`, `retainOnDelete`, `dependsOn`, ...).
   *   `deleteBeforeReplace` defaults to `true` (the name is unique: see the module comment);
   *   `false` makes a rename create the new account first, but then a replacement that keeps
   *   the name fails on the taken name, or, with `adoptExisting`, adopts the same account.
   */
  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.ServiceAccount,
      name,
      {
        name: args.name,
        displayName: args.displayName,
        description: args.description,
        suspended: args.suspended,
        adoptExisting: args.adoptExisting,
        [CONTEXT_KEY]: clientContextFor(SERVICE_ACCOUNT_TYPE, name, opts?.parent),
        accountId: undefined,
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
