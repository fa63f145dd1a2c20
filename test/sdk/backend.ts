/** Starts the real identity backend on a free port with a throwaway data folder, for sdk tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startBackend, type BackendOptions } from "../../backend";
import { Client, type ClientOptions } from "../../sdk";

export interface TestBackend {
  url: string;
  orgId: string;
  adminKey: string;
  /** A client for the backend's org, with short backoff so that tests run quickly. */
  client(options?: ClientOptions): Client;
  close(): Promise<void>;
}

export async function startTestBackend(options: Omit<BackendOptions, "dataDir"> = {}): Promise<TestBackend> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sdk-test-"));
  const backend = await startBackend({ dataDir, port: 0, rateLimit: "0", ...options });
  const clients: Client[] = [];
  return {
    url: backend.url,
    orgId: backend.orgId,
    adminKey: backend.adminKey,
    client(extra = {}) {
      const c = new Client({
        baseUrl: backend.url,
        orgId: backend.orgId,
        apiKey: backend.adminKey,
        retryBaseDelayMs: 5,
        retryMaxDelayMs: 50,
        ...extra,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A key in the issued format, for seeding extra orgs. */
export const seededKey = (tag: string) => `pasak_${tag.padEnd(43, "x").slice(0, 43)}`;
