import { UnexpectedResponseError } from "./errors.js";

/** Fetches one page: the first (undefined) with the caller's parameters, later ones by their cursor. */
type FetchPage<P> = (nextPageKey: string | undefined) => Promise<P>;

/** A page's cursor to the next one: null or absent on the last page. */
interface Page {
  nextPageKey?: string | null | undefined;
}

// Pages in a row without a token, each with a new cursor, before listAll stops: Dynatrace's pages
// are never empty but the last; a server that keeps sending empty pages would be paged for ever.
const MAX_EMPTY_PAGES = 10;

/**
 * Every token across pages, fetched as the caller iterates. A cursor that comes back a second time,
 * or MAX_EMPTY_PAGES empty pages in a row that each name another page, would loop forever: they end
 * the iteration with an UnexpectedResponseError instead.
 * @internal
 */
export function paginate<P extends Page, T>(
  fetchPage: FetchPage<P>,
  itemsOf: (page: P) => T[],
): AsyncIterableIterator<T> & { pages(): AsyncGenerator<P> } {
  async function* pages(): AsyncGenerator<P> {
    const seenKeys = new Set<string>();
    let page = await fetchPage(undefined);
    let pageCount = 1;
    let emptyPages = 0;
    yield page;
    for (let key = page.nextPageKey; key; key = page.nextPageKey) {
      if (seenKeys.has(key)) {
        throw new UnexpectedResponseError(
          `listAll: page ${pageCount} repeats a nextPageKey the server sent before; stopped instead of looping forever`,
        );
      }
      emptyPages = itemsOf(page).length === 0 ? emptyPages + 1 : 0;
      if (emptyPages === MAX_EMPTY_PAGES) {
        throw new UnexpectedResponseError(
          `listAll: ${MAX_EMPTY_PAGES} pages in a row without a token, each naming another page; stopped instead of paging forever`,
        );
      }
      seenKeys.add(key);
      page = await fetchPage(key);
      pageCount++;
      yield page;
    }
  }
  async function* tokens(): AsyncGenerator<T> {
    for await (const page of pages()) yield* itemsOf(page);
  }
  return Object.assign(tokens(), { pages });
}
