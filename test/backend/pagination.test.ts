import { expect } from "chai";
import { createAccount, expectAdminError, harness, type Harness } from "./helper";

/** Walks a public admin list to its end the way a client that keeps only the cursor would. */
async function walk(b: Harness, first: string): Promise<{ ids: string[]; nexts: string[] }> {
  const ids: string[] = [];
  const nexts: string[] = [];
  let query = first;
  for (;;) {
    const page = await b.ok("GET", `/service-accounts${query}`);
    ids.push(...page.items.map((a: any) => a.id));
    const next: string | undefined = page.links.next;
    if (!next) return { ids, nexts };
    nexts.push(next);
    const cursor = next.includes("cursor=") ? new URL(next, b.url).searchParams.get("cursor")! : next;
    query = `?limit=3&cursor=${encodeURIComponent(cursor)}`;
  }
}

describe("backend: pagination", () => {
  let b: Harness;
  const ids: string[] = [];
  before(async () => {
    b = await harness({ orgs: [{ orgId: "org-page-b", adminKey: "pasak_" + "P".repeat(43) }] });
    for (let i = 0; i < 7; i++) ids.push((await createAccount(b)).id);
  });
  after(() => b.close());

  it("walks more than one page with links.next, an absolute URL built from the request's Host, and reports the total", async () => {
    const seen: string[] = [];
    let next: string | undefined = `/service-accounts?limit=3`;
    let pages = 0;
    while (next) {
      const page = await b.ok("GET", next);
      expect(page.total).to.equal(7);
      expect(page.items.length).to.be.at.most(3);
      seen.push(...page.items.map((a: any) => a.id));
      next = page.links.next;
      if (next) expect(next).to.match(new RegExp(`^${b.url}/admin/api-access/v1/orgs/${b.orgId}/service-accounts\\?limit=3&cursor=`));
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

  it("refuses a forged or altered cursor with Atlassian's 400", async () => {
    const page = await b.ok("GET", "/service-accounts?limit=2");
    const cursor = new URL(page.links.next).searchParams.get("cursor")!;
    const [payload, mac] = cursor.split(".");
    const forged = Buffer.from(JSON.stringify({ a: 0 })).toString("base64url") + "." + mac;
    for (const bad of [forged, `${payload}.${"A".repeat(mac!.length)}`, "garbage", "a.b.c", "%00"]) {
      expectAdminError(await b.call("GET", `/service-accounts?limit=2&cursor=${encodeURIComponent(bad)}`), 400, "ADMIN-400-1", "INVALID_CURSOR");
    }
  });

  it("refuses a cursor from another list or another org", async () => {
    const page = await b.ok("GET", "/service-accounts?limit=2");
    const cursor = new URL(page.links.next).searchParams.get("cursor")!;
    expectAdminError(await b.call("GET", `/service-accounts/${ids[0]}/api-tokens?cursor=${encodeURIComponent(cursor)}`), 400, "ADMIN-400-1");
    const otherOrg = `/admin/api-access/v1/orgs/org-page-b/service-accounts?cursor=${encodeURIComponent(cursor)}`;
    expectAdminError(await b.call("GET", otherOrg, undefined, { key: "pasak_" + "P".repeat(43) }), 400, "ADMIN-400-1");
  });

  it("refuses a limit outside 1-80 with Atlassian's 400 naming limit", async () => {
    for (const limit of ["0", "-1", "81", "101", "1e9", "99999999999999999999", "abc", "2.5"]) {
      const res = await b.call("GET", `/service-accounts?limit=${limit}`);
      expectAdminError(res, 400, "ADMIN-400-24");
      expect(res.body.errors[0].detail).to.include("limit");
    }
    expect((await b.ok("GET", "/service-accounts?limit=80")).items).to.have.length(7);
  });
});

describe("backend: pagination switches (--atlassian)", () => {
  for (const [form, shape] of [
    ["relative", /^\/admin\/api-access\/v1\/orgs\/[^/]+\/service-accounts\?limit=3&cursor=[^&]+$/],
    ["cursor", /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/],
  ] as const) {
    it(`linksNext=${form}: next is ${form === "cursor" ? "the bare cursor" : "a relative URL"}, and every page is reached`, async () => {
      const b = await harness({ atlassian: { linksNext: form } });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) ids.push((await createAccount(b)).id);
        const got = await walk(b, "?limit=3");
        expect(got.nexts).to.have.length(2);
        for (const n of got.nexts) expect(n).to.match(shape);
        expect(got.ids).to.deep.equal(ids);
      } finally {
        await b.close();
      }
    });
  }

  it("maxPageSize sets the largest limit, and a smaller default page", async () => {
    const b = await harness({ atlassian: { maxPageSize: 4 } });
    try {
      for (let i = 0; i < 6; i++) await createAccount(b);
      const page = await b.ok("GET", "/service-accounts");
      expect(page.items).to.have.length(4);
      expect(page.links.next).to.be.a("string");
      expectAdminError(await b.call("GET", "/service-accounts?limit=5"), 400, "ADMIN-400-24");
      expect((await b.ok("GET", "/service-accounts?limit=4")).items).to.have.length(4);
    } finally {
      await b.close();
    }
  });

  it("refuses a bad switch at start, naming it", async () => {
    for (const [atlassian, msg] of [
      [{ linksNext: "url" }, /linksNext must be absolute, relative, cursor/],
      [{ maxPageSize: 0 }, /maxPageSize must be a whole number from 1 to 1000/],
      [{ nope: 1 }, /nope is not a switch/],
    ] as const) {
      let err: Error | undefined;
      await harness({ atlassian: atlassian as never }).then((h) => h.close(), (e: Error) => (err = e));
      expect(err?.message).to.match(msg);
    }
  });
});
