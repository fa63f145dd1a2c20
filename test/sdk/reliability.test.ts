/**
 * The client's retries against the real backend with injected faults, rate limits and
 * latency: a create is never sent twice blindly (the caller reads first), an extension's
 * write is retried with its Idempotency-Key and lands once, Retry-After is honoured,
 * timeouts fire.
 */
import { expect } from "chai";
import { Client, ConnectionError, isAmbiguousWriteFailure, RateLimitError, TimeoutError, type ServiceAccount, type RetryInfo } from "../../sdk";
import { createAccount, startTestBackend, type TestBackend } from "./backend";

/**
 * What the provider does with a create (issue 15): on a failure that may have landed, list
 * before creating again, and take an account of that display name that appeared meanwhile.
 */
async function createWithReadBeforeRetry(client: Client, displayName: string): Promise<ServiceAccount> {
  for (;;) {
    try {
      return await createAccount(client, displayName);
    } catch (err) {
      if (!isAmbiguousWriteFailure(err)) throw err;
      const [found] = await client.serviceAccounts.findByDisplayName(displayName);
      if (found) return found;
    }
  }
}

const TOKEN = { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30 };

describe("sdk client reliability against the real backend", () => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  describe("with 5xx, throttling, latency and connection resets injected", () => {
    const faults = "error5xx=0.2,throttle=0.1,latencyMs=5-50,reset=0.05,seed=20261128";

    it("100 token mints (an extension, with an Idempotency-Key) make exactly 100 tokens, none twice", async function () {
      this.timeout(60_000);
      backend = await startTestBackend({ plan: "enterprise", faults });
      const retries: RetryInfo[] = [];
      // Enough retries that a run of bad draws cannot exhaust them; the injected throttle's
      // Retry-After (1 s) is capped so that the run stays short.
      const client = backend.client({ maxRetries: 15, maxRetryAfterMs: 20, onRetry: (r) => retries.push(r) });
      const holder = await createWithReadBeforeRetry(client, "Fleet token holder");
      const labels = Array.from({ length: 100 }, (_, i) => `fleet-${String(i).padStart(3, "0")}`);
      const minted: string[] = [];
      const queue = [...labels];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let label = queue.shift(); label !== undefined; label = queue.shift()) {
            minted.push((await client.extensions.apiTokens.create(holder.id, { ...TOKEN, label })).id);
          }
        }),
      );
      const listed = await client.serviceAccountTokens.list(holder); // two pages of the backend's default 50
      expect(listed.map((t) => t.label).sort()).to.deep.equal(labels);
      expect(new Set(minted)).to.deep.equal(new Set(listed.map((t) => t.id)));
      // The run met every kind of fault, so the retries above were really exercised.
      const kinds = new Set(retries.map((r) => (r.status === undefined ? r.error.constructor.name : String(r.status))));
      expect([...kinds]).to.include.members(["500", "429", "ConnectionError"]);
    });

    it("30 creates, read before retrying an ambiguous failure, make exactly 30 accounts; no create is retried blindly", async function () {
      this.timeout(60_000);
      backend = await startTestBackend({ plan: "enterprise", faults });
      const retries: RetryInfo[] = [];
      const client = backend.client({ maxRetries: 15, maxRetryAfterMs: 20, onRetry: (r) => retries.push(r) });
      const names = Array.from({ length: 30 }, (_, i) => `Fleet account ${String(i).padStart(2, "0")}`);
      const made: string[] = [];
      for (const name of names) made.push((await createWithReadBeforeRetry(client, name)).id);
      const listed = await client.serviceAccounts.list().toArray();
      expect(listed.map((a) => a.displayName).sort()).to.deep.equal(names);
      expect(new Set(made)).to.deep.equal(new Set(listed.map((a) => a.id)));
      const blind = retries.filter((r) => r.method === "POST" && r.status !== 429 && !(r.error instanceof ConnectionError && r.error.errno === "ECONNREFUSED"));
      expect(blind, "a create is retried only when it cannot have landed").to.deep.equal([]);
    });
  });

  describe("when an answer is lost after the server has acted", () => {
    // latency 300 ms and a 100 ms timeout: the first attempt times out on the client while
    // the server still performs it.
    const lostAnswers = () => startTestBackend({ faults: "latencyMs=300-300" });

    it("(s15 backend) a create whose answer is lost is not retried: an ambiguous failure, and listing finds the one account it made", async () => {
      backend = await lostAnswers();
      const retries: RetryInfo[] = [];
      const client = backend.client({ timeoutMs: 100, maxRetries: 10, onRetry: (r) => retries.push(r) });
      const err = await client.serviceAccounts.create({ displayName: "Lost answer" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TimeoutError);
      expect(isAmbiguousWriteFailure(err)).to.equal(true);
      expect(retries).to.deep.equal([]);
      await new Promise((r) => setTimeout(r, 400)); // let the attempt the server still holds finish
      const found = await client.serviceAccounts.findByDisplayName("Lost answer", { timeoutMs: 5_000 });
      expect(found).to.have.length(1);
    });

    it("a retried mint of an api token (an extension, with an Idempotency-Key) makes one token, not one per attempt", async () => {
      backend = await lostAnswers();
      const setup = backend.client({ timeoutMs: 5_000 });
      const sa = await createAccount(setup, "Lost token");
      const retries: RetryInfo[] = [];
      const client = backend.client({ timeoutMs: 100, maxRetries: 10, onRetry: (r) => retries.push(r) });
      const token = await client.extensions.apiTokens.create(sa.id, TOKEN);
      expect(retries[0]?.error).to.be.instanceOf(TimeoutError);
      await new Promise((r) => setTimeout(r, 400));
      const all = await setup.serviceAccountTokens.list(sa);
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
      expect(err).to.be.instanceOf(RateLimitError).and.include({ status: 429, retryable: true });
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
