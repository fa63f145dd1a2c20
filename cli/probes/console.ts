/**
 * `--write` with `atlassian:consoleRoutes` on: the two token routes the provider then uses on
 * Atlassian Cloud, tried on the throwaway account. The mint is a route of the admin console,
 * unsupported by Atlassian; the single revoke is Atlassian's documented user-management route.
 * Both need an unscoped org key. The minted token is revoked here; deleting the throwaway
 * account revokes every token it has in any case.
 */
import { DAY_MS } from "../../sdk/schemas";
import { tokenStatus } from "../../sdk/resources/service-account-tokens";
import { productAccountIdOf, type ServiceAccount } from "../../sdk/resources/service-accounts";
import type { Probe } from "./context";
import { describeError, type LineName } from "./report";

/** The lines of the console routes. */
export const CONSOLE_LINES: readonly LineName[] = ["console token mint", "single token revoke"];

const MINT = "POST /users/{atlassianId}/manage/api-tokens {label, scopes, expiry}";
const REVOKE = "DELETE /users/{atlassianId}/manage/api-tokens/{tokenId}";
const UNSCOPED = "the console routes need an unscoped org key (atlassian:apiKey)";

export async function probeConsoleTokens(p: Probe, account: ServiceAccount): Promise<void> {
  const atlassianId = productAccountIdOf(account);
  if (!atlassianId) {
    p.report.notCheckedRest(CONSOLE_LINES, "the throwaway account was listed without an atlassianId");
    return;
  }
  const opts = { signal: p.signal };
  const expiry = new Date(Date.now() + DAY_MS).toISOString();
  let id: string;
  try {
    id = (await p.client.console.apiTokens.mint(atlassianId, { label: "pasa-doctor", scopes: ["read:jira-user"], expiry }, opts)).id;
  } catch (err) {
    if (p.signal.aborted) throw err;
    p.report.differs("console token mint", `${MINT} was refused: ${describeError(err)}`, `${UNSCOPED}; else the console's route changed: sdk/resources/console.ts, or turn atlassian:consoleRoutes off`);
    p.report.notChecked("single token revoke", "no token was minted to revoke");
    return;
  }
  p.report.holds("console token mint", `${MINT} answered {id, token} for the throwaway account`);
  try {
    await p.client.userApiTokens.revoke(atlassianId, id, opts);
  } catch (err) {
    if (p.signal.aborted) throw err;
    p.report.differs("single token revoke", `${REVOKE} was refused: ${describeError(err)}`, `${UNSCOPED}; else sdk/resources/user-api-tokens.ts`);
    return;
  }
  const listed = (await p.client.serviceAccountTokens.list({ id: account.id, atlassianId }, {}, opts)).find((t) => t.id === id);
  const state = listed === undefined ? "gone" : (tokenStatus(listed.status) ?? listed.status ?? "listed without a status");
  if (state === "gone" || state === "revoked") p.report.holds("single token revoke", `${REVOKE} answered, and the account's token list shows the token ${state}`);
  else p.report.differs("single token revoke", `${REVOKE} answered, but the account's token list still shows the token ${state}`, "sdk/resources/user-api-tokens.ts: the single revoke");
}
