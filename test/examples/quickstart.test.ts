import { expect } from "chai";
import { quickstart, QUICKSTART_DEFAULTS } from "../../examples/quickstart/program";
import { expectNoSecrets, TestBackend } from "../e2e/fixture";
import { summary, TestStack } from "../e2e/workspace";
import { SECRET_PATTERN } from "../../sdk/schemas";

// The quickstart example exactly as shipped (its defaults), through the real engine,
// against the real embedded backend.
describe("the quickstart example, through the engine", function () {
  this.timeout(15 * 60_000);
  let backend: TestBackend;
  let stack: TestStack;
  const secrets: string[] = [];
  let email = "";
  let token = "";
  let accountId = "";

  before(async () => {
    backend = await TestBackend.start();
    secrets.push(backend.adminKey);
    stack = await TestStack.create({ name: "ex-quickstart", program: async () => quickstart(), ...backend.stackConfig() });
  });

  afterEach(function () {
    if (stack) expectNoSecrets(stack.transcriptText(), `the engine's output in "${this.currentTest?.title}"`, secrets);
  });

  after(async () => {
    await stack?.dispose();
    await backend?.close();
  });

  it("previews an account, a token and two bindings, and creates nothing yet", async () => {
    const preview = await stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ create: 5 }); // with the stack itself
    expect(await backend.accounts()).to.deep.equal([]);
  });

  it("creates them on up, as declared", async () => {
    const up = await stack.up();
    expect(up.summary.result).to.equal("succeeded");
    const outputs = up.outputs;
    email = String(outputs.email?.value);
    token = String(outputs.token?.value);
    secrets.push(token);
    expect(outputs.token?.secret).to.equal(true);
    expect(SECRET_PATTERN.test(token)).to.equal(true);
    expect(email).to.equal(`${QUICKSTART_DEFAULTS.name}@serviceaccount.atlassian.com`);

    const accounts = await backend.accounts();
    expect(accounts.map((a) => a.name)).to.deep.equal([QUICKSTART_DEFAULTS.name]);
    accountId = accounts[0].id;
    const tokens = await backend.tokens(accountId);
    expect(tokens).to.have.length(1);
    expect(tokens[0]).to.include({ id: outputs.tokenId?.value, status: "active", label: "ci" });
    expect([...tokens[0].scopes].sort()).to.deep.equal([...QUICKSTART_DEFAULTS.scopes].sort());
    const days = (Date.parse(tokens[0].expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(QUICKSTART_DEFAULTS.expiresInDays - 1, QUICKSTART_DEFAULTS.expiresInDays);
    const bindings = (await backend.bindings(accountId)).map((b) => `${b.resource} ${b.role}`).sort();
    expect(bindings).to.deep.equal([
      `confluence:space/${QUICKSTART_DEFAULTS.confluenceSpace} viewer`,
      `jira:project/${QUICKSTART_DEFAULTS.jiraProject} editor`,
    ]);
  });

  it("gives a token that works within its grant and nowhere else", async () => {
    const { jiraProject, confluenceSpace } = QUICKSTART_DEFAULTS;
    expect(await backend.readJiraProject(email, token, jiraProject)).to.equal(200);
    expect(await backend.createJiraIssue(email, token, jiraProject)).to.equal(201);
    expect(await backend.readConfluenceSpace(email, token, confluenceSpace)).to.equal(200);
    expect(await backend.readJiraProject(email, token, "FIN"), "a project with no binding").to.equal(403);
    expect(await backend.readConfluenceSpace(email, token, "HR"), "a space with no binding").to.equal(403);
  });

  it("changes nothing on a second up", async () => {
    const up = await stack.up();
    expect(summary(up.summary.resourceChanges)).to.deep.equal({ same: 5 });
    expect(String(up.outputs.token?.value)).to.equal(token);
  });

  it("leaves nothing behind on destroy", async () => {
    const destroy = await stack.destroy();
    expect(destroy.summary.result).to.equal("succeeded");
    expect(await backend.accounts()).to.deep.equal([]);
    expect(await backend.readJiraProject(email, token, QUICKSTART_DEFAULTS.jiraProject)).to.equal(401);
  });
});
