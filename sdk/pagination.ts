/**
 * Cursor pagination. `list()` returns a `PagePromise`: `await` it for the first page, or
 * `for await` over it for every item across pages. Pages are fetched lazily, one HTTP
 * request each, only when the iteration reaches them; nothing is sent until the promise is
 * awaited or iterated.
 *
 *   for await (const sa of client.serviceAccounts.list()) { ... }      // all items
 *   const page = await client.serviceAccounts.list({ limit: 20 });      // one page
 *   if (page.hasNextPage()) const next = await page.getNextPage();
 */
import { IdentityError } from "./errors";

/**
 * The query that fetches the page `next` points to, from the page fetched with `current`:
 *
 * - an absolute URL (any host) or a relative one (`/admin/...?cursor=…`, `?cursor=…`): its
 *   query, and nothing else of it;
 * - a bare cursor (no `?`, no scheme): `current` with `cursor` set to it (Atlassian's other
 *   admin APIs give the cursor alone; which form the service-account list gives is
 *   unconfirmed, see `LINKS_NEXT_FORMS`).
 *
 * Undefined when there is nothing to follow (absent, empty, a URL without a query) or when
 * the link leads back to the page just read (iteration would loop forever). The request
 * always goes to the list's own path on the configured base, so the credential never
 * follows a link to another host.
 */
export function nextPageQuery(next: string | null | undefined, current: URLSearchParams): URLSearchParams | undefined {
  if (typeof next !== "string" || next.trim() === "") return undefined;
  const link = next.trim();
  let query: URLSearchParams;
  const mark = link.indexOf("?");
  if (mark >= 0) {
    query = new URLSearchParams(link.slice(mark + 1).split("#")[0]);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(link)) {
    return undefined;
  } else {
    query = new URLSearchParams(current);
    query.set("cursor", link);
  }
  if ([...query.keys()].length === 0) return undefined;
  if (sameQuery(query, current)) return undefined;
  return query;
}

function sameQuery(a: URLSearchParams, b: URLSearchParams): boolean {
  const sorted = (q: URLSearchParams) => {
    const c = new URLSearchParams(q);
    c.sort();
    return c.toString();
  };
  return sorted(a) === sorted(b);
}

/** What one list response boils down to, whatever its wire shape (`items` or `data`). */
export interface PageData<T> {
  items: T[];
  /** Total across all pages, when the endpoint reports it (the events list does not). */
  total: number | undefined;
  /** The server's `links.next`, absent on the last page. */
  next: string | undefined;
}

/** Fetches the page that the given query (the list's own filters, plus a cursor) selects. */
export type PageFetcher<T> = (query: URLSearchParams) => Promise<PageData<T>>;

export class CursorPage<T> implements AsyncIterable<T> {
  readonly items: T[];
  readonly total: number | undefined;
  readonly next: string | undefined;
  readonly #fetch: PageFetcher<T>;
  readonly #query: URLSearchParams;

  constructor(data: PageData<T>, query: URLSearchParams, fetch: PageFetcher<T>) {
    this.items = data.items;
    this.total = data.total;
    this.next = data.next;
    this.#query = query;
    this.#fetch = fetch;
  }

  /**
   * The query of the next page, from `links.next` (an absolute or relative URL, or a bare
   * cursor; see `nextPageQuery`). The request goes to the list's own path on the configured
   * base, so the API key never follows a link to another host.
   */
  nextPageQuery(): URLSearchParams | undefined {
    return nextPageQuery(this.next, this.#query);
  }

  /** The cursor of the next page, for callers that paginate themselves (`list({ cursor })`). */
  get nextCursor(): string | undefined {
    return this.nextPageQuery()?.get("cursor") ?? undefined;
  }

  hasNextPage(): boolean {
    return this.nextPageQuery() !== undefined;
  }

  async getNextPage(): Promise<CursorPage<T>> {
    const query = this.nextPageQuery();
    if (!query) throw new IdentityError("there is no next page; check hasNextPage() first");
    return new CursorPage(await this.#fetch(query), query, this.#fetch);
  }

  /** This page and every later one. */
  async *iterPages(): AsyncGenerator<CursorPage<T>, void, undefined> {
    let page: CursorPage<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item on this page and every later one. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.iterPages()) yield* page.items;
  }
}

/**
 * Both a promise of the first page and an async iterable over all items. The first page is
 * fetched once, on first use, and shared by `then` and iteration.
 */
export class PagePromise<T> implements Promise<CursorPage<T>>, AsyncIterable<T> {
  readonly [Symbol.toStringTag] = "PagePromise";
  readonly #fetch: PageFetcher<T>;
  readonly #firstQuery: () => URLSearchParams;
  #first: Promise<CursorPage<T>> | undefined;

  /** `firstQuery` runs on first use, so that bad parameters reject the promise rather than throw at the call. */
  constructor(firstQuery: () => URLSearchParams, fetch: PageFetcher<T>) {
    this.#firstQuery = firstQuery;
    this.#fetch = fetch;
  }

  /** The first page (one request, made now if not made yet). */
  firstPage(): Promise<CursorPage<T>> {
    this.#first ??= (async () => {
      const query = this.#firstQuery();
      return new CursorPage(await this.#fetch(query), query, this.#fetch);
    })();
    return this.#first;
  }

  then<R1 = CursorPage<T>, R2 = never>(
    onfulfilled?: ((page: CursorPage<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<CursorPage<T> | R> {
    return this.firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<CursorPage<T>> {
    return this.firstPage().finally(onfinally);
  }

  /** Page after page, fetched as the loop asks for them. */
  async *pages(): AsyncGenerator<CursorPage<T>, void, undefined> {
    yield* (await this.firstPage()).iterPages();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    yield* await this.firstPage();
  }

  /** Every item of every page, in one array. Mind the size of what you ask for. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
