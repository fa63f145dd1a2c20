/**
 * The embedded backend: Atlassian's public operations (see `public.ts`), plus its
 * EXTENSIONS where Atlassian has none. Each extension is marked so here and in the README:
 * - `POST .../service-accounts/{id}/api-tokens` mints a token (ApiToken create);
 * - `DELETE .../service-accounts/{id}/api-tokens/{tokenId}` revokes one token (ApiToken delete);
 * - `PATCH .../service-accounts/{id}` `{status}` suspends or reactivates an account;
 * - `.../service-accounts/{id}/scope-bindings/{bindingId}` reads, changes and deletes a
 *   binding made by a version before 0.2 (its state has no grant), and nothing else.
 */
import type { Client } from "../../sdk/index";
import { CAPABILITIES } from "./capabilities";
import { consoleAccess } from "./console";
import { publicAccounts, publicTokens } from "./public";
import type { Target } from "./types";

export function embeddedTarget(client: Client, withConsole: boolean): Target {
  const accounts = publicAccounts(client);
  return {
    name: "embedded",
    capabilities: CAPABILITIES.embedded,
    accounts: {
      ...accounts,
      async setSuspended(id, suspended, opts) {
        // EXTENSION: Atlassian's PATCH changes displayName and description only.
        const a = await client.extensions.serviceAccounts.update(id, { status: suspended ? "suspended" : "active" }, opts);
        accounts.noteStatus(id, a.status);
        return a.status;
      },
    },
    tokens: {
      ...publicTokens(client),
      // EXTENSION: Atlassian publishes no way to create a token.
      mint: (serviceAccountId, params, opts) => client.extensions.apiTokens.create(serviceAccountId, params, opts),
      // EXTENSION: Atlassian can only revoke all of an account's tokens.
      revoke: (serviceAccountId, tokenId, opts) => client.extensions.apiTokens.revoke(serviceAccountId, tokenId, opts),
    },
    // The console's invite, when the backend serves the console's routes (`--console-routes`) and the setting is on.
    consoleAccess: withConsole ? consoleAccess(client) : null,
    legacyBindings: {
      // EXTENSION: the backend's scope bindings are a view of role grants.
      async retrieve(serviceAccountId, bindingId, opts) {
        const b = await client.extensions.scopeBindings.retrieve(serviceAccountId, bindingId, opts);
        return b && { role: b.role };
      },
      async update(serviceAccountId, bindingId, role, opts) {
        await client.extensions.scopeBindings.update(serviceAccountId, bindingId, { role }, opts);
      },
      delete: (serviceAccountId, bindingId, opts) => client.extensions.scopeBindings.delete(serviceAccountId, bindingId, opts),
    },
  };
}
