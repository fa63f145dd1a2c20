/**
 * `ScopeBinding`: a service account's access to one Jira project or Confluence space, with
 * a role. `serviceAccountId` and `resource` **replace**; `role` updates in place.
 *
 * A replacement deletes first (`deleteBeforeReplace: true` by default): there is one binding
 * per account and resource, so a replacement that keeps both (`--replace`,
 * `replaceOnChanges`) can only be made once the old binding is gone.
 */
import * as pulumi from "@pulumi/pulumi";
import { BindingResource, Id, Role, type ScopeBinding as ScopeBindingObject } from "../sdk/index";
import {
  CONTEXT_KEY,
  checkProperties,
  clientContextFor,
  defined,
  diffResult,
  failure,
  isBindingTaken,
  isUnknown,
  requestOptions,
  type Internal,
} from "./common";
import * as config from "./config";
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:ScopeBinding` */
export const SCOPE_BINDING_TYPE = typeOf("ScopeBinding");

/** The roles a binding grants, weakest first. */
export type ScopeBindingRole = "viewer" | "editor" | "admin";

/** The arguments of a {@link ScopeBinding}. */
export interface ScopeBindingArgs {
  /** The id of the service account given access (usually `account.id`). A change replaces the binding. */
  serviceAccountId: pulumi.Input<string>;
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
}

/** The inputs as the handlers receive them, after `check`. */
export interface ScopeBindingInputs extends Internal {
  /** See {@link ScopeBindingArgs.serviceAccountId}. */
  serviceAccountId: string;
  /** See {@link ScopeBindingArgs.resource}. */
  resource: string;
  /** See {@link ScopeBindingArgs.role}. */
  role: ScopeBindingRole;
}

/** The outputs, as stored in the state. */
export interface ScopeBindingOutputs extends Internal {
  /** The account's id. */
  serviceAccountId: string;
  /** The Jira project or Confluence space. */
  resource: string;
  /** The role, as the backend holds it. */
  role: ScopeBindingRole;
  /** When the binding was created (ISO-8601 UTC). */
  createdAt: string;
}

const RULES = {
  serviceAccountId: {
    schema: Id,
    required: "give the id of the service account, e.g. account.id",
    hint: "give the id of the service account, e.g. account.id",
  },
  resource: { schema: BindingResource, required: 'give "jira:project/<KEY>" or "confluence:space/<KEY>"' },
  role: {
    schema: Role,
    hint: 'give "viewer", "editor" or "admin"',
    required: 'give "viewer", "editor" or "admin"',
  },
};

function outputsOf(binding: ScopeBindingObject, inputs: Internal): ScopeBindingOutputs {
  return defined({
    [CONTEXT_KEY]: inputs[CONTEXT_KEY],
    serviceAccountId: binding.serviceAccountId,
    resource: binding.resource,
    role: binding.role,
    createdAt: binding.createdAt,
  });
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
    const differs = (a: unknown, b: unknown) => isUnknown(b) || a !== b;
    const replaces = (["serviceAccountId", "resource"] as const).filter((p) => differs(olds[p], news[p]));
    return diffResult(replaces, differs(olds.role, news.role), true);
  },

  /** Sends POST /service-accounts/{id}/scope-bindings; returns the binding's id and outputs. */
  async create(inputs: ScopeBindingInputs): Promise<pulumi.dynamic.CreateResult<ScopeBindingOutputs>> {
    const what = `binding of service account ${inputs.serviceAccountId} to ${inputs.resource}`;
    let binding: ScopeBindingObject;
    try {
      binding = await config
        .client()
        .scopeBindings.create(inputs.serviceAccountId, { resource: inputs.resource, role: inputs.role }, requestOptions(inputs));
    } catch (err) {
      if (isBindingTaken(err)) {
        throw new Error(
          `cannot create the ${what}: the account already has a binding on ${inputs.resource} (one per account and resource). ` +
            `Declare it once, or delete the other binding. If this is a replacement, leave the resource's ` +
            `deleteBeforeReplace option at its default (true)`,
        );
      }
      throw failure(`cannot create the ${what}`, err);
    }
    return { id: binding.id, outs: outputsOf(binding, inputs) };
  },

  /** Sends GET .../scope-bindings/{id}. A 404 reports the binding gone; a changed role comes back as drift. */
  async read(id: string, props?: ScopeBindingOutputs): Promise<pulumi.dynamic.ReadResult<ScopeBindingOutputs>> {
    if (!props?.serviceAccountId) {
      throw new Error(`cannot read scope binding ${id}: its serviceAccountId is not in the state (a ScopeBinding cannot be read by id alone)`);
    }
    let binding: ScopeBindingObject | null;
    try {
      binding = await config.client().scopeBindings.retrieve(props.serviceAccountId, id, requestOptions(props));
    } catch (err) {
      throw failure(`cannot read the binding of service account ${props.serviceAccountId} to ${props.resource} (id ${id})`, err);
    }
    if (!binding) return {};
    const outs = outputsOf(binding, props);
    // The inputs follow what was found, so that drift shows as a change of the inputs (see diffResult).
    const { createdAt: _, ...inputs } = outs;
    return { id: binding.id, props: outs, inputs: inputs as ScopeBindingOutputs };
  },

  /** Sends one PATCH .../scope-bindings/{id} with the new role. */
  async update(id: string, olds: ScopeBindingOutputs, news: ScopeBindingInputs): Promise<pulumi.dynamic.UpdateResult<ScopeBindingOutputs>> {
    if (olds.role === news.role) return { outs: defined({ ...olds, [CONTEXT_KEY]: news[CONTEXT_KEY] }) };
    let binding: ScopeBindingObject;
    try {
      binding = await config.client().scopeBindings.update(olds.serviceAccountId, id, { role: news.role }, requestOptions(news));
    } catch (err) {
      throw failure(`cannot change the role of the binding of service account ${olds.serviceAccountId} to ${olds.resource} (id ${id})`, err);
    }
    return { outs: outputsOf(binding, news) };
  },

  /** Sends DELETE .../scope-bindings/{id}; gone already (or its account gone) is fine. */
  async delete(id: string, props: ScopeBindingOutputs): Promise<void> {
    try {
      await config.client().scopeBindings.delete(props.serviceAccountId, id, requestOptions(props));
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
  /** The role granted (an input; drift made outside Pulumi shows on refresh). */
  declare public readonly role: pulumi.Output<ScopeBindingRole>;
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
        resource: args.resource,
        role: args.role,
        [CONTEXT_KEY]: clientContextFor(SCOPE_BINDING_TYPE, name, opts?.parent),
        createdAt: undefined,
      },
      // As a resource option, not only diff's verdict: `--replace` never reaches diff.
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      MODULE,
      "ScopeBinding",
    );
  }
}
