/**
 * `--write --app-access` and `--write --group <group>`: what the throwaway account's create
 * can carry besides its name, and whether a group takes it after its creation.
 *
 * `--app-access` creates the account with one permission rule, the user role on the site's
 * Jira (`APP_ACCESS_PERMISSION_RULE`). The create's answer judges the body; then, when a
 * token of the account can be made by API (the console's mint, `atlassian:consoleRoutes`),
 * that token calls Jira until Jira lets it in (200) or the wait ends (the flat 401 Atlassian
 * answers an account without app access). Access may land minutes after the create on
 * Atlassian, hence the wait (`--access-wait`). The account holds a product seat until it is
 * deleted; deleting it also revokes the token.
 *
 * `--group` creates the account in the group (`additionalGroups`) and reads the membership
 * back (SERVICE_ACCOUNT_CREATE_FIELDS), takes it out, then adds it again after its creation
 * (GROUP_ADD_AFTER_CREATE) and takes it out again. The membership is registered with the
 * cleanup before it is read or requested, so it is removed whatever stops the run (before
 * then, deleting the account ends the one its create made).
 */
import { z } from "zod";
import { APP_ACCESS_PERMISSION_RULE, GROUP_ADD_AFTER_CREATE, SERVICE_ACCOUNT_CREATE_FIELDS } from "../../sdk/atlassian-assumptions";
import { APIError } from "../../sdk/errors";
import { isUserNotFound, type DirectoryGroup } from "../../sdk/resources/directory-groups";
import { productAccountIdOf, type ServiceAccount } from "../../sdk/resources/service-accounts";
import { DAY_MS, GroupId } from "../../sdk/schemas";
import { sleep, type Probe } from "./context";
import { describeError, q, type LineName } from "./report";
import type { Cleanup, CreateExtras } from "./throwaway";

/** How long `--app-access` and `--group` wait, by default, for access or a membership to land. */
export const ACCESS_WAIT_DEFAULT_S = 60;
/** How often they look again meanwhile. */
const POLL_MS = 2_000;

const RULES = SERVICE_ACCOUNT_CREATE_FIELDS.permissionRules;
const GROUPS = SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups;
const MEMBERSHIPS = "POST …/directories/{directoryId}/groups/{groupId}/memberships {accountId}";
const MYSELF = "GET /rest/api/3/myself";

/** The one rule `--app-access` creates the account with: the user role on the site's Jira. */
export const jiraRule = (cloudId: string) => ({ role: APP_ACCESS_PERMISSION_RULE.roles.user, resource: APP_ACCESS_PERMISSION_RULE.resource(APP_ACCESS_PERMISSION_RULE.productKeys.jira, cloudId) });

export interface AccessOptions {
  /** `--app-access`: the site the rule names, and whether a token can be minted (the console's route). */
  appAccess?: { cloudId: string; withConsole: boolean };
  /** `--group`, as the directory search found it. */
  group?: DirectoryGroup;
  /** How long to wait for access or a membership to land (`--access-wait`). */
  waitMs: number;
}

/**
 * The group `--group` names: by name first, then, if it reads as an id, by id. A refusal (a
 * scoped key: these routes take an unscoped one) or no such group is the line's reason not to
 * be checked, answered as a string.
 */
export async function findGroup(p: Probe, ref: string): Promise<DirectoryGroup | string> {
  const groups = p.client.directoryGroups;
  const opts = { signal: p.signal };
  try {
    const byName = await groups.find({ name: ref }, opts);
    if (byName) return byName;
    if (GroupId.safeParse(ref).success) {
      const byId = await groups.find({ id: ref }, opts);
      if (byId) return byId;
    }
  } catch (err) {
    if (p.signal.aborted) throw err;
    const scoped = err instanceof APIError && (err.status === 401 || err.status === 403) ? ": the group routes take an unscoped org key (atlassian:apiKey)" : "";
    return `the directory's group search was refused (${describeError(err)})${scoped}`;
  }
  return `no group of the org's directories has the name or id ${q(ref)} (--group)`;
}

/** The app-access and group probes of one throwaway account. */
export class AccessProbe {
  /** What the create body carried besides name and description, once it was refused with them: nothing. */
  #refused = new Set<string>();

  constructor(
    private readonly p: Probe,
    private readonly o: AccessOptions,
    private readonly cleanup: Cleanup,
  ) {}

  /** The create's extra fields, or undefined when neither `--app-access` nor `--group` asks for one. */
  extras(): CreateExtras | undefined {
    const body: Record<string, unknown> = {};
    if (this.o.appAccess) body[RULES] = [jiraRule(this.o.appAccess.cloudId)];
    if (this.o.group) body[GROUPS] = [this.o.group.id];
    if (Object.keys(body).length === 0) return undefined;
    return { body, refused: (err, sent) => this.#onRefused(Object.keys(body), err, sent) };
  }

  /** A refusal naming one of the fields is about it; one naming none, about each. The account is then made without them. */
  #onRefused(fields: string[], err: APIError, sent: string): void {
    const said = describeError(err);
    const named = fields.filter((f) => said.includes(f));
    for (const f of named.length > 0 ? named : fields) this.#refused.add(f);
    const seen = `POST …/service-accounts ${sent} was refused: ${said}; the throwaway account was then made without ${[...this.#refused].join(" and ")}`;
    if (this.#refused.has(RULES)) {
      this.p.report.differs("APP_ACCESS_PERMISSION_RULE", seen, `SERVICE_ACCOUNT_CREATE_FIELDS.permissionRules and APP_ACCESS_PERMISSION_RULE: the field and the rule Atlassian's create takes (what its answer names)`);
    }
    if (this.#refused.has(GROUPS)) {
      this.p.report.differs("SERVICE_ACCOUNT_CREATE_FIELDS", seen, `SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups: the field Atlassian's create takes for its "additional group memberships"`);
    }
  }

  /** APP_ACCESS_PERMISSION_RULE: the create took the rule; does a token of the account then reach Jira? */
  async appAccess(account: ServiceAccount): Promise<void> {
    const { p } = this;
    const line: LineName = "APP_ACCESS_PERMISSION_RULE";
    if (!this.o.appAccess || this.#refused.has(RULES)) return;
    const { cloudId, withConsole } = this.o.appAccess;
    const accepted = `the create took ${RULES} ${JSON.stringify([jiraRule(cloudId)])}`;
    await this.#roleAssignments(account, cloudId);
    if (!withConsole) {
      p.report.notChecked(line, `${accepted}; whether Jira access lands needs a token of the account, and only the console's mint (atlassian:consoleRoutes) makes one by API`);
      return;
    }
    const atlassianId = productAccountIdOf(account);
    if (!atlassianId || !account.email) {
      p.report.notChecked(line, `${accepted}; the account was listed without an atlassianId or email, so no token of it can call Jira`);
      return;
    }
    const opts = { signal: p.signal };
    let token: string;
    try {
      const expiry = new Date(Date.now() + DAY_MS).toISOString();
      token = (await p.client.console.apiTokens.mint(atlassianId, { label: "pasa-doctor-access", scopes: ["read:jira-user"], expiry }, opts)).token;
    } catch (err) {
      if (p.signal.aborted) throw err;
      p.report.notChecked(line, `${accepted}; the console's mint of a token to try it with was refused: ${describeError(err)}`);
      return;
    }
    // The account's own token, through the gateway (a scoped token works there only), never printed.
    const gateway = /^https?:\/\/[^/]+$/.test(p.client.baseUrl) ? p.client.baseUrl : undefined;
    if (p.client.siteUrl !== undefined && gateway === undefined) {
      p.report.notChecked(line, `${accepted}; the account's token needs the gateway, and atlassian:baseUrl is not an origin`);
      return;
    }
    const as = p.client.withOptions({ siteAdmin: { email: account.email, apiToken: token }, cloudId, maxRetries: 0, ...(p.client.siteUrl !== undefined ? { siteUrl: gateway } : {}) });
    try {
      const path = `/ex/jira/${encodeURIComponent(cloudId)}/rest/api/3/myself`;
      const r = await this.#poll("for the rule's Jira access to land", async () => {
        try {
          await as.request({ method: "GET", auth: "site", path, schema: z.unknown(), opts });
          return true;
        } catch (err) {
          if (err instanceof APIError && err.status === 401) return err;
          throw err;
        }
      });
      if (r.value === true) p.report.holds(line, `${accepted}, and a token of the account reached Jira (${MYSELF} 200) ${when(r)}`);
      else
        p.report.differs(
          line,
          `${accepted}, but a token of the account still got ${describeError(r.value)} from Jira (${MYSELF}) ${when(r)}: the rule gave no Jira access`,
          "APP_ACCESS_PERMISSION_RULE: the role and resource that give Jira access (a third party saw the console take role ARIs such as ari:cloud:jira-software::role/product/member); or, if access lands later, a longer --access-wait",
        );
    } finally {
      as.close();
    }
  }

  /**
   * SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ: whether Atlassian's documented read of a user's role
   * assignments answers for the service account the create gave a rule (the provider reads app
   * access back through it), and whether it lists the rule's site yet.
   */
  async #roleAssignments(account: ServiceAccount, cloudId: string): Promise<void> {
    const { p } = this;
    const line: LineName = "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ";
    const atlassianId = productAccountIdOf(account);
    if (!atlassianId) {
      p.report.notChecked(line, "the throwaway account was listed without an atlassianId, the id the read takes");
      return;
    }
    const read = "GET …/directories/-/users/{atlassianId}/role-assignments";
    try {
      const entries = await p.client.directoryUsers.roleAssignments(atlassianId, { signal: p.signal });
      const site = jiraRule(cloudId).resource;
      const listed = entries.some((e) => e.resourceId === site || e.resourceId === `ari:cloud:jira::site/${cloudId}`);
      p.report.holds(line, `${read} answered for the service account (${entries.length} ${entries.length === 1 ? "entry" : "entries"}; Jira on the site ${listed ? "listed" : "not listed yet: access may land later"})`);
    } catch (err) {
      if (p.signal.aborted) throw err;
      if (isUserNotFound(err)) {
        p.report.differs(
          line,
          `${read} answered ${describeError(err)} for the service account: Atlassian does not show a service account's role assignments`,
          'SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ = "userNotFound": the provider then keeps the declared appAccess (it does already, on this answer)',
        );
      } else {
        p.report.notChecked(line, `${read} was refused: ${describeError(err)}${err instanceof APIError && (err.status === 401 || err.status === 403) ? " (scope read:directories:admin)" : ""}`);
      }
    }
  }

  /**
   * The create's `additionalGroups` (SERVICE_ACCOUNT_CREATE_FIELDS), then GROUP_ADD_AFTER_CREATE:
   * the account taken out of the group and added again by the Organizations API.
   */
  async groups(account: ServiceAccount): Promise<void> {
    const { p } = this;
    const line: LineName = "GROUP_ADD_AFTER_CREATE";
    const g = this.o.group;
    if (!g) return;
    const where = `group ${q(g.name)} (${g.id})`;
    const productId = productAccountIdOf(account);
    if (!productId) {
      p.report.notChecked(line, "the throwaway account was listed without an atlassianId, the id a group takes");
      return;
    }
    const groups = p.client.directoryGroups;
    const opts = { signal: p.signal };
    const isMember = () => groups.hasMember(g, productId, opts);
    const membership = this.cleanup.add({ what: `the throwaway account's membership of ${where}`, id: productId, undo: () => groups.removeMember(g, productId) });

    if (!this.#refused.has(GROUPS)) {
      const r = await this.#poll(`for ${where} to list the account its create put there`, async () => (await isMember()) || false);
      if (r.value) {
        if (p.report.status("SERVICE_ACCOUNT_CREATE_FIELDS") === "holds") p.report.holds("SERVICE_ACCOUNT_CREATE_FIELDS", `${p.report.text("SERVICE_ACCOUNT_CREATE_FIELDS")}; ${GROUPS} ${q([g.id])} put it in ${where}`);
        await groups.removeMember(g, productId, opts);
        if (await isMember()) {
          p.report.notChecked(line, `${where} still lists the account after its membership from the create was removed (the DELETE answered), so adding it again could not be tried; deleting the account ends the membership`);
          return;
        }
      } else {
        p.report.differs(
          "SERVICE_ACCOUNT_CREATE_FIELDS",
          `the create took ${GROUPS} ${q([g.id])}, but ${where} does not list the account ${when(r)}`,
          `SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups: the field Atlassian's create takes for its "additional group memberships"`,
        );
      }
    }

    const added = await this.#poll(`for ${where} to take the account`, async () => {
      try {
        await groups.addMember(g, productId, opts);
        return true;
      } catch (err) {
        if (isUserNotFound(err)) return err as APIError;
        throw err;
      }
    }).catch((err: unknown) => {
      if (p.signal.aborted || !(err instanceof APIError) || (err.status !== 401 && err.status !== 403)) throw err;
      p.report.notChecked(line, `${MEMBERSHIPS} was refused (${describeError(err)}): the group routes take an unscoped org key (atlassian:apiKey)`);
      return undefined;
    });
    if (added === undefined) return;
    if (added.value !== true) {
      const seen = `${MEMBERSHIPS} for the just-created account answered ${describeError(added.value)} ${when(added)}: a service account cannot join a group after its creation`;
      if (GROUP_ADD_AFTER_CREATE === "refused") p.report.holds(line, seen);
      else p.report.differs(line, seen, 'GROUP_ADD_AFTER_CREATE = "refused"; the stand-in\'s groupAddAfterCreate default (backend/atlassian.ts) = "refused"');
      this.cleanup.done(membership);
      return;
    }
    const listed = await isMember();
    const seen = listed
      ? `${MEMBERSHIPS} answered 204 and ${where} lists the account: a service account can join a group after its creation`
      : `${MEMBERSHIPS} answered 204, but ${where} does not list the account`;
    if (listed && GROUP_ADD_AFTER_CREATE === "allowed") p.report.holds(line, seen);
    else
      p.report.differs(
        line,
        seen,
        listed
          ? 'GROUP_ADD_AFTER_CREATE = "allowed": then ServiceAccount.groups could change in place (provider/targets/capabilities.ts GROUPS_CHANGE_UNSUPPORTED), and the stand-in\'s groupAddAfterCreate default (backend/atlassian.ts) = "allowed"'
          : "GROUP_ADD_AFTER_CREATE: what the membership route does with a service account",
      );
    await groups.removeMember(g, productId, opts);
    if (await isMember()) throw new Error(`removing the account from ${where} answered, but the group still lists it`);
    this.cleanup.done(membership);
  }

  /** Runs `look` now, then every {@link POLL_MS} until it answers `true` or the wait ends; answers its last answer. */
  async #poll<T>(what: string, look: () => Promise<true | T>): Promise<{ value: true | T; ms: number; tries: number }> {
    const started = Date.now();
    let told = false;
    for (let tries = 1; ; tries++) {
      const value = await look();
      const ms = Date.now() - started;
      if (value === true || ms >= this.o.waitMs) return { value, ms, tries };
      if (!told) {
        this.p.say(`waiting ${what} (every ${POLL_MS / 1000} s, up to ${this.o.waitMs / 1000} s)…`);
        told = true;
      }
      await sleep(Math.min(POLL_MS, this.o.waitMs - ms), this.p.signal);
    }
  }
}

/** When a poll ended: at once, or after how long and how many tries. */
const when = (r: { ms: number; tries: number }) => (r.tries === 1 ? "at the first try" : `after ${(r.ms / 1000).toFixed(1)} s (${r.tries} tries)`);
