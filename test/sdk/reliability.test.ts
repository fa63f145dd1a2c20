/**
 * The client's retries against the real backend with injected faults, rate limits and
 * latency: writes are never repeated, Retry-After is honoured, timeouts fire.
 */
import { expect } from "chai";
import { ConnectionError, RateLimitError, TimeoutError, type RetryInfo } from "../../sdk";
import { startTestBackend, type TestBackend } from "./backend";

const TOKEN = { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };

describe("sdk client reliability against the real backend", () => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  describe("with 5xx, throttling, latency and connection resets injected", () => {
    it("100 creates make exactly 100 service accounts, none twice", async function () {
      this.timeout(60_000);
      backend = await startTestBackend({
        plan: "enterprise",
        faults: "error5xx=0.2,throttle=0.1,latencyMs=5-50,reset=0.05,seed=20261128",
      });
      const retries: RetryInfo[] = [];
      // Enough retries that a run of bad draws cannot exhaust them; the injected throttle's
      // Retry-After (1 s) is capped so that the run stays short.
      const client = backend.client({ maxRetries: 15, maxRetryAfterMs: 20, onRetry: (r) => retries.push(r) });
      const names = Array.from({ length: 100 }, (_, i) => `fleet-${String(i).padStart(3, "0")}`);
      const created: string[] = [];
      const queue = [...names];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            created.push((await client.serviceAccounts.create({ name })).id);
          }
        }),
      );

      const listed = await client.serviceAccounts.list({ limit: 100 }).toArray();
      expect(listed.map((a) => a.name).sort()).to.deep.equal(names);
      expect(new Set(listed.map((a) => a.id)).size).to.equal(100);
      expect(new Set(created)).to.deep.equal(new Set(listed.map((a) => a.id)));
      // The run met every kind of fault, so the retries above were really exercised.
      const kinds = new Set(retries.map((r) => (r.status === undefined ? r.error.constructor.name : String(r.status))));
      expect([...kinds]).to.include.members(["500", "429", "ConnectionError"]);
    });
  });

  describe("when an answer is lost after the server has acted", () => {
    // latency 300 ms and a 100 ms timeout: the first attempt times out on the client while
    // the server still performs it; the retries carry the same Idempotency-Key.
    const lostAnswers = () => startTestBackend({ faults: "latencyMs=300-300" });

    it("a retried create of a service account succeeds and makes one account", async () => {
      backend = await lostAnswers();
      const retries: RetryInfo[] = [];
      const client = backend.client({ timeoutMs: 100, maxRetries: 10, onRetry: (r) => retries.push(r) });
      const sa = await client.serviceAccounts.create({ name: "lost-answer" });
      expect(retries[0]?.error).to.be.instanceOf(TimeoutError);
      await new Promise((r) => setTimeout(r, 400)); // let every attempt the server still holds finish
      const all = await client.serviceAccounts.list({}, { timeoutMs: 5_000 }).toArray();
      expect(all.map((a) => a.id)).to.deep.equal([sa.id]);
    });

    it("a retried create of an api token makes one token, not one per attempt", async () => {
      backend = await lostAnswers();
      const setup = backend.client({ timeoutMs: 5_000 });
      const sa = await setup.serviceAccounts.create({ name: "lost-token" });
      const retries: RetryInfo[] = [];
      const client = backend.client({ timeoutMs: 100, maxRetries: 10, onRetry: (r) => retries.push(r) });
      const token = await client.apiTokens.create(sa.id, TOKEN);
      expect(retries[0]?.error).to.be.instanceOf(TimeoutError);
      await new Promise((r) => setTimeout(r, 400));
      const all = await setup.apiTokens.list(sa.id).toArray();
      expect(all.map((t) => t.id), `${retries.length + 1} attempts with one Idempotency-Key`).to.deep.equal([token.id]);
    });
  });

  describe("rate limits", () => {
    it("a 429 is retried after the server's Retry-After, measured", async function () {
      this.timeout(10_000);
      backend = await startTestBackend({ rateLimit: "2/1" });
      const retries: RetryInfo[] = [];
      const client = backend.client({ onRetry: (r) => retries.push(r) });
      await client.serviceAccounts.list();
      await client.serviceAccounts.list();
      const started = performance.now();
      await client.serviceAccounts.list();
      const waited = performance.now() - started;
      expect(retries).to.have.length(1);
      expect(retries[0]!.status).to.equal(429);
      const retryAfterMs = retries[0]!.retryAfterMs!;
      expect(retryAfterMs).to.be.at.least(1000);
      expect(retries[0]!.delayMs).to.equal(retryAfterMs);
      expect(waited).to.be.at.least(retryAfterMs - 5); // timers may fire a hair early
    });

    it("with retries off, a 429 is a RateLimitError that carries the wait", async () => {
      backend = await startTestBackend({ rateLimit: "1/60" });
      const client = backend.client({ maxRetries: 0 });
      await client.serviceAccounts.list();
      const err = await client.serviceAccounts.list().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(RateLimitError).and.include({ status: 429, code: "rate.limited", retryable: true });
      expect((err as RateLimitError).retryAfterMs).to.be.within(1000, 60_000);
    });
  });

  describe("timeouts and dead servers", () => {
    it("no answer within timeoutMs is a TimeoutError", async () => {
      backend = await startTestBackend({ faults: "latencyMs=500-500" });
      const client = backend.client({ timeoutMs: 100, maxRetries: 0 });
      const started = performance.now();
      const err = await client.serviceAccounts.list().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TimeoutError).with.property("timeoutMs", 100);
      expect(performance.now() - started).to.be.below(450);
    });

    it("a server that is gone is a ConnectionError after the retries", async () => {
      backend = await startTestBackend();
      const retries: RetryInfo[] = [];
      const client = backend.client({ maxRetries: 2, onRetry: (r) => retries.push(r) });
      await backend.close();
      backend = undefined;
      const err = await client.serviceAccounts.list().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConnectionError).with.property("errno", "ECONNREFUSED");
      expect(retries).to.have.length(2);
    });
  });
});
