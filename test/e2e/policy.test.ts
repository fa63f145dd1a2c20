/**
 * The org's policy (`atlassian:policy`) through the engine: a preview that breaks a rule
 * fails before any request, naming the rule, the resource and the value; a value not known
 * during the preview is judged by the `up` that knows it.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as sa from "pulumi-atlassian-service-accounts";
import { fleetProgram, type AccountSpec, type Fleet } from "./programs";
import { E2E_TIMEOUT, useEngineFrame } from "./scenario";
import { rejection } from "./workspace";

const POLICY = {
  maxTokenDays: 90,
  minRotateBeforeDays: 7,
  forbiddenScopes: ["delete:*"],
  maxRoles: { "jira:project/FIN*": "viewer" },
  requireDescription: true,
  displayNamePattern: "svc-[a-z0-9-]+",
};

const compliant: AccountSpec = {
  displayName: "svc-billing",
  description: "Deploys billing from CI; owner: payments",
  tokens: { ci: { label: "ci", scopes: ["read:jira-work"], expiresInDays: 30, rotateBeforeDays: 7 } },
  bindings: { fin: { resource: "jira:project/FIN1", role: "viewer" } },
};
const withToken = (t: Partial<NonNullable<AccountSpec["tokens"]>[string]>): Fleet => ({
  bot: { ...compliant, tokens: { ci: { ...compliant.tokens!.ci!, ...t } } },
});

/** One fleet per kind of rule, each breaking that rule alone; what the failure must say. */
const BREACHES: { rule: string; fleet: Fleet; says: string[] }[] = [
  { rule: "maxTokenDays", fleet: withToken({ expiresInDays: 180 }), says: ['ApiToken "bot-ci"', "expiresInDays is 180"] },
  { rule: "minRotateBeforeDays", fleet: withToken({ rotateBeforeDays: 2 }), says: ['ApiToken "bot-ci"', "rotateBeforeDays is 2"] },
  { rule: "forbiddenScopes", fleet: withToken({ scopes: ["read:jira-work", "delete:issue:jira"] }), says: ['ApiToken "bot-ci"', '"delete:issue:jira"', '"delete:*"'] },
  {
    rule: "maxRoles",
    fleet: { bot: { ...compliant, bindings: { fin: { resource: "jira:project/FIN1", role: "admin" } } } },
    says: ['ScopeBinding "bot-fin"', 'role "admin" on jira:project/FIN1', '"jira:project/FIN*"'],
  },
  { rule: "requireDescription", fleet: { bot: { ...compliant, description: undefined } }, says: ['ServiceAccount "bot"', "description is not set"] },
  { rule: "displayNamePattern", fleet: { bot: { ...compliant, displayName: "Billing bot" } }, says: ['ServiceAccount "bot"', '"Billing bot"'] },
];

/** A second account whose display name is made from the first one's generated email: unknown until the first exists. */
function computedNameProgram(toName: (email: string) => string): () => Promise<Record<string, unknown>> {
  return async () => {
    const first = new sa.ServiceAccount("first", { displayName: "svc-first", description: "first" });
    const second = new sa.ServiceAccount("second", { displayName: first.email.apply(toName), description: pulumi.interpolate`after ${first.accountId}` });
    return { second: second.displayName };
  };
}

describe("e2e: the org's policy (atlassian:policy)", function () {
  this.timeout(E2E_TIMEOUT);
  const frame = useEngineFrame("policy", fleetProgram({ bot: compliant }));
  /** What the last operation failed with, and everything the engine printed or emitted during it (not before). */
  const saidBy = (err: Error) => {
    const op = frame.stack.transcript.at(-1)!;
    return `${err.message}\n${op.stdout}\n${op.stderr}\n${op.events.map((e) => JSON.stringify(e)).join("\n")}`;
  };

  before(async () => {
    await frame.stack.stack.setConfig("atlassian:policy", { value: JSON.stringify(POLICY) });
  });

  for (const breach of BREACHES) {
    it(`fails a preview that breaks ${breach.rule} before any request, naming the rule, the resource and the value`, async () => {
      frame.stack.setProgram(fleetProgram(breach.fleet));
      let err: Error | undefined;
      const sent = await frame.backend.requestsDuring(async () => {
        err = await rejection(frame.stack.preview(), `a preview breaking ${breach.rule}`);
      });
      const said = saidBy(err!);
      expect(said).to.include(`breaks the policy rule ${breach.rule} (atlassian:policy)`);
      for (const s of breach.says) expect(said).to.include(s);
      expect(sent, "requests to the backend during the preview").to.deep.equal({});
    });
  }

  it("fails a preview on a malformed policy, naming the field and the fix, before any request", async () => {
    frame.stack.setProgram(fleetProgram({ bot: compliant }));
    await frame.stack.stack.setConfig("atlassian:policy", { value: JSON.stringify({ ...POLICY, maxRoles: { "jira:project/FIN*": "owner" } }) });
    let err: Error | undefined;
    const sent = await frame.backend.requestsDuring(async () => {
      err = await rejection(frame.stack.preview(), "a preview with a malformed policy");
    });
    const said = saidBy(err!);
    expect(said).to.include("atlassian:policy (or ATLASSIAN_POLICY)");
    expect(said).to.include('maxRoles["jira:project/FIN*"] "owner" must be "viewer", "editor" or "admin"');
    expect(sent).to.deep.equal({});
    await frame.stack.stack.setConfig("atlassian:policy", { value: JSON.stringify(POLICY) });
  });

  it("reads a policy written as an object in the stack's settings file (Pulumi.<stack>.yaml)", async () => {
    const ws = frame.stack.workspace;
    const name = frame.stack.stack.name;
    const settings = await ws.stackSettings(name);
    settings.config = { ...settings.config, "atlassian:policy": { maxTokenDays: 60 } as never };
    await ws.saveStackSettings(name, settings);
    frame.stack.setProgram(fleetProgram(withToken({ expiresInDays: 61 })));
    const err = await rejection(frame.stack.preview(), "a preview breaking a policy written as an object");
    expect(saidBy(err)).to.include("breaks the policy rule maxTokenDays").and.include("expiresInDays is 61");
    await frame.stack.stack.setConfig("atlassian:policy", { value: JSON.stringify(POLICY) });
  });

  it("previews a compliant fleet, and leaves a value not known yet to the up that knows it", async () => {
    frame.stack.setProgram(fleetProgram({ bot: compliant }));
    await frame.stack.preview();

    // The second name is unknown during the preview: not judged. The up knows it, and judges it.
    frame.stack.setProgram(computedNameProgram((email) => email));
    const preview = await frame.stack.preview();
    expect(preview.changeSummary.create, "the stack and the two accounts").to.equal(3);
    const err = await rejection(frame.stack.up(), "an up whose computed display name breaks the pattern");
    const said = saidBy(err);
    expect(said).to.match(/ServiceAccount "second" breaks the policy rule displayNamePattern .*@serviceaccount\.atlassian\.com/);
    expect((await frame.backend.accounts()).map((a) => a.displayName)).to.deep.equal(["svc-first"]);

    frame.stack.setProgram(computedNameProgram((email) => `svc-${email.split("@")[0]}`));
    const up = await frame.stack.up();
    expect(String(up.outputs.second?.value)).to.match(/^svc-svc-first-[a-z0-9]{10}$/);
    await frame.stack.destroy();
  });
});
