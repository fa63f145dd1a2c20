import { expect } from "chai";
import { quickstart, QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { useEngineFrame } from "../e2e/scenario";
import { ENFORCED } from "./app-access";
import { summary } from "../e2e/workspace";
import { SECRET_PATTERN } from "../../sdk/schemas";
import { expectGeneratedEmail } from "./generated-email";

// The quickstart example exactly as shipped (its defaults), through the real engine,
// against the real embedded backend.
describe("the quickstart example, through the engine", function () {
  this.timeout(15 * 60_000);
  const frame = useEngineFrame("ex-quickstart", async () => quickstart(), ENFORCED);
  const { secrets } = frame;
  let email = "";
  let token = "";
  let accountId = "";
  let productAccountId = "";

  it("previews an account, a token and two bindings, and creates nothing yet", async () => {
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ create: 5 }); // with the stack itself
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });

  it("creates them on up, as declared", async () => {
    const up = await frame.stack.up();
    expect(up.summary.result).to.equal("succeeded");
    const outputs = up.outputs;
    email = String(outputs.email?.value);
    token = String(outputs.token?.value);
    productAccountId = String(outputs.accountId?.value);
    secrets.push(token);
    expect(outputs.token?.secret).to.equal(true);
    expect(SECRET_PATTERN.test(token)).to.equal(true);
    // Atlassian generates the email: a slug of the display name and a random suffix.
    expectGeneratedEmail(email, QUICKSTART_DEFAULTS.displayName);

    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => [a.displayName, a.email])).to.deep.equal([[QUICKSTART_DEFAULTS.displayName, email]]);
    accountId = accounts[0].id;
    const tokens = await frame.backend.tokens(accountId);
    expect(tokens).to.have.length(1);
    expect(tokens[0]).to.include({ id: outputs.tokenId?.value, status: "active", label: "ci" });
    expect([...tokens[0].scopes].sort()).to.deep.equal([...QUICKSTART_DEFAULTS.scopes].sort());
    const days = (Date.parse(tokens[0].expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(QUICKSTART_DEFAULTS.expiresInDays - 1, QUICKSTART_DEFAULTS.expiresInDays);
    const bindings = (await frame.backend.bindings(accountId)).map((b) => `${b.resource} ${b.role}`).sort();
    expect(bindings).to.deep.equal([
      `confluence:space/${QUICKSTART_DEFAULTS.confluenceSpace} viewer`,
      `jira:project/${QUICKSTART_DEFAULTS.jiraProject} editor`,
    ]);
  });

  it("gives a token that works within its grant and nowhere else", async () => {
    const { jiraProject, confluenceSpace } = QUICKSTART_DEFAULTS;
    expect(await frame.backend.readJiraProject(email, token, jiraProject)).to.equal(200);
    expect(await frame.backend.createJiraIssue(email, token, jiraProject)).to.equal(201);
    expect(await frame.backend.readConfluenceSpace(email, token, confluenceSpace)).to.equal(200);
    expect(await frame.backend.readJiraProject(email, token, "FIN"), "a project with no binding").to.equal(403);
    expect(await frame.backend.readConfluenceSpace(email, token, "HR"), "a space with no binding").to.equal(403);
  });

  it("renames the account in place when its display name changes: same account, its token still works", async () => {
    frame.stack.setProgram(async () => quickstart({ displayName: "Release bot" }));
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ update: 1, same: 4 });
    const up = await frame.stack.up();
    expect(summary(up.summary.resourceChanges)).to.deep.equal({ update: 1, same: 4 });
    expect(String(up.outputs.token?.value)).to.equal(token);
    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => [a.id, a.displayName])).to.deep.equal([[accountId, "Release bot"]]);
    expect(up.outputs.accountId?.value).to.equal(productAccountId);
    // The email is Atlassian's to keep or change on a rename: the output says which it is now.
    email = String(up.outputs.email?.value);
    expect(await frame.backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(200);
  });

  it("changes nothing on a second up", async () => {
    const up = await frame.stack.up();
    expect(summary(up.summary.resourceChanges)).to.deep.equal({ same: 5 });
    expect(String(up.outputs.token?.value)).to.equal(token);
  });

  it("leaves nothing behind on destroy", async () => {
    const destroy = await frame.stack.destroy();
    expect(destroy.summary.result).to.equal("succeeded");
    expect(await frame.backend.accounts()).to.deep.equal([]);
    expect(await frame.backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(401);
  });
});
