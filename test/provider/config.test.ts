import { expect } from "chai";
import { capabilities } from "../../provider/targets/capabilities";
import { client, configure, consoleRoutes, resetConfiguration, roleMapping, settings, SETTINGS, siteSettings, targetName } from "../../provider/config";
import { DEFAULT_ROLE_MAPPING } from "../../provider/roles";
import { configOf, expectNoSecret, withEnv } from "./helpers";

const KEY = "pasak_configTestKeyConfigTestKeyConfigTestKey0000000000";
const NO_ENV = Object.fromEntries(SETTINGS.map((s) => [s.envVar, undefined])) as Record<string, undefined>;
const SITE_TOKEN = "site-admin-token-never-shown-0123456789";
const STACK = { "atlassian:baseUrl": "http://127.0.0.1:8080", "atlassian:orgId": "org-a", "atlassian:apiKey": KEY };

describe("provider configuration", () => {
  afterEach(() => resetConfiguration());

  it("comes from the stack config handed to configure", () =>
    withEnv(NO_ENV, () => {
      configure(configOf(STACK));
      expect(settings()).to.deep.equal({ target: "embedded", baseUrl: "http://127.0.0.1:8080", orgId: "org-a", apiKey: KEY });
    }));

  it("falls back to the environment, setting by setting", () =>
    withEnv({ ...NO_ENV, ATLASSIAN_ORG_ID: "org-env", ATLASSIAN_API_KEY: KEY }, () => {
      configure(configOf({ "atlassian:baseUrl": "http://127.0.0.1:8080" }));
      expect(settings()).to.deep.equal({ target: "embedded", baseUrl: "http://127.0.0.1:8080", orgId: "org-env", apiKey: KEY });
    }));

  it("prefers the stack config over the environment", () =>
    withEnv({ ATLASSIAN_BASE_URL: "http://127.0.0.1:1", ATLASSIAN_ORG_ID: "org-env", ATLASSIAN_API_KEY: "pasak_other" }, () => {
      configure(configOf(STACK));
      expect(settings().orgId).to.equal("org-a");
      expect(settings().apiKey).to.equal(KEY);
    }));

  it("uses the environment when the engine sent no config at all", () =>
    withEnv({ ATLASSIAN_BASE_URL: "http://127.0.0.1:8080", ATLASSIAN_ORG_ID: "org-env", ATLASSIAN_API_KEY: KEY }, () => {
      configure({ config: { get: () => { throw new TypeError("no config"); }, require: () => "" } });
      expect(settings().orgId).to.equal("org-env");
    }));

  it("names both ways to set each missing setting, and never the key", () =>
    withEnv(NO_ENV, () => {
      configure(configOf({ "atlassian:apiKey": KEY }));
      const message = (() => {
        try {
          settings();
        } catch (err) {
          return (err as Error).message;
        }
        return "";
      })();
      expect(message).to.include("atlassian:orgId").and.to.include("ATLASSIAN_ORG_ID");
      expect(message).to.not.include("atlassian:apiKey");
      expectNoSecret(message, [KEY]);
    }));

  it("tells to set the key as a secret when it is missing", () =>
    withEnv(NO_ENV, () => {
      configure(configOf({ "atlassian:baseUrl": "http://127.0.0.1:8080", "atlassian:orgId": "org-a" }));
      expect(() => settings()).to.throw(/pulumi config set --secret atlassian:apiKey <value>.*ATLASSIAN_API_KEY/);
    }));

  it("refuses a base URL that is not http(s)", () =>
    withEnv(NO_ENV, () => {
      configure(configOf({ ...STACK, "atlassian:baseUrl": "ftp://example" }));
      expect(() => settings()).to.throw(/atlassian:baseUrl .*"ftp:\/\/example".*not an http\(s\) URL/);
    }));

  describe("the target", () => {
    it("defaults the base URL to Atlassian's, and then the target to atlassian-cloud", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ "atlassian:orgId": "org-a", "atlassian:apiKey": KEY }));
        expect(settings()).to.deep.include({ baseUrl: "https://api.atlassian.com", target: "atlassian-cloud" });
      }));

    it("is embedded for any other base URL, unless set", () =>
      withEnv(NO_ENV, () => {
        configure(configOf(STACK));
        expect(targetName()).to.equal("embedded");
        configure(configOf({ ...STACK, "atlassian:target": "atlassian-cloud" }));
        expect(settings().target).to.equal("atlassian-cloud");
      }));

    it("comes from ATLASSIAN_TARGET too", () =>
      withEnv({ ...NO_ENV, ATLASSIAN_TARGET: "atlassian-cloud" }, () => {
        configure(configOf(STACK));
        expect(settings().target).to.equal("atlassian-cloud");
      }));

    it("refuses an unknown target, naming the setting, the value, the choices and both ways to set it", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...STACK, "atlassian:target": "cloud" }));
        expect(() => settings()).to.throw(/atlassian:target \(or ATLASSIAN_TARGET\) is "cloud".*"atlassian-cloud" or "embedded".*pulumi config set atlassian:target.*ATLASSIAN_TARGET/);
      }));
  });

  describe("the site settings (ScopeBinding)", () => {
    it("are not needed by the other settings", () =>
      withEnv(NO_ENV, () => {
        configure(configOf(STACK));
        expect(() => settings()).to.not.throw();
      }));

    it("name each missing one with both ways to set it, the token as a secret", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...STACK, "atlassian:cloudId": "cloud-1" }));
        let message = "";
        try {
          siteSettings();
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).to.include("ScopeBinding");
        expect(message).to.include("atlassian:siteAdminEmail").and.to.include("ATLASSIAN_SITE_ADMIN_EMAIL");
        expect(message).to.include("pulumi config set --secret atlassian:siteAdminToken").and.to.include("ATLASSIAN_SITE_ADMIN_TOKEN");
        expect(message).to.not.include("atlassian:cloudId ");
      }));

    it("come from the stack config or the environment", () =>
      withEnv({ ...NO_ENV, ATLASSIAN_SITE_ADMIN_TOKEN: SITE_TOKEN }, () => {
        configure(configOf({ ...STACK, "atlassian:cloudId": "cloud-1", "atlassian:siteAdminEmail": "admin@example.com" }));
        expect(siteSettings()).to.deep.equal({ cloudId: "cloud-1", siteAdminEmail: "admin@example.com", siteAdminToken: SITE_TOKEN });
      }));
  });

  describe("the site URL (atlassian:siteUrl, for a classic token)", () => {
    const SITE = { ...STACK, "atlassian:siteAdminEmail": "admin@example.com", "atlassian:siteAdminToken": SITE_TOKEN };

    it("stands in for the cloud id: the site settings need no cloud id with it", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...SITE, "atlassian:siteUrl": "https://acme.atlassian.net" }));
        expect(siteSettings()).to.deep.equal({ siteUrl: "https://acme.atlassian.net", siteAdminEmail: "admin@example.com", siteAdminToken: SITE_TOKEN });
      }));

    it("comes from ATLASSIAN_SITE_URL too", () =>
      withEnv({ ...NO_ENV, ATLASSIAN_SITE_URL: "https://env.atlassian.net" }, () => {
        configure(configOf(SITE));
        expect(siteSettings()).to.deep.include({ siteUrl: "https://env.atlassian.net" });
      }));

    it("without it, the cloud id is required, and the message names it", () =>
      withEnv(NO_ENV, () => {
        configure(configOf(SITE));
        expect(() => siteSettings()).to.throw(/atlassian:cloudId.*ATLASSIAN_CLOUD_ID/);
      }));

    for (const [why, bad] of [
      ["not http(s)", "ftp://acme.atlassian.net"],
      ["not a URL", "acme.atlassian.net"],
      ["with a query", "https://acme.atlassian.net?x=1"],
      ["with a fragment", "https://acme.atlassian.net#top"],
      // The provider adds /rest/api/3 and /wiki itself: a path would double them.
      ["with a path", "https://acme.atlassian.net/wiki"],
    ] as const) {
      it(`refuses a site URL ${why}, naming the setting, the value and an example, for the bindings and the client alike`, () =>
        withEnv(NO_ENV, () => {
          configure(configOf({ ...SITE, "atlassian:siteUrl": bad }));
          const pattern = /atlassian:siteUrl \(or ATLASSIAN_SITE_URL\).*not the site's URL.*https:\/\/acme\.atlassian\.net/;
          expect(() => siteSettings()).to.throw(pattern);
          expect(() => client()).to.throw(pattern);
          expect(() => siteSettings()).to.throw(JSON.stringify(bad));
        }));
    }

    it("refuses a site URL with credentials without repeating them", () =>
      withEnv(NO_ENV, () => {
        const password = "s3cret-site-password-0123";
        configure(configOf({ ...SITE, "atlassian:siteUrl": `https://admin:${password}@acme.atlassian.net` }));
        let message = "";
        try {
          siteSettings();
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).to.include("atlassian:siteUrl").and.to.include("credentials");
        expectNoSecret(message, [password, SITE_TOKEN, KEY]);
      }));
  });

  describe("the console routes (atlassian:consoleRoutes)", () => {
    const CLOUD = { "atlassian:target": "atlassian-cloud" };

    it("are off by default, and ApiToken on Atlassian Cloud is refused naming the setting as an option", () =>
      withEnv(NO_ENV, () => {
        configure(configOf(CLOUD));
        expect(consoleRoutes()).to.equal(false);
        expect(capabilities()?.tokens).to.include("atlassian:consoleRoutes").and.to.include("does not support");
      }));

    it("on, from the stack or ATLASSIAN_CONSOLE_ROUTES, make tokens a capability of Atlassian Cloud (and nothing else)", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...CLOUD, "atlassian:consoleRoutes": "true" }));
        expect(capabilities()?.tokens).to.equal(null);
        expect(capabilities()?.suspend).to.be.a("string");
        withEnv({ ...NO_ENV, ATLASSIAN_CONSOLE_ROUTES: "TRUE" }, () => {
          configure(configOf(CLOUD));
          expect(consoleRoutes()).to.equal(true);
          expect(capabilities()?.tokens).to.equal(null);
        });
      }));

    it("refuse a value that is not a boolean, naming the setting, the value and both ways to set it", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...CLOUD, "atlassian:consoleRoutes": "yes" }));
        expect(() => consoleRoutes()).to.throw(/atlassian:consoleRoutes \(or ATLASSIAN_CONSOLE_ROUTES\) is "yes": not a boolean.*pulumi config set atlassian:consoleRoutes/);
        // check cannot judge what the target can do: the first operation names the setting.
        expect(capabilities()).to.equal(null);
      }));
  });

  describe("the role mapping", () => {
    it("defaults to team-managed Jira roles and Confluence's default space roles", () =>
      withEnv(NO_ENV, () => {
        configure(configOf(STACK));
        expect(roleMapping()).to.deep.equal({
          jira: { viewer: "Viewer", editor: "Member", admin: "Administrator" },
          confluence: { viewer: "Viewer", editor: "Collaborator", admin: "Admin" },
        });
        expect(roleMapping()).to.deep.equal(DEFAULT_ROLE_MAPPING);
      }));

    it("lays atlassian:roleMapping over the defaults", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...STACK, "atlassian:roleMapping": '{"jira":{"editor":"Developers","admin":"Administrators"}}' }));
        expect(roleMapping().jira).to.deep.equal({ viewer: "Viewer", editor: "Developers", admin: "Administrators" });
        expect(roleMapping().confluence).to.deep.equal(DEFAULT_ROLE_MAPPING.confluence);
      }));

    it("refuses a mapping that is not JSON or names an unknown level, saying what is wrong and how to set it", () =>
      withEnv(NO_ENV, () => {
        configure(configOf({ ...STACK, "atlassian:roleMapping": "{jira: Developers}" }));
        expect(() => roleMapping()).to.throw(/atlassian:roleMapping \(or ATLASSIAN_ROLE_MAPPING\).*not JSON/);
        configure(configOf({ ...STACK, "atlassian:roleMapping": '{"jira":{"owner":"Admins"}}' }));
        expect(() => roleMapping()).to.throw(/owner/);
      }));
  });

  it("lists every setting, the admin key and the site admin's token as the only secrets", () => {
    expect(SETTINGS.map((s) => [s.configKey, s.envVar, s.secret])).to.deep.equal([
      ["atlassian:target", "ATLASSIAN_TARGET", false],
      ["atlassian:baseUrl", "ATLASSIAN_BASE_URL", false],
      ["atlassian:orgId", "ATLASSIAN_ORG_ID", false],
      ["atlassian:apiKey", "ATLASSIAN_API_KEY", true],
      ["atlassian:cloudId", "ATLASSIAN_CLOUD_ID", false],
      ["atlassian:siteUrl", "ATLASSIAN_SITE_URL", false],
      ["atlassian:siteAdminEmail", "ATLASSIAN_SITE_ADMIN_EMAIL", false],
      ["atlassian:siteAdminToken", "ATLASSIAN_SITE_ADMIN_TOKEN", true],
      ["atlassian:roleMapping", "ATLASSIAN_ROLE_MAPPING", false],
      ["atlassian:policy", "ATLASSIAN_POLICY", false],
      ["atlassian:consoleRoutes", "ATLASSIAN_CONSOLE_ROUTES", false],
    ]);
  });
});
