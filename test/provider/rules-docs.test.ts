/**
 * Each resource's change rules are stated once, as data (`*_RULES`), and read by its `diff`;
 * the README's input tables must say the same: a row whose "a change" column says
 * **replaces** is a replacing input, any other row an in-place one, and every input has a row.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { API_TOKEN_RULES, GROUP_MEMBERSHIP_RULES, SCOPE_BINDING_RULES, SERVICE_ACCOUNT_RULES } from "../../provider/index";

const README = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** The rows of the input table under the README's `### \`<kind>\`` heading: input name to its "a change" cell. */
function table(kind: string): Map<string, string> {
  const start = README.indexOf(`### \`${kind}\``);
  expect(start, `README has a section ### \`${kind}\``).to.be.greaterThan(-1);
  const lines = README.slice(start).split("\n");
  const header = lines.findIndex((l) => /^\| input \|.*\| a change \|$/.test(l));
  expect(header, `the ${kind} section has an input table`).to.be.greaterThan(-1);
  const rows = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const name = /^`([A-Za-z]+)`$/.exec(cells[0] ?? "")?.[1];
    expect(name, `a row of the ${kind} table names an input: ${line}`).to.be.a("string");
    rows.set(name!, cells.at(-1)!);
  }
  return rows;
}

const cases = [
  ["ServiceAccount", SERVICE_ACCOUNT_RULES],
  ["ApiToken", API_TOKEN_RULES],
  ["ScopeBinding", SCOPE_BINDING_RULES],
  ["GroupMembership", GROUP_MEMBERSHIP_RULES],
] as const;

describe("the README's input tables follow the change rules the provider's diff reads", () => {
  for (const [kind, rules] of cases) {
    it(`${kind}: every input has a row, and **replaces** exactly where the rules replace`, () => {
      const rows = table(kind);
      expect([...rows.keys()].sort()).to.deep.equal([...rules.replaces, ...rules.inPlace].sort());
      const documented = [...rows].filter(([, change]) => change.includes("**replaces**")).map(([name]) => name);
      expect(documented.sort()).to.deep.equal([...rules.replaces].sort());
    });
  }
});
