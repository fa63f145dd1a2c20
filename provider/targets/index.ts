/**
 * The target in force: `atlassian:target` (or its default, see config.ts) picks the module
 * that turns the handlers' operations into requests.
 */
import * as config from "../config";
import { atlassianTarget } from "./atlassian";
import { embeddedTarget } from "./embedded";
import type { Target } from "./types";

export type { Account, AccountCreate, AccountOps, ConsoleAccessOps, Target, TokenOps } from "./types";
export {
  API_TOKEN_UNSUPPORTED,
  APP_ACCESS_GRANT_UNSUPPORTED, APP_ACCESS_WITHDRAW_UNSUPPORTED,
  ATLASSIAN_CLOUD_WITH_CONSOLE,
  CAPABILITIES,
  capabilities,
  capabilitiesOf,
  GROUPS_CHANGE_UNSUPPORTED,
  REACTIVATE_UNSUPPORTED,
  SUSPEND_UNSUPPORTED,
  type Capabilities,
} from "./capabilities";

const made = new WeakMap<object, { target: Target; withConsole: boolean }>();

/** The target for the settings in force (`atlassian:consoleRoutes` included); made once per client and settings. */
export function target(): Target {
  const { target: name } = config.settings();
  const withConsole = config.consoleRoutes();
  const client = config.client();
  let t = made.get(client);
  if (!t || t.target.name !== name || t.withConsole !== withConsole) {
    t = { target: name === "atlassian-cloud" ? atlassianTarget(client, withConsole) : embeddedTarget(client, withConsole), withConsole };
    made.set(client, t);
  }
  return t.target;
}
