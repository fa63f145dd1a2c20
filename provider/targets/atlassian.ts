/**
 * Atlassian Cloud: Atlassian's public operations only (see `public.ts`). What Atlassian does
 * not publish is refused before any request, with the reason in `capabilities.ts`; with
 * `atlassian:consoleRoutes: true`, tokens go through the admin console's mint (UNSUPPORTED by
 * Atlassian, see `console.ts`) and Atlassian's documented single revoke.
 */
import type { Client } from "../../sdk/index";
import { capabilitiesOf } from "./capabilities";
import { consoleAccess, consoleTokens } from "./console";
import { publicAccounts, publicTokens } from "./public";
import type { Target } from "./types";

export function atlassianTarget(client: Client, withConsole: boolean): Target {
  const capabilities = capabilitiesOf("atlassian-cloud", withConsole);
  const refuse = (message: string | null) => () => Promise.reject(new Error(message ?? "not supported on Atlassian Cloud"));
  const accounts = publicAccounts(client);
  return {
    name: "atlassian-cloud",
    capabilities,
    accounts: { ...accounts, setSuspended: refuse(capabilities.suspend) },
    tokens: withConsole
      ? { ...publicTokens(client), ...consoleTokens(client, accounts) }
      : { ...publicTokens(client), mint: refuse(capabilities.tokens), revoke: refuse(capabilities.tokens) },
    legacyBindings: null,
    consoleAccess: withConsole ? consoleAccess(client) : null,
  };
}
