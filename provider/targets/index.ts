/**
 * The target in force: `atlassian:target` (or its default, see config.ts) picks the module
 * that turns the handlers' operations into requests.
 */
import * as config from "../config";
import { atlassianTarget } from "./atlassian";
import { embeddedTarget } from "./embedded";
import type { Target } from "./types";

export type { Account, AccountCreate, AccountOps, Target, TokenOps } from "./types";
export {
  API_TOKEN_UNSUPPORTED,
  APP_ACCESS_CHANGE_UNSUPPORTED,
  CAPABILITIES,
  capabilities,
  GROUPS_CHANGE_UNSUPPORTED,
  REACTIVATE_UNSUPPORTED,
  SUSPEND_UNSUPPORTED,
  type Capabilities,
} from "./capabilities";

const made = new WeakMap<object, Target>();

/** The target for the settings in force; made once per client (so per settings). */
export function target(): Target {
  const { target: name } = config.settings();
  const client = config.client();
  let t = made.get(client);
  if (!t || t.name !== name) {
    t = name === "atlassian-cloud" ? atlassianTarget(client) : embeddedTarget(client);
    made.set(client, t);
  }
  return t;
}
