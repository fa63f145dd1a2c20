import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBackend } from "../../backend";
import { harness } from "./helper";

const KEY_A = "pasak_" + "a".repeat(43);
const KEY_B = "pasak_" + "c".repeat(43);

describe("backend: orgs and keys at start", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-boot-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is idempotent: the same org and key twice serve the same data", async () => {
    const first = await harness({ dataDir: dir, orgId: "org-a", adminKey: KEY_A, plan: "free", cloudId: "site-a" });
    const a = await first.ok("POST", "/service-accounts", { displayName: "boot-twice" });
    await first.close();
    const second = await harness({ dataDir: dir, orgId: "org-a", adminKey: KEY_A });
    try {
      expect(second.cloudId).to.equal("site-a");
      expect((await second.ok("GET", `/service-accounts/${a.id}`)).displayName).to.equal("boot-twice");
      expect((await second.ok("GET", "/api-keys")).total).to.equal(1);
    } finally {
      await second.close();
    }
  });

  it("finds the org of a known admin key given alone", async () => {
    const first = await harness({ dataDir: dir, orgId: "org-a", adminKey: KEY_A, orgs: [{ orgId: "org-b", adminKey: KEY_B }] });
    await first.close();
    const byKey = await harness({ dataDir: dir, adminKey: KEY_B });
    try {
      expect(byKey.orgId).to.equal("org-b");
    } finally {
      await byKey.close();
    }
  });

  it("refuses a key that belongs to another org, and malformed ids or keys", async () => {
    await (await harness({ dataDir: dir, orgId: "org-a", adminKey: KEY_A })).close();
    const refusals = [
      { orgId: "org-b", adminKey: KEY_A },
      { orgId: "../etc", adminKey: KEY_B },
      { orgId: "org-c", adminKey: "short" },
      { orgId: "org-c", adminKey: KEY_B, cloudId: "bad site" },
    ];
    for (const o of refusals) {
      let message = "";
      try {
        const b = await startBackend({ dataDir: dir, port: 0, ...o });
        await b.close();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, JSON.stringify({ ...o, adminKey: "<redacted>" })).to.not.equal("");
      expect(message).to.not.include(KEY_A);
    }
  });
});
