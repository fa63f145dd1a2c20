/**
 * Atlassian's admin API as the evidence has it (shared/reference/atlassian-evidence-*.md),
 * through the real engine against the stand-in in public-only mode, in each of the readings
 * the evidence leaves open: identity by display name with a generated email, Atlassian's
 * error shape (a DELETE answered 404), `links.next` as an absolute URL, a relative URL or a
 * bare cursor, token routes that take `id` or `atlassianId`, a PATCH answered 204 or with a
 * partial body, a Confluence site without the space-role-mode endpoint, a new account that is
 * not grantable for some seconds, and a site admin on the site's own URL.
 */
import { expect } from "chai";
import { TYPES, type Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

const ours = (p: { op: string; type: string }) => p.op !== "same" && p.op !== "refresh" && p.type !== "pulumi:pulumi:Stack";

describe("e2e: identity by display name on the Atlassian Cloud path", function () {
  this.timeout(E2E_TIMEOUT);
  const declared = (displayName: string, extra: Fleet = {}): Fleet => ({
    bot: { displayName, description: "evidence", bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } } },
    ...extra,
  });
  const s = useScenario("evidence-identity", declared("Evidence bot"), { backend: { publicOnly: true } });
  let id = "";

  it("creates the account by display name; Atlassian generates its email (slug and random suffix) and ids", async () => {
    const up = await s.up();
    const account = up.accounts.bot!;
    id = account.id;
    expect(account.email).to.match(/^evidence-bot-[a-z0-9]{10}@serviceaccount\.atlassian\.com$/);
    const listed = await s.backend.publicAccount(id);
    expect(listed).to.deep.include({ displayName: "Evidence bot", email: account.email, atlassianId: account.accountId });
  });

  it("changes the display name in place with one PATCH: same id, same email, no replacement", async () => {
    s.declare(declared("Evidence bot, renamed"));
    const preview = await s.stack.preview();
    expect(steps(preview.events).filter(ours).map((p) => `${p.op} ${p.type} ${p.diffs.join(",")}`)).to.deep.equal([
      `update ${TYPES.ServiceAccount} displayName`,
    ]);
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
    expect(sent).to.deep.equal({ "PATCH /admin/api-access/v1/orgs/:orgId/service-accounts": 1 });
    expect(up.accounts.bot!.id).to.equal(id);
    expect((await s.backend.publicAccount(id)).displayName).to.equal("Evidence bot, renamed");
  });

  it("refuses a second account of a display name the org has, naming the account and adoptExisting; with several, adoptExisting names every id", async () => {
    const byHand = (await s.backend.createAccount("Evidence bot, renamed", "a twin made in the console")) as { id: string };
    s.declare(declared("Evidence bot, renamed", { twin: { displayName: "Evidence bot, renamed" } }));
    const failed = async () => {
      try {
        await s.stack.up();
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("expected up to fail");
    };
    const refused = await failed();
    expect(refused).to.include("already has a service account with that display name").and.to.include("adoptExisting");
    expect(refused).to.include(id).and.to.include(byHand.id);

    s.declare(declared("Evidence bot, renamed", { twin: { displayName: "Evidence bot, renamed", adoptExisting: true } }));
    const ambiguous = await failed();
    expect(ambiguous).to.include("2 service accounts of the organization have that display name");
    expect(ambiguous).to.include(id).and.to.include(byHand.id);
    const listed = (await s.backend.publicAccounts()).filter((a) => a.displayName === "Evidence bot, renamed");
    expect(listed.map((a) => a.id).sort(), "nothing created").to.deep.equal([id, byHand.id].sort());
    await s.backend.admin("DELETE", `/service-accounts/${byHand.id}`);
    s.declare(declared("Evidence bot, renamed"));
  });

  it("destroys a stack whose account was deleted by hand: Atlassian's 404 on the DELETE is success", async () => {
    const gone = await s.backend.admin("DELETE", `/service-accounts/${id}`);
    expect(gone.status).to.equal(204);
    const again = await s.backend.admin("DELETE", `/service-accounts/${id}`);
    expect(again.status, "a second DELETE").to.equal(404);
    expect(again.body.errors[0], "Atlassian's admin error shape: no id").to.not.have.property("id");
    await s.stack.destroy();
    expect(await s.stack.exportState()).to.deep.equal([]);
  });
});

/**
 * The readings the evidence leaves open, each played by the stand-in. 85 accounts made by
 * hand first, so the org's list has two pages (80 a page) and the stack's own account is on
 * the second.
 */
const VARIANTS: { name: string; atlassian: Record<string, string> }[] = [
  { name: "as documented (absolute links.next, token routes by id, a full PATCH reply, roles mode)", atlassian: {} },
  {
    name: "a bare cursor in links.next, token routes by atlassianId, a PATCH answered 204, no space-role-mode endpoint",
    atlassian: { linksNext: "cursor", tokenPathId: "atlassianId", patchReply: "empty", roleModeEndpoint: "absent" },
  },
  { name: "a relative links.next and a PATCH answered with a partial body", atlassian: { linksNext: "relative", patchReply: "partial" } },
];

for (const [i, variant] of VARIANTS.entries()) {
  describe(`e2e: Atlassian's readings, ${variant.name}`, function () {
    this.timeout(E2E_TIMEOUT);
    const declared = (description: string): Fleet => ({
      bot: {
        displayName: `Variant bot ${i}`,
        description,
        bindings: {
          jira: { resource: "jira:project/ALPHA", role: "viewer" },
          wiki: { resource: "confluence:space/DOCS", role: "editor" },
        },
      },
    });
    const s = useScenario(`evidence-variant-${i}`, declared("first"), { backend: { publicOnly: true, atlassian: variant.atlassian } });

    before(async () => {
      for (let n = 0; n < 85; n++) await s.backend.createAccount(`Hand-made ${n}`);
    });

    it("goes up, updates in place, refreshes with no drift and a second page, and is destroyed", async () => {
      const up = await s.up();
      const account = up.accounts.bot!;
      expect((await s.backend.publicAccounts()).length, "accounts across pages").to.equal(86);
      expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(account.accountId);

      s.declare(declared("second"));
      const updated = await s.up();
      expect(updated.resourceChanges).to.deep.include({ update: 1 });
      expect((await s.backend.publicAccount(account.id)).description).to.equal("second");

      // Refresh finds the account past the first page: nothing is dropped from the state.
      const sent = await s.backend.requestsDuring(() => s.stack.refresh());
      expect(sent["GET /admin/api-access/v1/orgs/:orgId/service-accounts"], "the listing's pages, once per run").to.equal(2);
      expect(summary((await s.stack.preview()).changeSummary)).to.deep.equal({ same: 4 });

      await s.stack.destroy();
      expect(await s.backend.publicAccount(account.id)).to.equal(null);
      expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.not.include(account.accountId);
    });
  });
}

describe("e2e: a new account is not grantable at once (Atlassian Cloud path)", function () {
  this.timeout(E2E_TIMEOUT);
  const fleet: Fleet = { fresh: { displayName: "Fresh bot", bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" } } } };
  // For 20 s after its creation, a grant naming an account answers 404, as for no such account.
  const s = useScenario("evidence-not-ready", fleet, { backend: { publicOnly: true, atlassian: { accountReadyDelayMs: 20_000 } } });

  it("retries the grant to an account this run created, saying so, until it is grantable", async () => {
    const up = await s.up();
    const account = up.accounts.fresh!;
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(account.accountId);
    expect(s.stack.transcriptText()).to.include("is not grantable yet");
    const grants = (await s.backend.events()).filter((e) => e.action === "project-role.actor-added");
    expect(grants, "one grant landed").to.have.length(1);
  });

  it("fails at once on a 404 for an account that existed before the run", async () => {
    await s.backend.createAccount("Made by hand", "just now");
    s.declare({ ...fleet, adopted: { displayName: "Made by hand", adoptExisting: true, bindings: { jira: { resource: "jira:project/BETA", role: "viewer" } } } });
    const started = Date.now();
    let failure: Error | undefined;
    try {
      await s.stack.up();
    } catch (e) {
      failure = e as Error;
    }
    expect(failure, "up").to.be.an("error");
    expect(Date.now() - started, "no waiting for an account this run did not create").to.be.below(15_000);
    const text = [failure!.message, ...s.stack.transcript.at(-1)!.events.map((e) => e.diagnosticEvent?.message ?? "")].join("\n");
    expect(text).to.include("cannot create the binding").and.to.include("404");
  });
});

describe("e2e: the site admin on the site's own URL (atlassian:siteUrl, a classic token)", function () {
  this.timeout(E2E_TIMEOUT);
  const fleet: Fleet = {
    bot: {
      displayName: "Site URL bot",
      bindings: { jira: { resource: "jira:project/ALPHA", role: "viewer" }, wiki: { resource: "confluence:space/DOCS", role: "viewer" } },
    },
  };
  const s = useScenario("evidence-site-url", fleet, { backend: { publicOnly: true, siteUrl: true } });

  it("grants through /rest/api/3 and /wiki on the site, never through the gateway's /ex/", async () => {
    let up!: Awaited<ReturnType<typeof s.up>>;
    const sent = await s.backend.requestsDuring(async () => (up = await s.up()));
    const product = Object.keys(sent).filter((k) => !k.includes("/admin/"));
    expect(product.length, "product requests").to.be.at.least(4);
    expect(product.filter((k) => k.includes("/ex/")), "through the gateway").to.deep.equal([]);
    expect(product.some((k) => / \/rest\/api\/3\/project\//.test(k)), "Jira on the site").to.equal(true);
    expect(product.some((k) => / \/wiki\/api\/v2\//.test(k)), "Confluence on the site").to.equal(true);
    expect((await s.backend.jiraRole("ALPHA", "Viewer")).members).to.include(up.accounts.bot!.accountId);
  });
});
