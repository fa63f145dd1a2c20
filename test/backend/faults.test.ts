import { expect } from "chai";
import { basic, harness, uniqueName } from "./helper";

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

  it("answer with the contract's retryable errors, Retry-After on a throttle, and count in /metrics", async () => {
    const b = await harness({ faults: "error5xx=0.5,throttle=0.5,seed=1" });
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const res = await b.call("GET", "/service-accounts");
        seen.add(res.status);
        expect(res.body.errors[0].meta.retryable).to.equal(true);
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

  it("leave the product plane and operations alone", async () => {
    const b = await harness({ faults: "error5xx=1,seed=3" });
    try {
      expect((await b.call("POST", "/service-accounts", { name: uniqueName("f") })).status).to.equal(500);
      expect((await b.call("GET", "/healthz")).status).to.equal(200);
      expect((await b.call("GET", "/metrics")).status).to.equal(200);
      const r = await b.product("GET", "/ex/jira/{cloudId}/rest/api/3/project/ENG", basic("x@serviceaccount.atlassian.com", "pasat_" + "q".repeat(43)));
      expect(r.status).to.equal(401);
    } finally {
      await b.close();
    }
  });

  it("refuse a malformed spec at start", async () => {
    for (const faults of ["error5xx=2", "latencyMs=9-1", "explode=0.1", "seed=x", "error5xx=0.6,throttle=0.6"]) {
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
});
