/**
 * What the product resources (Jira, Confluence) share: site-admin requests (to `siteUrl`, or
 * through the gateway under `client.productPath(product)`), their own "gone" rule, and cursor
 * paging by `_links.next`.
 */
import type { z } from "zod";
import type { Client, Query, RequestOptions } from "../client";
import { isProductNotFound, InvalidRequestError } from "../errors";
import { nextPageQuery } from "../pagination";

/** Checks a path segment of a product API against a pattern, so that no value reaches another route. */
export function segment(name: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new InvalidRequestError(name, [{ pointer: `/${name}`, message: `${name} must be ${expected}` }]);
  }
  return encodeURIComponent(value);
}

export const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;
export const SPACE_KEY = /^~?[A-Za-z0-9]{1,255}$/;
export const NUMERIC_ID = /^[0-9]{1,19}$/;
export const OPAQUE_ID = /^[A-Za-z0-9_:.-]{1,128}$/;

/** A site-admin DELETE; a 404 from the product (the member, role or project is gone) is success. */
export async function siteDelete(
  client: Client,
  path: string,
  query: Query | undefined,
  opts: RequestOptions | undefined,
  headers?: Record<string, string>,
): Promise<void> {
  try {
    await client.site({ method: "DELETE", path, query, opts, ...(headers === undefined ? {} : { headers }) });
  } catch (err) {
    if (!isProductNotFound(err)) throw err;
  }
}

/** Every result of a Confluence v2 list, following `_links.next` (its query, or a bare cursor: the host and path stay ours). */
export async function allResults<T>(
  client: Client,
  path: string,
  query: Record<string, string>,
  schema: z.ZodType<{ results: T[]; _links?: { next?: string | null | undefined } | undefined }>,
  opts: RequestOptions | undefined,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let q: URLSearchParams | undefined = new URLSearchParams(query);
  seen.add(q.toString());
  while (q) {
    const page: { results: T[]; _links?: { next?: string | null | undefined } | undefined } = await client.site({ method: "GET", path, query: q, schema, opts });
    out.push(...page.results);
    const next: string | null | undefined = page._links?.next;
    const nq: URLSearchParams | undefined = nextPageQuery(next, q);
    q = undefined;
    // A link back to any page already read would loop forever.
    if (nq !== undefined && !seen.has(nq.toString())) {
      seen.add(nq.toString());
      q = nq;
    }
  }
  return out;
}
