/**
 * The operations Atlassian publishes, as both targets send them: service accounts by
 * list-and-filter, create, PATCH without the id, delete; a service account's tokens by list
 * and revoke-all.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  adminIdOf,
  isAmbiguousWriteFailure,
  productAccountIdOf,
  type Client,
  type RequestOptions,
  type ServiceAccount,
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

export function accountOf(a: ServiceAccount): Account {
  return {
    id: adminIdOf(a),
    accountId: productAccountIdOf(a),
    displayName: a.displayName,
    description: a.description ?? "",
    email: a.email,
    status: statusOf(a.status),
    createdAt: isoOrUndefined(a.createdAt),
  };
}

/**
 * How a create whose answer was lost is settled: list again after each of these pauses, and
 * take an account with the display name that was not there before as the create's result.
 * Only when none appears is the create sent again. (Whether Atlassian's list shows a new
 * account at once is not documented; the second, later listing covers a short lag.)
 */
export const LOST_CREATE_LISTING_DELAYS_MS = [0, 1_000] as const;
/** Sends of one create at most, when each answer is lost and no account appears: each is sent only after listing shows the last did not land, so a burst of 5xx costs a retry, never a second account. */
export const CREATE_ATTEMPTS = 5;


export type PublicAccountOps = Omit<AccountOps, "setSuspended"> & {
  /** Applies a change made through another route (the embedded suspension extension) to the run's listing. */
  noteStatus(id: string, status: Account["status"]): void;
};

export function publicAccounts(client: Client): PublicAccountOps {
  const api = client.serviceAccounts;
  // The run's one listing of the org's accounts, by id. The engine runs one provider process
  // per deployment, so this is one listing per `up`, `refresh` or `destroy`, whatever the
  // number of accounts. Changes this process makes are applied to it, in order, after the
  // listing has arrived.
  let listing: Promise<Map<string, Account>> | undefined;
  const load = (opts: RequestOptions) => {
    const next = (async () => {
      const byId = new Map<string, Account>();
      for await (const a of api.list({}, opts)) {
        const account = accountOf(a);
        byId.set(account.id, account);
      }
      return byId;
    })();
    listing = next;
    // A failed listing is not kept: the next caller lists again.
    next.catch(() => {
      if (listing === next) listing = undefined;
    });
    return next;
  };
  const all = async (opts: RequestOptions, fresh = false) => [...(await (fresh || !listing ? load(opts) : listing)).values()];
  const record = (change: (byId: Map<string, Account>) => void) => {
    // Nothing is listed yet: the listing, when it comes, shows the change itself.
    if (!listing) return;
    const next = listing.then((byId) => (change(byId), byId));
    listing = next;
    next.catch(() => {
      if (listing === next) listing = undefined;
    });
  };

  /** Accounts with the display name that are not in `before`: what a create whose answer was lost made. */
  async function madeSince(displayName: string, before: Set<string>, opts: RequestOptions): Promise<Account[]> {
    for (const ms of LOST_CREATE_LISTING_DELAYS_MS) {
      if (ms > 0) await sleep(ms);
      const made = (await all(opts, true)).filter((a) => a.displayName === displayName && !before.has(a.id));
      if (made.length > 0) return made;
    }
    return [];
  }

  return {
    list: all,
    async retrieve(id, opts) {
      return (await all(opts)).find((a) => a.id === id) ?? null;
    },
    async findByDisplayName(displayName, opts) {
      return (await all(opts)).filter((a) => a.displayName === displayName);
    },
    async create(params, opts) {
      const before = new Set((await all(opts)).map((a) => a.id));
      for (let attempt = 1; ; attempt++) {
        try {
          const account = accountOf(await api.create(params, opts));
          record((byId) => byId.set(account.id, account));
          return account;
        } catch (err) {
          if (!isAmbiguousWriteFailure(err)) throw err;
          // The request may have landed: look before sending it again.
          const made = await madeSince(params.displayName, before, opts);
          if (made.length === 1) return made[0]!;
          if (made.length > 1) {
            throw new Error(
              `the answer to creating service account "${params.displayName}" was lost, and ${made.length} new accounts of that display name ` +
                `appeared since (ids ${made.map((a) => a.id).join(", ")}): another process may be creating the same account. ` +
                `Delete the ones you do not want in admin.atlassian.com, then adopt the other with adoptExisting: true`,
            );
          }
          if (attempt >= CREATE_ATTEMPTS) throw err;
        }
      }
    },
    async update(account, change, opts) {
      const answered = await api.update(account.id, change, opts);
      // Atlassian's reply to the PATCH is not documented: a 204 or a partial body means "done".
      const updated = answered ? { ...accountOf(answered), createdAt: account.createdAt } : { ...account, ...change };
      record((byId) => byId.set(updated.id, updated));
      return updated;
    },
    async delete(account, opts) {
      // Atlassian does not say that deleting an account revokes its tokens; revoking them
      // first makes sure no token of a deleted account lives on.
      // Which of the account's ids the token routes take is not documented: the sdk tries both.
      await client.serviceAccountTokens.revokeAll({ id: account.id, atlassianId: account.accountId }, opts);
      await api.delete(account.id, opts);
      record((byId) => byId.delete(account.id));
    },
    noteStatus(id, status) {
      record((byId) => {
        const a = byId.get(id);
        if (a) byId.set(id, { ...a, status });
      });
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
