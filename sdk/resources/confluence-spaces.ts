/**
 * Confluence Cloud, at `siteUrl` or through the gateway on the site `cloudId`, with a site
 * admin's credentials: spaces (key to
 * id) and the site's space-role mode (v2), space roles and role assignments (v2, on sites in
 * role mode), and space permissions (v1 writes, v2 reads; sites not in role mode).
 */
import { z } from "zod";
import type { RequestOptions } from "../client";
import { isProductNotFound } from "../errors";
import { APIResource } from "../resource";
import { allResults, NUMERIC_ID, OPAQUE_ID, segment, siteDelete, SPACE_KEY } from "./product";

const Links = z.looseObject({ next: z.string().nullish() }).optional();
const listOf = <T extends z.ZodTypeAny>(item: T) => z.looseObject({ results: z.array(item), _links: Links });

export const ConfluenceSpace = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), key: z.string(), name: z.string().optional() });
export type ConfluenceSpace = z.infer<typeof ConfluenceSpace>;

export const SpaceRoleMode = z.enum(["PRE_ROLES", "ROLES_TRANSITION", "ROLES"]);
export type SpaceRoleMode = z.infer<typeof SpaceRoleMode>;

export const ConfluenceSpaceRole = z.looseObject({ id: z.string(), name: z.string(), type: z.string().optional() });
export type ConfluenceSpaceRole = z.infer<typeof ConfluenceSpaceRole>;

export const RoleAssignment = z.looseObject({
  principal: z.looseObject({ principalType: z.string(), principalId: z.string() }),
  roleId: z.string().nullish(),
});
export type RoleAssignment = z.infer<typeof RoleAssignment>;

/** One v2 space permission the sdk can use: every field present (see `LaxSpacePermissionEntry`). */
export const SpacePermissionEntry = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  principal: z.looseObject({ type: z.string(), id: z.string() }),
  operation: z.looseObject({ key: z.string(), targetType: z.string() }),
});
export type SpacePermissionEntry = z.infer<typeof SpacePermissionEntry>;

// Atlassian's v2 spec makes every field of a permission entry optional (`principal` nullish in
// confluence.js): an entry lacking what the sdk needs is skipped, never fatal to the read.
const LaxSpacePermissionEntry = z.unknown().transform((v) => {
  const parsed = SpacePermissionEntry.safeParse(v);
  return parsed.success ? parsed.data : undefined;
});

const V1Permission = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) });

// Confluence's v1 REST API guards writes against XSRF; a client that is not a browser says so
// (confluence.js sends it on v1 permission POST and DELETE), or a bodiless DELETE may be refused.
const NO_CHECK = { "X-Atlassian-Token": "no-check" } as const;

const spaceKey = (k: string) => segment("spaceKey", k, SPACE_KEY, "a Confluence space key");
const spaceId = (id: string) => segment("spaceId", id, NUMERIC_ID, "a numeric Confluence space id");

/** `/wiki/api/v2/spaces` and `/wiki/api/v2/space-role-mode` */
export class ConfluenceSpaces extends APIResource {
  /** `GET /wiki/api/v2/spaces?keys=KEY` -> the space (its numeric id), or `null` when there is none (or no such site). */
  async byKey(key: string, opts?: RequestOptions): Promise<ConfluenceSpace | null> {
    spaceKey(key);
    let page: { results: ConfluenceSpace[] };
    try {
      page = await this._client.site({
        method: "GET",
        path: `${this._client.productPath("confluence")}/wiki/api/v2/spaces`,
        query: { keys: key },
        schema: listOf(ConfluenceSpace),
        opts,
      });
    } catch (err) {
      // No such site answers 404 too: either way there is no space of this key to be had.
      if (isProductNotFound(err)) return null;
      throw err;
    }
    return page.results.find((s) => s.key === key) ?? null;
  }

  /**
   * `GET /wiki/api/v2/space-role-mode` -> `PRE_ROLES`, `ROLES_TRANSITION` or `ROLES`. The
   * endpoint exists only on sites with role-based access control: a 404 means a site without
   * it, i.e. `PRE_ROLES` (v1 space permissions).
   */
  async roleMode(opts?: RequestOptions): Promise<SpaceRoleMode> {
    try {
      const body = await this._client.site({
        method: "GET",
        path: `${this._client.productPath("confluence")}/wiki/api/v2/space-role-mode`,
        schema: z.looseObject({ mode: SpaceRoleMode }),
        opts,
      });
      return body.mode;
    } catch (err) {
      if (isProductNotFound(err)) return "PRE_ROLES";
      throw err;
    }
  }
}

/** `/wiki/api/v2/space-roles` and `/wiki/api/v2/spaces/{id}/role-assignments` */
export class ConfluenceSpaceRoles extends APIResource {
  /** `GET /wiki/api/v2/space-roles`, every page: the site's space roles (ids are per site). */
  list(opts?: RequestOptions): Promise<ConfluenceSpaceRole[]> {
    return this.#roles({}, opts);
  }

  /** `GET /wiki/api/v2/space-roles?space-id`, every page: the roles one space offers. */
  ofSpace(spaceIdValue: string, opts?: RequestOptions): Promise<ConfluenceSpaceRole[]> {
    return this.#roles({ "space-id": spaceId(spaceIdValue) }, opts);
  }

  #roles(query: Record<string, string>, opts?: RequestOptions): Promise<ConfluenceSpaceRole[]> {
    return allResults(this._client, `${this._client.productPath("confluence")}/wiki/api/v2/space-roles`, { ...query, limit: "250" }, listOf(ConfluenceSpaceRole), opts);
  }

  /** `GET /wiki/api/v2/spaces/{id}/role-assignments?principal-id&principal-type=USER` -> that user's assignments; `[]` when the space is gone. */
  async assignmentsOf(spaceIdValue: string, accountId: string, opts?: RequestOptions): Promise<RoleAssignment[]> {
    segment("accountId", accountId, OPAQUE_ID, "an account id");
    try {
      return await allResults(
        this._client,
        this.#assignments(spaceIdValue),
        { "principal-id": accountId, "principal-type": "USER", limit: "250" },
        listOf(RoleAssignment),
        opts,
      );
    } catch (err) {
      if (isProductNotFound(err)) return [];
      throw err;
    }
  }

  /** `GET /wiki/api/v2/spaces/{id}/role-assignments`, every page: every principal's assignment in the space; `[]` when the space is gone. */
  async assignments(spaceIdValue: string, opts?: RequestOptions): Promise<RoleAssignment[]> {
    try {
      return await allResults(this._client, this.#assignments(spaceIdValue), { limit: "250" }, listOf(RoleAssignment), opts);
    } catch (err) {
      if (isProductNotFound(err)) return [];
      throw err;
    }
  }

  /**
   * `POST /wiki/api/v2/spaces/{id}/role-assignments` with one entry: assigns the user
   * `roleId`, or with `roleId` null removes the user's assignment (a principal holds at
   * most one role per space). Idempotent (it sets the role, whatever held before), so retried
   * like a PUT.
   */
  async assign(spaceIdValue: string, accountId: string, roleId: string | null, opts?: RequestOptions): Promise<void> {
    segment("accountId", accountId, OPAQUE_ID, "an account id");
    const entry = { principal: { principalType: "USER", principalId: accountId }, ...(roleId === null ? {} : { roleId }) };
    await this._client.site({ method: "POST", path: this.#assignments(spaceIdValue), body: [entry], opts, idempotent: true });
  }

  #assignments(id: string): string {
    return `${this._client.productPath("confluence")}/wiki/api/v2/spaces/${spaceId(id)}/role-assignments`;
  }
}

/** v1 `/wiki/rest/api/space/{key}/permission` (write) and v2 `/wiki/api/v2/spaces/{id}/permissions` (read). */
export class ConfluenceSpacePermissions extends APIResource {
  /**
   * `GET /wiki/api/v2/spaces/{id}/permissions`, every page, filtered to one user; `[]` when the
   * space is gone. Entries without an id, a principal or an operation are skipped.
   */
  async listFor(spaceIdValue: string, accountId: string, opts?: RequestOptions): Promise<SpacePermissionEntry[]> {
    return (await this.listAll(spaceIdValue, opts)).filter((p) => p.principal.type === "user" && p.principal.id === accountId);
  }

  /** `GET /wiki/api/v2/spaces/{id}/permissions`, every page: the space's permissions (entries lacking what is needed are skipped); `[]` when the space is gone. */
  async listAll(spaceIdValue: string, opts?: RequestOptions): Promise<SpacePermissionEntry[]> {
    try {
      const all = await allResults(
        this._client,
        `${this._client.productPath("confluence")}/wiki/api/v2/spaces/${spaceId(spaceIdValue)}/permissions`,
        { limit: "250" },
        listOf(LaxSpacePermissionEntry),
        opts,
      );
      return all.filter((p): p is SpacePermissionEntry => p !== undefined);
    } catch (err) {
      if (isProductNotFound(err)) return [];
      throw err;
    }
  }

  /**
   * `POST /wiki/rest/api/space/{key}/permission` -> the new permission's id. One permission
   * per call. Not idempotent (a second POST answers 400 "already exists"): after a failure for
   * which `isAmbiguousWriteFailure(err)` is true, read `listFor` before adding again.
   */
  async add(key: string, accountId: string, operation: { key: string; target: string }, opts?: RequestOptions): Promise<string> {
    segment("accountId", accountId, OPAQUE_ID, "an account id");
    const created = await this._client.site({
      method: "POST",
      path: `${this.#v1(key)}`,
      body: { subject: { type: "user", identifier: accountId }, operation },
      schema: V1Permission,
      opts,
      headers: NO_CHECK,
    });
    return created.id;
  }

  /** `DELETE /wiki/rest/api/space/{key}/permission/{id}`. Gone already: success. */
  async remove(key: string, permissionId: string, opts?: RequestOptions): Promise<void> {
    return siteDelete(this._client, `${this.#v1(key)}/${segment("permissionId", permissionId, NUMERIC_ID, "a numeric permission id")}`, undefined, opts, NO_CHECK);
  }

  #v1(key: string): string {
    return `${this._client.productPath("confluence")}/wiki/rest/api/space/${spaceKey(key)}/permission`;
  }
}
