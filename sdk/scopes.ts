/**
 * The catalogue of API token scopes: Atlassian's classic and granular Jira and Confluence
 * scopes (see shared/reference/atlassian-facts.md). One catalogue, used by the backend to
 * validate token requests and by the provider's `check`, so both reject the same scopes.
 */

const CLASSIC_JIRA = [
  "read:jira-work",
  "write:jira-work",
  "read:jira-user",
  "manage:jira-project",
  "manage:jira-configuration",
  "manage:jira-webhook",
  "manage:jira-data-provider",
  "read:me",
  "read:account",
];

const CLASSIC_JSM = [
  "read:servicedesk-request",
  "write:servicedesk-request",
  "manage:servicedesk-customer",
  "read:servicemanagement-insight-objects",
];

const CLASSIC_CONFLUENCE = [
  "read:confluence-content.all",
  "read:confluence-content.summary",
  "read:confluence-content.permission",
  "write:confluence-content",
  "read:confluence-space.summary",
  "write:confluence-space",
  "write:confluence-file",
  "read:confluence-props",
  "write:confluence-props",
  "manage:confluence-configuration",
  "search:confluence",
  "read:confluence-user",
  "read:confluence-groups",
  "write:confluence-groups",
  "readonly:content.attachment:confluence",
];

/** Jira entities with read, write and delete granular scopes. */
const JIRA_RWD = [
  "issue", "comment", "attachment", "issue-link", "issue-link-type", "issue-type",
  "issue-type-scheme", "issue-type-screen-scheme", "issue.property", "issue.remote-link",
  "issue-worklog", "project", "project-category", "project.component", "project.property",
  "project-role", "project-version", "field", "field.option", "field-configuration",
  "field-configuration-scheme", "filter", "filter.column", "dashboard", "dashboard.property",
  "group", "permission", "permission-scheme", "screen", "screen-scheme", "screen-tab",
  "screenable-field", "webhook", "workflow", "workflow-scheme", "workflow.property", "avatar",
  "project.avatar", "user.property", "user-configuration", "comment.property",
  "issue-type.property", "issue-worklog.property",
];

/** Jira entities with only a read granular scope. */
const JIRA_READ_ONLY = [
  "application-role", "audit-log", "license", "issue-meta", "field.default-value",
  "field.options", "notification-scheme", "priority", "resolution", "issue-details",
  "issue-security-scheme", "issue-field-values", "issue-security-level", "issue-status",
  "issue-type-hierarchy", "issue-type-transition", "issue.changelog", "issue.transition",
  "issue-event", "jira-expressions", "user", "user.columns", "label", "screen-field", "status",
  "jql", "project-type", "role", "email-address", "instance-configuration", "project.email",
  "project.feature", "custom-field-contextual-configuration", "issue.time-tracking",
  "issue.watcher",
];

const JIRA_OTHER = [
  "write:field.default-value:jira",
  "write:issue.watcher:jira",
  "write:issue.vote:jira",
  "write:issue.time-tracking:jira",
  "write:instance-configuration:jira",
  "write:project.email:jira",
  "write:project.feature:jira",
  "write:custom-field-contextual-configuration:jira",
  "read:filter.default-share-scope:jira",
  "write:filter.default-share-scope:jira",
  "send:notification:jira",
  "validate:jql:jira",
  "delete:async-task:jira",
];

const JIRA_SOFTWARE = [
  "read:board-scope:jira-software",
  "read:board-scope.admin:jira-software",
  "write:board-scope:jira-software",
  "read:sprint:jira-software",
  "write:sprint:jira-software",
  "delete:sprint:jira-software",
  "read:epic:jira-software",
  "write:epic:jira-software",
];

/** Confluence entities with read, write and delete granular scopes. */
const CONFLUENCE_RWD = [
  "content", "page", "blogpost", "whiteboard", "database", "embed", "folder",
  "custom-content", "attachment", "comment", "space",
];

/** Confluence entities with read and write granular scopes. */
const CONFLUENCE_RW = [
  "audit-log", "configuration", "template", "label", "content.property",
  "content.restriction", "watcher", "group", "inlinetask", "relation", "space.permission",
  "space.property", "user.property", "space.setting", "task",
];

const CONFLUENCE_OTHER = [
  "read:content-details:confluence",
  "read:space-details:confluence",
  "read:analytics.content:confluence",
  "read:content.permission:confluence",
  "read:content.metadata:confluence",
  "read:hierarchical-content:confluence",
  "read:user:confluence",
  "read:email-address:confluence",
];

const granular = (actions: string[], entities: string[], product: string): string[] =>
  entities.flatMap((entity) => actions.map((action) => `${action}:${entity}:${product}`));

/** Every scope a token may hold, sorted. */
export const SCOPES: readonly string[] = Object.freeze(
  [
    ...new Set([
      ...CLASSIC_JIRA,
      ...CLASSIC_JSM,
      ...CLASSIC_CONFLUENCE,
      ...granular(["read", "write", "delete"], JIRA_RWD, "jira"),
      ...granular(["read"], JIRA_READ_ONLY, "jira"),
      ...JIRA_OTHER,
      ...JIRA_SOFTWARE,
      ...granular(["read", "write", "delete"], CONFLUENCE_RWD, "confluence"),
      ...granular(["read", "write"], CONFLUENCE_RW, "confluence"),
      ...CONFLUENCE_OTHER,
    ]),
  ].sort(),
);

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

/** The most scopes one token may hold (Atlassian's limit). */
export const MAX_SCOPES_PER_TOKEN = 50;

export function isKnownScope(scope: string): boolean {
  return SCOPE_SET.has(scope);
}

/** Damerau-free Levenshtein distance, bounded by `max` to keep the catalogue scan cheap. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known scope nearest to `scope`, or undefined when nothing is close. Case and
 * separators are forgiven first (`READ:JIRA-WORK`, `read_jira_work`), then small typos.
 */
export function suggestScope(scope: string): string | undefined {
  const input = scope.trim().toLowerCase();
  if (input.length === 0 || input.length > 200) return undefined;
  if (SCOPE_SET.has(input)) return input;
  const loose = (s: string) => s.replace(/[^a-z0-9]/g, "");
  const looseInput = loose(input);
  const byShape = SCOPES.find((s) => loose(s) === looseInput);
  if (byShape) return byShape;
  const max = Math.max(2, Math.floor(input.length / 4));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of SCOPES) {
    const d = distance(input, candidate, Math.min(max, bestDistance));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** A one-line explanation for an unknown scope, with a did-you-mean where one is close. */
export function unknownScopeMessage(scope: string): string {
  const suggestion = suggestScope(scope);
  const shown = JSON.stringify(scope.length > 80 ? `${scope.slice(0, 80)}…` : scope);
  return suggestion
    ? `unknown scope ${shown}; did you mean "${suggestion}"?`
    : `unknown scope ${shown}; see the scope catalogue (SCOPES in the sdk) for the known scopes`;
}
