/**
 * Token rotation without a gap: a reporting bot's token expires after `expiresInDays` and
 * is replaced `rotateBeforeDays` before that, on whichever `pulumi up` runs first inside
 * that window (a scheduled CI job, say). A replacement mints the new token before it
 * revokes the old one, so everything in the stack that consumes the token is handed the
 * new one before the old one stops working.
 *
 * To rotate now, whatever the expiry says (after a suspected leak, say), change the
 * `rotation:epoch` config value: it is a keeper of a RandomId, whose new value changes the
 * token's `keepers`, which replaces the token.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as sa from "pulumi-atlassian-service-accounts";

export interface RotationArgs {
  /** The service account's name. */
  name?: string;
  /** The Jira project the bot reads. */
  jiraProject?: string;
  expiresInDays?: number;
  rotateBeforeDays?: number;
  /** Any string; a new value rotates the token on the next `up`. */
  epoch?: string;
  /**
   * The value that rotates the token when it changes. Default: the hex of a RandomId
   * kept by `epoch`. Pass your own to do without the random provider.
   */
  trigger?: pulumi.Input<string>;
}

export const ROTATION_DEFAULTS = {
  name: "reporting-bot",
  jiraProject: "OPS",
  expiresInDays: 30,
  rotateBeforeDays: 7,
  epoch: "1",
} as const;

export function rotation(args: RotationArgs = {}) {
  const name = args.name ?? ROTATION_DEFAULTS.name;
  const jiraProject = args.jiraProject ?? ROTATION_DEFAULTS.jiraProject;

  const account = new sa.ServiceAccount("reporting-bot", {
    name,
    displayName: "Weekly reporting",
    description: "Reads Jira for the weekly report. Managed by Pulumi (examples/rotation).",
  });
  new sa.ScopeBinding("reporting-bot-jira", {
    serviceAccountId: account.id,
    resource: `jira:project/${jiraProject}`,
    role: "viewer",
  });

  const trigger =
    args.trigger ??
    new random.RandomId("reporting-token-trigger", {
      byteLength: 4,
      keepers: { epoch: args.epoch ?? ROTATION_DEFAULTS.epoch },
    }).hex;

  const token = new sa.ApiToken("reporting-token", {
    serviceAccountId: account.id,
    // The trigger in the label tells the tokens of successive rotations apart in the audit log.
    label: pulumi.interpolate`weekly-report-${trigger}`,
    scopes: ["read:jira-work"],
    expiresInDays: args.expiresInDays ?? ROTATION_DEFAULTS.expiresInDays,
    rotateBeforeDays: args.rotateBeforeDays ?? ROTATION_DEFAULTS.rotateBeforeDays,
    keepers: { trigger },
  });

  return {
    email: account.email,
    tokenId: token.id,
    tokenExpiresAt: token.expiresAt,
    // Handed to consumers as a secret stack output: encrypted in state, masked in output,
    // read with `pulumi stack output token --show-secrets` or a StackReference.
    token: pulumi.secret(token.token),
  };
}

export type RotationOutputs = ReturnType<typeof rotation>;
