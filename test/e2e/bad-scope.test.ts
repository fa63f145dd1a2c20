import { expect } from "chai";
import type { Fleet } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";

const fleet: Fleet = {
  bot: {
    displayName: "bad-scope-e2e",
    tokens: { ci: { label: "ci", scopes: ["read:jira-work", "write:jira-wrok"], expiresInDays: 30 } },
    bindings: { jira: { resource: "jira:project/ALPHA", role: "editor" } },
  },
};

describe("e2e: a misspelt scope", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("bad-scope", fleet);

  it("fails preview before any API call, naming the scope and suggesting the right one", async () => {
    let failure: Error | undefined;
    try {
      await s.stack.preview();
    } catch (e) {
      failure = e as Error;
    }
    expect(failure, "preview with an unknown scope").to.be.an("error");
    const said = `${failure!.message}\n${s.stack.transcriptText()}`;
    expect(said).to.include("write:jira-wrok");
    expect(said).to.match(/did you mean "write:jira-work"/);
    expect(said).to.include("scopes");

    expect(await s.backend.adminRequestCounts(), "admin API requests").to.deep.equal({});
    expect(await s.backend.events(), "audit log").to.deep.equal([]);
    expect(await s.backend.accounts()).to.deep.equal([]);
  });
});
