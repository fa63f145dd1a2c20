import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startBackend } from "../../backend";

describe("backend: the replay copy of a token secret", () => {
  it("is stored sealed, and erased once it is older than 10 minutes", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-replay-"));
    try {
      const b = await startBackend({ dataDir, port: 0, rateLimit: "0" });
      const base = `${b.url}/admin/api-access/v1/orgs/${b.orgId}`;
      const headers = { authorization: `Bearer ${b.adminKey}`, "content-type": "application/json" };
      const a = (await (await fetch(`${base}/service-accounts`, { method: "POST", headers, body: JSON.stringify({ displayName: "replay-copy" }) })).json()) as any;
      const res = await fetch(`${base}/service-accounts/${a.id}/api-tokens`, {
        method: "POST",
        headers: { ...headers, "idempotency-key": "replay-copy-1" },
        body: JSON.stringify({ label: "t", scopes: ["read:jira-work"], expiresInDays: 5 }),
      });
      const token = ((await res.json()) as any).token as string;
      await b.close();

      const boxes = () => {
        const db = new DatabaseSync(path.join(dataDir, "identity.sqlite"));
        try {
          return db.prepare("SELECT body, secret_box FROM idempotency").all() as { body: string; secret_box: string | null }[];
        } finally {
          db.close();
        }
      };
      const before = boxes();
      expect(before).to.have.length(1);
      expect(before[0]!.secret_box).to.be.a("string");
      expect(before[0]!.body.includes(token) || before[0]!.secret_box!.includes(token), "the secret is stored in plaintext").to.equal(false);

      const later = await startBackend({ dataDir, port: 0, now: () => new Date(Date.now() + 11 * 60_000) });
      await later.close();
      const after = boxes();
      expect(after).to.have.length(1);
      expect(after[0]!.secret_box).to.equal(null);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("starts with durability full as well", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-full-"));
    try {
      const b = await startBackend({ dataDir, port: 0, durability: "full" });
      const res = await fetch(`${b.url}/admin/api-access/v1/orgs/${b.orgId}/service-accounts`, {
        method: "POST",
        headers: { authorization: `Bearer ${b.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ displayName: "full-sync" }),
      });
      expect(res.status).to.equal(201);
      await b.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
