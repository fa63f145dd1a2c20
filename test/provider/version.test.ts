/**
 * Which version wrote a resource's state, and what the installed handlers do with state
 * written by another: stand-ins for an earlier version (no stamp, as 0.1.0 wrote it) and a
 * later one (a stamp of a newer major).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { providers } from "../../provider/index";
import type { ScopeBindingOutputs } from "../../provider/scopeBinding";
import type { ServiceAccountOutputs } from "../../provider/serviceAccount";
import { assertReadable, INSTALLED_VERSION, VERSION_KEY, writerOf } from "../../provider/version";
import { CONTEXT, created, rejection, useBackend } from "./helpers";

const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }).version;
const NEWER_MAJOR = `${Number(PACKAGE_VERSION.split(".")[0]) + 1}.0.0`;

function refusal(fn: () => void): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a refusal");
}

describe("state across versions", () => {
  it("knows the installed version from package.json", () => {
    expect(INSTALLED_VERSION).to.equal(PACKAGE_VERSION);
  });

  it("takes state with no stamp as written by 0.1.0", () => {
    expect(writerOf({ name: "x" })).to.equal("0.1.0");
    expect(writerOf({ name: "x", [VERSION_KEY]: "0.3.1" })).to.equal("0.3.1");
  });

  it("reads state of older versions and of newer ones in the same major (for 0.x, the same minor)", () => {
    for (const [writer, installed] of [
      ["0.1.0", "0.1.0"],
      ["0.1.0", "0.1.7"],
      ["0.1.9", "0.1.2"],
      ["0.1.0", "1.0.0"],
      ["1.9.0", "1.2.0"],
      ["1.0.0", "2.4.1"],
    ]) {
      expect(() => assertReadable("x", { [VERSION_KEY]: writer }, installed), `${writer} read by ${installed}`).to.not.throw();
    }
    expect(() => assertReadable("x", {}, "0.1.0"), "no stamp").to.not.throw();
  });

  it("refuses state of a newer major (for 0.x, a newer minor), naming both versions and the fix", () => {
    for (const [writer, installed] of [
      ["1.0.0", "0.1.0"],
      ["0.2.0", "0.1.5"],
      ["3.0.0", "2.9.9"],
    ]) {
      const err = refusal(() => assertReadable("cannot use the state of ServiceAccount sa_1", { [VERSION_KEY]: writer }, installed));
      expect(err.message).to.include("ServiceAccount sa_1");
      expect(err.message).to.include(`written by pulumi-atlassian-service-accounts ${writer}`);
      expect(err.message).to.include(`installed ${installed}`);
      expect(err.message).to.include(`npm install pulumi-atlassian-service-accounts@^${writer}`).and.to.include("package-lock.json");
    }
  });

  it("refuses a stamp that is not a version, rather than guess", () => {
    const err = refusal(() => assertReadable("x", { [VERSION_KEY]: "next" }, "0.1.0"));
    expect(err.message).to.include('"next"').and.to.include("0.1.0");
  });

  describe("the handlers", () => {
    const newer: ScopeBindingOutputs & Record<string, unknown> = {
      __context: CONTEXT,
      serviceAccountId: "sa_1",
      resource: "jira:project/OPS",
      role: "viewer",
      accountId: "712020:0000",
      grant: { via: "jira-project-role", roleId: "10004", roleName: "Viewer", added: true },
      createdAt: "2026-01-01T00:00:00.000Z",
      [VERSION_KEY]: NEWER_MAJOR,
    };
    const news = { __context: CONTEXT, serviceAccountId: "sa_1", resource: "jira:project/OPS", role: "viewer" as const };

    it("refuse state of a newer major in diff, read, update and delete, before any request", async () => {
      // No backend is configured: a handler that sent a request would fail on that instead.
      const sb = providers.ScopeBinding;
      for (const [name, call] of [
        ["diff", () => sb.diff("b1", newer, news)],
        ["read", () => sb.read("b1", newer)],
        ["update", () => sb.update("b1", newer, { ...news, role: "editor" })],
        ["delete", () => sb.delete("b1", newer)],
      ] as const) {
        const err = await rejection(call());
        expect(err.message, name).to.include(`cannot use the state of ScopeBinding b1: its state was written by pulumi-atlassian-service-accounts ${NEWER_MAJOR}`);
        expect(err.message, name).to.include(`installed ${PACKAGE_VERSION}`);
      }
    });

    it("see no change in a state without a stamp, or with an older one, that matches the inputs", async () => {
      const { [VERSION_KEY]: _, ...unstamped } = newer;
      expect(await providers.ScopeBinding.diff("b1", unstamped, news)).to.deep.include({ changes: false });
      expect(await providers.ScopeBinding.diff("b1", { ...unstamped, [VERSION_KEY]: "0.0.1" } as ScopeBindingOutputs, news)).to.deep.include({ changes: false });
    });

    describe("against the backend", () => {
      useBackend();

      it("stamp what they write (create, read, update) with the installed version, and read state with no stamp", async () => {
        const { id, outs } = await created("ServiceAccount", { displayName: "Stamp test" });
        expect(outs[VERSION_KEY]).to.equal(PACKAGE_VERSION);
        const { [VERSION_KEY]: _, ...unstamped } = outs as ServiceAccountOutputs & Record<string, unknown>;
        const read = await providers.ServiceAccount.read(id, unstamped as ServiceAccountOutputs);
        expect((read.props as unknown as Record<string, unknown>)[VERSION_KEY]).to.equal(PACKAGE_VERSION);
        // The stamp is an output only: the stored inputs read returns carry none.
        expect(read.inputs as unknown as Record<string, unknown>).to.not.have.property(VERSION_KEY);
        const updated = await providers.ServiceAccount.update(id, unstamped as ServiceAccountOutputs, {
          __context: CONTEXT,
          displayName: "Stamped",
          description: "",
          suspended: false,
        });
        expect((updated.outs as unknown as Record<string, unknown>)[VERSION_KEY]).to.equal(PACKAGE_VERSION);
        await providers.ServiceAccount.delete(id, unstamped as ServiceAccountOutputs);
      });
    });
  });
});
