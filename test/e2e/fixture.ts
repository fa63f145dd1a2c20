/**
 * The real backend for end-to-end tests, and the ways a test looks at it from outside
 * Pulumi: the admin API, the product plane (a token in use), the audit log and /metrics.
 *
 * These reads use plain `fetch`, not the sdk: the sdk is part of what runs under test (the
 * provider speaks through it), so the oracle stays independent of it.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { startBackend } from "../../backend";
import { SECRET_PATTERN, type Plan } from "../../sdk/schemas";

export interface BackendOptions {
  plan?: Plan;
  faults?: string;
  rateLimit?: string;
  /**
   * Atlassian Cloud's path: the backend serves Atlassian's public surfaces only (every
   * extension answers 404), and the stack's `atlassian:target` is `atlassian-cloud`.
   */
  publicOnly?: boolean;
  /** Also serve the admin console's routes (`--console-routes`), which Atlassian does not support. */
  consoleRoutes?: boolean;
  /**
   * The stand-in's readings of what the evidence leaves open (links.next form, which id the
   * token routes take, the PATCH reply, …) and its not-ready window: see the backend's
   * `atlassian` option. Tests default the window to 0 unless they study it.
   */
  atlassian?: Record<string, string | number>;
  /**
   * The stack reaches Jira and Confluence on the site's own URL (`atlassian:siteUrl`, as a
   * site admin with a classic token does) instead of the gateway's `/ex/{product}/{cloudId}`.
   */
  siteUrl?: boolean;
  /** The site's Confluence space-role mode (`--confluence-mode`); PRE_ROLES: access is v1 space permissions. */
  confluenceMode?: "ROLES" | "ROLES_TRANSITION" | "PRE_ROLES";
}

/** The product plane's site admin of every test backend; the token is random per start, and a secret the leak checks look for. */
export interface SiteAdmin {
  email: string;
  token: string;
}

export interface AuditEntry {
  id: string;
  time: string;
  action: string;
  actor: { type: string; id: string };
  target: { type: string; id: string };
  outcome: string;
  clientContext: string | null;
}

/** Audit actions that change something (everything but token use and refusals). */
const MUTATIONS = /\.(created|updated|deleted|revoked)$/;

export class TestBackend {
  private constructor(
    readonly url: string,
    readonly orgId: string,
    readonly cloudId: string,
    readonly adminKey: string,
    private readonly closeServer: () => Promise<void>,
    private readonly dataDir: string,
    readonly siteAdmin: SiteAdmin,
    readonly publicOnly: boolean,
    readonly siteUrl: boolean = false,
  ) {}

  static async start(opts: BackendOptions = {}): Promise<TestBackend> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-backend-"));
    const siteAdmin = { email: "site-admin@example.com", token: `site-admin-${randomUUID()}` };
    const b = await startBackend({
      dataDir,
      port: 0,
      plan: opts.plan ?? "standard",
      faults: opts.faults,
      rateLimit: opts.rateLimit ?? "0",
      logger: false,
      siteAdmin,
      publicOnly: opts.publicOnly ?? false,
      consoleRoutes: opts.consoleRoutes ?? false,
      // The tests that study them set the not-ready window and app access; the rest run without
      // (the backend's defaults follow Atlassian: a new account is not grantable for 3 s in
      // public-only mode, and a token without app access is refused on the products).
      atlassian: { accountReadyDelayMs: 0, appAccess: "ignored", ...opts.atlassian },
      ...(opts.confluenceMode ? { confluenceMode: opts.confluenceMode } : {}),
    } as Parameters<typeof startBackend>[0]);
    return new TestBackend(b.url, b.orgId, b.cloudId, b.adminKey, () => b.close(), dataDir, siteAdmin, opts.publicOnly ?? false, opts.siteUrl ?? false);
  }

  async close(): Promise<void> {
    await this.closeServer();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Stack config that points the provider at this backend; the admin key and the site admin's token are secret config. */
  stackConfig(): { config: Record<string, string>; secretConfig: Record<string, string> } {
    return {
      config: {
        "atlassian:target": this.publicOnly ? "atlassian-cloud" : "embedded",
        "atlassian:baseUrl": this.url,
        "atlassian:orgId": this.orgId,
        ...(this.siteUrl ? { "atlassian:siteUrl": this.url } : { "atlassian:cloudId": this.cloudId }),
        "atlassian:siteAdminEmail": this.siteAdmin.email,
      },
      secretConfig: { "atlassian:apiKey": this.adminKey, "atlassian:siteAdminToken": this.siteAdmin.token },
    };
  }

  // ----- admin API ---------------------------------------------------------------------

  private get base(): string {
    return `${this.url}/admin/api-access/v1/orgs/${this.orgId}`;
  }

  /**
   * One admin request. Retries what the contract calls retryable (429, 5xx, a reset
   * connection), because the fault-injection scenario's backend injects those into every
   * admin request, this test's own reads included.
   */
  /** The org directory's base (Organizations API v2), whose group routes the tests set up and read as an admin would. */
  private get directory(): string {
    return `${this.url}/admin/v2/orgs/${this.orgId}/directories`;
  }

  /** Makes a group of the org's directory (asserting the 201) and returns its id, as the search finds it by name. */
  async makeGroup(name: string): Promise<string> {
    const made = await this.admin("POST", `${this.directory}/default/groups`, { name });
    if (made.status !== 201) throw new Error(`creating group ${name} answered ${made.status}`);
    return (await this.admin("POST", `${this.directory}/-/groups/search`, { groupNames: [name] })).body.data[0].id;
  }

  /** The account ids the group lists (`POST …/users/search {groupIds}`). */
  async groupMembers(groupId: string): Promise<string[]> {
    return (await this.admin("POST", `${this.directory}/default/users/search`, { groupIds: [groupId] })).body.data.map((u: { accountId: string }) => u.accountId);
  }

  /** Takes an account out of a group, as an admin in the console would; the status of the `DELETE`. */
  async removeGroupMember(groupId: string, accountId: string): Promise<number> {
    return (await this.admin("DELETE", `${this.directory}/default/groups/${groupId}/memberships/${accountId}`)).status;
  }

  async admin(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
    const url = p.startsWith("http") ? p : `${p.startsWith("/admin/v1/") ? this.url : this.base}${p}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.adminKey}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            "x-client-context": "e2e-test-oracle",
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if ((res.status === 429 || res.status >= 500) && attempt < 20) {
          await sleep(50 * Math.min(attempt + 1, 5));
          continue;
        }
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      } catch (e) {
        if (attempt >= 20) throw e;
        await sleep(50);
      }
    }
  }

  private async ok(method: string, p: string, body?: unknown): Promise<any> {
    const res = await this.admin(method, p, body);
    if (res.status >= 300) {
      throw new Error(`${method} ${p} -> ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  /** Every item of a paginated admin list, following `links.next`. */
  private async all(p: string): Promise<any[]> {
    const items: any[] = [];
    let next: string | undefined = `${this.base}${p}${p.includes("?") ? "&" : "?"}limit=50`;
    while (next) {
      const page = await this.ok("GET", next);
      items.push(...page.items);
      next = page.links?.next ? this.nextUrl(p, page.links.next) : undefined;
    }
    return items;
  }

  /** The next page's URL, whatever form `links.next` takes (absolute, relative, or a bare cursor). */
  private nextUrl(p: string, next: string): string {
    if (/^https?:|^\/|^\?/.test(next)) {
      const url = new URL(next, `${this.base}${p}`);
      return `${this.base}${p.split("?")[0]}${url.search}`;
    }
    return `${this.base}${p}${p.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(next)}`;
  }

  accounts(): Promise<any[]> {
    return this.all("/service-accounts");
  }
  async account(id: string): Promise<any | null> {
    const res = await this.admin("GET", `/service-accounts/${id}`);
    return res.status === 404 ? null : res.body;
  }
  tokens(accountId: string): Promise<any[]> {
    return this.all(`/service-accounts/${accountId}/api-tokens`);
  }
  bindings(accountId: string): Promise<any[]> {
    return this.all(`/service-accounts/${accountId}/scope-bindings`);
  }
  /** Creates an account by hand, as an admin does in the console: Atlassian's create, a display name and a description. */
  createAccount(displayName: string, description?: string): Promise<any> {
    return this.ok("POST", "/service-accounts", { displayName, ...(description === undefined ? {} : { description }) });
  }
  updateAccount(id: string, patch: Record<string, unknown>): Promise<any> {
    return this.ok("PATCH", `/service-accounts/${id}`, patch);
  }
  async deleteBinding(accountId: string, bindingId: string): Promise<void> {
    await this.ok("DELETE", `/service-accounts/${accountId}/scope-bindings/${bindingId}`);
  }
  async revokeToken(accountId: string, tokenId: string): Promise<void> {
    await this.ok("DELETE", `/service-accounts/${accountId}/api-tokens/${tokenId}`);
  }

  /** The org's audit log, oldest first. */
  async events(): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let next: string | undefined = `${this.url}/admin/v1/orgs/${this.orgId}/events?limit=100`;
    while (next) {
      const page = await this.ok("GET", next);
      for (const e of page.data) {
        const a = e.attributes;
        out.push({
          id: e.id,
          time: a.time,
          action: a.action,
          actor: a.actor,
          target: a.target,
          outcome: a.outcome,
          clientContext: a.context?.clientContext ?? null,
        });
      }
      next = page.links?.next ? new URL(page.links.next, this.url).toString() : undefined;
    }
    // Sort by time, keeping the log's own order for equal times (ids are not ordered).
    return out
      .map((e, i) => ({ e, i }))
      .sort((x, y) => x.e.time.localeCompare(y.e.time) || x.i - y.i)
      .map(({ e }) => e);
  }

  /** Audit entries of mutations (created/updated/deleted/revoked), oldest first. */
  async mutations(): Promise<AuditEntry[]> {
    return (await this.events()).filter((e) => MUTATIONS.test(e.action));
  }

  /** Atlassian's public list, every page: the accounts as Atlassian Cloud shows them (works in public-only mode). */
  publicAccounts(): Promise<any[]> {
    return this.all("/service-accounts");
  }
  /** The account of this id from Atlassian's public list, or null. */
  async publicAccount(id: string): Promise<any | null> {
    return (await this.publicAccounts()).find((a) => a.id === id) ?? null;
  }

  // ----- Jira and Confluence, as a site admin, through the ecosystem's own clients -----

  /** jira.js against this backend's Jira, as the site admin, validating every response against Atlassian's shapes. */
  async jira(): Promise<ReturnType<typeof import("jira.js").createCloudClient>> {
    const { createCloudClient } = await import("jira.js");
    return createCloudClient({
      host: `${this.url}/ex/jira/${this.cloudId}`,
      auth: { type: "basic", email: this.siteAdmin.email, apiToken: this.siteAdmin.token },
      onSchemaMismatch: "throw",
    });
  }

  /** The role of a Jira project of this name: its id, and the account ids of its user members (jira.js). */
  async jiraRole(projectKey: string, roleName: string): Promise<{ id: number; members: string[] }> {
    // The fault-injection scenarios inject failures into the product plane too, this oracle's reads included.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.jiraRoleOnce(projectKey, roleName);
      } catch (e) {
        const status = (e as { status?: number; response?: { status?: number } }).status ?? (e as { response?: { status?: number } }).response?.status;
        if (attempt >= 20 || (status !== undefined && status < 500 && status !== 429)) throw e;
        await sleep(50);
      }
    }
  }

  private async jiraRoleOnce(projectKey: string, roleName: string): Promise<{ id: number; members: string[] }> {
    const jira = await this.jira();
    const roles = (await jira.projectRoles.getProjectRoles({ projectIdOrKey: projectKey })) as Record<string, string>;
    const self = roles[roleName];
    if (!self) throw new Error(`project ${projectKey} has no role ${roleName}: ${Object.keys(roles).join(", ")}`);
    const id = Number(self.split("/").pop());
    const role = await jira.projectRoles.getProjectRole({ projectIdOrKey: projectKey, id });
    const members = (role.actors ?? []).map((a: { actorUser?: { accountId?: string } }) => a.actorUser?.accountId).filter((x): x is string => !!x);
    return { id, members };
  }

  /** Removes an account from a Jira project role behind Pulumi's back (jira.js `projectRoleActors.deleteActor`). */
  async removeFromJiraRole(projectKey: string, roleName: string, accountId: string): Promise<void> {
    const { id } = await this.jiraRole(projectKey, roleName);
    await (await this.jira()).projectRoleActors.deleteActor({ projectIdOrKey: projectKey, id, user: accountId });
  }

  /** confluence.js (v1 and v2) against this backend's Confluence, as the site admin. */
  async confluence(): Promise<{ v1: ReturnType<typeof import("confluence.js").createV1Client>; v2: ReturnType<typeof import("confluence.js").createV2Client> }> {
    const { createV1Client, createV2Client } = await import("confluence.js");
    const host = `${this.url}/ex/confluence/${this.cloudId}`;
    return {
      v1: createV1Client({ host, auth: { type: "basic", email: this.siteAdmin.email, apiToken: this.siteAdmin.token } }),
      v2: createV2Client({ host, auth: { type: "basic", email: this.siteAdmin.email, apiToken: this.siteAdmin.token } } as never),
    };
  }

  /** An account's v1 permissions in a space, `key/target` with their ids, as confluence.js reads them (v2 permission assignments). */
  async spacePermissions(spaceKey: string, accountId: string): Promise<{ id: string; op: string }[]> {
    const { v2 } = await this.confluence();
    const space = (await v2.space.getSpaces({ keys: [spaceKey] })).results?.[0];
    if (!space?.id) return [];
    const out: { id: string; op: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await v2.spacePermissions.getSpacePermissionsAssignments({ id: Number(space.id), limit: 250, ...(cursor ? { cursor } : {}) });
      for (const p of page.results ?? []) {
        if (p.principal?.id === accountId) out.push({ id: String(p.id), op: `${p.operation?.key}/${p.operation?.targetType}` });
      }
      const next = page._links?.next;
      cursor = next ? (new URL(next, this.url).searchParams.get("cursor") ?? undefined) : undefined;
    } while (cursor);
    return out;
  }

  /** Gives an account one v1 space permission by hand, as a space admin does in Confluence (confluence.js). */
  async addSpacePermission(spaceKey: string, accountId: string, key: string, target: string): Promise<void> {
    const { v1 } = await this.confluence();
    await v1.spacePermissions.addPermissionToSpace({ spaceKey, subject: { type: "user", identifier: accountId }, operation: { key, target } as never });
  }

  /** Removes one of an account's v1 space permissions by hand (read/space takes all of them, as in Confluence). */
  async removeSpacePermission(spaceKey: string, accountId: string, op: string): Promise<void> {
    const found = (await this.spacePermissions(spaceKey, accountId)).find((p) => p.op === op);
    if (!found) throw new Error(`${accountId} has no ${op} in ${spaceKey}`);
    const { v1 } = await this.confluence();
    await v1.spacePermissions.removePermission({ spaceKey, id: Number(found.id) });
  }

  // ----- metrics -----------------------------------------------------------------------

  async metricsText(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`);
    expect(res.status).to.equal(200);
    return res.text();
  }

  /**
   * Requests the server counted, by method, from the Prometheus text: the sum of every
   * counter sample with a `method` label whose name ends in `_total` (requests by route and
   * status). `filter` picks routes, e.g. the admin API.
   */
  async requestCounts(filter: (labels: Record<string, string>) => boolean = () => true): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const line of (await this.metricsText()).split("\n")) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*_total)\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
      if (!m) continue;
      const labels: Record<string, string> = {};
      for (const l of m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      if (!labels.method || !filter(labels)) continue;
      counts[labels.method] = (counts[labels.method] ?? 0) + Number(m[3]);
    }
    return counts;
  }

  /** Requests the server counted, by "METHOD route" (the route pattern, e.g. `GET /ex/jira/:cloudId/rest/api/3/project/:projectIdOrKey/role`). */
  async routeCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const line of (await this.metricsText()).split("\n")) {
      const m = /^http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
      if (!m) continue;
      const labels: Record<string, string> = {};
      for (const l of m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      const key = `${labels.method} ${labels.route}`;
      counts[key] = (counts[key] ?? 0) + Number(m[2]);
    }
    return counts;
  }

  /** What `fn` sent, by "METHOD route", from /metrics before and after (the /metrics reads themselves left out). */
  async requestsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = await this.routeCounts();
    await fn();
    const after = await this.routeCounts();
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(after)) {
      const d = v - (before[k] ?? 0);
      if (d > 0 && !k.endsWith(" /metrics")) out[k] = d;
    }
    return out;
  }

  /** Admin API requests by method (routes under /admin/). */
  adminRequestCounts(): Promise<Record<string, number>> {
    return this.requestCounts((l) => (l.route ?? l.path ?? l.url ?? "").startsWith("/admin/"));
  }

  // ----- product plane -----------------------------------------------------------------

  /** A product-plane request as a service account makes it: Basic `<email>:<token>`. */
  async product(email: string, token: string, method: "GET" | "POST", p: string, body?: unknown): Promise<number> {
    const res = await fetch(`${this.url}/ex/${p.replace("{cloudId}", this.cloudId)}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  readJiraProject(email: string, token: string, key: string): Promise<number> {
    return this.product(email, token, "GET", `jira/{cloudId}/rest/api/3/project/${key}`);
  }
  createJiraIssue(email: string, token: string, key: string): Promise<number> {
    return this.product(email, token, "POST", "jira/{cloudId}/rest/api/3/issue", {
      fields: { project: { key }, summary: "e2e" },
    });
  }
  readConfluenceSpace(email: string, token: string, key: string): Promise<number> {
    return this.product(email, token, "GET", `confluence/{cloudId}/wiki/api/v2/spaces/${key}`);
  }
}

/**
 * Asserts that text holds no secret this system issues (SECRET_PATTERN) and none of the
 * given values. On failure it names what leaked and where, never the secret itself.
 */
export function expectNoSecrets(text: string, where: string, secrets: (string | undefined)[] = []): void {
  const m = SECRET_PATTERN.exec(text);
  if (m) {
    // Where it sits, with every secret-shaped string in the excerpt masked.
    const all = new RegExp(SECRET_PATTERN.source, "g");
    const excerpt = text.slice(Math.max(0, m.index - 160), m.index + 60).replace(all, (x) => `${x.slice(0, 6)}<masked>`);
    expect.fail(`${where} holds something shaped like a secret, at offset ${m.index}: …${excerpt}…`);
  }
  secrets.forEach((s, i) => {
    if (!s) return;
    expect(text.includes(s), `${where} holds secret #${i} in plaintext`).to.equal(false);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A display name unique to this test process. */
let counter = 0;
export function accountName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${counter}`.slice(0, 30).replace(/-+$/, "");
}
