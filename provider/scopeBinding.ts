/**
 * `ScopeBinding`: a service account's access to one Jira project or Confluence space, as
 * Atlassian grants it: membership of a Jira project role, or a Confluence space role
 * assignment (a set of v1 space permissions on a site not in role mode), through the
 * products' public APIs with a site admin's credentials, on both targets. Which inputs
 * replace it and which update it in place is data, {@link SCOPE_BINDING_RULES}.
 *
 * A replacement deletes first (`deleteBeforeReplace: true` by default): an account holds
 * one grant per resource, so a replacement that keeps both (`--replace`,
 * `replaceOnChanges`) can only be made once the old grant is gone.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BindingResource, Id, Role } from "../sdk/index";
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
  isUnknown,
  requestOptions,
  type Internal,
} from "./common";
import * as config from "./config";
import { productAccess, type Grant } from "./access";
import { target } from "./targets/index";
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:ScopeBinding` */
export const SCOPE_BINDING_TYPE = typeOf("ScopeBinding");

/** The roles a binding grants, weakest first: the sdk's `Role`. */
export type ScopeBindingRole = Role;

/** The arguments of a {@link ScopeBinding}. */
export interface ScopeBindingArgs {
  /** The id of the service account given access (usually `account.id`). A change replaces the binding. */
  serviceAccountId: pulumi.Input<string>;
  /**
   * The id Jira and Confluence know the account by: pass `account.accountId`. Then the binding
   * never lists the org's accounts to look it up (without it, the first binding of a run lists
   * them, once per run). Must be the account's; a change replaces the binding.
   */
  accountId?: pulumi.Input<string>;
  /**
   * What the access is to: `jira:project/<KEY>` (KEY: an uppercase letter, then 1-9
   * uppercase letters or digits) or `confluence:space/<KEY>`. One binding per account and
   * resource. A change replaces the binding.
   */
  resource: pulumi.Input<string>;
  /**
   * `viewer` (read), `editor` (read and write: create issues or pages) or `admin`. A token
   * needs both a matching scope and a binding with a sufficient role. Updates in place.
   */
  role: pulumi.Input<ScopeBindingRole>;
  /**
   * A Jira project role or Confluence space role to grant by name (e.g. `"Developers"`),
   * instead of the one `atlassian:roleMapping` maps `role` to. Not on a Confluence site
   * outside role mode. Updates in place.
   */
  roleName?: pulumi.Input<string>;
}

/** The inputs as the handlers receive them, after `check`. */
export interface ScopeBindingInputs extends Internal {
  /** See {@link ScopeBindingArgs.serviceAccountId}. */
  serviceAccountId: string;
  /** See {@link ScopeBindingArgs.accountId}. */
  accountId?: string;
  /** See {@link ScopeBindingArgs.resource}. */
  resource: string;
  /** See {@link ScopeBindingArgs.role}. */
  role: ScopeBindingRole;
  /** See {@link ScopeBindingArgs.roleName}. */
  roleName?: string;
}

/** The outputs, as stored in the state. */
export interface ScopeBindingOutputs extends Internal {
  /** The account's id. */
  serviceAccountId: string;
  /** The Jira project or Confluence space. */
  resource: string;
  /** The input, echoed. */
  role: ScopeBindingRole;
  /** The input, echoed. */
  roleName?: string;
  /** The id Jira and Confluence know the account by. */
  accountId: string;
  /** What was granted (role id and name, space id, permission ids): read checks it, delete undoes exactly it. */
  grant: Grant;
  /** When the binding was created (ISO-8601 UTC, the provider's clock). */
  createdAt: string;
}

const RULES = {
  serviceAccountId: {
    schema: Id,
    required: "give the id of the service account, e.g. account.id",
    hint: "give the id of the service account, e.g. account.id",
  },
  accountId: {
    schema: z.string().trim().min(1, "accountId must not be empty").max(128, "accountId must be at most 128 characters"),
    hint: "give the account's product id, account.accountId",
  },
  resource: { schema: BindingResource, required: 'give "jira:project/<KEY>" or "confluence:space/<KEY>"' },
  role: {
    schema: Role,
    hint: 'give "viewer", "editor" or "admin"',
    required: 'give "viewer", "editor" or "admin"',
  },
  roleName: {
    schema: z.string().trim().min(1, "roleName must not be empty").max(255, "roleName must be at most 255 characters"),
    hint: 'give a Jira project role or Confluence space role name, e.g. "Developers"',
  },
};

function outputsOf(inputs: ScopeBindingInputs, accountId: string, grant: Grant, createdAt: string): ScopeBindingOutputs {
  return defined({
    [CONTEXT_KEY]: inputs[CONTEXT_KEY],
    serviceAccountId: inputs.serviceAccountId,
    resource: inputs.resource,
    role: inputs.role,
    roleName: inputs.roleName,
    accountId,
    grant,
    createdAt,
  });
}

/**
 * The id Jira and Confluence know the account by: the `accountId` input when the program
 * passes it; otherwise from the run's one listing of the org's accounts.
 */
async function productAccountId(inputs: ScopeBindingInputs): Promise<string> {
  if (inputs.accountId) return inputs.accountId;
  const found = await target().accounts.retrieve(inputs.serviceAccountId, requestOptions(inputs));
  if (!found) {
    throw new Error(`service account ${inputs.serviceAccountId} does not exist in the organization (it may have been deleted outside Pulumi)`);
  }
  return found.accountId;
}

/** Which input changes do what: data, read by `diff` and checked against the README's table. */
export const SCOPE_BINDING_RULES: ChangeRules<ScopeBindingOutputs, ScopeBindingInputs> = {
  replaces: ["serviceAccountId", "accountId", "resource"],
  inPlace: ["role", "roleName"],
  same: {
    // accountId is optional: a binding made without it keeps the one it looked up. It is the
    // account's fixed product id, so while serviceAccountId stays, an accountId not known yet
    // (the account being updated during a preview) is the same one.
    accountId: (olds, news) =>
      news.accountId === undefined ||
      (isUnknown(news.accountId) ? !isUnknown(news.serviceAccountId) && news.serviceAccountId === olds.serviceAccountId : news.accountId === olds.accountId),
  },
};

const wanted = (i: { role: ScopeBindingRole; roleName?: string | undefined }) => ({ role: i.role, roleName: i.roleName });

/**
 * A binding made by a version before 0.2 kept the embedded backend's binding id and no
 * grant; only the embedded backend's extension can read, change or remove it.
 */
function legacyOps(id: string, props: ScopeBindingOutputs) {
  const t = target();
  if (!t.legacyBindings) throw new Error(`the binding of service account ${props.serviceAccountId} to ${props.resource} (id ${id}): ${t.capabilities.legacyBindings}`);
  return t.legacyBindings;
}

/** Reads a binding made by a version before 0.2 (the embedded extension); its role comes back as drift. */
async function readLegacy(id: string, props: ScopeBindingOutputs): Promise<pulumi.dynamic.ReadResult<ScopeBindingOutputs>> {
  let found: { role: ScopeBindingRole } | null;
  try {
    found = await legacyOps(id, props).retrieve(props.serviceAccountId, id, requestOptions(props));
  } catch (err) {
    throw failure(`cannot read the binding of service account ${props.serviceAccountId} to ${props.resource} (id ${id})`, err);
  }
  if (!found) return {};
  const outs = { ...props, role: found.role };
  const { createdAt: _c, ...inputs } = outs;
  return { id, props: outs, inputs: inputs as ScopeBindingOutputs };
}

/** The handlers the engine calls (through the shim) for a ScopeBinding. */
export const scopeBindingProvider = {
  configure: config.configure,

  /** Validates every input with the sdk's schemas; no request. */
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<ScopeBindingInputs>> {
    const failures = checkProperties(news, RULES);
    return failures.length > 0 ? { failures } : { inputs: news as unknown as ScopeBindingInputs };
  },

  /** Compares the stored outputs with the new inputs; no request. */
  async diff(_id: string, olds: ScopeBindingOutputs, news: ScopeBindingInputs): Promise<pulumi.dynamic.DiffResult> {
    const { replaces, inPlace } = changesBy(SCOPE_BINDING_RULES, olds, news);
    return diffResult(replaces, inPlace, true);
  },

  /**
   * Looks the account's product id up (GET /service-accounts, once per run), then grants:
   * Jira: GET .../project/{key}/role (once per run per project), GET .../role/{id}, and POST
   * .../role/{id} `{user:[accountId]}` unless already a member. Confluence: GET
   * /wiki/api/v2/spaces?keys= and /space-role-mode (once per run), then in role mode GET
   * /space-roles (once per run), GET and POST .../role-assignments; otherwise GET
   * .../permissions and one v1 POST .../permission per missing permission.
   */
  async create(inputs: ScopeBindingInputs): Promise<pulumi.dynamic.CreateResult<ScopeBindingOutputs>> {
    const what = `binding of service account ${inputs.serviceAccountId} to ${inputs.resource}`;
    let accountId: string;
    let grant: Grant;
    try {
      accountId = await productAccountId(inputs);
      grant = await productAccess().grant(inputs.resource, accountId, wanted(inputs), requestOptions(inputs));
    } catch (err) {
      throw failure(`cannot create the ${what}`, err);
    }
    return { id: `${inputs.resource}/${accountId}`, outs: outputsOf(inputs, accountId, grant, now().toISOString()) };
  },

  /**
   * Checks the grant is still there with one request (Jira: GET .../role/{id}; Confluence:
   * GET .../role-assignments or every page of .../permissions, where the level's whole
   * permission set must be held, added by the binding or not). Removed by hand: gone, so
   * refresh drops it and the next up grants it again.
   */
  async read(id: string, props?: ScopeBindingOutputs): Promise<pulumi.dynamic.ReadResult<ScopeBindingOutputs>> {
    if (!props?.serviceAccountId || !props.resource) {
      throw new Error(`cannot read scope binding ${id}: its serviceAccountId and resource are not in the state (a ScopeBinding cannot be read by id alone)`);
    }
    if (!props.grant || !props.accountId) return readLegacy(id, props);
    let holds: boolean;
    try {
      holds = await productAccess().holds(props.resource, props.accountId, props.grant, props.role, requestOptions(props));
    } catch (err) {
      throw failure(`cannot read the binding of service account ${props.serviceAccountId} to ${props.resource} (id ${id})`, err);
    }
    if (!holds) return {};
    const { createdAt: _c, grant: _g, ...inputs } = props;
    return { id, props, inputs: inputs as ScopeBindingOutputs };
  },

  /** A new role or roleName: grants the new role, then undoes what the old grant added (Confluence roles: one POST). */
  async update(id: string, olds: ScopeBindingOutputs, news: ScopeBindingInputs): Promise<pulumi.dynamic.UpdateResult<ScopeBindingOutputs>> {
    if (olds.role === news.role && olds.roleName === news.roleName) {
      return { outs: defined({ ...olds, [CONTEXT_KEY]: news[CONTEXT_KEY] }) };
    }
    if (!olds.grant || !olds.accountId) {
      const legacy = legacyOps(id, olds);
      if (news.roleName !== undefined) {
        throw new Error(`cannot name a role on binding ${id}: it was made by an earlier version of this package; remove roleName, or replace the binding (change its Pulumi name)`);
      }
      try {
        await legacy.update(olds.serviceAccountId, id, news.role, requestOptions(news));
      } catch (err) {
        throw failure(`cannot change the role of the binding of service account ${olds.serviceAccountId} to ${olds.resource} (id ${id})`, err);
      }
      return { outs: defined({ ...olds, role: news.role, [CONTEXT_KEY]: news[CONTEXT_KEY] }) };
    }
    let grant: Grant;
    try {
      grant = await productAccess().change(olds.resource, olds.accountId, olds.grant, wanted(news), requestOptions(news));
    } catch (err) {
      throw failure(`cannot change the role of the binding of service account ${olds.serviceAccountId} to ${olds.resource} (id ${id})`, err);
    }
    return { outs: outputsOf(news, olds.accountId, grant, olds.createdAt) };
  },

  /**
   * Undoes exactly what create added (Jira: DELETE .../role/{id}?user= when create added it);
   * gone already is fine. Sends nothing for a grant another binding made or found in this
   * deployment: it has changed hands (a rename without an alias, a create-first replacement).
   */
  async delete(id: string, props: ScopeBindingOutputs): Promise<void> {
    try {
      if (!props.grant || !props.accountId) return await legacyOps(id, props).delete(props.serviceAccountId, id, requestOptions(props));
      await productAccess().revoke(props.resource, props.accountId, props.grant, requestOptions(props));
    } catch (err) {
      throw failure(`cannot delete the binding of service account ${props.serviceAccountId} to ${props.resource} (id ${id})`, err);
    }
  },
};

/**
 * A service account's access to one Jira project or Confluence space.
 *
 * ```ts
 * new sa.ScopeBinding("ci-jira", { serviceAccountId: account.id, resource: "jira:project/OPS", role: "editor" });
 * ```
 */
export class ScopeBinding extends pulumi.dynamic.Resource {
  /** The id of the service account given access (an input). */
  declare public readonly serviceAccountId: pulumi.Output<string>;
  /** The Jira project or Confluence space (an input). */
  declare public readonly resource: pulumi.Output<string>;
  /** The role granted (an input; a membership removed outside Pulumi shows on refresh). */
  declare public readonly role: pulumi.Output<ScopeBindingRole>;
  /** The Jira or Confluence role named directly (an input). */
  declare public readonly roleName: pulumi.Output<string | undefined>;
  /** The id Jira and Confluence know the account by. */
  declare public readonly accountId: pulumi.Output<string>;
  /** When the binding was created (ISO-8601 UTC). */
  declare public readonly createdAt: pulumi.Output<string>;

  /**
   * @param name The Pulumi resource name (unique in the stack).
   * @param args The binding's properties.
   * @param opts Pulumi resource options. `deleteBeforeReplace` defaults to `true` (one
   *   binding per account and resource: see the module comment).
   */
  constructor(name: string, args: ScopeBindingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.ScopeBinding,
      name,
      {
        serviceAccountId: args.serviceAccountId,
        accountId: args.accountId,
        resource: args.resource,
        role: args.role,
        roleName: args.roleName,
        [CONTEXT_KEY]: clientContextFor(SCOPE_BINDING_TYPE, name, opts?.parent),
        grant: undefined,
        createdAt: undefined,
      },
      // As a resource option, not only diff's verdict: `--replace` never reaches diff.
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      MODULE,
      "ScopeBinding",
    );
  }
}
