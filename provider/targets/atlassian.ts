/**
 * Atlassian Cloud: Atlassian's public operations only (see `public.ts`). What Atlassian does
 * not publish is refused before any request, with the reason in `capabilities.ts`.
 */
import type { Client } from "../../sdk/index";
import { CAPABILITIES } from "./capabilities";
import { publicAccounts, publicTokens } from "./public";
import type { Target } from "./types";

export function atlassianTarget(client: Client): Target {
  const capabilities = CAPABILITIES["atlassian-cloud"];
  const refuse = (message: string | null) => () => Promise.reject(new Error(message ?? "not supported on Atlassian Cloud"));
  return {
    name: "atlassian-cloud",
    capabilities,
    accounts: { ...publicAccounts(client), setSuspended: refuse(capabilities.suspend) },
    tokens: { ...publicTokens(client), mint: refuse(capabilities.tokens), revoke: refuse(capabilities.tokens) },
    legacyBindings: null,
  };
}
