/**
 * The admin API: one plugin of encapsulated scopes, Atlassian's public admin routes
 * (under `ADMIN_BASE`, and the audit log under its own base), this backend's extensions
 * (`extensions.ts`), Atlassian's user-management token route, and, only when started with
 * `consoleRoutes`, the admin console's routes (`console.ts`; unsupported by Atlassian). A route gets its scope's hooks and error body by being registered in it:
 *
 * | in order                 | Atlassian's routes            | the extensions                       |
 * | ------------------------ | ----------------------------- | ------------------------------------ |
 * | onRequest                | -                             | under `--public-only`: 404 endpoint.notPublic, and nothing else runs |
 * | onRequest                | authentication (`auth.ts`); a missing scope 401 | the same; a missing scope 403 |
 * | preHandler               | injected fault (`faults.ts`)  | injected fault                       |
 * | preHandler               | -                             | Idempotency-Key guard (`idempotency.ts`) |
 * | preHandler               | injected latency              | injected latency (after the claim)   |
 * | onSend                   | -                             | the Idempotency-Key claim released   |
 * | error body (4xx and 5xx) | Atlassian's admin shape       | the contract's                       |
 *
 * Each scope adds its hooks whole, in the order they run, rather than sharing some from this
 * plugin: fastify runs a parent's hooks before its children's, so a shared authentication
 * would run before the extensions' refusal, and a shared latency before their idempotency claim.
 */
import type { RouteOptions } from "fastify";
import type { z } from "zod";
import { ErrorBody } from "../sdk/schemas";
import { adminAuth } from "./auth";
import { ADMIN_BASE, type Context, type ZodApp } from "./context";
import { contractErrorBody, errorHandler, type ErrorBodyOf } from "./error-handler";
import { AdminErrorBody, adminErrorBody } from "./errors";
import { CONSOLE_DESCRIPTION, CONSOLE_TAG, consoleRoutes, userManagementRoutes } from "./console";
import { EXTENSION_DESCRIPTION, EXTENSION_TAG, extensionRoutes, refuseNotPublic } from "./extensions";
import type { FaultHooks } from "./faults";
import { Idempotency } from "./idempotency";
import { apiKeyRoutes } from "./routes/api-keys";
import { apiTokenRoutes } from "./routes/api-tokens";
import { directoryGroupRoutes } from "./routes/directory-groups";
import { eventRoutes } from "./routes/events";
import { oauthClientRoutes } from "./routes/oauth-clients";
import { serviceAccountRoutes } from "./routes/service-accounts";

export interface AdminOptions {
  ctx: Context;
  faults: FaultHooks;
  /** Serve Atlassian's public surfaces only: every extension answers 404 endpoint.notPublic. */
  publicOnly: boolean;
  /** Serve the admin console's routes (unsupported by Atlassian; `console.ts`) in their own scope. */
  consoleRoutes: boolean;
}

const atlassianErrorBody: ErrorBodyOf = (status, items) => adminErrorBody(status, items);

export async function adminApi(admin: ZodApp, { ctx, faults, publicOnly, consoleRoutes: withConsole }: AdminOptions): Promise<void> {
  await admin.register(async (atlassian: ZodApp) => {
    answersIn(atlassian, ctx, atlassianErrorBody, AdminErrorBody);
    atlassian.addHook("onRequest", adminAuth(ctx, 401));
    atlassian.addHook("preHandler", faults.draw(atlassianErrorBody));
    atlassian.addHook("preHandler", faults.latency);

    await atlassian.register(
      async (api: ZodApp) => {
        apiKeyRoutes(api, ctx);
        serviceAccountRoutes(api, ctx);
        apiTokenRoutes(api, ctx);
        oauthClientRoutes(api, ctx);
      },
      { prefix: ADMIN_BASE },
    );
    // Atlassian's audit log is another API: /admin/v1/orgs/{orgId}/events.
    eventRoutes(atlassian, ctx);
    // The org directory's groups: Organizations API v2, /admin/v2/orgs/{orgId}/directories/{directoryId}/….
    directoryGroupRoutes(atlassian, ctx);
  });

  // Atlassian's user-management API (documented): it takes an unscoped key only, and a scoped
  // one is refused with 403 (as measured by a third party), so its own scope.
  await admin.register(async (users: ZodApp) => {
    answersIn(users, ctx, atlassianErrorBody, AdminErrorBody);
    users.addHook("onRequest", adminAuth(ctx, 403));
    users.addHook("preHandler", faults.draw(atlassianErrorBody));
    users.addHook("preHandler", faults.latency);
    userManagementRoutes(users, ctx);
  });

  // The admin console's routes: NOT Atlassian's public API and not this backend's extensions.
  // Registered only when asked for (`--console-routes`); otherwise they do not exist (404).
  if (withConsole) {
    await admin.register(async (consoleScope: ZodApp) => {
      answersIn(consoleScope, ctx, atlassianErrorBody, AdminErrorBody, (schema) => {
        schema.tags = [...(schema.tags ?? []).filter((t) => t !== CONSOLE_TAG), CONSOLE_TAG];
        schema.description = CONSOLE_DESCRIPTION;
      });
      consoleScope.addHook("onRequest", adminAuth(ctx, 403));
      consoleScope.addHook("preHandler", faults.draw(atlassianErrorBody));
      consoleScope.addHook("preHandler", faults.latency);
      consoleRoutes(consoleScope, ctx);
    });
  }

  const idempotency = new Idempotency(ctx);
  await admin.register(
    async (ext: ZodApp) => {
      answersIn(ext, ctx, contractErrorBody, ErrorBody, (schema) => {
        schema.tags = [...(schema.tags ?? []).filter((t) => t !== EXTENSION_TAG), EXTENSION_TAG];
        schema.description = EXTENSION_DESCRIPTION;
      });
      if (publicOnly) ext.addHook("onRequest", refuseNotPublic);
      ext.addHook("onRequest", adminAuth(ctx, 403));
      ext.addHook("preHandler", faults.draw(contractErrorBody));
      ext.addHook("preHandler", idempotency.guard);
      ext.addHook("preHandler", faults.latency);
      ext.addHook("onSend", idempotency.release);

      extensionRoutes(ext, ctx);
    },
    { prefix: ADMIN_BASE },
  );
}

type Documented = { tags?: string[]; description?: string; response?: Record<string, unknown> };

/**
 * Makes every failure in `scope` answer in `bodyOf`'s shape, and has each of its routes declare
 * `schema` as its 4xx and 5xx response (so /openapi.json says so), plus what `more` adds.
 * Fastify has no per-scope schema defaults; an onRoute hook added to a scope sees only the
 * routes registered in that scope (and its children), so no route is told apart by its URL.
 */
function answersIn(scope: ZodApp, ctx: Context, bodyOf: ErrorBodyOf, schema: z.ZodType, more?: (schema: Documented) => void): void {
  scope.setErrorHandler(errorHandler(ctx.redactor, bodyOf));
  scope.addHook("onRoute", (route: RouteOptions) => {
    const declared = route.schema as Documented | undefined;
    if (!declared) return;
    declared.response = { ...declared.response, "4xx": schema, "5xx": schema };
    more?.(declared);
  });
}
