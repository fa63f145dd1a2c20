import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { FleetValidationError, parseFleet, type FleetProblem } from "../../examples/fleet/fleet";

/** The problems parseFleet reports for `text`; fails the test if it reports none. */
function problemsOf(text: string, file = "fleet.yaml"): FleetProblem[] {
  try {
    parseFleet(text, file);
  } catch (err) {
    expect(err).to.be.instanceOf(FleetValidationError);
    return (err as FleetValidationError).problems;
  }
  expect.fail("the fleet file was accepted");
}

/** 1-based line of the first line of `text` that contains `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(marker));
  expect(i, `marker ${marker}`).to.be.greaterThan(-1);
  return i + 1;
}

const GOOD = `defaults:
  expiresInDays: 60
accounts:
  - displayName: Payments CI
    tokens:
      - label: deploy
        scopes: [read:jira-work, write:jira-work]
    access:
      - resource: jira:project/PAY
        role: editor
  - displayName: Docs publisher
    tokens:
      - label: publish
        scopes: [write:page:confluence]
        expiresInDays: 30
        rotateBeforeDays: 3
`;

describe("the fleet file", () => {
  describe("when it is valid", () => {
    it("yields every account with its tokens and access, and fills in the defaults", () => {
      const fleet = parseFleet(GOOD);
      expect(fleet.defaults).to.deep.equal({ expiresInDays: 60, rotateBeforeDays: 14 });
      expect(fleet.accounts.map((a) => a.displayName)).to.deep.equal(["Payments CI", "Docs publisher"]);
      expect(fleet.accounts[0]!.access).to.deep.equal([{ resource: "jira:project/PAY", role: "editor" }]);
      expect(fleet.accounts[1]!.access).to.deep.equal([]);
      expect(fleet.accounts[1]!.tokens[0]).to.include({ expiresInDays: 30, rotateBeforeDays: 3 });
    });

    it("accepts the example's own fleet.yaml", () => {
      const text = readFileSync(path.join(__dirname, "../../examples/fleet/fleet.yaml"), "utf8");
      expect(parseFleet(text).accounts).to.have.length(3);
    });
  });

  describe("when a token has an unknown scope", () => {
    const text = GOOD.replace("[read:jira-work, write:jira-work]", "[read:jira-work, read:jira-wrok]");

    it("points at its line and column, names the field and suggests the known scope", () => {
      const [problem, ...rest] = problemsOf(text);
      expect(rest).to.deep.equal([]);
      const line = lineOf(text, "read:jira-wrok");
      expect(problem).to.deep.include({
        file: "fleet.yaml",
        line,
        col: text.split("\n")[line - 1]!.indexOf("read:jira-wrok") + 1,
        field: "accounts[0].tokens[0].scopes[1]",
      });
      expect(problem!.message).to.equal('unknown scope "read:jira-wrok"; did you mean "read:jira-work"?');
    });

    it("says so in the error message as file:line:col", () => {
      expect(() => parseFleet(text, "teams/fleet.yaml")).to.throw(
        `teams/fleet.yaml:${lineOf(text, "read:jira-wrok")}:34: accounts[0].tokens[0].scopes[1]: unknown scope "read:jira-wrok"; did you mean "read:jira-work"?`,
      );
    });
  });

  it("reports an unknown field at the key's own line, and says to remove it", () => {
    const text = GOOD.replace("    access:\n", "    acess:\n");
    const problems = problemsOf(text);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.deep.include({ line: lineOf(text, "acess:"), col: 5, field: "accounts[0].acess" });
    expect(problems[0]!.message).to.equal('unknown field "acess"; did you mean "access"?');
  });

  it("says to remove an unknown field that resembles none", () => {
    const text = GOOD.replace("        role: editor\n", "        role: editor\n        ticket: OPS-1234\n");
    const [problem] = problemsOf(text);
    expect(problem).to.deep.include({
      line: lineOf(text, "ticket:"),
      field: "accounts[0].access[0].ticket",
      message: 'unknown field "ticket"; remove it',
    });
  });

  it("reports a missing display name at the account's entry", () => {
    const text = GOOD.replace("  - displayName: Docs publisher\n    tokens:", "  - tokens:");
    expect(text).to.not.equal(GOOD);
    const problems = problemsOf(text);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.deep.include({ field: "accounts[1].displayName", message: "missing; displayName is required" });
    expect(problems[0]!.line).to.equal(lineOf(text, "  - tokens:"));
  });

  it("reports a 0.1.0 entry's name at its line: accounts are declared by displayName now", () => {
    const text = GOOD.replace("  - displayName: Docs publisher\n", "  - name: docs-publisher\n");
    expect(text).to.not.equal(GOOD);
    const problems = problemsOf(text);
    const line = lineOf(text, "name: docs-publisher");
    expect(problems.map((p) => [p.field, p.line])).to.deep.equal([
      ["accounts[1].displayName", line],
      ["accounts[1].name", line],
    ]);
    expect(problems[0]!.message).to.equal("missing; displayName is required");
    expect(problems[1]!.col).to.equal(5);
    expect(problems[1]!.message).to.match(/^unknown field "name"; an account is declared by its displayName \(Atlassian generates its email and ids\)/);
  });

  it("reports a display name that is too long or holds a control character, at its value", () => {
    const long = "x".repeat(101);
    const text = GOOD.replace("displayName: Payments CI", `displayName: ${long}`).replace("displayName: Docs publisher", 'displayName: "Docs\\tpublisher"');
    const problems = problemsOf(text, "teams/fleet.yaml");
    expect(problems.map((p) => p.field)).to.deep.equal(["accounts[0].displayName", "accounts[1].displayName"]);
    expect(problems[0]).to.deep.include({ line: lineOf(text, long), col: text.split("\n")[lineOf(text, long) - 1]!.indexOf(long) + 1 });
    expect(problems[0]!.message).to.equal("displayName must be 1-100 characters");
    expect(problems[1]).to.deep.include({ line: lineOf(text, "Docs\\tpublisher") });
    expect(problems[1]!.message).to.equal("displayName must not contain control characters");
    expect(() => parseFleet(text, "teams/fleet.yaml")).to.throw(`teams/fleet.yaml:${lineOf(text, long)}:18: accounts[0].displayName: displayName must be 1-100 characters`);
  });

  it("reports every problem at once, in file order", () => {
    const text = GOOD.replace("role: editor", "role: owner")
      .replace("expiresInDays: 30", "expiresInDays: 400")
      .replace("jira:project/PAY", "jira:project/pay");
    const problems = problemsOf(text);
    expect(problems.map((p) => p.field)).to.deep.equal([
      "accounts[0].access[0].resource",
      "accounts[0].access[0].role",
      "accounts[1].tokens[0].expiresInDays",
    ]);
    expect(problems.map((p) => p.line)).to.deep.equal([
      lineOf(text, "jira:project/pay"),
      lineOf(text, "role: owner"),
      lineOf(text, "expiresInDays: 400"),
    ]);
    expect(problems[2]!.message).to.equal("expiresInDays must be 1-365");
  });

  it("rejects a display name declared twice, at the second one: display names tell accounts apart", () => {
    const text = GOOD.replace("displayName: Docs publisher", "displayName: Payments CI");
    const problems = problemsOf(text);
    expect(problems).to.have.length(1);
    const second = text.split("\n").findLastIndex((l) => l.includes("displayName: Payments CI")) + 1;
    expect(second).to.be.greaterThan(lineOf(text, "displayName: Payments CI"));
    expect(problems[0]).to.deep.include({ field: "accounts[1].displayName", line: second, col: 18 });
    expect(problems[0]!.message).to.equal(
      'service account "Payments CI" is already declared as accounts[0]; display names are how the provider tells accounts apart, so give each account its own',
    );
  });

  it("rejects a token that would be rotated on every run (rotateBeforeDays >= expiresInDays)", () => {
    const text = GOOD.replace("rotateBeforeDays: 3", "rotateBeforeDays: 30");
    const [problem] = problemsOf(text);
    expect(problem).to.deep.include({ field: "accounts[1].tokens[0].rotateBeforeDays", line: lineOf(text, "rotateBeforeDays: 30") });
    expect(problem!.message).to.match(/must be less than expiresInDays \(30\)/);
  });

  it("reports broken YAML at its line, before any schema check", () => {
    const text = "accounts:\n  - displayName: Payments CI\n   tokens: [\n";
    const problems = problemsOf(text, "broken.yaml");
    expect(problems.length).to.be.greaterThan(0);
    expect(problems[0]!.message).to.match(/^not valid YAML: /);
    expect(problems[0]!.line).to.be.within(2, 4);
  });

  it("reports an empty file as missing its accounts", () => {
    expect(problemsOf("")).to.deep.equal([
      { file: "fleet.yaml", line: 1, col: 1, field: "accounts", message: "missing; accounts is required" },
    ]);
  });
});
