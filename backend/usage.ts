/**
 * Group commit for the product plane's writes (a token's lastUsedAt and its
 * `api-token.used` audit event). Uses arriving in the same turn of the event loop are
 * written in one transaction, and each request is answered only after that transaction
 * has committed, so an answered request's audit event is as durable as any other write,
 * at a fraction of the cost of one transaction per request.
 */
import type { Store } from "./store";

type Write = () => void;

export class GroupCommit {
  private pending: { write: Write; done: (e?: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  /** Resolves once `write` has committed (with whatever else came in meanwhile). */
  run(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      this.store.transaction(() => {
        for (const b of batch) b.write();
      });
    } catch (e) {
      for (const b of batch) b.done(e);
      return;
    }
    for (const b of batch) b.done();
  }
}
