// `pulumi up` in this folder provisions every account in fleet.yaml (or in the file named
// by the `fleet:file` config value). Identity API address and admin key: stack config
// atlassian:baseUrl, atlassian:orgId, atlassian:apiKey (secret), or ATLASSIAN_* env.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { fleet } from "./program";

const config = new pulumi.Config("fleet");
const file = config.get("file");
const out = fleet({ file: file ? path.resolve(file) : undefined });

export const emails = out.emails;
export const tokenExpiries = out.tokenExpiries;
export const tokens = out.tokens;
