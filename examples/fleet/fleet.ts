/**
 * Reads a fleet file (service accounts, their tokens and their access, declared as data)
 * and validates it with the same zod schemas and scope catalogue the provider and the
 * identity API use, before anything reaches Pulumi. Each problem names the file, line and
 * column, the field, and the fix:
 *
 *   fleet.yaml:14:11: accounts[1].tokens[0].scopes[1]: unknown scope "read:jira-wrok"; did you mean "read:jira-work"?
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import {
  BindingResource,
  Description,
  DisplayName,
  ExpiresInDays,
  Label,
  Role,
  Scopes,
  TOKEN_MAX_DAYS,
} from "pulumi-atlassian-service-accounts/sdk";

const RotateBeforeDays = z
  .number()
  .int("rotateBeforeDays must be a whole number of days")
  .min(0, `rotateBeforeDays must be 0-${TOKEN_MAX_DAYS - 1}`)
  .max(TOKEN_MAX_DAYS - 1, `rotateBeforeDays must be 0-${TOKEN_MAX_DAYS - 1}`);

export const FleetToken = z.strictObject({
  label: Label,
  scopes: Scopes,
  expiresInDays: ExpiresInDays.optional(),
  rotateBeforeDays: RotateBeforeDays.optional(),
});
export type FleetToken = z.infer<typeof FleetToken>;

export const FleetAccess = z.strictObject({ resource: BindingResource, role: Role });
export type FleetAccess = z.infer<typeof FleetAccess>;

export const FleetAccount = z.strictObject({
  /**
   * The account's display name: how the provider tells accounts apart (Atlassian generates
   * the email and ids), so unique in the file; also the Pulumi resource name.
   */
  displayName: DisplayName,
  /** The team that owns the account; goes into its description. */
  owner: z.string().min(1, "owner must not be empty").max(100, "owner must be at most 100 characters").optional(),
  description: Description.optional(),
  suspended: z.boolean().optional(),
  adoptExisting: z.boolean().optional(),
  tokens: z.array(FleetToken).default([]),
  access: z.array(FleetAccess).default([]),
});
export type FleetAccount = z.infer<typeof FleetAccount>;

export const FleetDefaults = z.strictObject({
  expiresInDays: ExpiresInDays.default(90),
  rotateBeforeDays: RotateBeforeDays.default(14),
});

export const Fleet = z
  .strictObject({
    defaults: FleetDefaults.default({ expiresInDays: 90, rotateBeforeDays: 14 }),
    accounts: z.array(FleetAccount).min(1, "accounts must list at least one service account"),
  })
  .superRefine((fleet, ctx) => {
    const names = new Map<string, number>();
    fleet.accounts.forEach((account, i) => {
      const first = names.get(account.displayName);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["accounts", i, "displayName"],
          message:
            `service account "${account.displayName}" is already declared as accounts[${first}]; ` +
            `display names are how the provider tells accounts apart, so give each account its own`,
        });
      } else names.set(account.displayName, i);

      const labels = new Set<string>();
      account.tokens.forEach((token, j) => {
        if (labels.has(token.label)) {
          ctx.addIssue({
            code: "custom",
            path: ["accounts", i, "tokens", j, "label"],
            message: `token label "${token.label}" is used twice for "${account.displayName}"; give each token its own label`,
          });
        }
        labels.add(token.label);
        const expires = token.expiresInDays ?? fleet.defaults.expiresInDays;
        const rotate = token.rotateBeforeDays ?? fleet.defaults.rotateBeforeDays;
        if (rotate >= expires) {
          ctx.addIssue({
            code: "custom",
            path: ["accounts", i, "tokens", j, token.rotateBeforeDays === undefined ? "expiresInDays" : "rotateBeforeDays"],
            message: `rotateBeforeDays (${rotate}) must be less than expiresInDays (${expires}), or the token is replaced on every run`,
          });
        }
      });

      const resources = new Set<string>();
      account.access.forEach((access, j) => {
        if (resources.has(access.resource)) {
          ctx.addIssue({
            code: "custom",
            path: ["accounts", i, "access", j, "resource"],
            message: `"${access.resource}" is listed twice for "${account.displayName}"; an account has one role per project or space`,
          });
        }
        resources.add(access.resource);
      });
    });
  });
export type Fleet = z.infer<typeof Fleet>;

export interface FleetProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** The field at fault, e.g. `accounts[1].tokens[0].scopes[1]`; empty for the whole file. */
  field: string;
  message: string;
}

export class FleetValidationError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FleetProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
    );
    this.name = "FleetValidationError";
  }
}

export function formatProblem(p: FleetProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.field ? `${p.field}: ` : ""}${p.message}`;
}

/** `["accounts", 1, "tokens"]` -> `accounts[1].tokens`. */
function fieldName(segments: readonly PropertyKey[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : `${i === 0 ? "" : "."}${String(s)}`))
    .join("");
}

/**
 * The offset in the text where the value at `segments` starts; for a key the document does
 * not have (a required field left out), where its nearest enclosing value starts.
 */
function offsetOf(doc: Document, segments: readonly PropertyKey[], unknownKey?: string): number {
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n) as unknown[], true);
    if (!isNode(node)) continue;
    if (unknownKey !== undefined && n === segments.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === unknownKey);
      const key = pair?.key;
      if (isNode(key) && key.range) return key.range[0];
    }
    if ((node as Node).range) return (node as Node).range![0];
  }
  return 0;
}

/** The fields an object at `segments` may have, for the did-you-mean of an unknown one. */
function knownFields(segments: readonly PropertyKey[]): string[] {
  const shape = (o: { shape: Record<string, unknown> }) => Object.keys(o.shape);
  const names = segments.filter((s) => typeof s === "string");
  switch (names[names.length - 1]) {
    case undefined:
      return ["defaults", "accounts"];
    case "defaults":
      return shape(FleetDefaults);
    case "accounts":
      return shape(FleetAccount);
    case "tokens":
      return shape(FleetToken);
    case "access":
      return shape(FleetAccess);
    default:
      return [];
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** What an account's `name` (a field of 0.1.0's fleet files) became. */
const NAME_REMOVED =
  'unknown field "name"; an account is declared by its displayName (Atlassian generates its email and ids): give displayName instead of name';

function unknownFieldMessage(key: string, segments: readonly PropertyKey[]): string {
  const names = segments.filter((s) => typeof s === "string");
  if (key === "name" && names[names.length - 1] === "accounts") return NAME_REMOVED;
  const shown = JSON.stringify(key.slice(0, 64));
  const lower = key.toLowerCase();
  const near = knownFields(segments)
    .map((f) => ({ f, d: f.toLowerCase() === lower ? 0 : editDistance(lower, f.toLowerCase()) }))
    .filter(({ f, d }) => d <= Math.max(1, Math.floor(f.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return near ? `unknown field ${shown}; did you mean "${near.f}"?` : `unknown field ${shown}; remove it`;
}

/** Parses and validates fleet YAML text. `file` is only used to name it in problems. */
export function parseFleet(text: string, file = "fleet.yaml"): Fleet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    throw new FleetValidationError(
      file,
      doc.errors.map((e) => {
        const { line, col } = at(e.pos[0]);
        return { file, line, col, field: "", message: `not valid YAML: ${e.message.split("\n")[0]}` };
      }),
    );
  }

  const result = Fleet.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;

  const problems: FleetProblem[] = result.error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => {
      const { line, col } = at(offsetOf(doc, issue.path, key));
      const segments = key === undefined ? issue.path : [...issue.path, key];
      const last = issue.path[issue.path.length - 1];
      const message =
        key !== undefined
          ? unknownFieldMessage(key, issue.path)
          : issue.code === "invalid_type" && typeof last === "string" && !doc.hasIn(issue.path as unknown[])
            ? `missing; ${last} is required`
            : issue.message;
      return { file, line, col, field: fieldName(segments), message };
    });
  });
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  throw new FleetValidationError(file, problems);
}

/** Reads and validates a fleet file; problems name it relative to the working directory. */
export function loadFleet(file: string): Fleet {
  const shown = path.relative(process.cwd(), file) || file;
  return parseFleet(readFileSync(file, "utf8"), shown.startsWith("..") ? file : shown);
}
