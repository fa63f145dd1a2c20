/**
 * `client.extensions`: every operation of the embedded backend that Atlassian does not
 * publish, the routes of `backend/extensions.ts` (`EXTENSION_ROUTES`). Against Atlassian
 * Cloud, or a backend serving `--public-only`, each fails (404; `endpoint.notPublic` from the
 * backend). Atlassian's public operations are the client's top-level resources.
 */
import type { Client } from "../../client";
import { ExtensionApiKeys } from "./api-keys";
import { ExtensionApiTokens } from "./api-tokens";
import { ExtensionScopeBindings } from "./scope-bindings";
import { ExtensionServiceAccounts } from "./service-accounts";

export { ExtensionApiKeys, ExtensionApiTokens, ExtensionScopeBindings, ExtensionServiceAccounts };
export { ScopeBindingListParams } from "./scope-bindings";

export class Extensions {
  /** Get-by-id and `PATCH /service-accounts/{id}` (with `status`: suspend, reactivate). */
  readonly serviceAccounts: ExtensionServiceAccounts;
  /** Mint a token, read or revoke one token. */
  readonly apiTokens: ExtensionApiTokens;
  /** The backend's own access model (on Atlassian: Jira roles and Confluence roles or permissions). */
  readonly scopeBindings: ExtensionScopeBindings;
  /** Create and delete an org admin API key (the list is Atlassian's: `client.apiKeys`). */
  readonly apiKeys: ExtensionApiKeys;

  constructor(client: Client) {
    this.serviceAccounts = new ExtensionServiceAccounts(client);
    this.apiTokens = new ExtensionApiTokens(client);
    this.scopeBindings = new ExtensionScopeBindings(client);
    this.apiKeys = new ExtensionApiKeys(client);
  }
}
