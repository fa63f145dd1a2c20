/**
 * The sdk's clients of Atlassian's public operations, against the real backend serving
 * Atlassian's public surfaces only: the service-account list shape and the PATCH without the
 * id, the token list, Jira project roles and Confluence role assignments with a site admin's
 * Basic credentials, and the errors of the product APIs.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startBackend, type Backend } from "../../backend";
import { Client, hasUser, IdentityError, isProductNotFound, NotFoundError, productAccountIdOf, AuthenticationError } from "../../sdk";
import { createAccount } from "./backend";

const SITE_ADMIN = { email: "site-admin@example.com", token: "sdk-test-site-admin-token-000000001" };

describe("sdk: Atlassian's public operations (public-only backend)", () => {
  let backend: Backend;
  let dir = "";
  let client: Client;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sdk-atl-"));
    // The stand-in makes a new account ungrantable for 3 s in public-only mode, and refuses a
    // token without app access on the products: these tests study neither, so turn both off.
    backend = await startBackend({ dataDir: dir, port: 0, rateLimit: "0", publicOnly: true, siteAdmin: SITE_ADMIN, atlassian: { accountReadyDelayMs: 0, appAccess: "ignored" } });
    client = new Client({
      baseUrl: backend.url,
      orgId: backend.orgId,
      apiKey: backend.adminKey,
      cloudId: backend.cloudId,
      siteAdmin: { email: SITE_ADMIN.email, apiToken: SITE_ADMIN.token },
      maxRetries: 0,
    });
  });
  after(async () => {
    client.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("(s15 backend) creates an account from a display name and a description alone", async () => {
    const made = await client.serviceAccounts.create({ displayName: "SDK created bot", description: "made here" });
    expect(made).to.include({ displayName: "SDK created bot", description: "made here" });
    expect(made.email).to.match(/@serviceaccount\.atlassian\.com$/);
    expect((await client.serviceAccounts.findByDisplayName("SDK created bot")).map((a) => a.id)).to.deep.equal([made.id]);
  });

  it("finds by listing, updates with the PATCH without id, and deletes a service account", async () => {
    const made = await createAccount(client, "SDK atl bot", "first");
    expect((await client.serviceAccounts.findByDisplayName("SDK atl bot")).map((a) => a.id)).to.deep.equal([made.id]);
    const updated = await client.serviceAccounts.update(made.id, { description: "second" });
    if (updated !== null) expect(updated.description).to.equal("second");
    expect((await client.serviceAccounts.retrieve(made.id))?.description).to.equal("second");
    expect(await client.serviceAccountTokens.list(made)).to.deep.equal([]);
    await client.serviceAccountTokens.revokeAll(made);
    await client.serviceAccounts.delete(made.id);
    expect(await client.serviceAccounts.retrieve(made.id)).to.equal(null);
    await client.serviceAccounts.delete(made.id);
  });

  it("adds and removes a Jira project role member, as the site admin", async () => {
    const a = await createAccount(client, "SDK jira bot");
    const id = productAccountIdOf(a);
    const roles = (await client.jiraProjectRoles.list("SDK"))!;
    expect(roles.map((r) => r.name)).to.include.members(["Administrator", "Member", "Viewer"]);
    const viewer = roles.find((r) => r.name === "Viewer")!.id;
    expect(hasUser(await client.jiraProjectRoles.addUsers("SDK", viewer, [id]), id)).to.equal(true);
    await client.jiraProjectRoles.removeUser("SDK", viewer, id);
    expect(hasUser((await client.jiraProjectRoles.retrieve("SDK", viewer))!, id)).to.equal(false);
    // Removing what is not there is success, as a delete should be.
    await client.jiraProjectRoles.removeUser("SDK", viewer, id);
  });

  it("assigns and removes a Confluence space role", async () => {
    const a = await createAccount(client, "SDK wiki bot");
    const id = productAccountIdOf(a);
    const space = (await client.confluenceSpaces.byKey("SDK"))!;
    expect(await client.confluenceSpaces.roleMode()).to.equal("ROLES");
    const viewer = (await client.confluenceSpaceRoles.list()).find((r) => r.name === "Viewer")!.id;
    // The space offers the site's roles, Viewer among them (the doctor reads them so).
    expect((await client.confluenceSpaceRoles.ofSpace(space.id)).map((r) => r.id)).to.include(viewer);
    await client.confluenceSpaceRoles.assign(space.id, id, viewer);
    expect((await client.confluenceSpaceRoles.assignmentsOf(space.id, id)).map((x) => x.roleId)).to.deep.equal([viewer]);
    await client.confluenceSpaceRoles.assign(space.id, id, null);
    expect(await client.confluenceSpaceRoles.assignmentsOf(space.id, id)).to.deep.equal([]);
  });

  it("(s15 backend) with siteUrl, the product calls go to the site's own paths, no cloud id needed", async () => {
    const site = new Client({
      baseUrl: backend.url,
      orgId: backend.orgId,
      apiKey: backend.adminKey,
      siteUrl: backend.url,
      siteAdmin: { email: SITE_ADMIN.email, apiToken: SITE_ADMIN.token },
      maxRetries: 0,
    });
    try {
      const a = await createAccount(site, "SDK site bot");
      const id = productAccountIdOf(a);
      const viewer = (await site.jiraProjectRoles.list("SDK"))!.find((r) => r.name === "Viewer")!.id;
      expect(hasUser(await site.jiraProjectRoles.addUsers("SDK", viewer, [id]), id)).to.equal(true);
      await site.jiraProjectRoles.removeUser("SDK", viewer, id);
      const space = (await site.confluenceSpaces.byKey("SDK"))!;
      expect(space.key).to.equal("SDK");
      expect(await site.confluenceSpaces.roleMode()).to.equal("ROLES");
    } finally {
      site.close();
    }
  });

  it("tells an extension refused by a public-only server from a missing object", async () => {
    const a = await createAccount(client, "SDK ext bot");
    const err = await client.extensions.serviceAccounts.retrieve(a.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NotFoundError);
    expect((err as NotFoundError).code).to.equal("endpoint.notPublic");
    expect(isProductNotFound(err)).to.equal(false);
  });

  it("names which API is which: every call under client.extensions is refused (endpoint.notPublic), every top-level admin call is served", async () => {
    const a = await createAccount(client, "SDK which-api bot");
    const none = "00000000-0000-4000-8000-000000000000";
    const ext = client.extensions;
    const extensionCalls: Record<string, () => Promise<unknown>> = {
      "serviceAccounts.retrieve": () => ext.serviceAccounts.retrieve(a.id),
      "serviceAccounts.update": () => ext.serviceAccounts.update(a.id, { status: "suspended" }),
      "apiTokens.create": () => ext.apiTokens.create(a.id, { label: "ci", scopes: ["read:jira-work"], expiresInDays: 1 }),
      "apiTokens.retrieve": () => ext.apiTokens.retrieve(a.id, none),
      "apiTokens.revoke": () => ext.apiTokens.revoke(a.id, none),
      "scopeBindings.create": () => ext.scopeBindings.create(a.id, { resource: "jira:project/SDK", role: "viewer" }),
      "scopeBindings.list": () => ext.scopeBindings.list(a.id).toArray(),
      "scopeBindings.retrieve": () => ext.scopeBindings.retrieve(a.id, none),
      "scopeBindings.update": () => ext.scopeBindings.update(a.id, none, { role: "editor" }),
      "scopeBindings.delete": () => ext.scopeBindings.delete(a.id, none),
      "apiKeys.create": () => ext.apiKeys.create({ label: "never made" }),
      "apiKeys.delete": () => ext.apiKeys.delete(none),
    };
    const publicCalls: Record<string, () => Promise<unknown>> = {
      "serviceAccounts.list": () => client.serviceAccounts.list().toArray(),
      "serviceAccounts.find": () => client.serviceAccounts.find((x) => x.id === a.id),
      "serviceAccounts.retrieve": () => client.serviceAccounts.retrieve(a.id),
      "serviceAccounts.findByDisplayName": () => client.serviceAccounts.findByDisplayName("SDK which-api bot"),
      "serviceAccounts.create": () => client.serviceAccounts.create({ displayName: "SDK which-api second" }),
      "serviceAccounts.update": () => client.serviceAccounts.update(a.id, { description: "served" }),
      "serviceAccounts.delete": () => client.serviceAccounts.delete(none),
      "serviceAccountTokens.list": () => client.serviceAccountTokens.list(a),
      "serviceAccountTokens.revokeAll": () => client.serviceAccountTokens.revokeAll(a),
      "apiKeys.list": () => client.apiKeys.list().toArray(),
      "events.list": () => client.events.list({ limit: 1 }),
      "events.lastTokenUses": () => client.events.lastTokenUses({ from: new Date(0), maxRequests: 1 }),
      "oauthClients.list": () => client.oauthClients.list().toArray(),
      "oauthClients.listForAccount": () => client.oauthClients.listForAccount(a.id),
      "directoryUsers.roleAssignments": () => client.directoryUsers.roleAssignments(productAccountIdOf(a)),
    };
    // Every method of these resources is classified above, so a new one cannot slip in unchecked.
    const methodsOf = (owner: object, names: string[]) =>
      names.flatMap((name) => {
        const proto = Object.getPrototypeOf((owner as Record<string, object>)[name]) as object;
        return Object.entries(Object.getOwnPropertyDescriptors(proto))
          .filter(([m, d]) => m !== "constructor" && typeof d.value === "function")
          .map(([m]) => `${name}.${m}`);
      });
    expect(methodsOf(ext, Object.keys(ext)).sort()).to.deep.equal(Object.keys(extensionCalls).sort());
    expect(methodsOf(client, ["serviceAccounts", "serviceAccountTokens", "apiKeys", "events", "oauthClients", "directoryUsers"]).sort()).to.deep.equal(Object.keys(publicCalls).sort());

    for (const [name, call] of Object.entries(extensionCalls)) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as NotFoundError | undefined)?.code, `client.extensions.${name}`).to.equal("endpoint.notPublic");
    }
    for (const [name, call] of Object.entries(publicCalls)) {
      await call().catch((e: unknown) => expect.fail(`client.${name} failed on a public-only server: ${String(e)}`));
    }
    const after = await client.serviceAccounts.retrieve(a.id);
    expect(after?.description, "the public update was applied").to.equal("served");
    expect(after?.status, "the refused suspension was not").to.equal("active");
  });

  it("refuses a product call without site credentials before sending it, and a wrong site token with 401, never showing it", async () => {
    const bare = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: backend.adminKey, cloudId: backend.cloudId, maxRetries: 0 });
    const noCreds = await bare.jiraProjectRoles.list("SDK").then(() => undefined, (e: unknown) => e as Error);
    expect(noCreds).to.be.instanceOf(IdentityError);
    expect(noCreds!.message).to.include("siteAdmin");
    bare.close();
    const wrongToken = "sdk-wrong-site-token-0000000000001";
    const wrong = new Client({ baseUrl: backend.url, orgId: backend.orgId, apiKey: backend.adminKey, cloudId: backend.cloudId, siteAdmin: { email: SITE_ADMIN.email, apiToken: wrongToken }, maxRetries: 0 });
    const refused = await wrong.jiraProjectRoles.list("SDK").then(() => undefined, (e: unknown) => e as Error);
    wrong.close();
    expect(refused).to.be.instanceOf(AuthenticationError);
    const text = `${refused!.message} ${refused!.stack} ${JSON.stringify(refused)}`;
    expect(text.includes(wrongToken)).to.equal(false);
    expect(text.includes(Buffer.from(`${SITE_ADMIN.email}:${wrongToken}`).toString("base64"))).to.equal(false);
  });
});

describe("sdk: the product APIs' error bodies", () => {
  const header = () => undefined;
  const target = { method: "GET", path: "/ex/jira/c/rest/api/3/project/X/role" };

  it("reads Jira's errorMessages and errors, Confluence v1's message and v2's errors without ids", () => {
    const { APIError } = require("../../sdk") as typeof import("../../sdk");
    expect(APIError.generate(404, { errorMessages: ["No project could be found with key 'X'."], errors: {} }, header, target).title).to.equal(
      "No project could be found with key 'X'.",
    );
    expect(APIError.generate(400, { errorMessages: [], errors: { user: "Unknown user" } }, header, target).title).to.equal("user: Unknown user");
    expect(APIError.generate(400, { statusCode: 400, message: "Permission already exists" }, header, target).title).to.equal("Permission already exists");
    const v2 = APIError.generate(404, { errors: [{ status: 404, code: "NOT_FOUND", title: "Not Found", detail: "no space" }] }, header, target);
    expect(v2).to.include({ code: "NOT_FOUND", title: "Not Found", detail: "no space" });
    expect(v2.message).to.contain("Not Found: no space");
    // A product 404 is "gone"; the same status without a product body still is (the route exists).
    expect(isProductNotFound(APIError.generate(404, { errorMessages: ["gone"] }, header, target))).to.equal(true);
    expect(isProductNotFound(APIError.generate(404, undefined, header, target))).to.equal(true);
  });
});
