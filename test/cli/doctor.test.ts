/**
 * `doctor` as an admin runs it: the command in a process of its own, pointed by the
 * ATLASSIAN_* variables at the stand-in (the embedded backend in public-only mode, seeded by
 * `cli/stand-in.ts`), in its default readings and with each switch the evidence leaves open.
 * What the stand-in holds afterwards is read with plain `fetch`, not the sdk (which is part
 * of what runs under test).
 */
import { expect } from "chai";
import { startBackend } from "../../backend";
import { startStandIn, STAND_IN_ACCOUNTS, STAND_IN_GROUP, type StandIn, type StandInOptions } from "../../cli/stand-in";
import * as assumptions from "../../sdk/atlassian-assumptions";
import { expectNoSecrets } from "../e2e/fixture";
import { startScriptedServer } from "../sdk/scripted-server";
import { doctor, start } from "./doctor-process";

interface Finding {
  name: string;
  kind: string;
  status: "holds" | "differs" | "not checked";
  seen?: string;
  why?: string;
  fix?: string;
}
interface Document {
  findings: Finding[];
  throwaway: { displayName: string; id?: string; atlassianId?: string; email?: string; deleted: boolean } | null;
  leftBehind: { what: string; id: string }[];
  exitCode: number;
}

/** `doctor --json`: the document, after checking that the exit status agrees with it. */
async function doctorJson(s: StandIn, args: string[]): Promise<Document & { stdout: string; stderr: string }> {
  const r = await doctor(["--json", ...args], s.config);
  let doc: Document;
  try {
    doc = JSON.parse(r.stdout) as Document;
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  expect(r.code, r.stderr).to.equal(doc.exitCode);
  return { ...doc, stdout: r.stdout, stderr: r.stderr };
}

const PLACES = ["--jira-project", "ALPHA", "--confluence-space", "DOCS"];
const named = (doc: Document, name: string) => doc.findings.find((f) => f.name === name)!;
const withStatus = (doc: Document, status: Finding["status"]) => doc.findings.filter((f) => f.status === status).map((f) => f.name);

// ----- the oracle: the stand-in as an admin sees it, through plain HTTP ------------------

async function getJson(url: string, auth: string): Promise<any> {
  const res = await fetch(url, { headers: { authorization: auth } });
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every account in Atlassian's public list (any links.next form). */
async function accounts(s: StandIn): Promise<any[]> {
  const base = `${s.url}/admin/api-access/v1/orgs/${s.orgId}/service-accounts`;
  const out: any[] = [];
  let url: string | undefined = `${base}?limit=50`;
  while (url) {
    const page: any = await getJson(url, `Bearer ${s.apiKey}`);
    out.push(...page.items);
    const next: string | undefined = page.links?.next;
    url = !next ? undefined : /^https?:|^[/?]/.test(next) ? `${base}${new URL(next, base).search}` : `${base}?limit=50&cursor=${encodeURIComponent(next)}`;
  }
  return out;
}

const siteAuth = (s: StandIn) => `Basic ${Buffer.from(`${s.siteAdmin.email}:${s.siteAdmin.token}`).toString("base64")}`;

/** The account ids of a Jira project role's members. */
async function jiraMembers(s: StandIn, project: string, roleName: string): Promise<string[]> {
  const base = `${s.url}/ex/jira/${s.cloudId}/rest/api/3/project/${project}/role`;
  const roles = await getJson(base, siteAuth(s));
  const role = await getJson(`${base}/${String(roles[roleName]).split("/").pop()}`, siteAuth(s));
  return role.actors.map((a: any) => a.actorUser.accountId);
}

/** Every user principal holding a role in a Confluence space. */
async function spaceAssignees(s: StandIn, key: string): Promise<string[]> {
  const wiki = `${s.url}/ex/confluence/${s.cloudId}/wiki`;
  const space = (await getJson(`${wiki}/api/v2/spaces?keys=${key}`, siteAuth(s))).results[0];
  return (await getJson(`${wiki}/api/v2/spaces/${space.id}/role-assignments?limit=250`, siteAuth(s))).results.map((r: any) => r.principal.principalId);
}

/** Tokens minted in the org, by its audit log (the console stand-in's key is unscoped, so it may read it). */
const tokensCreated = async (s: StandIn) =>
  (await getJson(`${s.url}/admin/v1/orgs/${s.orgId}/events?action=api-token.created`, `Bearer ${s.apiKey}`)).data.length as number;
const throwaways = async (s: StandIn) => (await accounts(s)).filter((a) => a.displayName.startsWith("pasa-doctor-"));
/** The constants of sdk/atlassian-assumptions.ts, by name. */
const CONSTANTS = Object.keys(assumptions).filter((k) => k !== "default");
const secretsOf = (s: StandIn) => [s.apiKey, s.siteAdmin.token, Buffer.from(`${s.siteAdmin.email}:${s.siteAdmin.token}`).toString("base64")];

// ------------------------------------------------------------------------------------------

describe("cli doctor: against the stand-in as the evidence has Atlassian (the default readings)", function () {
  this.timeout(120_000);
  let s: StandIn;
  before(async () => {
    s = await startStandIn();
  });
  after(() => s?.close());

  it("read-only: every line holds or says why it was not checked, and nothing changes", async () => {
    const before = await accounts(s);
    const doc = await doctorJson(s, PLACES);
    expect(doc.exitCode).to.equal(0);
    expect(withStatus(doc, "differs")).to.deep.equal([]);
    expect(withStatus(doc, "not checked")).to.have.members([
      "SERVICE_ACCOUNT_CREATE_FIELDS",
      "APP_ACCESS_PERMISSION_RULE",
      "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ",
      "GROUP_ADD_AFTER_CREATE",
      "QUOTA_ERROR_CODES",
      "QUOTA_ERROR_TEXT",
      "quota refusal status",
      "SERVICE_ACCOUNT_PATCH_ID_FIELD",
      "PATCH reply",
      "SERVICE_ACCOUNT_PATH_ID_FIELD",
      "NEW_ACCOUNT_GRANT_RETRY",
      "CONFLUENCE_LEVEL_PERMISSIONS",
      "AUDIT_TOKEN_USE",
      "AUDIT_LOG_REQUESTS_PER_MINUTE",
      "console token mint",
      "single token revoke",
    ]);
    for (const f of doc.findings.filter((x) => x.status === "not checked")) expect(f.why, f.name).to.match(/\w{4}/);
    // The report's other reads: the seeded OAuth client, one account's client list, and an audit log the key may not read.
    expect(named(doc, "OAUTH_CLIENT_STATUS_ACTIVE").seen).to.equal('statuses seen: "ACTIVE"');
    expect(named(doc, "OAUTH_CLIENT_ACCOUNT_LINK").seen).to.match(/^GET …\/service-accounts\/\{id\}\/oauth-clients answers a list/);
    expect(named(doc, "AUDIT_TOKEN_USE").why).to.include("read:events:admin");
    expect(named(doc, "SERVICE_ACCOUNT_PATH_ID_FIELD").why).to.include("--write");
    expect(named(doc, "console token mint").why).to.include("atlassian:consoleRoutes is off");
    expect(named(doc, "CONFLUENCE_LEVEL_PERMISSIONS").why).to.include("role mode (ROLES)");
    // What the seeded org shows: a shared display name, a token of each status, a refused scope.
    expect(named(doc, "SERVICE_ACCOUNT_DISPLAY_NAMES_UNIQUE").seen).to.include(`"${STAND_IN_ACCOUNTS[0]}"`);
    expect(named(doc, "TOKEN_STATUS_VALUES").seen).to.include('"active" (active)').and.to.include('"revoked" (revoked)');
    expect(named(doc, "ADMIN_ERROR_CODES").seen).to.include("404 ADMIN-404-1").and.to.include("401 ADMIN-401-2 INSUFFICIENT_SCOPE");
    expect(named(doc, "JIRA_DEFAULT_ROLES").seen).to.equal("project ALPHA has Viewer, Member, Administrator");
    expect(doc.throwaway).to.equal(null);
    const after = await accounts(s);
    expect(after.map((a) => [a.id, a.description, a.updatedAt])).to.deep.equal(before.map((a) => [a.id, a.description, a.updatedAt]));
    expectNoSecrets(doc.stdout + doc.stderr, "doctor's output", secretsOf(s));
  });

  it("has a line for every constant of sdk/atlassian-assumptions.ts", async () => {
    const doc = await doctorJson(s, []);
    const lines = doc.findings.filter((f) => f.kind === "constant").map((f) => f.name);
    expect(lines).to.have.members(CONSTANTS);
  });

  it("--write: the throwaway account settles the rest, and nothing of it is left: not the account, not its Jira role, not its space role", async () => {
    const membersBefore = await jiraMembers(s, "ALPHA", "Viewer");
    const assigneesBefore = await spaceAssignees(s, "DOCS");
    const r = await doctor(["--write", ...PLACES], s.config);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    // The report for a terminal: one line per assumption, `NAME  holds: …`.
    const lines = new Map(
      r.stdout
        .split("\n")
        .map((l) => /^(\S.*?)\s{2,}(holds|differs|not checked): (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, { status: m[2]!, text: m[3]! }]),
    );
    expect([...lines.keys()]).to.include.members(CONSTANTS);
    const open = [...lines].filter(([, l]) => l.status !== "holds").map(([n, l]) => `${n} ${l.status}: ${l.text}`);
    expect(open).to.have.length(11);
    expect(open.join("\n"))
      .to.match(/APP_ACCESS_PERMISSION_RULE not checked: needs --write --app-access: .*takes a product seat/)
      .and.match(/GROUP_ADD_AFTER_CREATE not checked: needs --write --group <name or id>/)
      .and.match(/SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ not checked: needs --write --app-access/)
      .and.match(/QUOTA_ERROR_CODES not checked: the org is not full/)
      .and.match(/QUOTA_ERROR_TEXT not checked/)
      .and.match(/quota refusal status not checked/)
      .and.match(/CONFLUENCE_LEVEL_PERMISSIONS not checked/)
      .and.match(/AUDIT_TOKEN_USE not checked: the audit log answered/)
      .and.match(/AUDIT_LOG_REQUESTS_PER_MINUTE not checked: only going past it would show it/)
      .and.match(/console token mint not checked: atlassian:consoleRoutes is off/)
      .and.match(/single token revoke not checked: atlassian:consoleRoutes is off/);
    expect(lines.get("NEW_ACCOUNT_GRANT_RETRY")!.text).to.match(/Jira project ALPHA took a grant \d+\.\d s after the create \(\d+ tries\); the provider retries a 404 for 60 s/);
    expect(lines.get("SERVICE_ACCOUNT_CREATE_FIELDS")!.text).to.match(/made "pasa-doctor-[0-9a-f]{8}": email pasa-doctor-[0-9a-f]{8}-[a-z0-9]{10}@serviceaccount\.atlassian\.com/);
    expect(lines.get("CONFLUENCE_DEFAULT_ROLES")!.text).to.include("Viewer granted to the throwaway account and removed");
    expect(r.stdout).to.match(/Throwaway account pasa-doctor-[0-9a-f]{8}: id \S+, atlassianId \S+, email \S+; created with fields .*; deleted\./);
    expect(r.stdout).to.include("Nothing left behind.");
    expect(await throwaways(s)).to.deep.equal([]);
    expect(await jiraMembers(s, "ALPHA", "Viewer")).to.deep.equal(membersBefore);
    expect(await spaceAssignees(s, "DOCS")).to.deep.equal(assigneesBefore);
    expectNoSecrets(r.stdout + r.stderr, "doctor's output", secretsOf(s));
  });
});

describe("cli doctor: with atlassian:consoleRoutes on (a stand-in serving the console's routes)", function () {
  this.timeout(120_000);
  let s: StandIn;
  before(async () => {
    s = await startStandIn({ consoleRoutes: true });
  });
  after(() => s?.close());

  it("read-only: the console lines say they need --write, and nothing is minted", async () => {
    const before = await tokensCreated(s);
    const doc = await doctorJson(s, PLACES);
    expect(named(doc, "console token mint").why).to.include("needs --write");
    expect(named(doc, "single token revoke").why).to.include("needs --write");
    expect(await tokensCreated(s)).to.equal(before);
  });

  it("--write: mints one token of the throwaway account through the console's route and revokes it alone; both lines hold, nothing is left", async () => {
    const before = await tokensCreated(s);
    const doc = await doctorJson(s, ["--write", ...PLACES]);
    expect(named(doc, "console token mint")).to.include({ status: "holds" });
    expect(named(doc, "console token mint").seen).to.include("POST /users/{atlassianId}/manage/api-tokens");
    expect(named(doc, "single token revoke")).to.include({ status: "holds" });
    expect(named(doc, "single token revoke").seen).to.match(/shows the token (revoked|gone)/);
    expect(doc.leftBehind).to.deep.equal([]);
    expect(await throwaways(s)).to.deep.equal([]);
    expect(await tokensCreated(s), "the one token of the throwaway account").to.equal(before + 1);
    expectNoSecrets(doc.stdout + doc.stderr, "doctor's output", secretsOf(s));
  });
});

/** The members of a directory group (the console stand-in's key is unscoped, so it may search them). */
async function groupMembers(s: StandIn, groupId: string): Promise<string[]> {
  const res = await fetch(`${s.url}/admin/v2/orgs/${s.orgId}/directories/-/users/search`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ groupIds: [groupId] }),
  });
  if (!res.ok) throw new Error(`users/search -> ${res.status} ${await res.text()}`);
  return ((await res.json()) as any).data.map((u: any) => u.accountId);
}

describe("cli doctor --write --app-access --group (a console stand-in: tokens can be minted, the key is unscoped)", function () {
  this.timeout(120_000);
  const GROUP = "doctor-probe-group";

  /** A console stand-in in these readings, with one group; runs doctor with both probes and a short wait. */
  async function run(atlassian: StandInOptions["atlassian"]) {
    const s = await startStandIn({ consoleRoutes: true, atlassian });
    const res = await fetch(`${s.url}/admin/v2/orgs/${s.orgId}/directories/default/groups`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: GROUP }),
    });
    expect(res.status, await res.clone().text()).to.be.within(200, 299);
    const groupId = String(((await res.json()) as any).id);
    const doc = await doctorJson(s, ["--write", "--app-access", "--group", GROUP, "--access-wait", "1", ...PLACES]);
    return { s, doc, groupId };
  }

  /** What every run must leave: no account, no membership, no secret in the output. */
  async function nothingLeft(s: StandIn, doc: Document & { stdout: string; stderr: string }, groupId: string) {
    expect(doc.leftBehind).to.deep.equal([]);
    expect(doc.throwaway?.deleted).to.equal(true);
    expect(await throwaways(s)).to.deep.equal([]);
    expect(await groupMembers(s, groupId)).to.deep.equal([]);
    expectNoSecrets(doc.stdout + doc.stderr, "doctor's output", secretsOf(s));
  }

  it("appAccess=enforced, groupAddAfterCreate=refused (the readings the package takes): the rule's token reaches Jira, the create's group holds, the later add is refused; all hold, nothing is left", async () => {
    const { s, doc, groupId } = await run({ appAccess: "enforced", groupAddAfterCreate: "refused" });
    try {
      expect(withStatus(doc, "differs")).to.deep.equal([]);
      expect(doc.exitCode, doc.stderr).to.equal(0);
      // Enforced: only an account whose create named this exact rule gets past Jira's 401.
      const access = named(doc, "APP_ACCESS_PERMISSION_RULE");
      expect(access.status, access.why).to.equal("holds");
      expect(access.seen).to.include(`"resource":"ari:cloud:jira-software::site/${s.cloudId}"`).and.to.include("reached Jira (GET /rest/api/3/myself 200)");
      const create = named(doc, "SERVICE_ACCOUNT_CREATE_FIELDS");
      expect(create.seen).to.include("{displayName, description, permissionRules, additionalGroups}").and.to.include(`additionalGroups ["${groupId}"] put it in group "${GROUP}"`);
      const group = named(doc, "GROUP_ADD_AFTER_CREATE");
      expect(group.status, group.why).to.equal("holds");
      expect(group.seen).to.match(/answered 404 ADMIN-404-8 .*after 1\.\d s \(2 tries\): a service account cannot join a group after its creation/);
      // Atlassian's role-assignment read answers for the service account, and lists the rule's site.
      const read = named(doc, "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ");
      expect(read.status, read.why).to.equal("holds");
      expect(read.seen).to.include("answered for the service account").and.to.include("Jira on the site listed");
      await nothingLeft(s, doc, groupId);
    } finally {
      await s.close();
    }
  });

  it("appAccess=ignored, groupAddAfterCreate=allowed: access is seen all the same; the later add works, so GROUP_ADD_AFTER_CREATE differs, naming the fix; the account leaves the group", async () => {
    const { s, doc, groupId } = await run({ appAccess: "ignored", groupAddAfterCreate: "allowed" });
    try {
      expect(withStatus(doc, "differs")).to.deep.equal(["GROUP_ADD_AFTER_CREATE"]);
      expect(doc.exitCode).to.equal(1);
      expect(named(doc, "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ").status).to.equal("holds");
      expect(named(doc, "APP_ACCESS_PERMISSION_RULE").status).to.equal("holds");
      const group = named(doc, "GROUP_ADD_AFTER_CREATE");
      expect(group.seen).to.equal(`POST …/directories/{directoryId}/groups/{groupId}/memberships {accountId} answered 204 and group "${GROUP}" (${groupId}) lists the account: a service account can join a group after its creation`);
      expect(group.fix).to.include('GROUP_ADD_AFTER_CREATE = "allowed"').and.to.include("GROUPS_CHANGE_UNSUPPORTED");
      await nothingLeft(s, doc, groupId);
    } finally {
      await s.close();
    }
  });

  it("roleAssignmentsRead=userNotFound: SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ differs, naming the other reading; nothing is left", async () => {
    const { s, doc, groupId } = await run({ appAccess: "enforced", groupAddAfterCreate: "refused", roleAssignmentsRead: "userNotFound" });
    try {
      expect(withStatus(doc, "differs")).to.deep.equal(["SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ"]);
      const read = named(doc, "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ");
      expect(read.seen).to.include("404 ADMIN-404-8");
      expect(read.fix).to.include('SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ = "userNotFound"');
      await nothingLeft(s, doc, groupId);
    } finally {
      await s.close();
    }
  });

  it("a scoped key (the group routes refuse it) and no console routes (no token can be minted): both lines say why not, and the account is still made and deleted", async () => {
    const s = await startStandIn({ atlassian: { appAccess: "enforced" } });
    try {
      const doc = await doctorJson(s, ["--write", "--app-access", "--group", "devs", "--access-wait", "0", ...PLACES]);
      expect(withStatus(doc, "differs")).to.deep.equal([]);
      // The stand-in's default key is scoped: the group routes refuse it, and the line says which key they take.
      expect(named(doc, "GROUP_ADD_AFTER_CREATE").why).to.match(/group search was refused \(401 ADMIN-401-2.*\): the group routes take an unscoped org key/);
      expect(named(doc, "APP_ACCESS_PERMISSION_RULE").why).to.match(/^the create took permissionRules .*; whether Jira access lands needs a token of the account, and only the console's mint \(atlassian:consoleRoutes\)/);
      expect(doc.throwaway?.deleted).to.equal(true);
      expect(await throwaways(s)).to.deep.equal([]);
    } finally {
      await s.close();
    }
  });
});

/** Each reading the stand-in can play, and the one line that must then differ, saying what it saw. */
const VARIANTS: { atlassian: StandInOptions["atlassian"]; write: boolean; line: string; seen: RegExp }[] = [
  { atlassian: { linksNext: "relative" }, write: false, line: "LINKS_NEXT_DEFAULT_FORM", seen: /links\.next is a relative URL \("\/admin\/api-access\/v1\/orgs\/[^"]+"\), not an absolute URL/ },
  { atlassian: { linksNext: "cursor" }, write: false, line: "LINKS_NEXT_DEFAULT_FORM", seen: /links\.next is a bare cursor \("[^"/?]+"\), not an absolute URL/ },
  { atlassian: { tokenPathId: "atlassianId" }, write: false, line: "SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD", seen: /take the atlassianId: .*by id: 404 ADMIN-404-1/ },
  { atlassian: { maxPageSize: 100 }, write: false, line: "SERVICE_ACCOUNT_LIST_PAGE_SIZE", seen: /takes limit up to 100, not 80/ },
  { atlassian: { maxPageSize: 50 }, write: false, line: "SERVICE_ACCOUNT_LIST_PAGE_SIZE", seen: /limit=80 refused \(400 ADMIN-400-24.*\); the largest accepted is 50/ },
  { atlassian: { roleModeEndpoint: "absent" }, write: true, line: "space-role-mode endpoint", seen: /space-role-mode answered 404 .*which the provider takes for PRE_ROLES/ },
  { atlassian: { patchReply: "empty" }, write: true, line: "PATCH reply", seen: /answered no body/ },
  { atlassian: { patchReply: "partial" }, write: true, line: "PATCH reply", seen: /a body that is not the account \(\{\}\)/ },
  { atlassian: { patchIdField: "id" }, write: true, line: "SERVICE_ACCOUNT_PATCH_ID_FIELD", seen: /\{id: <its id>, description\} changed the description; \{serviceAccountId: <id>\} answered 400/ },
  { atlassian: { tokenListLastUsed: "absent" }, write: false, line: "TOKEN_LIST_ITEM_FIELDS", seen: /items lack lastActiveAt; they carry id, / },
  { atlassian: { accountReadyDelayMs: 65_000 }, write: true, line: "NEW_ACCOUNT_GRANT_RETRY", seen: /took a grant only 6\d\.\d s after the create .*gives up after 60 s/ },
];

describe("cli doctor: each reading the stand-in plays is reported as the one difference", function () {
  for (const v of VARIANTS) {
    const switches = Object.entries(v.atlassian!).map(([k, val]) => `${k}=${val}`).join(",");
    it(`${switches}: ${v.line} differs, naming what was seen${v.write ? " (--write; nothing left behind)" : ""}`, async function () {
      this.timeout(v.atlassian!.accountReadyDelayMs ? 240_000 : 120_000);
      const s = await startStandIn({ atlassian: v.atlassian });
      try {
        const doc = await doctorJson(s, [...(v.write ? ["--write"] : []), ...PLACES]);
        expect(doc.exitCode, doc.stderr).to.equal(1);
        expect(withStatus(doc, "differs")).to.deep.equal([v.line]);
        const f = named(doc, v.line);
        expect(f.seen).to.match(v.seen);
        expect(f.fix).to.match(/\w{4}/);
        if (v.write) {
          expect(doc.leftBehind).to.deep.equal([]);
          expect(doc.throwaway?.deleted).to.equal(true);
          expect(await throwaways(s)).to.deep.equal([]);
        }
        if (v.atlassian!.roleModeEndpoint === "absent") {
          expect(named(doc, "CONFLUENCE_LEVEL_PERMISSIONS").seen).to.include("was granted to the throwaway account and removed");
        }
        expectNoSecrets(doc.stdout + doc.stderr, "doctor's output", secretsOf(s));
      } finally {
        await s.close();
      }
    });
  }

  it("a role mapping naming a role the project lacks: JIRA_DEFAULT_ROLES differs, naming the project's roles and the setting", async function () {
    this.timeout(120_000);
    const s = await startStandIn();
    try {
      const doc = await doctorJson({ ...s, config: { ...s.config, "atlassian:roleMapping": '{"jira":{"editor":"Developers"}}' } }, PLACES);
      expect(withStatus(doc, "differs")).to.deep.equal(["JIRA_DEFAULT_ROLES"]);
      expect(named(doc, "JIRA_DEFAULT_ROLES").seen).to.equal('project ALPHA lacks "Developers" (editor) (atlassian:roleMapping in force); its roles: Administrator, Member, Viewer');
      expect(named(doc, "JIRA_DEFAULT_ROLES").fix).to.include("atlassian:roleMapping");
    } finally {
      await s.close();
    }
  });
});

describe("cli doctor --write in a full org", function () {
  this.timeout(120_000);

  /** A stand-in on the free plan (5 accounts), filled up. */
  async function fullOrg(atlassian?: StandInOptions["atlassian"]): Promise<StandIn> {
    const s = await startStandIn({ plan: "free", ...(atlassian ? { atlassian } : {}) });
    const base = `${s.url}/admin/api-access/v1/orgs/${s.orgId}/service-accounts`;
    while ((await accounts(s)).length < 5) {
      const res = await fetch(base, { method: "POST", headers: { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json" }, body: JSON.stringify({ displayName: "Filler" }) });
      expect(res.status).to.equal(201);
    }
    return s;
  }

  it("reads the create's refusal as a quota failure (402 ADMIN-402-1) and makes nothing", async () => {
    const s = await fullOrg();
    try {
      const before = (await accounts(s)).map((a) => a.id);
      const doc = await doctorJson(s, ["--write", ...PLACES]);
      expect(doc.exitCode).to.equal(0);
      expect(named(doc, "quota refusal status")).to.include({ status: "holds", seen: "a create in a full org answered 402" });
      expect(named(doc, "QUOTA_ERROR_CODES")).to.include({ status: "holds" });
      expect(named(doc, "QUOTA_ERROR_CODES").seen).to.match(/a create in a full org answered 402 ADMIN-402-1 .*free plan allows 5/);
      expect(named(doc, "QUOTA_ERROR_TEXT").status).to.equal("holds");
      expect(named(doc, "SERVICE_ACCOUNT_CREATE_FIELDS").why).to.include("the org is full");
      expect(named(doc, "SERVICE_ACCOUNT_PATCH_ID_FIELD").why).to.equal("no throwaway account: the org is full");
      expect(doc.throwaway?.id).to.equal(undefined);
      expect((await accounts(s)).map((a) => a.id)).to.deep.equal(before);
    } finally {
      await s.close();
    }
  });

  it("quotaStatus=409: the refusal's status differs (409), and its code and words still read as the quota", async () => {
    const s = await fullOrg({ quotaStatus: "409" });
    try {
      const doc = await doctorJson(s, ["--write", ...PLACES]);
      expect(doc.exitCode).to.equal(1);
      expect(withStatus(doc, "differs")).to.deep.equal(["quota refusal status"]);
      expect(named(doc, "quota refusal status").seen).to.equal("a create in a full org answered 409, not 402");
      expect(named(doc, "quota refusal status").fix).to.include('quotaStatus default (backend/atlassian.ts) = "409"');
      expect(named(doc, "QUOTA_ERROR_CODES").seen).to.include("409 ADMIN-UAM-409-3 Product License Limit Exceeded");
      expect(named(doc, "QUOTA_ERROR_TEXT").status).to.equal("holds");
    } finally {
      await s.close();
    }
  });
});

describe("cli doctor --write, stopped half way", function () {
  this.timeout(180_000);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while it waits for the new account to become grantable: it removes the account and its grant, says so, and exits ${signal === "SIGINT" ? 130 : 143}`, async () => {
      const s = await startStandIn({ atlassian: { accountReadyDelayMs: 60_000 } });
      try {
        const run = start(["--write", ...PLACES], s.config);
        const said = await run.stderrMatching(/waiting for the new account to become grantable/);
        const id = /created the throwaway service account (pasa-doctor-[0-9a-f]{8}) \(id ([^,]+),/.exec(said)!;
        const made = await throwaways(s);
        expect(made.map((a) => a.id), "the account exists while it waits").to.deep.equal([id[2]]);
        run.child.kill(signal);
        const r = await run.done;
        expect(r.code, r.stderr).to.equal(signal === "SIGINT" ? 130 : 143);
        expect(r.stderr).to.include(`${signal}: stopping, then removing what doctor made`);
        expect(r.stderr).to.include(`removed the throwaway service account ${id[1]} (${id[2]})`);
        expect(r.stdout).to.include(`Interrupted by ${signal}.`).and.to.include("Nothing left behind.");
        expect(await throwaways(s)).to.deep.equal([]);
        expect(await jiraMembers(s, "ALPHA", "Viewer")).to.not.include(made[0].atlassianId);
        expectNoSecrets(r.stdout + r.stderr, "doctor's output", secretsOf(s));
      } finally {
        await s.close();
      }
    });
  }

  it("when the backend goes away half way, it names what it could not remove, with its id, and exits 1", async () => {
    const s = await startStandIn({ atlassian: { accountReadyDelayMs: 60_000 } });
    let again: Awaited<ReturnType<typeof startBackend>> | undefined;
    try {
      const run = start(["--write", "--json", ...PLACES], s.config);
      const said = await run.stderrMatching(/waiting for the new account to become grantable/);
      const id = /created the throwaway service account (pasa-doctor-[0-9a-f]{8}) \(id ([^,]+),/.exec(said)![2]!;
      await s.stop();
      const r = await run.done;
      const doc = JSON.parse(r.stdout) as Document;
      expect(r.code).to.equal(1);
      expect(doc.leftBehind.map((l) => l.id)).to.include(id);
      expect(doc.leftBehind.find((l) => l.id === id)!.what).to.match(/^the throwaway service account pasa-doctor-/);
      expect(r.stderr).to.include(`could not remove the throwaway service account`);
      // It is there, as named.
      again = await startBackend({ dataDir: s.dataDir, port: 0, publicOnly: true, siteAdmin: s.siteAdmin, rateLimit: "0" });
      const listed = await accounts({ ...s, url: again.url });
      expect(listed.filter((a) => a.displayName.startsWith("pasa-doctor-")).map((a) => a.id)).to.deep.equal([id]);
    } finally {
      await again?.close();
      await s.close();
    }
  });
});

describe("cli doctor: what it prints holds no secret, error bodies quoted back included", function () {
  this.timeout(60_000);

  it("masks the admin key, the site admin's token and their Basic credential that a server echoes back", async () => {
    const key = "ATCTT3xFfGN0-admin-key-for-the-echo-test";
    const token = "ATATT3xFfGF0-site-token-for-the-echo-test";
    const email = "admin@example.com";
    const basic = Buffer.from(`${email}:${token}`).toString("base64");
    const server = await startScriptedServer();
    server.fallback = {
      status: 401,
      body: { errors: [{ code: "ADMIN-401-1", status: "401", title: "UNAUTHORIZED", detail: `no such key ${key}; got Authorization: Bearer ${key} / Basic ${basic} (token ${token})` }] },
    };
    try {
      const settings = {
        "atlassian:baseUrl": server.url,
        "atlassian:orgId": "org-1",
        "atlassian:apiKey": key,
        "atlassian:cloudId": "cloud-1",
        "atlassian:siteAdminEmail": email,
        "atlassian:siteAdminToken": token,
      };
      for (const json of [false, true]) {
        const r = await doctor(json ? ["--json"] : [], settings);
        expect(r.code).to.equal(1);
        const all = r.stdout + r.stderr;
        const refused = json ? named(JSON.parse(r.stdout) as Document, "atlassian:apiKey") : { status: /^atlassian:apiKey\s+(\w+)/m.exec(r.stdout)?.[1], seen: r.stdout };
        expect(refused.status).to.equal("differs");
        expect(refused.seen).to.include("refused: 401 ADMIN-401-1 UNAUTHORIZED: no such key [REDACTED]; got Authorization: Bearer [REDACTED] / Basic [REDACTED]");
        expect(all).to.include("(token [REDACTED])");
        expectNoSecrets(all, `doctor's ${json ? "JSON" : "report"}`, [key, token, basic]);
      }
    } finally {
      await server.close();
    }
  });

  it("an admin API that does not serve the collection (Atlassian's 'failed to match any route'): ADMIN_API_ROOT differs", async () => {
    const server = await startScriptedServer();
    server.fallback = { status: 404, body: { message: "Request failed to match any route" } };
    try {
      const r = await doctor(["--json"], { "atlassian:baseUrl": server.url, "atlassian:orgId": "org-1", "atlassian:apiKey": "a-key-of-some-length" });
      const doc = JSON.parse(r.stdout) as Document;
      expect(r.code).to.equal(1);
      expect(withStatus(doc, "differs")).to.deep.equal(["ADMIN_API_ROOT"]);
      expect(named(doc, "ADMIN_API_ROOT").seen).to.equal("GET /admin/api-access/v1/orgs/{orgId}/service-accounts answered 404 Request failed to match any route (no such route)");
      expect(named(doc, "site admin base").why).to.equal(
        "no site admin credentials: set atlassian:cloudId (or atlassian:siteUrl), atlassian:siteAdminEmail, atlassian:siteAdminToken (or their ATLASSIAN_* variables)",
      );
    } finally {
      await server.close();
    }
  });
});

describe("cli doctor: usage and settings", function () {
  this.timeout(60_000);

  it("refuses an unknown option, a bad project key and --atlassian without --stand-in, with exit 2 and the fix", async () => {
    const unknown = await doctor(["--wrtie"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include("--wrtie").and.to.include("usage: pulumi-atlassian-service-accounts doctor");
    const key = await doctor(["--jira-project", "alpha"]);
    expect(key.code).to.equal(2);
    expect(key.stderr).to.include("--jira-project must be a Jira project key").and.to.include("e.g. ALPHA");
    const sw = await doctor(["--atlassian", "linksNext=cursor"]);
    expect(sw.code).to.equal(2);
    expect(sw.stderr).to.include("give it with --stand-in");
  });

  it("refuses --app-access and --group without --write, an empty --group, and a bad or lone --access-wait, with exit 2 and the fix", async () => {
    const cases: [string[], string][] = [
      [["--app-access"], "--app-access goes with --write"],
      [["--group", "devs"], "--group goes with --write"],
      [["--write", "--group", " "], "--group must name a group"],
      [["--write", "--access-wait", "5"], "--access-wait goes with --app-access or --group"],
      [["--write", "--app-access", "--access-wait", "601"], "--access-wait must be a whole number of seconds from 0 to 600"],
      [["--write", "--group", "devs", "--access-wait", "1.5"], "--access-wait must be a whole number of seconds from 0 to 600"],
    ];
    for (const [args, says] of cases) {
      const r = await doctor(args);
      expect(r.code, args.join(" ")).to.equal(2);
      expect(r.stderr, args.join(" ")).to.include(says).and.to.include("usage: pulumi-atlassian-service-accounts doctor");
    }
    const help = await doctor(["--help"]);
    expect(help.stdout).to.match(/--app-access .*\n(.*\n)*.*TAKES A PRODUCT SEAT/).and.to.include("--group <name or id>");
  });

  it("names a missing setting and both ways to set it (exit 2)", async () => {
    const r = await doctor([], { "atlassian:apiKey": "a-key-of-some-length" });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include("atlassian:orgId is not set").and.to.include("ATLASSIAN_ORG_ID");
    expect(r.stderr).to.not.include("a-key-of-some-length");
  });

  it("--stand-in --atlassian …: starts its own seeded stand-in in that reading, and reports it", async function () {
    this.timeout(120_000);
    const r = await doctor(["--stand-in", "--atlassian", "tokenPathId=atlassianId", "--json"]);
    const doc = JSON.parse(r.stdout) as Document & { source: string };
    expect(r.code).to.equal(1);
    expect(doc.source).to.include("tokenPathId=atlassianId");
    expect(withStatus(doc, "differs")).to.deep.equal(["SERVICE_ACCOUNT_TOKEN_PATH_ID_FIELD"]);
    expect(named(doc, "JIRA_DEFAULT_ROLES").status, "project ALPHA by default").to.equal("holds");
  });

  it("--stand-in --console-routes --write --app-access --group <the seeded group>: every probe of this package's opt-ins runs, and holds", async function () {
    this.timeout(180_000);
    const r = await doctor(["--stand-in", "--console-routes", "--write", "--app-access", "--group", STAND_IN_GROUP, "--access-wait", "5", "--json"]);
    const doc = JSON.parse(r.stdout) as Document & { source: string };
    expect(r.code, r.stderr).to.equal(0);
    expect(doc.source).to.include("the admin console's routes");
    for (const line of ["APP_ACCESS_PERMISSION_RULE", "SERVICE_ACCOUNT_ROLE_ASSIGNMENTS_READ", "GROUP_ADD_AFTER_CREATE", "console token mint", "single token revoke"]) {
      expect(named(doc, line).status, line).to.equal("holds");
    }
    expect(doc.leftBehind).to.deep.equal([]);
  });

  it("refuses --console-routes without --stand-in (exit 2), naming the setting for an org", async () => {
    const r = await doctor(["--console-routes"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include("give it with --stand-in").and.to.include("atlassian:consoleRoutes");
  });
});
