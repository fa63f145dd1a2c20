/**
 * What every resource class shares: a handle on the client, and the checks that run on a
 * request's parameters before anything is sent.
 */
import type { z } from "zod";
import type { Client } from "./client";
import { InvalidRequestError } from "./errors";
import type { PageData } from "./pagination";
import { describeIssues, Id } from "./schemas";

export abstract class APIResource {
  // Non-enumerable, so that inspecting or serialising a resource does not walk into the client.
  protected declare readonly _client: Client;

  constructor(client: Client) {
    Object.defineProperty(this, "_client", { value: client, enumerable: false });
  }
}

/**
 * Checks parameters against the shared schema, so a bad value fails here, naming the field,
 * instead of as a 400 after a round trip.
 */
export function validateParams<S extends z.ZodType>(schema: S, params: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new InvalidRequestError(what, describeIssues(parsed.error));
  return parsed.data;
}

/** Checks an id before it goes into a path, so that no value can reach another route. */
export function pathId(name: string, value: unknown): string {
  if (!Id.safeParse(value).success) {
    throw new InvalidRequestError(name, [
      { pointer: `/${name}`, message: `${name} must be a non-empty id of letters, digits, '-' and '_'` },
    ]);
  }
  return encodeURIComponent(value as string);
}

/** The admin lists' `{items, links, total}` as a page. */
export function itemsPage<T>(body: { items: T[]; links: { next?: string | undefined }; total: number }): PageData<T> {
  return { items: body.items, total: body.total, next: body.links.next };
}
