import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { fleet } from "../../examples/fleet/program";
import { useEngineFrame } from "../e2e/scenario";
import { ENFORCED } from "./app-access";
import { summary } from "../e2e/workspace";
import { expectGeneratedEmail } from "./generated-email";

const FLEET_FILE = path.join(__dirname, "../../examples/fleet/fleet.yaml");
const FLEET_TEXT = readFileSync(FLEET_FILE, "utf8");

// The fleet example with its own fleet.yaml, through the real engine, against the real
// embedded backend: three teams' accounts, tokens and access from one file.
describe("the fleet example, through the engine", function () {
  this.timeout(15 * 60_000);
  const frame = useEngineFrame("ex-fleet", async () => fleet({ file: FLEET_FILE }), ENFORCED);
  const { secrets } = frame;
  let tokens: Record<string, string> = {};
  let emails: Record<string, string> = {};

  it("creates every account, token and binding in the file", async () => {
    const up = await frame.stack.up();
    expect(up.summary.result).to.equal("succeeded");
    // The stack, 3 accounts, 3 tokens, 4 bindings.
    expect(summary(up.summary.resourceChanges)).to.deep.equal({ create: 11 });
    expect(up.outputs.tokens?.secret).to.equal(true);
    tokens = up.outputs.tokens?.value as Record<string, string>;
    emails = up.outputs.emails?.value as Record<string, string>;
    secrets.push(...Object.values(tokens));
    // Keyed by display name: the fleet file's key for an account.
    expect(Object.keys(tokens).sort()).to.deep.equal(["Docs publisher/publish", "Payments CI/deploy-notes", "Support triage/triage"]);
    expect(Object.keys(emails).sort()).to.deep.equal(["Docs publisher", "Payments CI", "Support triage"]);
    for (const [displayName, email] of Object.entries(emails)) expectGeneratedEmail(email, displayName);

    const accounts = await frame.backend.accounts();
    expect(accounts.map((a) => a.displayName).sort()).to.deep.equal(["Docs publisher", "Payments CI", "Support triage"]);
    // Each exported email is the account's, as the backend generated it.
    expect(Object.fromEntries(accounts.map((a) => [a.displayName, a.email]))).to.deep.equal(emails);
    const docs = accounts.find((a) => a.displayName === "Docs publisher");
    expect(docs.description).to.equal("Owned by team-docs. Managed by Pulumi from the fleet file.");
    const payments = accounts.find((a) => a.displayName === "Payments CI");
    expect(payments.description).to.equal("Owned by team-payments. Managed by Pulumi from the fleet file.");
    const triage = accounts.find((a) => a.displayName === "Support triage");
    expect(triage.description, "an explicit description wins over owner").to.equal("Reads new support issues and labels them.");

    const [docsToken] = await frame.backend.tokens(docs.id);
    const days = (Date.parse(docsToken.expiresAt) - Date.now()) / 86_400_000;
    expect(days, "Docs publisher's own expiresInDays").to.be.within(29, 30);
    const [paymentsToken] = await frame.backend.tokens(payments.id);
    const paymentDays = (Date.parse(paymentsToken.expiresAt) - Date.now()) / 86_400_000;
    expect(paymentDays, "the file's default expiresInDays").to.be.within(89, 90);
    const docsBindings = (await frame.backend.bindings(docs.id)).map((b) => `${b.resource} ${b.role}`).sort();
    expect(docsBindings).to.deep.equal(["confluence:space/DOCS editor", "confluence:space/ENG viewer"]);
  });

  it("hands each team a token that works on its own project and not on another's", async () => {
    const pay = tokens["Payments CI/deploy-notes"]!;
    expect(await frame.backend.readJiraProject(emails["Payments CI"]!, pay, "PAY")).to.equal(200);
    expect(await frame.backend.readJiraProject(emails["Payments CI"]!, pay, "SUP")).to.equal(403);
    const triage = tokens["Support triage/triage"]!;
    expect(await frame.backend.readJiraProject(emails["Support triage"]!, triage, "SUP")).to.equal(200);
  });

  it("turns an edit of the file into exactly that change", async () => {
    // "Docs publisher" loses its viewer access to ENG.
    const edited = FLEET_TEXT.replace(/\n +- resource: confluence:space\/ENG\n +role: viewer/, "");
    expect(edited).to.not.equal(FLEET_TEXT);
    frame.stack.setProgram(async () => fleet({ text: edited }));
    const preview = await frame.stack.preview();
    expect(summary(preview.changeSummary)).to.deep.equal({ delete: 1, same: 10 });
    await frame.stack.up();
    const docs = (await frame.backend.accounts()).find((a) => a.displayName === "Docs publisher");
    expect((await frame.backend.bindings(docs.id)).map((b) => b.resource)).to.deep.equal(["confluence:space/DOCS"]);
  });

  it("stops a file with a mistake at preview, naming its line, before any change", async () => {
    const before = await frame.backend.mutations();
    const bad = FLEET_TEXT.replace("[read:jira-work, write:jira-work]", "[read:jira-work, write:jira-wrok]");
    const line = bad.split("\n").findIndex((l) => l.includes("write:jira-wrok")) + 1;
    frame.stack.setProgram(async () => fleet({ text: bad, name: "fleet.yaml" }));
    let message = "";
    try {
      await frame.stack.preview();
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).to.include(`fleet.yaml:${line}:`);
    expect(message).to.include('accounts[0].tokens[0].scopes[1]: unknown scope "write:jira-wrok"; did you mean "write:jira-work"?');
    expect(await frame.backend.mutations()).to.deep.equal(before);
  });

  it("leaves nothing behind on destroy", async () => {
    await frame.stack.destroy();
    expect(await frame.backend.accounts()).to.deep.equal([]);
  });
});
