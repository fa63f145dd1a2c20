/**
 * `GroupMembership`: a service account in one org directory group, through Atlassian's
 * Organizations API v2 (`…/directories/{directoryId}/groups/{groupId}/memberships`), on both
 * targets. The group is named by id or by name; every input replaces the membership
 * ({@link GROUP_MEMBERSHIP_RULES}).
 *
 * Whether Atlassian lets a service account join a group after its creation is not settled:
 * a third party saw it answer 404 User not found ("service accounts are not directory
 * users"). Where it does, the create fails saying so and what to do instead: declare the
 * group in the account's `groups`, sent with its create. A membership the account already
 * has (from those `groups`, say) is taken as it is, with no request to add it, so declaring
 * both works wherever the create's groups work.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { GroupId, isNotFound, isUserNotFound, type DirectoryGroup, type RequestOptions } from "../sdk/index";
import { CONTEXT_KEY, checkProperties, clientContextFor, changesBy, defined, diffResult, type ChangeRules, failure, requestOptions, type Internal } from "./common";
import * as config from "./config";
import { MODULE, shims, typeOf } from "./shim";

/** `pulumi-nodejs:dynamic/atlassian:GroupMembership` */
export const GROUP_MEMBERSHIP_TYPE = typeOf("GroupMembership");

/** The arguments of a {@link GroupMembership}. */
export interface GroupMembershipArgs {
  /** The id Jira, Confluence and the directory know the account by: pass `account.accountId`. A change replaces the membership. */
  accountId: pulumi.Input<string>;
  /** The group's id. Give `groupId` or `groupName`, not both. A change replaces the membership. */
  groupId?: pulumi.Input<string>;
  /** The group's name, exactly. Give `groupId` or `groupName`, not both. A change replaces the membership. */
  groupName?: pulumi.Input<string>;
}

/** The inputs as the handlers receive them, after `check`. */
export interface GroupMembershipInputs extends Internal {
  accountId: string;
  groupId?: string;
  groupName?: string;
}

/** The outputs: the inputs, and the group as the directory names it. */
export interface GroupMembershipOutputs extends GroupMembershipInputs {
  /** The group's id (looked up when the group was named). */
  resolvedGroupId: string;
  /** The directory the group is in. */
  directoryId: string;
}

/** Which input changes do what: every input names another membership, so replaces it. */
export const GROUP_MEMBERSHIP_RULES: ChangeRules<GroupMembershipOutputs, GroupMembershipInputs> = {
  replaces: ["accountId", "groupId", "groupName"],
  inPlace: [],
};

const RULES = {
  accountId: {
    schema: z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, "accountId must be an account id (letters, digits, '_', ':', '.', '-')"),
    required: "pass the account's product id, e.g. accountId: account.accountId",
  },
  groupId: { schema: GroupId },
  groupName: { schema: z.string().trim().min(1, "groupName must not be empty").max(255, "groupName is at most 255 characters") },
};

/** What to do when Atlassian refuses to add a service account to a group. */
export const GROUP_ADD_REFUSED =
  "Atlassian answered 404 User not found: on this org, service accounts are not directory users and cannot be added to a group " +
  "after they are created. Declare the group when the account is created instead: groups: [<group id>] on the ServiceAccount " +
  "(for an existing account, replace it: pulumi up --replace <urn>), or add it in admin.atlassian.com (Directory > Groups); " +
  "then remove this GroupMembership, or keep it to watch the membership for drift";

const what = (i: GroupMembershipInputs) => `account ${i.accountId} in group ${i.groupId ?? JSON.stringify(i.groupName)}`;

async function groupOf(i: GroupMembershipInputs, opts: RequestOptions): Promise<DirectoryGroup | null> {
  const groups = config.client().directoryGroups;
  return i.groupId !== undefined ? groups.find({ id: i.groupId }, opts) : groups.find({ name: i.groupName! }, opts);
}

export const groupMembershipProvider = {
  configure: config.configure,

  /** Validates the inputs (no request): an account id, and exactly one of groupId and groupName. */
  async check(_olds: Partial<GroupMembershipInputs>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<GroupMembershipInputs>> {
    const failures = checkProperties(news, RULES);
    const given = (k: string) => news[k] !== undefined && news[k] !== null;
    if (!failures.some((f) => f.property.startsWith("group"))) {
      if (given("groupId") && given("groupName")) {
        failures.push({ property: "groupName", reason: "give groupId or groupName, not both: the id is the group's stable name" });
      } else if (!given("groupId") && !given("groupName")) {
        failures.push({ property: "groupId", reason: 'name the group: groupId: "<id>" or groupName: "<name>" (admin.atlassian.com > Directory > Groups)' });
      }
    }
    if (failures.length > 0) return { failures };
    return { inputs: { ...news } as unknown as GroupMembershipInputs };
  },

  async diff(_id: string, olds: GroupMembershipOutputs, news: GroupMembershipInputs): Promise<pulumi.dynamic.DiffResult> {
    const { replaces, inPlace } = changesBy(GROUP_MEMBERSHIP_RULES, olds, news);
    return diffResult(replaces, inPlace, true);
  },

  /**
   * Finds the group (`POST …/directories/-/groups/search`), tests the membership (`POST
   * …/users/search`) and, when the account is not a member yet, adds it (`POST
   * …/groups/{groupId}/memberships`). Id: `<groupId>/<accountId>`.
   */
  async create(inputs: GroupMembershipInputs): Promise<pulumi.dynamic.CreateResult<GroupMembershipOutputs>> {
    const opts = requestOptions(inputs);
    const groups = config.client().directoryGroups;
    let group: DirectoryGroup | null;
    try {
      group = await groupOf(inputs, opts);
      if (!group) throw new Error(`the org has no group ${inputs.groupId ?? JSON.stringify(inputs.groupName)}: check the ${inputs.groupId !== undefined ? "id" : "name"} in admin.atlassian.com (Directory > Groups)`);
      if (!(await groups.hasMember(group, inputs.accountId, opts))) await groups.addMember(group, inputs.accountId, opts);
    } catch (err) {
      if (isUserNotFound(err)) throw new Error(`cannot add ${what(inputs)}: ${GROUP_ADD_REFUSED}`);
      throw failure(`cannot add ${what(inputs)}`, err);
    }
    const outs = defined({ ...inputs, resolvedGroupId: group.id, directoryId: group.directoryId });
    return { id: `${group.id}/${inputs.accountId}`, outs };
  },

  /** Tests the membership (`POST …/users/search`); the group gone, or the account not a member: gone (drift). */
  async read(id: string, props?: GroupMembershipOutputs): Promise<pulumi.dynamic.ReadResult<GroupMembershipOutputs>> {
    if (!props?.resolvedGroupId || !props.accountId) throw new Error(`cannot read group membership ${id}: its group and account are not in the state`);
    const group = { id: props.resolvedGroupId, directoryId: props.directoryId };
    let member: boolean;
    try {
      member = await config.client().directoryGroups.hasMember(group, props.accountId, requestOptions(props));
    } catch (err) {
      if (isGroupGone(err)) return {};
      throw failure(`cannot read ${what(props)} (id ${id})`, err);
    }
    if (!member) return {};
    const { resolvedGroupId: _g, directoryId: _d, ...inputs } = props;
    return { id, props, inputs: inputs as GroupMembershipOutputs };
  },

  /** Every input replaces the membership, so an update only records the new client context; no request. */
  async update(_id: string, olds: GroupMembershipOutputs, news: GroupMembershipInputs): Promise<pulumi.dynamic.UpdateResult<GroupMembershipOutputs>> {
    return { outs: { ...olds, [CONTEXT_KEY]: news[CONTEXT_KEY] } };
  },

  /** `DELETE …/groups/{groupId}/memberships/{accountId}`; gone already (any 404) is fine. */
  async delete(id: string, props: GroupMembershipOutputs): Promise<void> {
    try {
      await config.client().directoryGroups.removeMember({ id: props.resolvedGroupId, directoryId: props.directoryId }, props.accountId, requestOptions(props));
    } catch (err) {
      throw failure(`cannot remove ${what(props)} (id ${id})`, err);
    }
  },
};

/** A 404 for the group itself (deleted by hand): the membership is gone with it. */
function isGroupGone(err: unknown): boolean {
  return isNotFound(err) && !isUserNotFound(err);
}

/**
 * A service account in an org directory group.
 *
 * ```ts
 * new sa.GroupMembership("ci-in-deployers", { accountId: account.accountId, groupName: "deployers" });
 * ```
 */
export class GroupMembership extends pulumi.dynamic.Resource {
  /** The account's product id (an input). */
  declare public readonly accountId: pulumi.Output<string>;
  /** The group's id, as given (an input). */
  declare public readonly groupId: pulumi.Output<string | undefined>;
  /** The group's name, as given (an input). */
  declare public readonly groupName: pulumi.Output<string | undefined>;
  /** The group's id, looked up when it was named. */
  declare public readonly resolvedGroupId: pulumi.Output<string>;
  /** The directory the group is in. */
  declare public readonly directoryId: pulumi.Output<string>;

  constructor(name: string, args: GroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.GroupMembership,
      name,
      {
        accountId: args.accountId,
        groupId: args.groupId,
        groupName: args.groupName,
        [CONTEXT_KEY]: clientContextFor(GROUP_MEMBERSHIP_TYPE, name, opts?.parent),
        resolvedGroupId: undefined,
        directoryId: undefined,
      },
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      MODULE,
      "GroupMembership",
    );
  }
}
