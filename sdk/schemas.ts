/**
 * The identity API's wire shapes, as zod schemas: the one definition that the backend
 * (validating requests, serialising responses), the sdk client (validating responses) and
 * the provider's `check` (validating inputs before any call) all share.
 *
 * Each schema and its type share one name. Request bodies are strict objects: an unknown
 * field is an error, not silently dropped, so a typo never turns into a no-op.
 */
import { z } from "zod";
import { SERVICE_ACCOUNT_CREATE_FIELDS, SERVICE_ACCOUNT_PATCH_ID_FIELD } from "./atlassian-assumptions";
import { isKnownScope, MAX_SCOPES_PER_TOKEN, unknownScopeMessage } from "./scopes";

// ---------------------------------------------------------------------------------------
// Constants of the contract
// ---------------------------------------------------------------------------------------

/** Service accounts per org, by plan (Atlassian's quotas). */
export const PLAN_QUOTAS = { free: 5, standard: 250, enterprise: 1000 } as const;
export const Plan = z.enum(["free", "standard", "enterprise"]);
export type Plan = z.infer<typeof Plan>;

/** Admin API key scopes. A key with `scopes: null` holds all of them. */
export const ADMIN_SCOPES = [
  "read:service-accounts:admin",
  "write:service-accounts:admin",
  "read:service-accounts-tokens:admin",
  "write:service-accounts-tokens:admin",
  "delete:service-accounts-tokens:admin",
  "read:events:admin",
  "read:directories:admin",
] as const;
export const AdminScope = z.enum(ADMIN_SCOPES);
export type AdminScope = z.infer<typeof AdminScope>;

/** Domain of every service account's fixed email address. */
export const SERVICE_ACCOUNT_EMAIL_DOMAIN = "serviceaccount.atlassian.com";

/** Token lifetime bounds, in days (Atlassian's). */
export const TOKEN_MIN_DAYS = 1;
export const TOKEN_MAX_DAYS = 365;
/** One day in milliseconds: what turns the day counts of the API (`expiresInDays`, retention days) into times. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Secret prefixes. Fixed and recognisable so that secret scanners (and our own tests) can
 * find a leaked secret: `pasat_` for service-account API tokens, `pasak_` for org admin
 * keys, each followed by 43 base64url characters (256 random bits).
 */
export const API_TOKEN_PREFIX = "pasat_";
export const ADMIN_KEY_PREFIX = "pasak_";
/** Matches any secret this system issues. Use it to assert that text holds no secret. */
export const SECRET_PATTERN = /pasa[tk]_[A-Za-z0-9_-]{43}/;

/** Page size bounds for lists. */
export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 100;

// ---------------------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------------------

// C0 and C1 control characters; descriptions may still hold tabs and line breaks.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARS_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export const DisplayName = z
  .string()
  .min(1, "displayName must be 1-100 characters")
  .max(100, "displayName must be 1-100 characters")
  .refine((s) => !CONTROL_CHARS.test(s), "displayName must not contain control characters")
  .refine((s) => s.trim().length > 0, "displayName must not be blank");

export const Description = z
  .string()
  .max(1000, "description must be at most 1000 characters")
  .refine(
    (s) => !CONTROL_CHARS_BUT_WHITESPACE.test(s),
    "description must not contain control characters other than tabs and line breaks",
  );

export const Label = z
  .string()
  .min(1, "label must be 1-100 characters")
  .max(100, "label must be 1-100 characters")
  .refine((s) => !CONTROL_CHARS.test(s), "label must not contain control characters")
  .refine((s) => s.trim().length > 0, "label must not be blank");

export const ServiceAccountStatus = z.enum(["active", "suspended"]);
export type ServiceAccountStatus = z.infer<typeof ServiceAccountStatus>;

/** A scope from the catalogue; an unknown one fails with a did-you-mean. */
export const Scope = z.string().superRefine((s, ctx) => {
  if (!isKnownScope(s)) ctx.addIssue({ code: "custom", message: unknownScopeMessage(s) });
});

export const Scopes = z
  .array(Scope)
  .min(1, "scopes must hold at least one scope")
  .max(MAX_SCOPES_PER_TOKEN, `scopes may hold at most ${MAX_SCOPES_PER_TOKEN} scopes`)
  .superRefine((scopes, ctx) => {
    const seen = new Set<string>();
    scopes.forEach((s, i) => {
      if (seen.has(s)) ctx.addIssue({ code: "custom", path: [i], message: `scope "${s}" is listed twice` });
      seen.add(s);
    });
  });

export const ExpiresInDays = z
  .number()
  .int("expiresInDays must be a whole number of days")
  .min(TOKEN_MIN_DAYS, `expiresInDays must be ${TOKEN_MIN_DAYS}-${TOKEN_MAX_DAYS}`)
  .max(TOKEN_MAX_DAYS, `expiresInDays must be ${TOKEN_MIN_DAYS}-${TOKEN_MAX_DAYS}`);

export const Timestamp = z.iso.datetime({ offset: true });

export const TokenStatus = z.enum(["active", "revoked", "expired"]);
export type TokenStatus = z.infer<typeof TokenStatus>;

export const Role = z.enum(["viewer", "editor", "admin"]);
export type Role = z.infer<typeof Role>;

export const JIRA_PROJECT_RESOURCE = /^jira:project\/[A-Z][A-Z0-9]{1,9}$/;
export const CONFLUENCE_SPACE_RESOURCE = /^confluence:space\/~?[A-Za-z0-9]{1,255}$/;

export const BindingResource = z
  .string()
  .max(300, "resource is too long")
  .refine(
    (s) => JIRA_PROJECT_RESOURCE.test(s) || CONFLUENCE_SPACE_RESOURCE.test(s),
    'resource must be "jira:project/<KEY>" (KEY: an uppercase letter then 1-9 uppercase letters or digits) or "confluence:space/<KEY>"',
  );

/** Ids are opaque; this bounds what a path or body may carry before any lookup. */
export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "not a valid id");

// ---------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------

/**
 * A service account as the embedded backend's extensions answer it (get-by-id, `PATCH` by
 * id): with `name` (the email's local part) and `status`. Atlassian's public operations
 * answer `ServiceAccount` (`sdk/resources/service-accounts.ts`).
 */
export const ExtensionServiceAccount = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  displayName: z.string(),
  email: z.string(),
  description: z.string(),
  status: ServiceAccountStatus,
  createdAt: Timestamp,
  // Atlassian's list gives epoch milliseconds; the extension routes give ISO-8601.
  updatedAt: z.union([Timestamp, z.number().int()]),
});
export type ExtensionServiceAccount = z.infer<typeof ExtensionServiceAccount>;

/** Atlassian's `PATCH /service-accounts` (no id in the path): display name and description only. */
export const ServiceAccountPatchParams = z.strictObject({
  [SERVICE_ACCOUNT_PATCH_ID_FIELD]: z.string().min(1).max(64),
  displayName: DisplayName.optional(),
  description: Description.optional(),
});
export type ServiceAccountPatchParams = z.infer<typeof ServiceAccountPatchParams>;

/**
 * One permission rule of a create (as the v2 invite has them): a role id (`atlassian/user`)
 * and the resource it holds on (a site ARI, `ari:cloud:jira-software::site/<cloudId>`); see
 * `APP_ACCESS_PERMISSION_RULE`.
 */
export const PermissionRule = z.strictObject({
  role: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "role must be printable without spaces"),
  resource: z.string().min(1).max(300).regex(/^ari:cloud:[a-z0-9.-]+::[a-z-]+\/[A-Za-z0-9._:-]+$/, "resource must be an ARI such as ari:cloud:jira-software::site/<cloudId>"),
});
export type PermissionRule = z.infer<typeof PermissionRule>;

/** An org directory group's id (Atlassian's are UUIDs; any printable id up to 128 characters is taken). */
export const GroupId = z.string().min(1, "a group id must not be empty").max(128).regex(/^[A-Za-z0-9._:-]+$/, "a group id is letters, digits, and . _ : -");

/**
 * Atlassian's create, `POST /service-accounts`: a display name (1-100), an optional
 * description (0-1000), and the documented "permission rules and optional additional group
 * memberships", under the field names of `SERVICE_ACCOUNT_CREATE_FIELDS`; anything else is
 * refused. Display names may repeat in an org.
 */
export const ServiceAccountCreateParams = z.strictObject({
  [SERVICE_ACCOUNT_CREATE_FIELDS.displayName]: DisplayName,
  [SERVICE_ACCOUNT_CREATE_FIELDS.description]: Description.optional(),
  [SERVICE_ACCOUNT_CREATE_FIELDS.permissionRules]: z.array(PermissionRule).max(50, "at most 50 permission rules").optional(),
  [SERVICE_ACCOUNT_CREATE_FIELDS.additionalGroups]: z.array(GroupId).max(50, "at most 50 groups").optional(),
});
export type ServiceAccountCreateParams = z.infer<typeof ServiceAccountCreateParams>;

/** The extension's `PATCH /service-accounts/{id}`: besides the display name and description, `status`. */
export const ExtensionServiceAccountUpdateParams = z.strictObject({
  displayName: DisplayName.optional(),
  description: Description.optional(),
  status: ServiceAccountStatus.optional(),
});
export type ExtensionServiceAccountUpdateParams = z.infer<typeof ExtensionServiceAccountUpdateParams>;

export const ApiToken = z.object({
  id: z.string(),
  serviceAccountId: z.string(),
  label: z.string(),
  scopes: z.array(z.string()),
  status: TokenStatus,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

/** A token as a list shows it: `lastActiveAt` (the name an assumption) beside `lastUsedAt`. */
export const ApiTokenListItem = ApiToken.extend({ lastActiveAt: Timestamp.nullable() });
export type ApiTokenListItem = z.infer<typeof ApiTokenListItem>;

/** A freshly minted token: the only shape that ever carries the secret. */
export const ApiTokenWithSecret = ApiToken.extend({ token: z.string() });
export type ApiTokenWithSecret = z.infer<typeof ApiTokenWithSecret>;

export const ApiTokenCreateParams = z
  .strictObject({
    label: Label,
    scopes: Scopes,
    expiresInDays: ExpiresInDays.optional(),
    expiresAt: Timestamp.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.expiresInDays === undefined) === (p.expiresAt === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [p.expiresAt === undefined ? "expiresInDays" : "expiresAt"],
        message: "give exactly one of expiresInDays (1-365) or expiresAt (within 365 days)",
      });
    }
  });
export type ApiTokenCreateParams = z.infer<typeof ApiTokenCreateParams>;

export const ScopeBinding = z.object({
  id: z.string(),
  serviceAccountId: z.string(),
  resource: z.string(),
  role: Role,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ScopeBinding = z.infer<typeof ScopeBinding>;

export const ScopeBindingCreateParams = z.strictObject({ resource: BindingResource, role: Role });
export type ScopeBindingCreateParams = z.infer<typeof ScopeBindingCreateParams>;

export const ScopeBindingUpdateParams = z.strictObject({ role: Role });
export type ScopeBindingUpdateParams = z.infer<typeof ScopeBindingUpdateParams>;

export const ApiKey = z.object({
  id: z.string(),
  label: z.string(),
  scopes: z.array(AdminScope).nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyWithSecret = ApiKey.extend({ token: z.string() });
export type ApiKeyWithSecret = z.infer<typeof ApiKeyWithSecret>;

export const ApiKeyCreateParams = z.strictObject({
  label: Label,
  scopes: z.array(AdminScope).min(1).max(ADMIN_SCOPES.length).optional(),
  expiresInDays: ExpiresInDays.optional(),
});
export type ApiKeyCreateParams = z.infer<typeof ApiKeyCreateParams>;

// ---------------------------------------------------------------------------------------
// Lists, errors, events
// ---------------------------------------------------------------------------------------

export const ListQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int("limit must be a whole number")
    .min(1, `limit must be 1-${LIST_LIMIT_MAX}`)
    .max(LIST_LIMIT_MAX, `limit must be 1-${LIST_LIMIT_MAX}`)
    .optional(),
  cursor: z.string().max(512).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    items: z.array(item),
    links: z.object({ next: z.string().optional(), prev: z.string().optional() }),
    total: z.number().int().nonnegative(),
  });
export type Page<T> = { items: T[]; links: { next?: string; prev?: string }; total: number };

export const ERROR_CODES = [
  "validation.failed",
  "not.found",
  // A path no route serves (a wrong baseUrl, say), told apart from a missing object so a
  // client never mistakes a misconfiguration for "deleted" and drops state on refresh.
  "endpoint.notFound",
  // An extension route of this backend while it serves Atlassian's public surfaces only.
  "endpoint.notPublic",
  // Atlassian's ADMIN-404-8: an account that is not a user of the directory.
  "user.notFound",
  "conflict.nameTaken",
  "conflict.bindingExists",
  "quota.exceeded",
  "unauthorized",
  "forbidden.insufficientScope",
  "forbidden.orgMismatch",
  "rate.limited",
  "idempotency.mismatch",
  "idempotency.inProgress",
  "payload.tooLarge",
  // Refused by the HTTP parser, before any route: malformed framing or headers (400),
  // headers over the size limit (431), a request too slow to arrive (408).
  "request.malformed",
  "headers.tooLarge",
  "request.timeout",
  // A Content-Encoding the server does not decode (it decodes gzip, deflate and br).
  "unsupported.mediaType",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * One error of an error body. Atlassian's admin APIs send `{code:"ADMIN-…", status, title,
 * detail}` with no `id`; the extensions add `id`, `source` and `meta`. (The sdk reads error
 * bodies more leniently still: see `APIError.generate`.)
 */
export const ErrorObject = z.object({
  id: z.string().optional(),
  status: z.string(),
  code: z.string(),
  title: z.string(),
  detail: z.string().optional(),
  source: z.object({ pointer: z.string() }).optional(),
  meta: z.object({ retryable: z.boolean().optional() }).passthrough().optional(),
});
export type ErrorObject = z.infer<typeof ErrorObject>;

export const ErrorBody = z.object({ errors: z.array(ErrorObject).min(1) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const AuditEventAttributes = z.object({
  time: Timestamp,
  action: z.string(),
  actor: z.object({
    type: z.enum(["api-key", "service-account", "site-admin", "anonymous"]),
    id: z.string(),
    /** How the actor authenticated, as Atlassian's events say it: on a token's use, `{authType: "api-token", tokenId}`. */
    auth: z.object({ authType: z.string(), tokenId: z.string().optional() }).optional(),
  }),
  target: z.object({ type: z.string(), id: z.string() }),
  outcome: z.enum(["success", "denied"]),
  context: z.object({
    requestId: z.string(),
    userAgent: z.string().nullable(),
    clientContext: z.string().nullable(),
  }),
});
export const AuditEvent = z.object({
  id: z.string(),
  type: z.literal("events"),
  attributes: AuditEventAttributes,
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const EventsPage = z.object({
  data: z.array(AuditEvent),
  links: z.object({ next: z.string().optional() }),
});
export type EventsPage = z.infer<typeof EventsPage>;

/** A time bound of the events list: ISO-8601, or epoch milliseconds as Atlassian documents them. */
export const EventsTimeBound = z.union([Timestamp, z.string().regex(/^\d{1,15}$/, "must be ISO-8601 or epoch milliseconds")]);

export const EventsQuery = ListQuery.extend({
  action: z.string().max(100).optional(),
  from: EventsTimeBound.optional(),
  to: EventsTimeBound.optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

/**
 * Audit event actions. Mutations are `<resource>.<verb>`; token uses on the product
 * plane are `api-token.used`; any refused request (401/403/429) is `request.denied`.
 */
export const AUDIT_ACTIONS = [
  "api-key.created",
  "api-key.deleted",
  "service-account.created",
  "service-account.updated",
  "service-account.deleted",
  "api-token.created",
  "api-token.revoked",
  "api-token.used",
  "oauth-client.created",
  "group.created",
  "group-membership.added",
  "group-membership.removed",
  "app-access.invited",
  "scope-binding.created",
  "scope-binding.updated",
  "scope-binding.deleted",
  "project-role.actor-added",
  "project-role.actor-removed",
  "space-role.assigned",
  "space-role.unassigned",
  "space-permission.added",
  "space-permission.removed",
  "request.denied",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * zod issues as `{ pointer, message }`, with a JSON pointer to the field at fault
 * (`/scopes/2`), for the backend's error bodies and the provider's check failures.
 */
export function describeIssues(error: z.ZodError): { pointer: string; message: string }[] {
  const pointer = (path: PropertyKey[]) =>
    "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
  return error.issues.flatMap((issue) =>
    // An unknown field is named by its own pointer, so the caller sees which one to remove.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          pointer: pointer([...issue.path, key]),
          message: `unknown field "${key.slice(0, 64)}"; remove it`,
        }))
      : [{ pointer: pointer(issue.path), message: issue.message }],
  );
}
