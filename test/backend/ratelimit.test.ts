import { expect } from "chai";
import { expectAdminError, harness } from "./helper";

describe("backend: rate limits", () => {
  it("counts per API key with X-RateLimit-* headers, then answers 429 with Retry-After", async () => {
    const b = await harness({ rateLimit: "3/30" });
    try {
      const other = (await b.ok("POST", "/api-keys", { label: "other" })).token; // the 1st request of the admin key
      const remaining: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await b.call("GET", "/service-accounts");
        expect(res.status).to.equal(200);
        expect(res.headers.get("x-ratelimit-limit")).to.equal("3");
        const reset = Number(res.headers.get("x-ratelimit-reset"));
        expect(reset).to.be.within(Date.now() / 1000, Date.now() / 1000 + 31);
        remaining.push(res.headers.get("x-ratelimit-remaining")!);
      }
      expect(remaining).to.deep.equal(["1", "0"]);
      const limited = await b.call("GET", "/service-accounts");
      expectAdminError(limited, 429, "ADMIN-429-1", "TOO_MANY_REQUESTS");
      expect(Number(limited.headers.get("retry-after"))).to.be.within(1, 30);
      expect(limited.headers.get("x-ratelimit-remaining")).to.equal("0");
      expect(limited.headers.get("x-request-id")).to.be.a("string");
      // Another key has its own budget.
      expect((await b.call("GET", "/service-accounts", undefined, { key: other })).status).to.equal(200);
    } finally {
      await b.close();
    }
  });

  it("resets after the window", async function () {
    this.timeout(10_000);
    const b = await harness({ rateLimit: "1/1" });
    try {
      expect((await b.call("GET", "/service-accounts")).status).to.equal(200);
      const limited = await b.call("GET", "/service-accounts");
      expect(limited.status).to.equal(429);
      await new Promise((r) => setTimeout(r, Number(limited.headers.get("retry-after")) * 1000 + 50));
      expect((await b.call("GET", "/service-accounts")).status).to.equal(200);
    } finally {
      await b.close();
    }
  });

  it("is off with rate limit 0", async () => {
    const b = await harness({ rateLimit: "0" });
    try {
      for (let i = 0; i < 20; i++) expect((await b.call("GET", "/service-accounts")).status).to.equal(200);
    } finally {
      await b.close();
    }
  });
});
