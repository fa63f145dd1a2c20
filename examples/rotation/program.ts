/**
 * Token rotation without a gap: a reporting bot's token expires after `expiresInDays` and
 * is replaced `rotateBeforeDays` before that, on whichever `pulumi up` runs first inside
 * that window (a scheduled CI job, say). A replacement mints the new token before it
 * revokes the old one, so everything in the stack that consumes the token is handed the
 * new one before the old one stops working.
 *
 * To rotate now, whatever the expiry says (after a suspected leak, say), change the
 * `rotation:epoch` config value: it is one of the token's `keepers`, and a change of any
 * keeper replaces the token. (A RandomId kept by the epoch would do the same with one more
 * provider plugin to install; the epoch itself is all the trigger needs.)
 */
import * as pulumi from "@pulumi/pulumi";
import * as sa from "pulumi-atlassian-service-accounts";

export interface RotationArgs {
  /** The service account's name. */
  name?: string;
  /** The Jira project the bot reads. */
  jiraProject?: string;
  expiresInDays?: number;
  rotateBeforeDays?: number;
  /** Any string; a new value rotates the token on the next `up`. */
  epoch?: pulumi.Input<string>;
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

  const epoch = args.epoch ?? ROTATION_DEFAULTS.epoch;

  const token = new sa.ApiToken("reporting-token", {
    serviceAccountId: account.id,
    // The epoch in the label tells the tokens of successive rotations apart in the audit log.
    label: pulumi.interpolate`weekly-report-${epoch}`,
    scopes: ["read:jira-work"],
    expiresInDays: args.expiresInDays ?? ROTATION_DEFAULTS.expiresInDays,
    rotateBeforeDays: args.rotateBeforeDays ?? ROTATION_DEFAULTS.rotateBeforeDays,
    keepers: { epoch },
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
