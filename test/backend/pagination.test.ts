import { expect } from "chai";
import { expectError, harness, uniqueName, type Harness } from "./helper";

describe("backend: pagination", () => {
  let b: Harness;
  const ids: string[] = [];
  before(async () => {
    b = await harness({ orgs: [{ orgId: "org-page-b", adminKey: "pasak_" + "P".repeat(43) }] });
    for (let i = 0; i < 7; i++) ids.push((await b.ok("POST", "/service-accounts", { name: uniqueName("page") })).id);
  });
  after(() => b.close());

  it("walks more than one page with links.next and reports the total", async () => {
    const seen: string[] = [];
    let next: string | undefined = `/service-accounts?limit=3`;
    let pages = 0;
    while (next) {
      const page = await b.ok("GET", next.startsWith("/admin") ? next : next);
      expect(page.total).to.equal(7);
      expect(page.items.length).to.be.at.most(3);
      seen.push(...page.items.map((a: any) => a.id));
      next = page.links.next;
      pages += 1;
    }
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(ids);
  });

  it("defaults to 50 items and omits next on the last page", async () => {
    const page = await b.ok("GET", "/service-accounts");
    expect(page.items).to.have.length(7);
    expect(page.links).to.not.have.property("next");
  });

  it("refuses a forged or altered cursor with 400 naming cursor", async () => {
    const page = await b.ok("GET", "/service-accounts?limit=2");
    const cursor = new URL(page.links.next, b.url).searchParams.get("cursor")!;
    const [payload, mac] = cursor.split(".");
    const forged = Buffer.from(JSON.stringify({ a: 0 })).toString("base64url") + "." + mac;
    for (const bad of [forged, `${payload}.${"A".repeat(mac!.length)}`, "garbage", "", "a.b.c", "%00"]) {
      const res = await b.call("GET", `/service-accounts?limit=2&cursor=${encodeURIComponent(bad)}`);
      if (bad === "") continue; // an empty cursor is the first page
      expectError(res, 400, "validation.failed", "/cursor");
    }
  });

  it("refuses a cursor from another list or another org", async () => {
    const page = await b.ok("GET", "/service-accounts?limit=2");
    const cursor = new URL(page.links.next, b.url).searchParams.get("cursor")!;
    expectError(await b.call("GET", `/service-accounts/${ids[0]}/api-tokens?cursor=${encodeURIComponent(cursor)}`), 400, "validation.failed", "/cursor");
    expectError(await b.call("GET", `/service-accounts?name=x&cursor=${encodeURIComponent(cursor)}`), 400, "validation.failed", "/cursor");
    const otherOrg = `/admin/api-access/v1/orgs/org-page-b/service-accounts?cursor=${encodeURIComponent(cursor)}`;
    expectError(await b.call("GET", otherOrg, undefined, { key: "pasak_" + "P".repeat(43) }), 400, "validation.failed", "/cursor");
  });

  it("refuses a limit outside 1-100 with 400 naming limit", async () => {
    for (const limit of ["0", "-1", "101", "1e9", "99999999999999999999", "abc", "2.5"]) {
      expectError(await b.call("GET", `/service-accounts?limit=${limit}`), 400, "validation.failed", "/limit");
    }
    expect((await b.ok("GET", "/service-accounts?limit=100")).items).to.have.length(7);
  });
});
