import { expect } from "chai";
import { configure, resetConfiguration, settings, SETTINGS } from "../../provider/config";
import { configOf, expectNoSecret, withEnv } from "./helpers";

const KEY = "pasak_configTestKeyConfigTestKeyConfigTestKey0000000000";
const NO_ENV = { ATLASSIAN_BASE_URL: undefined, ATLASSIAN_ORG_ID: undefined, ATLASSIAN_API_KEY: undefined };
const STACK = { "atlassian:baseUrl": "http://127.0.0.1:8080", "atlassian:orgId": "org-a", "atlassian:apiKey": KEY };

describe("provider configuration", () => {
  afterEach(() => resetConfiguration());

  it("comes from the stack config handed to configure", () =>
    withEnv(NO_ENV, () => {
      configure(configOf(STACK));
      expect(settings()).to.deep.equal({ baseUrl: "http://127.0.0.1:8080", orgId: "org-a", apiKey: KEY });
    }));

  it("falls back to the environment, setting by setting", () =>
    withEnv({ ...NO_ENV, ATLASSIAN_ORG_ID: "org-env", ATLASSIAN_API_KEY: KEY }, () => {
      configure(configOf({ "atlassian:baseUrl": "http://127.0.0.1:8080" }));
      expect(settings()).to.deep.equal({ baseUrl: "http://127.0.0.1:8080", orgId: "org-env", apiKey: KEY });
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
      expect(message).to.include("atlassian:baseUrl").and.to.include("ATLASSIAN_BASE_URL");
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

  it("lists exactly the three settings, the key as the only secret", () => {
    expect(SETTINGS.map((s) => [s.configKey, s.envVar, s.secret])).to.deep.equal([
      ["atlassian:baseUrl", "ATLASSIAN_BASE_URL", false],
      ["atlassian:orgId", "ATLASSIAN_ORG_ID", false],
      ["atlassian:apiKey", "ATLASSIAN_API_KEY", true],
    ]);
  });
});
