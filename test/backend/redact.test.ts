import { expect } from "chai";
import { Redactor } from "../../backend/redact";

describe("backend: the redactor behind the log and error details", () => {
  const TOKEN = "pasat_" + "abcDEF123-_".repeat(4) + "xyz";
  const KEY = 'my"admin\\key/with?odd&chars';
  const r = new Redactor([KEY, "short"]);

  it("masks secrets by shape, even cut short, percent-encoded or in another case", () => {
    expect(r.text(`a ${TOKEN} b`)).to.equal("a [REDACTED] b");
    expect(r.text(`cut ${TOKEN.slice(0, 12)}`)).to.equal("cut [REDACTED]");
    expect(r.text(`enc ${TOKEN.replace("_", "%5F")}`)).to.equal("enc [REDACTED]");
    expect(r.text("PASAK_abc")).to.equal("[REDACTED]");
  });

  it("masks a known key as sent, JSON-escaped and percent-encoded, but not a literal too short to be a key", () => {
    expect(r.text(`x ${KEY} y`)).to.equal("x [REDACTED] y");
    expect(r.text(JSON.stringify({ v: KEY }))).to.equal('{"v":"[REDACTED]"}');
    expect(r.text(`/p?k=${encodeURIComponent(KEY)}`)).to.equal("/p?k=[REDACTED]");
    expect(r.text("a short word")).to.equal("a short word");
  });

  it("keeps a URL's route and the API's own query values, and masks the rest", () => {
    expect(r.url(`/ex/jira/c1/rest/api/3/project/${TOKEN}?x=1`)).to.equal("/ex/jira/c1/rest/api/3/project/[REDACTED]?x=[REDACTED]");
    expect(r.url("/admin/v1/orgs/o/events?limit=5&cursor=abc&action=api-token.used&access_token=zzz")).to.equal(
      "/admin/v1/orgs/o/events?limit=5&cursor=abc&action=api-token.used&access_token=[REDACTED]",
    );
    expect(r.url(`/service-accounts?name=${TOKEN}`)).to.equal("/service-accounts?name=[REDACTED]");
    expect(r.url(`/healthz?${TOKEN}&flag`)).to.equal("/healthz?[REDACTED]&flag");
    expect(r.url(`/a/${encodeURIComponent(KEY)}/b`)).to.equal("/a/[REDACTED]/b");
    expect(r.url("/healthz")).to.equal("/healthz");
  });
});
