import { expect } from "chai";
import * as fs from "node:fs";
import { basic, expectAdminError, expectJiraError, harness, uniqueName } from "./helper";

const SPEC = "error5xx=0.2,throttle=0.15,reset=0.1,latencyMs=0-5,seed=42";

/** Statuses of `n` admin reads in sequence; a reset connection is "reset". */
async function sequence(spec: string, n: number): Promise<(number | "reset")[]> {
  const b = await harness({ faults: spec });
  try {
    const out: (number | "reset")[] = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push((await b.call("GET", "/service-accounts")).status);
      } catch {
        out.push("reset");
      }
    }
    return out;
  } finally {
    await b.close();
  }
}

describe("backend: injected faults", function () {
  this.timeout(30_000);

  it("are reproducible with the same seed, and differ with another", async () => {
    const a = await sequence(SPEC, 60);
    const again = await sequence(SPEC, 60);
    const other = await sequence(SPEC.replace("seed=42", "seed=43"), 60);
    expect(again).to.deep.equal(a);
    expect(other).to.not.deep.equal(a);
    expect(a).to.include.members([200, 500, 429, "reset"]);
  });

  it("answer in Atlassian's admin error shape, Retry-After on a throttle, and count in /metrics", async () => {
    const b = await harness({ faults: "error5xx=0.5,throttle=0.5,seed=1" });
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const res = await b.call("GET", "/service-accounts");
        seen.add(res.status);
        expectAdminError(res, res.status, res.status === 429 ? "ADMIN-429-1" : "ADMIN-500-1");
        if (res.status === 429) expect(res.headers.get("retry-after")).to.equal("1");
        expect(res.text).to.not.match(/at \w+ \(|node_modules|\.ts:/);
      }
      expect([...seen].sort()).to.deep.equal([429, 500]);
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      expect(metrics).to.match(/injected_faults_total\{kind="error5xx"\} \d+/);
      expect(metrics).to.match(/http_requests_total\{method="GET",route="\/admin\/api-access\/v1\/orgs\/:orgId\/service-accounts",status="500"\} \d+/);
    } finally {
      await b.close();
    }
  });

  it("leave the product plane's reads and operations alone", async () => {
    const b = await harness({ faults: "error5xx=1,seed=3" });
    try {
      expect((await b.call("POST", "/service-accounts", { displayName: uniqueName("f") })).status).to.equal(500);
      expect((await b.call("GET", "/healthz")).status).to.equal(200);
      expect((await b.call("GET", "/metrics")).status).to.equal(200);
      const r = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ENG", basic("x@serviceaccount.atlassian.com", "pasat_" + "q".repeat(43)));
      expect(r.status).to.equal(401);
    } finally {
      await b.close();
    }
  });

  it("refuse a malformed spec at start", async () => {
    for (const faults of ["error5xx=2", "latencyMs=9-1", "explode=0.1", "seed=x", "error5xx=0.6,throttle=0.6", "lost=1.5", "reset=0.5,lost=0.6"]) {
      let failed = false;
      try {
        const b = await harness({ faults });
        await b.close();
      } catch (e) {
        failed = true;
        expect((e as Error).message).to.match(/--faults/);
      }
      expect(failed, faults).to.equal(true);
    }
  });

  it("lost=1: every answer is lost, as a reset or a 500 chosen by the seeded generator", async () => {
    const b = await harness({ faults: "lost=1,seed=5" });
    try {
      const outcomes: (number | "reset")[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          const res = await b.call("POST", "/service-accounts", { displayName: "Lost Answer" });
          expectAdminError(res, 500, "ADMIN-500-1");
          expect(res.body.errors[0].detail).to.include("lost");
          outcomes.push(res.status);
        } catch (e) {
          if ((e as Error).name === "AssertionError") throw e;
          outcomes.push("reset");
        }
      }
      expect(outcomes).to.include.members([500, "reset"]);
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      expect(metrics).to.match(/injected_faults_total\{kind="lost"\} 6/);
    } finally {
      await b.close();
    }
  });

  it("lost=1: a create's answer is lost but the account exists, and each retry makes another (read back without faults)", async () => {
    const b = await harness({ faults: "lost=1,seed=9", keepDir: true });
    const dataDir = b.dataDir;
    try {
      for (let i = 0; i < 3; i++) await b.call("POST", "/service-accounts", { displayName: "Landed" }).catch(() => undefined);
    } finally {
      await b.close();
    }
    const again = await harness({ dataDir, orgId: b.orgId, adminKey: b.adminKey });
    try {
      const items = (await again.ok("GET", "/service-accounts")).items.filter((a: any) => a.displayName === "Landed");
      expect(items).to.have.length(3);
    } finally {
      await again.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("apply to the product plane's role writes too, in Jira's own shape", async () => {
    const b = await harness({ faults: "error5xx=1,seed=3" });
    try {
      const admin = basic(b.siteAdmin.email, b.siteAdmin.token);
      const res = await b.product("POST", "/ex/jira/{cloudId}/rest/api/3/project/ENG/role/10002", admin, { user: [b.siteAdmin.accountId] });
      expect(expectJiraError(res, 500)).to.include("injected fault");
      expect((await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ENG", admin)).status).to.equal(200);
    } finally {
      await b.close();
    }
  });
});
