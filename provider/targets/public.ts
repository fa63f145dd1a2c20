/**
 * The operations Atlassian publishes, as both targets send them: service accounts by
 * list-and-filter, create, PATCH without the id, delete; a service account's tokens by list
 * and revoke-all.
 */
import {
  adminIdOf,
  nameOf,
  productAccountIdOf,
  type Client,
  type OrgServiceAccount,
  type RequestOptions,
  type ServiceAccountToken,
} from "../../sdk/index";
import type { Account, AccountOps, TokenOps } from "./types";

/** Atlassian's status strings are not documented; anything that says the account cannot act counts as suspended. */
export function statusOf(raw: string | null | undefined): "active" | "suspended" {
  return raw && /suspend|inactive|deactivat|disabled/i.test(raw) ? "suspended" : "active";
}

function isoOrUndefined(v: string | number | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function accountOf(a: OrgServiceAccount): Account {
  return {
    id: adminIdOf(a),
    accountId: productAccountIdOf(a),
    name: nameOf(a),
    displayName: a.displayName,
    description: a.description ?? "",
    email: a.email,
    status: statusOf(a.status),
    createdAt: isoOrUndefined(a.createdAt),
  };
}

export function publicAccounts(client: Client): Omit<AccountOps, "suspendUnsupported" | "setSuspended"> {
  const api = client.orgServiceAccounts;
  return {
    async create(params, opts) {
      return accountOf(await api.create(params, opts));
    },
    async retrieve(id, opts) {
      const a = await api.retrieve(id, opts);
      return a && accountOf(a);
    },
    async findByName(name, opts) {
      const a = await api.findByName(name, opts);
      return a && accountOf(a);
    },
    async update(id, change, opts) {
      return accountOf(await api.update(id, change, opts));
    },
    async delete(id, opts) {
      // Atlassian does not say that deleting an account revokes its tokens; revoking them
      // first makes sure no token of a deleted account lives on.
      await client.serviceAccountTokens.revokeAll(id, opts);
      await api.delete(id, opts);
    },
  };
}

export function publicTokens(client: Client): Pick<TokenOps, "find" | "list"> {
  return {
    async find(serviceAccountId: string, tokenId: string, opts: RequestOptions): Promise<ServiceAccountToken | null> {
      const all = await client.serviceAccountTokens.list(serviceAccountId, {}, opts);
      return all.find((t) => t.id === tokenId) ?? null;
    },
    list(serviceAccountId: string, opts: RequestOptions) {
      return client.serviceAccountTokens.list(serviceAccountId, {}, opts);
    },
  };
}
