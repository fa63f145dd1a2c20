import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { NOW_ENV } from "../../provider/clock";
import { UNKNOWN } from "../../provider/common";
import { configure, resetConfiguration } from "../../provider/config";
import { providers } from "../../provider/index";
import { parsePolicy } from "../../provider/policy";
import { configOf, withEnv } from "./helpers";

const DAY = 24 * 3600_000;
const POLICY = {
  maxTokenDays: 90,
  minRotateBeforeDays: 7,
  forbiddenScopes: ["delete:*", "manage:jira-configuration"],
  maxRoles: { "jira:project/FIN*": "viewer", "jira:project/*": "editor", "confluence:space/HR": "viewer" },
  requireDescription: true,
  displayNamePattern: "svc-[a-z0-9-]+",
};

/** What the engine hands check: the provider, and a context naming the resource. */
const props = (kind: string, name: string) => ({
  __provider: "exports.handler = __f0;",
  __context: `project=p;stack=dev;resource=urn:pulumi:dev::p::pulumi-nodejs:dynamic/atlassian:${kind}::${name}`,
});
const token = { ...props("ApiToken", "ci-token"), serviceAccountId: "sa_1", label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 7 };
const account = { ...props("ServiceAccount", "deployer"), displayName: "svc-deployer", description: "Deploys billing; owner: payments" };
const binding = { ...props("ScopeBinding", "fin-access"), serviceAccountId: "sa_1", resource: "jira:project/FIN1", role: "viewer" };

function failuresOf(result: { failures?: readonly { property: string; reason: string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of result.failures ?? []) {
    expect(out, `one failure per property (${f.property})`).to.not.have.property(f.property);
    out[f.property] = f.reason;
  }
  return out;
}

describe("the policy (atlassian:policy), judged at check", () => {
  // A server standing where the provider is pointed: check must never reach it.
  let requests = 0;
  let server: http.Server;
  let url = "";
  before(async () => {
    server = http.createServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    resetConfiguration();
    await new Promise((r) => server.close(r));
  });

  const withPolicy = (policy: unknown) =>
    configure(
      configOf({
        "atlassian:target": "embedded",
        "atlassian:baseUrl": url,
        "atlassian:orgId": "org-1",
        "atlassian:apiKey": `pasak_${"k".repeat(43)}`,
        "atlassian:policy": typeof policy === "string" ? policy : JSON.stringify(policy),
      }),
    );
  beforeEach(() => withPolicy(POLICY));
  afterEach(() => expect(requests, "requests made by check").to.equal(0));

  describe("ApiToken", () => {
    const tok = providers.ApiToken;

    it("accepts a token within every rule", async () => {
      expect(failuresOf(await tok.check({}, token))).to.deep.equal({});
    });

    it("refuses a life longer than maxTokenDays, as expiresInDays or as a fixed expiresAt", async () => {
      const f = failuresOf(await tok.check({}, { ...token, expiresInDays: 180 }));
      expect(f.expiresInDays).to.include('ApiToken "ci-token"').and.include("maxTokenDays").and.include("expiresInDays is 180").and.include("90 or fewer");
      const at = "2027-06-01T00:00:00.000Z";
      const fixed = await withEnv({ [NOW_ENV]: "2027-01-01T00:00:00Z" }, () =>
        tok.check({}, { ...token, expiresInDays: undefined, rotateBeforeDays: undefined, expiresAt: at }),
      );
      const reason = failuresOf(fixed).expiresAt!;
      expect(reason).to.include("maxTokenDays").and.include(at).and.include("151 days away");
    });

    it("refuses a rotation window shorter than minRotateBeforeDays, an absent one, and a fixed expiresAt that never rotates", async () => {
      expect(failuresOf(await tok.check({}, { ...token, rotateBeforeDays: 3 })).rotateBeforeDays)
        .to.include("minRotateBeforeDays").and.include("rotateBeforeDays is 3").and.include("7 or more");
      expect(failuresOf(await tok.check({}, { ...token, rotateBeforeDays: undefined })).rotateBeforeDays).to.include("is not set");
      const fixed = failuresOf(
        await tok.check({}, { ...token, expiresInDays: undefined, rotateBeforeDays: undefined, expiresAt: new Date(Date.now() + 20 * DAY).toISOString() }),
      );
      expect(fixed.expiresAt).to.include("minRotateBeforeDays").and.include("never rotated").and.include("expiresInDays");
    });

    it("refuses every scope a forbidden pattern matches, wildcards included, naming scope, index and pattern", async () => {
      const f = failuresOf(await tok.check({}, { ...token, scopes: ["read:jira-work", "delete:issue:jira", "manage:jira-configuration"] }));
      expect(f.scopes).to.include("forbiddenScopes").and.include('scopes[1] "delete:issue:jira" matches the forbidden "delete:*"');
      expect(f.scopes).to.include('scopes[2] "manage:jira-configuration" matches the forbidden "manage:jira-configuration"');
      expect(failuresOf(await tok.check({}, { ...token, scopes: ["read:issue:jira", "write:issue:jira"] }))).to.deep.equal({});
    });

    it("does not judge values not known yet", async () => {
      const f = failuresOf(await tok.check({}, { ...token, expiresInDays: UNKNOWN, rotateBeforeDays: UNKNOWN, scopes: [UNKNOWN, "read:jira-work"] }));
      expect(f).to.deep.equal({});
      expect(failuresOf(await tok.check({}, { ...token, scopes: [UNKNOWN, "delete:issue:jira"] })).scopes).to.include("scopes[1]");
    });

    it("leaves a property that fails its own rule to that failure alone", async () => {
      const f = failuresOf(await tok.check({}, { ...token, expiresInDays: 400 }));
      expect(f.expiresInDays).to.include("1-365").and.not.include("maxTokenDays");
    });
  });

  describe("ScopeBinding", () => {
    const b = providers.ScopeBinding;

    it("refuses a role above the highest one a pattern allows, the strictest matching pattern deciding", async () => {
      const f = failuresOf(await b.check({}, { ...binding, role: "editor" }));
      expect(f.role).to.include('ScopeBinding "fin-access"').and.include("maxRoles").and.include('role "editor" on jira:project/FIN1')
        .and.include('"jira:project/FIN*"').and.include('give role "viewer"');
      expect(failuresOf(await b.check({}, { ...binding, resource: "jira:project/ENG", role: "admin" })).role).to.include('"jira:project/*"');
      expect(failuresOf(await b.check({}, { ...binding, resource: "jira:project/ENG", role: "editor" }))).to.deep.equal({});
      expect(failuresOf(await b.check({}, { ...binding, resource: "confluence:space/HR", role: "editor" })).role).to.include('"confluence:space/HR"');
      // A pattern matches the whole key: HR is not HRX.
      expect(failuresOf(await b.check({}, { ...binding, resource: "confluence:space/HRX", role: "admin" }))).to.deep.equal({});
    });

    it("does not judge a resource or role not known yet", async () => {
      expect(failuresOf(await b.check({}, { ...binding, role: UNKNOWN }))).to.deep.equal({});
      expect(failuresOf(await b.check({}, { ...binding, resource: UNKNOWN, role: "admin" }))).to.deep.equal({});
    });
  });

  describe("ServiceAccount", () => {
    const sa = providers.ServiceAccount;

    it("requires a description that says something", async () => {
      expect(failuresOf(await sa.check({}, { ...account, description: undefined })).description)
        .to.include('ServiceAccount "deployer"').and.include("requireDescription").and.include("not set");
      expect(failuresOf(await sa.check({}, { ...account, description: "   " })).description).to.include("empty");
    });

    it("requires the whole display name to match displayNamePattern", async () => {
      const f = failuresOf(await sa.check({}, { ...account, displayName: "CI bot" }));
      expect(f.displayName).to.include("displayNamePattern").and.include('"CI bot"').and.include('"svc-[a-z0-9-]+"');
      expect(failuresOf(await sa.check({}, { ...account, displayName: "my svc-deployer" })).displayName).to.include("does not match");
    });

    it("does not judge a name or description not known yet", async () => {
      expect(failuresOf(await sa.check({}, { ...account, displayName: UNKNOWN, description: UNKNOWN }))).to.deep.equal({});
    });
  });

  describe("where it comes from, and a malformed one", () => {
    it("judges nothing without a policy", async () => {
      withPolicy("");
      await withEnv({ ATLASSIAN_POLICY: undefined }, async () => {
        expect(failuresOf(await providers.ApiToken.check({}, { ...token, expiresInDays: 365, rotateBeforeDays: undefined, scopes: ["delete:issue:jira"] }))).to.deep.equal({});
        expect(failuresOf(await providers.ServiceAccount.check({}, { ...account, displayName: "anything", description: undefined }))).to.deep.equal({});
      });
    });

    it("reads ATLASSIAN_POLICY when the stack config has none, and the stack config first", async () => {
      withPolicy("");
      await withEnv({ ATLASSIAN_POLICY: JSON.stringify({ maxTokenDays: 10 }) }, async () => {
        expect(failuresOf(await providers.ApiToken.check({}, token)).expiresInDays).to.include("10 or fewer");
        withPolicy({ maxTokenDays: 60 });
        expect(failuresOf(await providers.ApiToken.check({}, { ...token, expiresInDays: 61 })).expiresInDays).to.include("60 or fewer");
        expect(failuresOf(await providers.ApiToken.check({}, token))).to.deep.equal({});
      });
    });

    it("fails check on a malformed policy, naming the setting, the field and the fix", async () => {
      const cases: [unknown, RegExp][] = [
        ["{maxTokenDays: 90}", /atlassian:policy \(or ATLASSIAN_POLICY\).*not JSON.*give a JSON object/],
        [{ maxTokenDay: 90 }, /"maxTokenDay" is not a rule; did you mean "maxTokenDays"\?/],
        [{ maxTokenDays: 0 }, /maxTokenDays 0 must be 1-365 days/],
        [{ forbiddenScopes: ["delet:*"] }, /forbiddenScopes\[0\] "delet:\*" matches no scope of the catalogue/],
        [{ maxRoles: { "jira:FIN*": "viewer" } }, /maxRoles\["jira:FIN\*"\]: the key must be a project or space pattern/],
        [{ maxRoles: { "jira:project/FIN*": "owner" } }, /maxRoles\["jira:project\/FIN\*"\] "owner" must be "viewer", "editor" or "admin"/],
        [{ displayNamePattern: "svc-[" }, /displayNamePattern "svc-\[" is not a valid regular expression/],
        [{ requireDescription: "yes" }, /requireDescription "yes" must be true or false/],
        [{ maxTokenDays: 30, minRotateBeforeDays: 30 }, /minRotateBeforeDays 30 must be smaller than maxTokenDays 30/],
      ];
      for (const [policy, message] of cases) {
        withPolicy(policy);
        let err: Error | undefined;
        try {
          await providers.ApiToken.check({}, token);
        } catch (e) {
          err = e as Error;
        }
        expect(err, JSON.stringify(policy)).to.be.an("error");
        expect(err!.message).to.match(message).and.match(/pulumi config set atlassian:policy/);
      }
    });

    it("compiles patterns once, whole-string, with * for any run of characters", () => {
      const p = parsePolicy(JSON.stringify({ forbiddenScopes: ["*:confluence"], maxRoles: { "*": "editor" } }));
      expect(p.forbiddenScopes[0]!.re.test("write:page:confluence")).to.equal(true);
      expect(p.forbiddenScopes[0]!.re.test("write:page:confluence-x")).to.equal(false);
      expect(p.maxRoles[0]!.re.test("confluence:space/ANY")).to.equal(true);
    });
  });
});
