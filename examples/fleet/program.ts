/**
 * A fleet of service accounts declared as data: a platform team keeps one YAML file (see
 * fleet.yaml) with an entry per account, its tokens and its access, and reviews changes to
 * it like any code change. The file is validated before any resource is declared, and a
 * mistake is reported at its line:
 *
 *   fleet.yaml:14:11: accounts[1].tokens[0].scopes[1]: unknown scope "read:jira-wrok"; did you mean "read:jira-work"?
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as sa from "pulumi-atlassian-service-accounts";
import { loadFleet, parseFleet, type Fleet } from "./fleet";

export interface FleetArgs {
  /** The fleet file. Default: fleet.yaml beside this program. */
  file?: string;
  /** The fleet file's text, instead of a file (`name` is used in error messages). */
  text?: string;
  name?: string;
}

export function loadFleetFrom(args: FleetArgs = {}): Fleet {
  if (args.text !== undefined) return parseFleet(args.text, args.name ?? "fleet.yaml");
  return loadFleet(args.file ?? path.join(__dirname, "fleet.yaml"));
}

export function fleet(args: FleetArgs = {}) {
  const spec = loadFleetFrom(args);

  const emails: Record<string, pulumi.Output<string>> = {};
  const tokens: Record<string, pulumi.Output<string>> = {};
  const expiries: Record<string, pulumi.Output<string>> = {};

  for (const a of spec.accounts) {
    // The display name is the account's key (Atlassian generates its email and ids), unique
    // in the file, so it names the Pulumi resources too. Changing it in the file therefore
    // makes new resources: a new account, not a rename (an alias would keep the old one).
    const account = new sa.ServiceAccount(a.displayName, {
      displayName: a.displayName,
      description: a.description ?? (a.owner ? `Owned by ${a.owner}. Managed by Pulumi from the fleet file.` : undefined),
      suspended: a.suspended,
      adoptExisting: a.adoptExisting,
      // App access to each product the account is given a role in: Atlassian creates a service
      // account with none, and its token then reaches no product (a flat 401).
      appAccess: [...new Set(a.access.map((b) => b.resource.split(":")[0] as "jira" | "confluence"))].sort().map((product) => ({ product })),
    });
    emails[a.displayName] = account.email;

    for (const t of a.tokens) {
      const key = `${a.displayName}/${t.label}`;
      const token = new sa.ApiToken(key, {
        serviceAccountId: account.id,
        label: t.label,
        scopes: t.scopes,
        expiresInDays: t.expiresInDays ?? spec.defaults.expiresInDays,
        rotateBeforeDays: t.rotateBeforeDays ?? spec.defaults.rotateBeforeDays,
      });
      tokens[key] = token.token;
      expiries[key] = token.expiresAt;
    }

    for (const b of a.access) {
      new sa.ScopeBinding(`${a.displayName}/${b.resource}`, {
        serviceAccountId: account.id,
        // The id Jira and Confluence know the account by: no binding lists the org's accounts.
        accountId: account.accountId,
        resource: b.resource,
        role: b.role,
      });
    }
  }

  return {
    // By display name: each account's email, as Atlassian generated it.
    emails: pulumi.output(emails),
    tokenExpiries: pulumi.output(expiries),
    // One secret output holding every token, keyed "<display name>/<label>".
    tokens: pulumi.secret(pulumi.output(tokens)),
  };
}

export type FleetOutputs = ReturnType<typeof fleet>;
