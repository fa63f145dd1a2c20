/**
 * The `report` command against the real backend: accounts and tokens made by hand (outside
 * any stack) expiring at several distances, its three formats, its exit codes, the audit
 * log's budget, Atlassian's public surfaces only, and never a secret in what it prints.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXTENSION_ROUTES } from "../../backend";
import { collect } from "../../cli/inventory";
import { main } from "../../cli/index";
import { EXIT, LARGE_ORG, parseWindow, report, type ReportIO } from "../../cli/report";
import { resetConfiguration, SETTINGS } from "../../provider/config";
import { Client, SECRET_PATTERN } from "../../sdk";
import { harness, type Harness } from "../backend/helper";
import { withEnv } from "../provider/helpers";

const DAY = 24 * 3600_000;
const NO_SETTINGS = Object.fromEntries(SETTINGS.map((s) => [s.envVar, undefined]));

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the command as the CLI does, its settings from `env` (every other ATLASSIAN_* variable unset), its output captured. */
async function runWithEnv(env: Record<string, string | undefined>, argv: string[], io: Partial<ReportIO> = {}): Promise<Run> {
  let out = "";
  let err = "";
  resetConfiguration();
  const code = await withEnv({ ...NO_SETTINGS, ...env }, () =>
    report.runWith(argv, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      stderrIsTTY: false,
      exportStack: async (stack) => {
        throw new Error(`no stack ${stack} in this test`);
      },
      now: () => new Date(),
      ...io,
    }),
  );
  return { code, out, err };
}

/** Runs the command against the backend `b`, as the CLI does. */
function run(b: Harness, argv: string[], io: Partial<ReportIO> = {}, env: Record<string, string | undefined> = {}): Promise<Run> {
  return runWithEnv({ ATLASSIAN_BASE_URL: b.url, ATLASSIAN_ORG_ID: b.orgId, ATLASSIAN_API_KEY: b.adminKey, ...env }, argv, io);
}

/** Requests by "METHOD route" from the backend's /metrics. */
async function routeCounts(b: Harness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of (await (await fetch(`${b.url}/metrics`)).text()).split("\n")) {
    const m = /^http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.method} ${labels.route}`;
    if (!key.endsWith(" /metrics")) counts[key] = (counts[key] ?? 0) + Number(m[2]);
  }
  return counts;
}

async function requestsDuring(b: Harness, fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await routeCounts(b);
  await fn();
  const after = await routeCounts(b);
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, d]) => (d as number) > 0));
}

const mint = (b: Harness, accountId: string, label: string, days: number) =>
  b.ok("POST", `/service-accounts/${accountId}/api-tokens`, { label, scopes: ["read:jira-work"], expiresInDays: days });

/** What the org holds, made by hand: tokens at several distances, one used, one revoked, an account without tokens, an OAuth client. */
async function handMade(b: Harness) {
  const deploy = await b.ok("POST", "/service-accounts", { displayName: "deploy bot", description: "made in the console" });
  const reader = await b.ok("POST", "/service-accounts", { displayName: "ops | @team" });
  const idle = await b.ok("POST", "/service-accounts", { displayName: "idle" });
  const tokens: Record<string, any> = {};
  for (const d of [1, 5, 13, 15, 40, 200]) tokens[`t${d}`] = await mint(b, deploy.id, `t${d}`, d);
  tokens.old = await mint(b, deploy.id, "old", 30);
  await b.ok("DELETE", `/service-accounts/${deploy.id}/api-tokens/${tokens.old.id}`);
  tokens.used = await mint(b, reader.id, "used", 90);
  await b.ok("POST", `/service-accounts/${reader.id}/scope-bindings`, { resource: "jira:project/OPS", role: "viewer" });
  const auth = `Basic ${Buffer.from(`${reader.email}:${tokens.used.token}`).toString("base64")}`;
  expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/OPS", auth)).status).to.equal(200);
  const client = await b.ok("POST", `/service-accounts/${reader.id}/oauth-clients`, { name: "ops integration" });
  return { deploy, reader, idle, tokens, client, secrets: [b.adminKey, ...Object.values(tokens).map((t) => t.token as string)] };
}

function expectNoSecret(text: string, secrets: string[]): void {
  expect(SECRET_PATTERN.test(text), "something shaped like a secret").to.equal(false);
  secrets.forEach((s, i) => expect(text.includes(s), `secret #${i}`).to.equal(false));
}

describe("cli: report", () => {
  describe("on an org made by hand, two days on", () => {
    let b: Harness;
    let org: Awaited<ReturnType<typeof handMade>>;
    // The report's clock and the backend's, moved together.
    const later = () => new Date(Date.now() + 2 * DAY);
    before(async () => {
      b = await harness();
      org = await handMade(b);
      b.advance(2 * DAY);
    });
    after(async () => {
      resetConfiguration();
      await b.close();
    });

    it("lists every token by days left, the expired one first and the revoked one not at all, with every account and client", async () => {
      const r = await run(b, [], { now: later });
      expect(r.code).to.equal(EXIT.ok);
      expect(r.err).to.equal("");
      const lines = r.out.split("\n");
      const order = lines.map((l) => /\s(t\d+|used|old)\s/.exec(l)?.[1]).filter(Boolean);
      expect(order).to.deep.equal(["t1", "t5", "t13", "t15", "t40", "used", "t200"]);
      const row = (label: string) => lines.find((l) => l.includes(` ${label} `))!;
      expect(row("t1")).to.match(/^\s+-1\s+\d{4}-\d\d-\d\d\s+deploy bot\s+t1\s.*\bexpired$/);
      expect(row("t5")).to.match(/^\s+3\s/);
      expect(row("t200")).to.match(/^\s+198\s/);
      expect(row("used")).to.include(new Date().toISOString().slice(0, 10));
      expect(row("t40")).to.match(/\snever\s+active$/);
      expect(r.out).to.match(/Accounts without tokens:\n.*\n\s+idle\s/);
      expect(r.out).to.match(/OAuth clients:\n.*\n\s+ops integration\s+\S+\s+ops \| @team\s/);
      expect(r.out).to.include("3 service accounts, 7 tokens, 1 OAuth client");
      expectNoSecret(r.out + r.err, org.secrets);
    });

    it("exits 1 when an active token expires within --expiring-within, 0 when none does (an expired one does not count)", async () => {
      const within14 = await run(b, ["--expiring-within", "14d", "--json"], { now: later });
      expect(within14.code).to.equal(EXIT.expiring);
      const json = JSON.parse(within14.out);
      expect(json.expiringWithin.tokens).to.deep.equal([org.tokens.t5.id, org.tokens.t13.id, org.tokens.t15.id]);
      const within12 = JSON.parse((await run(b, ["--expiring-within", "12d", "--json"], { now: later })).out);
      expect(within12.expiringWithin.tokens).to.deep.equal([org.tokens.t5.id, org.tokens.t13.id]);
      const two = await run(b, ["--expiring-within", "2d"], { now: later });
      expect(two.code).to.equal(EXIT.ok);
      expect(two.out).to.include("No active token expires within 2d.");
      const text = await run(b, ["--expiring-within", "14d"], { now: later });
      expect(text.code).to.equal(EXIT.expiring);
      expect(text.out).to.include("3 active tokens expire within 14d.");
      expect(text.out.split("\n").filter((l) => l.startsWith("!"))).to.have.length(3);
    });

    it("prints JSON with every account, token and client, null for what is not known, and no secret", async () => {
      const r = await run(b, ["--json"], { now: later });
      expect(r.code).to.equal(EXIT.ok);
      const json = JSON.parse(r.out);
      expect(json.orgId).to.equal(b.orgId);
      expect(json.accounts.map((a: any) => [a.displayName, a.tokens, a.oauthClients, a.managedBy])).to.deep.equal([
        ["deploy bot", 6, 0, []],
        ["ops | @team", 1, 1, []],
        ["idle", 0, 0, []],
      ]);
      const used = json.tokens.find((t: any) => t.label === "used");
      expect(used).to.include({ lastUsedFrom: "token-list", daysLeft: 88, status: "active" });
      expect(used.lastUsedAt).to.be.a("string");
      expect(used.account).to.deep.equal({ id: org.reader.id, displayName: "ops | @team", email: org.reader.email });
      expect(json.tokens.find((t: any) => t.label === "t40")).to.include({ lastUsedAt: null, lastUsedFrom: "audit-log", daysLeft: 38 });
      expect(json.oauthClients).to.deep.equal([
        { clientId: org.client.clientId, name: "ops integration", status: "ACTIVE", createdAt: new Date(org.client.createdAt).toISOString(), account: used.account, managedBy: [] },
      ]);
      expect(json.auditLog).to.deep.equal({ requests: 1, complete: true });
      expect(json.expiringWithin).to.equal(null);
      expectNoSecret(r.out + r.err, org.secrets);
    });

    it("prints Markdown whose tables a display name cannot break, nor @mention anyone", async () => {
      const r = await run(b, ["--markdown", "--expiring-within", "14d"], { now: later });
      expect(r.code).to.equal(EXIT.expiring);
      expect(r.out).to.include("**3 active tokens expire within 14d.**");
      expect(r.out).to.include("| days left | expires | account | label | created | last used | status |");
      expect(r.out).to.include("| ops \\| @\u200bteam |");
      const expiring = r.out.split("### Tokens")[0]!.split("\n").filter((l) => /^\| \d/.test(l));
      expect(expiring.map((l) => l.split(" | ")[3])).to.deep.equal(["t5", "t13", "t15"]);
      for (const l of r.out.split("\n").filter((x) => x.startsWith("| "))) expect(l.split(/(?<!\\)\|/).length, l).to.be.oneOf([9, 6, 7, 5]);
      expectNoSecret(r.out, org.secrets);
    });

    it("reads the audit log within its budget, and says so when the read was partial", async () => {
      const client = new Client({ baseUrl: b.url, orgId: b.orgId, apiKey: b.adminKey });
      try {
        let inv: Awaited<ReturnType<typeof collect>> | undefined;
        const sent = await requestsDuring(b, async () => {
          inv = await collect(client, { now: later(), auditLog: { limit: 1, maxRequests: 2 } });
        });
        expect(sent["GET /admin/v1/orgs/:orgId/events"]).to.equal(2);
        expect(inv!.auditLog).to.deep.equal({ requests: 2, complete: false });
        expect(inv!.notes.join("\n")).to.include("read in part");
        expect(inv!.tokens.find((t) => t.label === "t40")).to.include({ lastUsedAt: undefined, lastUsedFrom: undefined });
        expect(inv!.tokens.find((t) => t.label === "used")!.lastUsedFrom).to.equal("token-list");
      } finally {
        client.close();
      }
    });

    it("marks what the given stacks manage, reading them with pulumi stack export", async () => {
      const asked: string[] = [];
      const exportStack = async (stack: string) => {
        asked.push(stack);
        const resources =
          stack === "prod"
            ? [
                { type: "pulumi-nodejs:dynamic/atlassian:ServiceAccount", id: org.deploy.id, outputs: { accountId: org.deploy.atlassianId, email: org.deploy.email } },
                { type: "pulumi-nodejs:dynamic/atlassian:ApiToken", id: org.tokens.t5.id, outputs: { token: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } } },
              ]
            : [{ type: "pulumi-nodejs:dynamic/atlassian:ServiceAccount", id: "elsewhere", outputs: { accountId: org.reader.atlassianId } }];
        return JSON.stringify({ version: 3, deployment: { resources } });
      };
      const r = await run(b, ["--json", "--stack", "prod", "--stack", "staging"], { now: later, exportStack });
      expect(asked).to.deep.equal(["prod", "staging"]);
      const json = JSON.parse(r.out);
      expect(json.stacks).to.deep.equal(["prod", "staging"]);
      expect(json.accounts.map((a: any) => [a.displayName, a.managedBy])).to.deep.equal([
        ["deploy bot", ["prod"]],
        ["ops | @team", ["staging"]],
        ["idle", []],
      ]);
      expect(json.tokens.filter((t: any) => t.managedBy.length > 0).map((t: any) => [t.label, t.managedBy])).to.deep.equal([["t5", ["prod"]]]);
      const text = await run(b, ["--stack", "prod"], { now: later, exportStack });
      expect(text.out).to.include("(1 managed by prod)");
      expect(text.out.split("\n").find((l) => l.includes(" t5 "))).to.match(/\sprod$/);
      expect(text.out.split("\n").find((l) => l.includes(" t13 "))).to.match(/\sno$/);
    });

    it("exits 2 on a bad option, a stack it cannot read, missing settings or a refused key, saying what to do and never the key", async () => {
      const cases: [string[], Record<string, string | undefined>, RegExp][] = [
        [["--expiring-within", "two weeks"], {}, /--expiring-within "two weeks" is not a time span; give days or hours, e.g. 14d/],
        [["--json", "--markdown"], {}, /give --json or --markdown, not both/],
        [["--everything"], {}, /Unknown option '--everything'.*see --help/],
        [["--stack=-x"], {}, /--stack "-x" is not a stack name/],
        [["--stack", "prod"], {}, /no stack prod in this test/],
        [[], { ATLASSIAN_ORG_ID: undefined }, /ATLASSIAN_ORG_ID/],
        [[], { ATLASSIAN_API_KEY: `pasak_${"x".repeat(43)}` }, /failed with 401 .*check ATLASSIAN_API_KEY and ATLASSIAN_ORG_ID/],
      ];
      for (const [argv, env, says] of cases) {
        const r = await run(b, argv, { now: later }, env);
        expect(r.code, argv.join(" ")).to.equal(EXIT.error);
        expect(r.err, argv.join(" ")).to.match(says);
        expect(r.out).to.equal("");
        expectNoSecret(r.err, [...org.secrets, `pasak_${"x".repeat(43)}`]);
      }
    });

    it("is the dispatcher's report command", async () => {
      resetConfiguration();
      let said = "";
      const write = process.stderr.write;
      process.stderr.write = ((t: string) => ((said += t), true)) as typeof process.stderr.write;
      let code: number;
      try {
        code = await withEnv({ ...NO_SETTINGS }, () => main(["report", "--expiring-within", "nope"]));
      } finally {
        process.stderr.write = write;
      }
      expect(code).to.equal(EXIT.error);
      expect(said).to.match(/^report: --expiring-within "nope" is not a time span/);
    });
  });

  describe("on Atlassian's public surfaces only, with a token list that has no last use", () => {
    let b: Harness;
    let org: Awaited<ReturnType<typeof handMade>>;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "report-public-"));
    before(async () => {
      // Made through the stand-in's extensions (as an admin does in the console), then served as Atlassian serves it.
      const maker = await harness({ dataDir });
      org = await handMade(maker);
      await maker.close();
      b = await harness({ dataDir, publicOnly: true, atlassian: { tokenPathId: "atlassianId", tokenListLastUsed: "absent", linksNext: "cursor" } });
    });
    after(async () => {
      resetConfiguration();
      await b.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("reads only Atlassian's public lists, takes last use from the audit log within 10 requests, and prints no secret", async () => {
      let r: Run | undefined;
      const sent = await requestsDuring(b, async () => {
        r = await run(b, ["--json", "--expiring-within", "14d"]);
      });
      expect(r!.code, r!.err).to.equal(EXIT.expiring);
      const extensions = new Set(EXTENSION_ROUTES);
      expect(Object.keys(sent).filter((k) => extensions.has(k)), "extensions called").to.deep.equal([]);
      expect(Object.keys(sent).sort()).to.deep.equal([
        "GET /admin/api-access/v1/orgs/:orgId/oauth-clients",
        "GET /admin/api-access/v1/orgs/:orgId/service-accounts",
        "GET /admin/api-access/v1/orgs/:orgId/service-accounts/:id/api-tokens",
        "GET /admin/api-access/v1/orgs/:orgId/service-accounts/:id/oauth-clients",
        "GET /admin/v1/orgs/:orgId/events",
      ]);
      expect(sent["GET /admin/v1/orgs/:orgId/events"]).to.be.at.most(10);
      const json = JSON.parse(r!.out);
      expect(json.accounts).to.have.length(3);
      const used = json.tokens.find((t: any) => t.label === "used");
      expect(used).to.include({ lastUsedFrom: "audit-log" });
      expect(Date.parse(used.lastUsedAt)).to.be.closeTo(Date.now(), 10 * 60_000);
      expect(json.tokens.find((t: any) => t.label === "t40")).to.include({ lastUsedAt: null, lastUsedFrom: "audit-log" });
      expect(json.oauthClients[0].account.displayName).to.equal("ops | @team");
      expect(json.expiringWithin.tokens).to.deep.equal([org.tokens.t1.id, org.tokens.t5.id, org.tokens.t13.id]);
      expectNoSecret(r!.out + r!.err, org.secrets);
    });
  });

  describe("on a large org", () => {
    let b: Harness;
    before(async () => {
      b = await harness({ plan: "enterprise" });
      const made = await Promise.all(Array.from({ length: LARGE_ORG + 20 }, (_, i) => b.ok("POST", "/service-accounts", { displayName: `bulk ${i}` })));
      await Promise.all(made.slice(0, 30).map((a, i) => mint(b, a.id, "ci", 1 + i)));
    });
    after(async () => {
      resetConfiguration();
      await b.close();
    });

    it("writes a progress line to stderr, a line a quarter in a CI log, and none with --quiet", async () => {
      const r = await run(b, ["--json"]);
      expect(r.code).to.equal(EXIT.ok);
      expect(JSON.parse(r.out).accounts).to.have.length(LARGE_ORG + 20);
      const lines = r.err.trim().split("\n");
      expect(lines).to.include(`reading tokens: ${LARGE_ORG + 20}/${LARGE_ORG + 20} accounts`);
      expect(lines.filter((l) => l.startsWith("reading tokens:")).length).to.be.within(4, 6);
      expect(lines.length).to.be.below(20);
      expect((await run(b, ["--json", "--quiet"])).err).to.equal("");
      const onTerminal = await run(b, ["--json"], { stderrIsTTY: true });
      expect(onTerminal.err).to.match(/^\rlisting service accounts: /).and.match(/\r\x1b\[K$/);
      expect(onTerminal.err).to.not.include("\n");
    });

    it("writes no progress line for a small org", async () => {
      const small = await harness();
      try {
        await small.ok("POST", "/service-accounts", { displayName: "only one" });
        const r = await run(small, []);
        expect(r.code).to.equal(EXIT.ok);
        expect(r.err).to.equal("");
      } finally {
        await small.close();
      }
    });
  });

  it("reads a window in days or hours, and refuses anything else", () => {
    expect(parseWindow("14d")).to.equal(14 * DAY);
    expect(parseWindow("14")).to.equal(14 * DAY);
    expect(parseWindow("36h")).to.equal(36 * 3600_000);
    for (const bad of ["", "-1d", "1.5d", "2w", "9999d"]) expect(() => parseWindow(bad), bad).to.throw(/not a time span/);
  });
});

describe("cli: report --stand-in (what a new user tries in a clone)", function () {
  this.timeout(60_000);

  /** The command as `npm run report -- --stand-in …` runs it, with no ATLASSIAN_* variable set. */
  async function standIn(argv: string[]): Promise<Run> {
    const ran = await runWithEnv({}, ["--stand-in", ...argv]);
    resetConfiguration();
    return ran;
  }

  it("reports the seeded org, and its exit code follows --expiring-within (the seeded token expires in 30 days)", async () => {
    const within14 = await standIn(["--expiring-within", "14d", "--json"]);
    expect(within14.code, within14.err).to.equal(EXIT.ok);
    const doc = JSON.parse(within14.out) as { accounts: unknown[]; tokens: { label: string; daysLeft: number }[]; oauthClients: unknown[] };
    expect(doc.accounts).to.have.length(3);
    expect(doc.tokens.map((t) => [t.label, t.daysLeft])).to.deep.equal([["doctor active", 30]]);
    expect(doc.oauthClients).to.have.length(1);
    const within40 = await standIn(["--expiring-within", "40d"]);
    expect(within40.code, within40.err).to.equal(EXIT.expiring);
    expect(within40.out).to.include("1 active token expires within 40d.");
    expect(within40.out + within40.err).not.to.match(SECRET_PATTERN);
  });
});
