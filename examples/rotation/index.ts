// `pulumi up` in this folder. Like every example, it needs the identity API's address and
// admin key in stack config (atlassian:baseUrl, atlassian:orgId, atlassian:apiKey) or
// ATLASSIAN_* env. `pulumi config set rotation:epoch <new value>` rotates the token now.
import * as pulumi from "@pulumi/pulumi";
import { rotation } from "./program";

const config = new pulumi.Config("rotation");
const out = rotation({
  displayName: config.get("displayName"),
  jiraProject: config.get("jiraProject"),
  expiresInDays: config.getNumber("expiresInDays"),
  rotateBeforeDays: config.getNumber("rotateBeforeDays"),
  epoch: config.get("epoch"),
});

export const email = out.email;
export const tokenId = out.tokenId;
export const tokenExpiresAt = out.tokenExpiresAt;
export const token = out.token;
