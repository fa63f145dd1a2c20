import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { harness, uniqueName } from "./helper";

const ROOT = path.resolve(__dirname, "../..");
const KEY = "pasak_" + "D".repeat(43);

interface Cli {
  proc: ChildProcess;
  line: Record<string, string>;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as users start it (`serve`), from the sources through tsx: no build needed. App
 * access is not what these tests study: the accounts' tokens reach the products whatever it is.
 */
async function startCli(args: string[]): Promise<Cli> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "backend/cli.ts"), "serve", "--atlassian", "appAccess=ignored", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Cli = { proc, line: {}, stdout: "", stderr: "" };
  proc.stderr!.on("data", (d) => (out.stderr += d));
  const first = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! });
    rl.once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`backend exited with ${code}: ${out.stderr}`)));
  });
  out.stdout = first;
  out.line = JSON.parse(first);
  return out;
}

const exited = (p: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    p.exitCode !== null || p.signalCode !== null ? r({ code: p.exitCode, signal: p.signalCode }) : p.once("exit", (code, signal) => r({ code, signal })),
  );

async function api(url: string, orgId: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}/admin/api-access/v1/orgs/${orgId}${p}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("backend: durability", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-durable-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps everything across a restart with the same data dir", async () => {
    const first = await harness({ dataDir: dir, plan: "free" });
    const created = await first.ok("POST", "/service-accounts", { displayName: uniqueName("keep") });
    const a = await first.ok("GET", `/service-accounts/${created.id}`);
    const t = await first.ok("POST", `/service-accounts/${a.id}/api-tokens`, { label: "t", scopes: ["read:jira-work"], expiresInDays: 9 });
    const bind = await first.ok("POST", `/service-accounts/${a.id}/scope-bindings`, { resource: "jira:project/KEEP", role: "viewer" });
    const events = await first.ok("GET", `/admin/v1/orgs/${first.orgId}/events?limit=100`);
    await first.close();

    const second = await harness({ dataDir: dir });
    try {
      expect(second.orgId).to.equal(first.orgId);
      expect(second.cloudId).to.equal(first.cloudId);
      expect(second.adminKey === first.adminKey, "the kept admin key is returned again").to.equal(true);
      expect(await second.ok("GET", `/service-accounts/${a.id}`)).to.deep.equal(a);
      expect((await second.ok("GET", `/service-accounts/${a.id}/scope-bindings/${bind.id}`)).role).to.equal("viewer");
      const auth = `Basic ${Buffer.from(`${a.email}:${t.token}`).toString("base64")}`;
      expect((await second.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/KEEP", auth)).status).to.equal(200);
      const after = await second.ok("GET", `/admin/v1/orgs/${second.orgId}/events?limit=100`);
      expect(after.data.slice(0, events.data.length)).to.deep.equal(events.data);
      // The plan was kept too: the free quota still applies.
      for (let i = 0; i < 4; i++) await second.ok("POST", "/service-accounts", { displayName: uniqueName("keep") });
      expect((await second.call("POST", "/service-accounts", { displayName: uniqueName("keep") })).status).to.equal(402);
    } finally {
      await second.close();
    }
  });

  it("loses no acknowledged write when the process is killed with SIGKILL", async () => {
    const cli = await startCli(["--port", "0", "--data-dir", dir, "--org", "org-durable", "--admin-key", KEY, "--rate-limit", "0"]);
    const { url, orgId } = cli.line;
    expect(cli.line).to.include({ event: "listening", orgId: "org-durable" });
    expect(cli.line).to.not.have.property("adminKey");
    const acked: { account: string; token?: string; binding?: string }[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 5; i++) {
          const a = await api(url!, orgId!, "POST", "/service-accounts", { displayName: `kill-${w}-${i}-${process.pid}` });
          expect(a.status).to.equal(201);
          const entry: (typeof acked)[number] = { account: a.body.id };
          acked.push(entry);
          const t = await api(url!, orgId!, "POST", `/service-accounts/${a.body.id}/api-tokens`, { label: "k", scopes: ["read:jira-work"], expiresInDays: 3 });
          expect(t.status).to.equal(201);
          entry.token = t.body.id;
          const b = await api(url!, orgId!, "POST", `/service-accounts/${a.body.id}/scope-bindings`, { resource: "jira:project/KILL", role: "viewer" });
          expect(b.status).to.equal(201);
          entry.binding = b.body.id;
        }
      }),
    );
    // A product-plane use is a write too (lastUsedAt and an audit event).
    const last = acked[acked.length - 1]!;
    const holder = (await api(url!, orgId!, "GET", `/service-accounts/${last.account}`)).body;
    const minted = await api(url!, orgId!, "POST", `/service-accounts/${last.account}/api-tokens`, { label: "use", scopes: ["read:jira-work"], expiresInDays: 3 });
    const use = await fetch(`${url}/ex/jira/${cli.line.cloudId}/rest/api/3/project/KILL`, {
      headers: { authorization: `Basic ${Buffer.from(`${holder.email}:${minted.body.token}`).toString("base64")}` },
    });
    expect(use.status).to.equal(200);
    cli.proc.kill("SIGKILL");
    expect((await exited(cli.proc)).signal).to.equal("SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--org", "org-durable", "--admin-key", KEY]);
    try {
      for (const e of acked) {
        const base = `/service-accounts/${e.account}`;
        expect((await api(again.line.url!, orgId!, "GET", base)).status).to.equal(200);
        expect((await api(again.line.url!, orgId!, "GET", `${base}/api-tokens/${e.token}`)).status).to.equal(200);
        expect((await api(again.line.url!, orgId!, "GET", `${base}/scope-bindings/${e.binding}`)).status).to.equal(200);
      }
      expect((await api(again.line.url!, orgId!, "GET", "/service-accounts?limit=80")).body.total).to.equal(40);
      const used = await api(again.line.url!, orgId!, "GET", `/service-accounts/${last.account}/api-tokens/${minted.body.id}`);
      expect(used.body.lastUsedAt).to.be.a("string");
      const events = await fetch(`${again.line.url}/admin/v1/orgs/${orgId}/events?action=api-token.used`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(((await events.json()) as any).data.map((e: any) => e.attributes.target.id)).to.include(minted.body.id);
    } finally {
      again.proc.kill("SIGKILL");
      await exited(again.proc);
    }
  });

  it("drains an in-flight request on SIGTERM, then closes the database and exits 0", async () => {
    const cli = await startCli(["--port", "0", "--data-dir", dir, "--org", "org-drain", "--admin-key", KEY, "--faults", "latencyMs=600-600"]);
    const { url, orgId } = cli.line;
    const inflight = api(url!, orgId!, "POST", "/service-accounts", { displayName: uniqueName("drain") });
    await new Promise((r) => setTimeout(r, 200));
    cli.proc.kill("SIGTERM");
    const res = await inflight;
    expect(res.status).to.equal(201);
    expect((await exited(cli.proc)).code).to.equal(0);
    expect(cli.stderr).to.not.match(SECRET_PATTERN);

    const b = await harness({ dataDir: dir, orgId: "org-drain", adminKey: KEY });
    try {
      expect((await b.ok("GET", `/service-accounts/${res.body.id}`)).email).to.equal(res.body.email);
    } finally {
      await b.close();
    }
  });
});

describe("backend: the serve CLI", function () {
  this.timeout(60_000);

  it("creates an org with a fresh key once, prints it once, and keeps it 0600 in the data dir", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-cli-"));
    try {
      const first = await startCli(["--port", "0", "--data-dir", dir, "--plan", "free", "--cloud-id", "cloud-1", "--extra-org", `org-x:${KEY}:enterprise`]);
      expect(first.line.adminKey).to.match(SECRET_PATTERN);
      expect(first.line.cloudId).to.equal("cloud-1");
      const keyFile = path.join(dir, "keys", `${first.line.orgId}.key`);
      expect(fs.statSync(keyFile).mode & 0o777).to.equal(0o600);
      expect(fs.readFileSync(keyFile, "utf8").trim() === first.line.adminKey, "the kept key is the printed key").to.equal(true);
      const extra = await api(first.line.url!, "org-x", "GET", "/service-accounts");
      expect(extra.status).to.equal(200);
      first.proc.kill("SIGTERM");
      expect((await exited(first.proc)).code).to.equal(0);

      const second = await startCli(["--port", "0", "--data-dir", dir]);
      expect(second.line.orgId).to.equal(first.line.orgId);
      expect(second.line.cloudId).to.equal("cloud-1");
      expect(second.line, "no key is printed the second time").to.not.have.property("adminKey");
      expect(second.stdout.trim().split("\n")).to.have.length(1);
      second.proc.kill("SIGTERM");
      await exited(second.proc);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses bad flags with a usage message and exit status 2", async () => {
    for (const args of [
      ["--port", "x", "--data-dir", "/tmp/x"],
      ["--bogus"],
      ["--data-dir", "/tmp/x", "--plan", "gold"],
      ["--data-dir", "/tmp/x", "--rate-limit", "lots"],
      ["--data-dir", "/tmp/x", "--atlassian", "linksNext=url"],
      ["--data-dir", "/tmp/x", "--atlassian", "maxPageSize=0"],
      ["--data-dir", "/tmp/x", "--atlassian", "pageSize"],
    ]) {
      const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "backend/cli.ts"), "serve", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      proc.stderr.on("data", (d) => (err += d));
      const { code } = await exited(proc);
      expect(code, `${args.join(" ")}: ${err}`).to.be.oneOf([1, 2]);
      expect(err).to.match(/backend: /);
      if (args.includes("--atlassian")) {
        expect(code).to.equal(2);
        expect(err).to.match(/--atlassian (linksNext must be absolute, relative, cursor|maxPageSize must be a whole number from 1 to 1000|"pageSize": expected name=value)/);
        expect(err).to.include("accountReadyDelayMs=<0-600000>");
      }
    }
  });
});
