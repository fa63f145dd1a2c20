/**
 * The quickstart: one service account for a CI pipeline, one scoped API token that
 * expires (and is replaced a week before it does), and the account's access to one Jira
 * project and one Confluence space. Nothing more than the pipeline needs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as sa from "pulumi-atlassian-service-accounts";

export interface QuickstartArgs {
  /** The service account's name: 6-30 lowercase letters, digits, inner hyphens. */
  name?: string;
  /** The Jira project the pipeline files issues in. */
  jiraProject?: string;
  /** The Confluence space it reads. */
  confluenceSpace?: string;
  /** The token's scopes; changing them replaces the token (Atlassian cannot edit them). */
  scopes?: string[];
  expiresInDays?: number;
  rotateBeforeDays?: number;
}

export const QUICKSTART_DEFAULTS = {
  name: "ci-deployer",
  jiraProject: "OPS",
  confluenceSpace: "ENG",
  scopes: ["read:jira-work", "write:jira-work", "read:confluence-space.summary"],
  expiresInDays: 30,
  rotateBeforeDays: 7,
} as const satisfies Required<QuickstartArgs>;

export function quickstart(args: QuickstartArgs = {}) {
  const cfg = { ...QUICKSTART_DEFAULTS, ...stripUndefined(args) };

  const account = new sa.ServiceAccount("ci-deployer", {
    name: cfg.name,
    displayName: "CI deployer",
    description: "Files release issues from CI. Managed by Pulumi (examples/quickstart).",
  });

  const token = new sa.ApiToken("ci-deployer-token", {
    serviceAccountId: account.id,
    label: "ci",
    scopes: [...cfg.scopes],
    expiresInDays: cfg.expiresInDays,
    rotateBeforeDays: cfg.rotateBeforeDays,
  });

  // Editor on the project: may create issues there. Viewer on the space: may read it.
  const jira = new sa.ScopeBinding("ci-deployer-jira", {
    serviceAccountId: account.id,
    resource: `jira:project/${cfg.jiraProject}`,
    role: "editor",
  });
  const confluence = new sa.ScopeBinding("ci-deployer-confluence", {
    serviceAccountId: account.id,
    resource: `confluence:space/${cfg.confluenceSpace}`,
    role: "viewer",
  });

  return {
    accountId: account.accountId,
    email: account.email,
    tokenId: token.id,
    // A secret: encrypted in state, shown as [secret] unless asked for with --show-secrets.
    token: pulumi.secret(token.token),
    tokenExpiresAt: token.expiresAt,
    jiraBinding: jira.resource,
    confluenceBinding: confluence.resource,
  };
}

export type QuickstartOutputs = ReturnType<typeof quickstart>;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
