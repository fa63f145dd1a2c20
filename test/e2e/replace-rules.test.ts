import { expect } from "chai";
import type { Fleet, TokenSpec } from "./programs";
import { E2E_TIMEOUT, useScenario } from "./scenario";
import { steps, summary } from "./workspace";

// Every rule that replaces (or updates in place) through the engine, one resource per rule,
// all in one preview and one up; then the rules the inputs cannot show: rotation with the
// inputs unchanged, and a fixed expiresAt that has passed.

const DAY = 24 * 3600_000;
const T0 = Date.now();
/** A fixed time `days` from the start of this test, to the second. */
const at = (days: number) => new Date(Math.floor((T0 + days * DAY) / 1000) * 1000).toISOString();
const token = (label: string, t: Partial<TokenSpec> = {}): TokenSpec => ({ label, scopes: ["read:jira-work"], expiresInDays: 30, ...t });

const before: Fleet = {
  rules: {
    displayName: "rules-e2e",
    tokens: {
      label: token("before"),
      scopes: token("scopes"),
      days: token("days"),
      fixed: { label: "fixed", scopes: ["read:jira-work"], expiresAt: at(100) },
      keepers: token("keepers", { keepers: { epoch: "1" } }),
      switch: token("switch"),
      rotate: token("rotate", { expiresInDays: 20, rotateBeforeDays: 5 }),
    },
    bindings: {
      resource: { resource: "jira:project/ALPHA", role: "viewer" },
      role: { resource: "confluence:space/DOCS", role: "viewer" },
    },
  },
  renamed: { displayName: "rules-e2e-old" },
};

const after: Fleet = {
  rules: {
    displayName: "rules-e2e",
    tokens: {
      label: token("after"),
      scopes: token("scopes", { scopes: ["read:jira-work", "write:jira-work"] }),
      days: token("days", { expiresInDays: 45 }),
      fixed: { label: "fixed", scopes: ["read:jira-work"], expiresAt: at(120) },
      keepers: token("keepers", { keepers: { epoch: "2" } }),
      switch: { label: "switch", scopes: ["read:jira-work"], expiresAt: at(50) },
      rotate: token("rotate", { expiresInDays: 20, rotateBeforeDays: 8 }),
    },
    bindings: {
      resource: { resource: "jira:project/BETA", role: "viewer" },
      role: { resource: "confluence:space/DOCS", role: "editor" },
    },
  },
  renamed: { displayName: "rules-e2e-new" },
};

describe("e2e: every replace rule, through the engine", function () {
  this.timeout(E2E_TIMEOUT);
  const s = useScenario("replace-rules", before);

  it("replaces on each input that replaces, updates in place on the others, as previewed", async () => {
    const first = await s.up();
    s.declare(after);
    const preview = await s.stack.preview();
    const changed = steps(preview.events).filter((p) => p.op === "replace" || p.op === "update");
    const plan = Object.fromEntries(changed.map((p) => [p.name, `${p.op} ${[...(p.op === "replace" ? p.keys : p.diffs)].sort().join(",")}`]));
    expect(plan).to.deep.equal({
      // Atlassian changes a display name in place: the account is kept.
      renamed: "update displayName",
      "rules-label": "replace label",
      "rules-scopes": "replace scopes",
      "rules-days": "replace expiresInDays",
      "rules-fixed": "replace expiresAt",
      "rules-keepers": "replace keepers",
      "rules-switch": "replace expiresAt,expiresInDays",
      "rules-rotate": "update rotateBeforeDays",
      "rules-resource": "replace resource",
      "rules-role": "update role",
    });

    const up = await s.up();
    expect(up.resourceChanges).to.deep.include({ replace: 7, update: 3 });
    for (const k of ["label", "scopes", "days", "fixed", "keepers", "switch"]) {
      expect(up.tokens[`rules-${k}`]!.id, k).to.not.equal(first.tokens[`rules-${k}`]!.id);
    }
    expect(up.tokens["rules-rotate"]!.id).to.equal(first.tokens["rules-rotate"]!.id);
    expect(up.bindings["rules-resource"]).to.not.equal(first.bindings["rules-resource"]);
    expect(up.bindings["rules-role"]).to.equal(first.bindings["rules-role"]);
    expect(up.accounts.renamed!.id).to.equal(first.accounts.renamed!.id);
    expect((await s.backend.publicAccount(first.accounts.renamed!.id)).displayName).to.equal("rules-e2e-new");
    expect(summary((await s.stack.preview()).changeSummary), "settled").to.deep.equal({ same: 12 });
  });

  it("rotates a token whose inputs are unchanged once the provider's clock is inside its window", async () => {
    const now = await s.up();
    const rotating = now.tokens["rules-rotate"]!;
    // 20 days, rotateBeforeDays 8: 6 days before expiry is inside; every other token is far from its end.
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", new Date(Date.parse(rotating.expiresAt) - 6 * DAY).toISOString());
    try {
      const preview = await s.stack.preview();
      const planned = steps(preview.events).filter((p) => p.op !== "same");
      expect(planned.filter((p) => p.op === "replace").map((p) => `${p.name} ${p.keys.join(",")} [${p.diffs.join(",")}]`)).to.deep.equal([
        "rules-rotate expiresAt []",
      ]);
      const up = await s.up();
      expect(up.resourceChanges).to.deep.include({ replace: 1 });
      expect(up.tokens["rules-rotate"]!.id).to.not.equal(rotating.id);
    } finally {
      s.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    }
  });

  it("refuses a fixed expiresAt that has passed, in preview and up alike, saying what to give instead; nothing is sent for it", async () => {
    // Past the fixed token's expiresAt (120 days on).
    s.stack.setEnv("PULUMI_ATLASSIAN_NOW", at(121));
    try {
      // The other tokens have expired too by then, and the engine may replace them before it
      // stops; what must not happen is a request for the two fixed-date tokens.
      const fixedTokens = async () => {
        const all = [];
        for (const a of await s.backend.accounts()) all.push(...(await s.backend.tokens(a.id)));
        return all.filter((t) => t.label === "fixed" || t.label === "switch").map((t) => `${t.id} ${t.label} ${t.status}`).sort();
      };
      const mark = await fixedTokens();
      for (const op of ["preview", "up"] as const) {
        let failure: Error | undefined;
        try {
          await (op === "preview" ? s.stack.preview() : s.stack.up());
        } catch (e) {
          failure = e as Error;
        }
        expect(failure, op).to.be.an("error");
        // Check failures are diagnostics: in what this operation printed and emitted, not in the error's own message.
        const printed = s.stack.transcript.at(-1)!;
        expect(printed.op).to.equal(op);
        const diagnostics = printed.events.map((e) => e.diagnosticEvent?.message ?? "");
        const text = [failure!.message, printed.stdout, printed.stderr, ...diagnostics].join("\n");
        // Two tokens have a fixed expiresAt that has passed by now (rules-fixed, and rules-switch,
        // switched to one by the first test); the engine stops at whichever it checks first.
        const named = /resource '(rules-fixed|rules-switch)': property expiresAt/.exec(text)?.[1];
        expect(named, `${op} names a token with a passed fixed expiresAt`).to.be.oneOf(["rules-fixed", "rules-switch"]);
        expect(text, op).to.include(`expiresAt "${named === "rules-fixed" ? at(120) : at(50)}" has passed`);
        expect(text, op).to.include("give a later time").and.to.include("expiresInDays");
      }
      expect(await fixedTokens(), "the fixed-date tokens, as the backend has them").to.deep.equal(mark);
    } finally {
      s.stack.setEnv("PULUMI_ATLASSIAN_NOW", undefined);
    }
  });
});
