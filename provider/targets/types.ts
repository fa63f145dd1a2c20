/**
 * The seam between the handlers and the targets: the handlers decide *what* to do to a
 * resource (create this account, grant this role); a target decides *which requests* do it.
 * `atlassian.ts` sends Atlassian's public operations only; `embedded.ts` sends the same ones
 * and adds the embedded backend's extensions where Atlassian has none.
 */
import type { ApiTokenCreateParams, ApiTokenWithSecret, RequestOptions, ServiceAccountToken } from "../../sdk/index";
import type { TargetName } from "../config";
import type { ProductAccess } from "./access";

/** A service account as the handlers see it, whatever shape the target's API gives. */
export interface Account {
  /** The id admin paths take (`{serviceAccountId}`). */
  id: string;
  /** The id Jira and Confluence take. */
  accountId: string;
  /** The local part of `email`. */
  name: string;
  displayName: string;
  description: string;
  email: string;
  status: "active" | "suspended";
  /** ISO-8601 UTC, when the target reports it (Atlassian's list does not). */
  createdAt: string | undefined;
}

export interface AccountOps {
  /** POST /service-accounts. */
  create(params: { name: string; displayName?: string; description?: string }, opts: RequestOptions): Promise<Account>;
  /** GET /service-accounts, page by page, until the id is found (there is no get-by-id). */
  retrieve(id: string, opts: RequestOptions): Promise<Account | null>;
  /** GET /service-accounts, page by page, until the email `<name>@…` is found. */
  findByName(name: string, opts: RequestOptions): Promise<Account | null>;
  /** PATCH /service-accounts (the id in the body): displayName and description only. */
  update(id: string, change: { displayName?: string; description?: string }, opts: RequestOptions): Promise<Account>;
  /** Suspends or reactivates: an extension; `null` message when the target can, else why not. */
  readonly suspendUnsupported: string | null;
  setSuspended(id: string, suspended: boolean, opts: RequestOptions): Promise<"active" | "suspended">;
  /** DELETE .../api-tokens (revoke all), then DELETE /service-accounts/{id}. Gone already: success. */
  delete(id: string, opts: RequestOptions): Promise<void>;
}

export interface TokenOps {
  /** Why this target cannot mint or revoke one token (`null` when it can). */
  readonly mintUnsupported: string | null;
  /** Mints a token: an extension (Atlassian has no API for it). */
  mint(serviceAccountId: string, params: ApiTokenCreateParams, opts: RequestOptions): Promise<ApiTokenWithSecret>;
  /** Revokes one token: an extension (Atlassian can only revoke all of an account's tokens). */
  revoke(serviceAccountId: string, tokenId: string, opts: RequestOptions): Promise<void>;
  /** GET .../api-tokens, filtered to one token (public on both). */
  find(serviceAccountId: string, tokenId: string, opts: RequestOptions): Promise<ServiceAccountToken | null>;
  /** GET .../api-tokens (public on both). */
  list(serviceAccountId: string, opts: RequestOptions): Promise<ServiceAccountToken[]>;
}

/**
 * Bindings made by versions before 0.2, which kept the embedded backend's own binding id
 * and no grant: EXTENSIONS of the embedded backend, used for those states only.
 */
export interface LegacyBindingOps {
  retrieve(serviceAccountId: string, bindingId: string, opts: RequestOptions): Promise<{ role: "viewer" | "editor" | "admin" } | null>;
  update(serviceAccountId: string, bindingId: string, role: "viewer" | "editor" | "admin", opts: RequestOptions): Promise<void>;
  delete(serviceAccountId: string, bindingId: string, opts: RequestOptions): Promise<void>;
}

export interface Target {
  readonly name: TargetName;
  /** `null` on Atlassian Cloud, where no such binding can exist. */
  readonly legacyBindings: LegacyBindingOps | null;
  readonly accounts: AccountOps;
  readonly tokens: TokenOps;
  /** Jira project roles and Confluence space access: Atlassian's public product APIs on both targets. */
  readonly access: ProductAccess;
}
