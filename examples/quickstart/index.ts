// `pulumi up` in this folder (or in the repository root, whose Pulumi.yaml points here).
// Where the identity API is and the admin key: stack config atlassian:baseUrl,
// atlassian:orgId and atlassian:apiKey (secret), or ATLASSIAN_BASE_URL, ATLASSIAN_ORG_ID,
// ATLASSIAN_API_KEY in the environment.
import * as pulumi from "@pulumi/pulumi";
import { quickstart } from "./program";

const config = new pulumi.Config("quickstart");
const out = quickstart({
  displayName: config.get("displayName"),
  jiraProject: config.get("jiraProject"),
  confluenceSpace: config.get("confluenceSpace"),
  scopes: config.getObject<string[]>("scopes"),
  expiresInDays: config.getNumber("expiresInDays"),
  rotateBeforeDays: config.getNumber("rotateBeforeDays"),
});

export const accountId = out.accountId;
export const email = out.email;
export const tokenId = out.tokenId;
export const token = out.token;
export const tokenExpiresAt = out.tokenExpiresAt;
export const jiraBinding = out.jiraBinding;
export const confluenceBinding = out.confluenceBinding;
