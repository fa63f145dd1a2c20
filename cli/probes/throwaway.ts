/**
 * `--write`: what only a throwaway service account can show. It is created (display name
 * `pasa-doctor-<random>`), listed, its description PATCHed, granted a Jira role (measuring how
 * long after its creation a grant first succeeds) and a Confluence space role or v1
 * permissions, and removed from both; its tokens are revoked, and it is deleted.
 *
 * Everything made is registered with a {@link Cleanup} before the request that makes it is
 * sent, so that whatever stops the run (Ctrl-C, a failure, a refusal half way) the doctor
 * still undoes it; what it cannot undo it names, with its id.
 */
import { randomBytes } from "node:crypto";
import {
  CONFLUENCE_LEVEL_PERMISSIONS,
  NEW_ACCOUNT_GRANT_RETRY,
  QUOTA_ERROR_CODES,
  QUOTA_ERROR_TEXT,
  SERVICE_ACCOUNT_CREATE_FIELDS,
  SERVICE_ACCOUNT_PATCH_ID_FIELD,
  SERVICE_ACCOUNT_PATH_ID_FIELD,
  SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD,
} from "../../sdk/atlassian-assumptions";
import { APIError, isAmbiguousWriteFailure, isNotFound, isProductNotFound, isQuotaExceeded } from "../../sdk/errors";
import { hasUser } from "../../sdk/resources/jira-project-roles";
import { adminIdOf, ServiceAccount, productAccountIdOf } from "../../sdk/resources/service-accounts";
import { accountsPath, call, listAccounts, sleep, tokensPath, type Probe } from "./context";
import type { ErrorSample } from "./admin";
import type { RoleMapping, Site } from "./product";
import { clip, describeError, q, STAND_IN_DEFAULTS, type LineName } from "./report";

/** What the doctor made: undone, in reverse order, by {@link Cleanup.run}. */
export interface Made {
  /** What it is, for messages. */
  what: string;
  /** The id to name it by when it could not be undone. */
  id: string;
  /** Undoes it; a text answered says what happened instead of "removed". */
  undo(): Promise<string | void>;
}

/** What the doctor must undo. Each thing is undone once, by the probe that made it or at the end. */
export class Cleanup {
  readonly #pending: Made[] = [];

  /** Registers `made` before the request that makes it is sent. */
  add(made: Made): Made {
    this.#pending.push(made);
    return made;
  }

  /** `made` was undone by the probe itself. */
  done(made: Made): void {
    const i = this.#pending.indexOf(made);
    if (i >= 0) this.#pending.splice(i, 1);
  }

  pending(): readonly Made[] {
    return [...this.#pending];
  }

  /** Undoes everything still pending, newest first, each on its own; answers what was undone and what was left. */
  async run(say: (line: string) => void): Promise<{ undone: Made[]; left: { what: string; id: string; error: string }[] }> {
    const undone: Made[] = [];
    const left: { what: string; id: string; error: string }[] = [];
    while (this.#pending.length > 0) {
      const made = this.#pending.pop()!;
      try {
        const said = await made.undo();
        undone.push(made);
        say(said ?? `removed ${made.what} (${made.id})`);
      } catch (err) {
        left.push({ what: made.what, id: made.id, error: describeError(err) });
        say(`could not remove ${made.what} (${made.id}): ${describeError(err)}`);
      }
    }
    return { undone, left };
  }
}

/** What the JSON report says of the throwaway account. */
export interface ThrowawayRecord {
  displayName: string;
  id?: string;
  atlassianId?: string;
  email?: string;
  /** The fields of the create's answer. */
  fields?: string[];
  /** The PATCH reply: the account, nothing (204 or an empty body), or a partial body. */
  patchReply?: "account" | "empty" | "partial";
  /** Seconds from the create's answer to the first grant that succeeded. */
  grantableAfterS?: number;
  tokensRevoked?: boolean;
  deleted: boolean;
}

/** The lines only the throwaway account can settle. */
export const WRITE_LINES: readonly LineName[] = [
  "SERVICE_ACCOUNT_CREATE_FIELDS",
  "QUOTA_ERROR_CODES",
  "QUOTA_ERROR_TEXT",
  "quota refusal status",
  "SERVICE_ACCOUNT_PATCH_ID_FIELD",
  "PATCH reply",
  "SERVICE_ACCOUNT_PATH_ID_FIELD",
  "NEW_ACCOUNT_GRANT_RETRY",
];

/** How often a grant to the new account is tried while it answers 404. */
const POLL_MS = 2_000;
/** How long the doctor waits for the new account to become grantable: twice the provider's budget, to measure past it. */
const READY_LIMIT_MS = 2 * NEW_ACCOUNT_GRANT_RETRY.withinMs;
/** How long a change may take to show in the list. */
const LIST_SETTLE_MS = 5_000;

export interface WriteTargets {
  site: Site | undefined;
  mapping: RoleMapping;
  /** Re-runs the read-only probes that needed an account and found none. */
  withAccount(account: ServiceAccount): Promise<void>;
  /** Where the errors seen go (a second DELETE of the deleted account), for ADMIN_ERROR_CODES. */
  errors: ErrorSample[];
  /** Fields the create sends besides its display name and description (`--app-access`, `--group`). */
  extras?: CreateExtras;
}

/**
 * Fields of the create body that other probes judge (permission rules, groups). Should the
 * create with them be refused, their probe is told, and the throwaway account is made without
 * them, so that the other write lines are still checked.
 */
export interface CreateExtras {
  body: Record<string, unknown>;
  /** The create with `body` was refused (a 4xx that is neither the plan's limit, nor auth, nor 429). */
  refused(err: APIError, sent: string): void;
}

/** The throwaway account's life: create, PATCH, grants, revoke, delete. Judges the write lines. */
export async function throwaway(p: Probe, t: WriteTargets, cleanup: Cleanup, record: ThrowawayRecord): Promise<void> {
  const description = `made by pulumi-atlassian-service-accounts doctor at ${new Date().toISOString()}; safe to delete`;
  let account: ServiceAccount | undefined;
  const accountMade = cleanup.add({
    what: `the throwaway service account ${record.displayName}`,
    get id() {
      return account?.id ?? `display name ${record.displayName}`;
    },
    undo: () => deleteByHand(p, record.displayName, account),
  });

  const created = await create(p, record.displayName, description, t.extras);
  if (created === "refused") cleanup.done(accountMade);
  if (created === undefined || created === "refused") return;
  account = created.account;
  Object.assign(record, { id: account.id, atlassianId: productAccountIdOf(account), email: account.email, fields: created.fields });
  p.say(`created the throwaway service account ${record.displayName} (id ${account.id}, ${account.email})`);

  // Listed? Then the read-only probes that found no account look at this one.
  const listed = await until(p, async () => (await listAccounts(p)).find((a) => a.id === account!.id));
  if (listed) {
    account = listed;
    await t.withAccount(listed);
  }
  await patch(p, account, description, record);
  await grants(p, t, cleanup, account, created.atMs, record);
  const deletedAt = await remove(p, account, record);
  if (deletedAt === undefined) return;
  cleanup.done(accountMade);
  // Deleted twice: the 404 the provider meets when an account was deleted by hand.
  try {
    await call(p, "DELETE", deletedAt);
    t.errors.push({ what: "a second DELETE of the deleted account", expect: "not found", note: "a second DELETE of the deleted account answered 2xx" });
  } catch (err) {
    if (!(err instanceof APIError)) throw err;
    t.errors.push({ what: "a second DELETE of the deleted account", expect: "not found", error: err });
  }
}

/** `POST /service-accounts` with the assumed body; judges the create and quota lines. */
async function create(p: Probe, displayName: string, description: string, extras?: CreateExtras): Promise<{ account: ServiceAccount; fields: string[]; atMs: number } | "refused" | undefined> {
  const body = { [SERVICE_ACCOUNT_CREATE_FIELDS.displayName]: displayName, [SERVICE_ACCOUNT_CREATE_FIELDS.description]: description, ...extras?.body };
  const sent = `{${Object.keys(body).join(", ")}}`;
  let reply: unknown;
  try {
    reply = await call(p, "POST", accountsPath(p), { body });
  } catch (err) {
    if (p.signal.aborted) throw err;
    if (isAmbiguousWriteFailure(err)) {
      // It may have made one: the cleanup looks for it by its display name.
      p.report.notCheckedRest(WRITE_LINES, `the create got no clear answer (${describeError(err)}); the account may exist`);
      return undefined;
    }
    if (isQuotaExceeded(err)) {
      judgeQuota(p, err);
      p.report.notChecked("SERVICE_ACCOUNT_CREATE_FIELDS", `the org is full: ${describeError(err)}`);
      p.report.notCheckedRest(WRITE_LINES, "no throwaway account: the org is full");
    } else if (err instanceof APIError && (err.status === 401 || err.status === 403)) {
      p.report.notCheckedRest(WRITE_LINES, `the key may not create a service account (${describeError(err)}): --write needs write:service-accounts:admin`);
    } else if (err instanceof APIError && err.status >= 400 && err.status < 500 && err.status !== 429 && extras !== undefined) {
      // Refused with the extra fields: their probe says so; the account is made without them.
      extras.refused(err, sent);
      return create(p, displayName, description);
    } else if (err instanceof APIError && err.status >= 400 && err.status < 500 && err.status !== 429) {
      p.report.differs("SERVICE_ACCOUNT_CREATE_FIELDS", `POST …/service-accounts ${sent} was refused: ${describeError(err)}`, "SERVICE_ACCOUNT_CREATE_FIELDS: the create body's field names (and any field it demands)");
      p.report.notCheckedRest(WRITE_LINES, "no throwaway account: the create was refused");
    } else {
      throw err;
    }
    return "refused";
  }
  const atMs = Date.now();
  p.report.notCheckedRest(QUOTA_LINES, "the org is not full (the create succeeded); a create in a full org shows the refusal");
  const fields = reply && typeof reply === "object" ? Object.keys(reply).sort() : [];
  const account = ServiceAccount.safeParse(reply);
  if (!account.success) {
    p.report.differs(
      "SERVICE_ACCOUNT_CREATE_FIELDS",
      `POST …/service-accounts ${sent} answered, but not with an account (fields: ${fields.join(", ") || "none"})`,
      "ServiceAccount in sdk/resources/service-accounts.ts: what the create answers",
    );
    // It may still have made one: the cleanup finds it by its display name.
    p.report.notCheckedRest(WRITE_LINES, "the create's answer did not read as an account");
    return undefined;
  }
  // A refusal of the extra fields, before this create without them, keeps its verdict.
  if (!p.report.judged("SERVICE_ACCOUNT_CREATE_FIELDS")) p.report.holds("SERVICE_ACCOUNT_CREATE_FIELDS", `POST …/service-accounts ${sent} made ${q(displayName)}: email ${account.data.email} (generated); fields ${fields.join(", ")}`);
  return { account: account.data, fields, atMs };
}

/** The lines a create in a full org settles. */
export const QUOTA_LINES: readonly LineName[] = ["QUOTA_ERROR_CODES", "QUOTA_ERROR_TEXT", "quota refusal status"];

/** QUOTA_ERROR_CODES, QUOTA_ERROR_TEXT and the refusal's status, from a create refused because the org is full. */
function judgeQuota(p: Probe, err: APIError): void {
  const said = describeError(err);
  if (String(err.status) === STAND_IN_DEFAULTS.quotaStatus) p.report.holds("quota refusal status", `a create in a full org answered ${err.status}`);
  else
    p.report.differs(
      "quota refusal status",
      `a create in a full org answered ${err.status}, not ${STAND_IN_DEFAULTS.quotaStatus}`,
      `nothing in the sdk (it reads a 402, and a 409 that names a quota or licence, as the plan's limit); the stand-in's quotaStatus default (backend/atlassian.ts) = "${err.status}"`,
    );
  if (err.code !== undefined && QUOTA_ERROR_CODES.includes(err.code)) p.report.holds("QUOTA_ERROR_CODES", `a create in a full org answered ${said}`);
  else p.report.differs("QUOTA_ERROR_CODES", `a create in a full org answered ${said}`, `QUOTA_ERROR_CODES: add ${q(err.code ?? "(none)")}${err.status === 402 ? " (the sdk reads a 402 as a quota failure whatever its code)" : ""}`);
  if ([err.code, err.title, err.detail].some((t) => t !== undefined && QUOTA_ERROR_TEXT.test(t))) p.report.holds("QUOTA_ERROR_TEXT", `its words match ${QUOTA_ERROR_TEXT}`);
  else p.report.differs("QUOTA_ERROR_TEXT", `its code, title and detail do not match ${QUOTA_ERROR_TEXT}: ${said}`, "QUOTA_ERROR_TEXT: words of this refusal");
}

/**
 * `PATCH /service-accounts` with the account named in the body: the assumed field first, then
 * the other name, each with the admin id and then the atlassianId, until one changes the
 * description (as the list then shows).
 */
async function patch(p: Probe, account: ServiceAccount, description: string, record: ThrowawayRecord): Promise<void> {
  const wanted = `${description} (updated)`;
  const otherField = SERVICE_ACCOUNT_PATCH_ID_FIELD === "serviceAccountId" ? "id" : "serviceAccountId";
  const tries: { field: string; idField: "id" | "atlassianId"; value: string }[] = [];
  for (const idField of ["id", "atlassianId"] as const) {
    const value = idField === "id" ? account.id : account.atlassianId;
    if (value) for (const field of [SERVICE_ACCOUNT_PATCH_ID_FIELD, otherField]) tries.push({ field, idField, value });
  }
  const refusals: string[] = [];
  for (const t of tries) {
    let reply: unknown;
    try {
      reply = await call(p, "PATCH", accountsPath(p), { body: { [t.field]: t.value, description: wanted } });
    } catch (err) {
      if (err instanceof APIError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 429) {
        refusals.push(`{${t.field}: <${t.idField}>} answered ${clip(describeError(err), 120)}`);
        continue;
      }
      throw err;
    }
    const changed = await until(p, async () => (await listAccounts(p)).find((a) => a.id === account.id && a.description === wanted));
    if (!changed) {
      refusals.push(`{${t.field}: <${t.idField}>} answered but the description did not change`);
      continue;
    }
    const how = `PATCH …/service-accounts {${t.field}: <its ${t.idField}>, description} changed the description`;
    if (t.field === SERVICE_ACCOUNT_PATCH_ID_FIELD && t.idField === "id") p.report.holds("SERVICE_ACCOUNT_PATCH_ID_FIELD", how);
    else
      p.report.differs(
        "SERVICE_ACCOUNT_PATCH_ID_FIELD",
        `${how}; ${refusals.join("; ")}`,
        `SERVICE_ACCOUNT_PATCH_ID_FIELD = "${t.field}"${t.idField === "id" ? "" : ", naming the account by its atlassianId (ServiceAccounts.update)"}, and the stand-in's PATCH route`,
      );
    judgePatchReply(p, reply, account, record);
    return;
  }
  p.report.differs("SERVICE_ACCOUNT_PATCH_ID_FIELD", `no PATCH naming the account changed it: ${refusals.join("; ")}`, "SERVICE_ACCOUNT_PATCH_ID_FIELD and ServiceAccounts.update: how the PATCH names the account");
  p.report.notChecked("PATCH reply", "no PATCH succeeded");
}

/** Whether the PATCH answered the account, nothing, or part of it (the sdk copes with all three; the stand-in plays the first by default). */
function judgePatchReply(p: Probe, reply: unknown, account: ServiceAccount, record: ThrowawayRecord): void {
  const parsed = ServiceAccount.safeParse(reply);
  const form = reply === undefined || reply === null || reply === "" ? "empty" : parsed.success && parsed.data.id === account.id ? "account" : "partial";
  record.patchReply = form;
  const words = { account: "200 with the account", empty: "no body (204 or empty)", partial: `a body that is not the account (${q(reply)})` };
  if (form === STAND_IN_DEFAULTS.patchReply) p.report.holds("PATCH reply", `the PATCH answered ${words[form]}`);
  else p.report.differs("PATCH reply", `the PATCH answered ${words[form]}`, `nothing in the sdk (ServiceAccounts.update merges what it sent); the stand-in's patchReply default (backend/atlassian.ts) = "${form}"`);
}

/** Runs `grant` until it stops answering 404 (the new account not grantable yet), every 2 s, for up to {@link READY_LIMIT_MS}. */
async function whenReady<T>(p: Probe, where: string, createdAtMs: number, grant: () => Promise<T>): Promise<{ granted: true; value: T; afterMs: number; tries: number } | { granted: false; afterMs: number; tries: number; error: APIError }> {
  let told = false;
  for (let tries = 1; ; tries++) {
    try {
      const value = await grant();
      return { granted: true, value, afterMs: Date.now() - createdAtMs, tries };
    } catch (err) {
      if (!isProductNotFound(err)) throw err;
      if (Date.now() - createdAtMs >= READY_LIMIT_MS) return { granted: false, afterMs: Date.now() - createdAtMs, tries, error: err };
      if (!told) {
        p.say(`waiting for the new account to become grantable on ${where} (a grant every ${POLL_MS / 1000} s, up to ${READY_LIMIT_MS / 1000} s)…`);
        told = true;
      }
      await sleep(POLL_MS, p.signal);
    }
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** NEW_ACCOUNT_GRANT_RETRY from the first grant to the new account. */
function judgeWindow(p: Probe, where: string, r: { granted: boolean; afterMs: number; tries: number; error?: APIError }, record: ThrowawayRecord): void {
  const budget = NEW_ACCOUNT_GRANT_RETRY.withinMs;
  if (!r.granted) {
    p.report.differs(
      "NEW_ACCOUNT_GRANT_RETRY",
      `${where} still answered ${describeError(r.error)} ${seconds(r.afterMs)} after the create (${r.tries} tries)`,
      `NEW_ACCOUNT_GRANT_RETRY.withinMs beyond ${READY_LIMIT_MS} (or the product does not know the account by the id it is given)`,
    );
    return;
  }
  record.grantableAfterS = Math.round(r.afterMs / 100) / 10;
  const when = r.tries === 1 ? "at the first try" : `${seconds(r.afterMs)} after the create (${r.tries} tries)`;
  if (r.afterMs <= budget) p.report.holds("NEW_ACCOUNT_GRANT_RETRY", `${where} took a grant ${when}; the provider retries a 404 for ${budget / 1000} s`);
  else
    p.report.differs(
      "NEW_ACCOUNT_GRANT_RETRY",
      `${where} took a grant only ${when}; the provider gives up after ${budget / 1000} s`,
      `NEW_ACCOUNT_GRANT_RETRY.withinMs = ${Math.ceil((r.afterMs * 1.5) / 10_000) * 10_000}`,
    );
}

/** The Jira role and the Confluence access, each granted and removed. */
async function grants(p: Probe, t: WriteTargets, cleanup: Cleanup, account: ServiceAccount, createdAtMs: number, record: ThrowawayRecord): Promise<void> {
  // Without a working site admin, the product lines say so at the end of the run.
  if (t.site === undefined) return;
  const productId = productAccountIdOf(account);
  const jira = t.site.jiraProject;
  const viewer = jira?.roles.find((r) => r.name === t.mapping.jira.viewer);
  if (jira && viewer) {
    const where = `Jira project ${jira.key}`;
    const made = cleanup.add({ what: `the ${viewer.name} role of ${where}`, id: productId, undo: () => p.client.jiraProjectRoles.removeUser(jira.key, viewer.id, productId) });
    const r = await whenReady(p, where, createdAtMs, () => p.client.jiraProjectRoles.addUsers(jira.key, viewer.id, [productId], { signal: p.signal }));
    judgeWindow(p, where, r, record);
    if (r.granted) {
      const role = await p.client.jiraProjectRoles.retrieve(jira.key, viewer.id, { signal: p.signal });
      if (role && hasUser(role, productId) && !p.report.judged("SERVICE_ACCOUNT_PRODUCT_ID_FIELD")) {
        p.report.holds("SERVICE_ACCOUNT_PRODUCT_ID_FIELD", `a Jira role grant took the account's atlassianId, and the role lists it`);
      }
      await p.client.jiraProjectRoles.removeUser(jira.key, viewer.id, productId, { signal: p.signal });
      cleanup.done(made);
    }
  } else {
    p.report.notChecked("NEW_ACCOUNT_GRANT_RETRY", jira ? `project ${jira.key} has no role ${q(t.mapping.jira.viewer)} to grant` : "give --jira-project KEY (or --confluence-space KEY) with --write");
  }
  const conf = t.site.confluence;
  if (conf?.space) {
    if (conf.mode === "PRE_ROLES") await v1Permissions(p, cleanup, conf.space, productId, createdAtMs, record);
    else await spaceRole(p, t, cleanup, conf.space, conf.roles ?? [], productId, createdAtMs, record);
  }
}

async function spaceRole(
  p: Probe,
  t: WriteTargets,
  cleanup: Cleanup,
  space: { id: string; key: string },
  roles: readonly { id: string; name: string }[],
  productId: string,
  createdAtMs: number,
  record: ThrowawayRecord,
): Promise<void> {
  const role = roles.find((r) => r.name === t.mapping.confluence.viewer);
  if (!role) return;
  const where = `Confluence space ${space.key}`;
  const roles$ = p.client.confluenceSpaceRoles;
  const made = cleanup.add({ what: `the ${role.name} role in ${where}`, id: productId, undo: () => roles$.assign(space.id, productId, null) });
  try {
    const r = await whenReady(p, where, createdAtMs, () => roles$.assign(space.id, productId, role.id, { signal: p.signal }));
    if (!p.report.judged("NEW_ACCOUNT_GRANT_RETRY")) judgeWindow(p, where, r, record);
    if (!r.granted) throw r.error;
    const held = (await roles$.assignmentsOf(space.id, productId, { signal: p.signal })).map((a) => a.roleId);
    if (!held.includes(role.id)) throw new Error(`the assignment answered, but the space does not list ${role.name} for the account`);
    await roles$.assign(space.id, productId, null, { signal: p.signal });
    const after = await roles$.assignmentsOf(space.id, productId, { signal: p.signal });
    if (after.length > 0) throw new Error(`removing the assignment answered, but the space still lists it`);
    cleanup.done(made);
    if (p.report.status("CONFLUENCE_DEFAULT_ROLES") === "holds") p.report.holds("CONFLUENCE_DEFAULT_ROLES", `${p.report.text("CONFLUENCE_DEFAULT_ROLES")}; ${role.name} granted to the throwaway account and removed`);
  } catch (err) {
    if (p.signal.aborted) throw err;
    p.report.differs("CONFLUENCE_DEFAULT_ROLES", `assigning ${role.name} in ${space.key} failed: ${describeError(err)}`, "check that the site admin may manage roles in the space (the README's scopes for Confluence)");
  }
}

async function v1Permissions(p: Probe, cleanup: Cleanup, space: { id: string; key: string }, productId: string, createdAtMs: number, record: ThrowawayRecord): Promise<void> {
  const perms = p.client.confluenceSpacePermissions;
  const where = `Confluence space ${space.key}`;
  const set = CONFLUENCE_LEVEL_PERMISSIONS.editor;
  const ops = set.map((o) => `${o.key}/${o.target}`).join(", ");
  const added: string[] = [];
  const undoAll = async () => {
    for (const id of [...added].reverse()) await perms.remove(space.key, id);
    for (const left of await perms.listFor(space.id, productId)) await perms.remove(space.key, left.id);
  };
  const made = cleanup.add({ what: `the v1 permissions of the account in ${where}`, id: productId, undo: undoAll });
  let at = "";
  try {
    for (const [i, op] of set.entries()) {
      at = `${op.key}/${op.target}`;
      const add = () => perms.add(space.key, productId, op, { signal: p.signal });
      if (i === 0) {
        const r = await whenReady(p, where, createdAtMs, add);
        if (!p.report.judged("NEW_ACCOUNT_GRANT_RETRY")) judgeWindow(p, where, r, record);
        if (!r.granted) throw r.error;
        added.push(r.value);
      } else {
        added.push(await add());
      }
    }
    at = "";
    const held = (await perms.listFor(space.id, productId, { signal: p.signal })).map((e) => `${e.operation.key}/${e.operation.targetType}`);
    const lacking = set.map((o) => `${o.key}/${o.target}`).filter((o) => !held.includes(o));
    if (lacking.length) throw new Error(`the space does not list ${lacking.join(", ")} for the account after granting it`);
    await undoAll();
    cleanup.done(made);
    p.report.holds("CONFLUENCE_LEVEL_PERMISSIONS", `the editor set (${ops}) was granted to the throwaway account and removed`);
  } catch (err) {
    if (p.signal.aborted) throw err;
    p.report.differs(
      "CONFLUENCE_LEVEL_PERMISSIONS",
      `${at ? `Confluence refused ${at}` : "granting the editor set failed"}: ${describeError(err)}`,
      "CONFLUENCE_LEVEL_PERMISSIONS: the pairs the site takes (or the site admin's space permissions)",
    );
  }
}

/**
 * Revokes the account's tokens and deletes it, as the provider's delete does; judges
 * SERVICE_ACCOUNT_PATH_ID_FIELD. Answers the path that deleted it, if one did.
 */
async function remove(p: Probe, account: ServiceAccount, record: ThrowawayRecord): Promise<string | undefined> {
  // Revoke all, by the id the token routes answered to (the other one if that is a 404).
  const first = p.state.tokenIdField ?? SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD;
  for (const field of [first, first === "id" ? "atlassianId" : "id"] as const) {
    const id = field === "id" ? account.id : account.atlassianId;
    if (!id) continue;
    try {
      await call(p, "DELETE", tokensPath(p, id));
      record.tokensRevoked = true;
      break;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const other = SERVICE_ACCOUNT_PATH_ID_FIELD === "id" ? "atlassianId" : "id";
  const refusals: string[] = [];
  for (const field of [SERVICE_ACCOUNT_PATH_ID_FIELD, other] as const) {
    const id = account[field];
    if (!id) continue;
    const path = `${accountsPath(p)}/${encodeURIComponent(id)}`;
    try {
      await call(p, "DELETE", path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      refusals.push(`by ${field}: ${describeError(err)}`);
      continue;
    }
    const gone = await until(p, async () => ((await listAccounts(p)).some((a) => a.id === account.id) ? undefined : true));
    if (!gone) {
      p.report.differs("SERVICE_ACCOUNT_PATH_ID_FIELD", `DELETE …/service-accounts/{${field}} answered, but the list still shows the account ${LIST_SETTLE_MS / 1000} s later`, "the provider takes an account as gone only once the list drops it: say how long deletes take");
      return undefined;
    }
    record.deleted = true;
    const how = `DELETE …/service-accounts/{${field}} answered, and the account left the list`;
    if (field === SERVICE_ACCOUNT_PATH_ID_FIELD) p.report.holds("SERVICE_ACCOUNT_PATH_ID_FIELD", how);
    else p.report.differs("SERVICE_ACCOUNT_PATH_ID_FIELD", `${how}; ${refusals.join("; ")}`, `SERVICE_ACCOUNT_PATH_ID_FIELD = "${field}"`);
    return path;
  }
  p.report.differs("SERVICE_ACCOUNT_PATH_ID_FIELD", `no DELETE removed the account: ${refusals.join("; ")}`, "SERVICE_ACCOUNT_PATH_ID_FIELD: the id the delete takes");
  return undefined;
}

/** The cleanup of the account: found by its id, or by its display name when the create's answer never came. */
async function deleteByHand(p: Probe, displayName: string, known: ServiceAccount | undefined): Promise<string | void> {
  const undo = { ...p, signal: new AbortController().signal };
  // A create whose answer never came may still be landing.
  if (known === undefined) await new Promise((r) => setTimeout(r, 1_000));
  const listed = await listAccounts(undo);
  const ours = listed.filter((a) => a.displayName === displayName || a.id === known?.id);
  if (ours.length === 0 && known === undefined) return `no service account named ${displayName} is listed: none was made`;
  for (const a of ours) {
    await p.client.serviceAccountTokens.revokeAll(a);
    await p.client.serviceAccounts.delete(adminIdOf(a));
  }
  const still = (await listAccounts(undo)).filter((a) => a.displayName === displayName || a.id === known?.id);
  if (still.length > 0) throw new Error(`still listed after its DELETE: ${still.map((a) => a.id).join(", ")}`);
}

/** Polls `read` (now, then every second for {@link LIST_SETTLE_MS}) until it answers something. */
async function until<T>(p: Probe, read: () => Promise<T | undefined>): Promise<T | undefined> {
  const end = Date.now() + LIST_SETTLE_MS;
  for (;;) {
    const v = await read();
    if (v !== undefined || Date.now() >= end) return v;
    await sleep(1_000, p.signal);
  }
}

/** A display name no one else has: `pasa-doctor-` and 8 random hex digits. */
export const throwawayName = (): string => `pasa-doctor-${randomBytes(4).toString("hex")}`;

