import { UnexpectedResponseError } from "./errors.js";
import type { ApiTokenPage, TokenIterator } from "./types.js";

/** Fetches one page: the first (undefined) with the caller's parameters, later ones by their cursor. */
type FetchPage<T> = (nextPageKey: string | undefined) => Promise<ApiTokenPage<T>>;

/**
 * Every token across pages, fetched as the caller iterates. A cursor that comes back a second time
 * would loop forever: it ends the iteration with an UnexpectedResponseError instead.
 * @internal
 */
export function paginate<T>(fetchPage: FetchPage<T>): TokenIterator<T> {
  async function* pages(): AsyncGenerator<ApiTokenPage<T>> {
    const seenKeys = new Set<string>();
    let page = await fetchPage(undefined);
    let pageCount = 1;
    yield page;
    for (let key = page.nextPageKey; key; key = page.nextPageKey) {
      if (seenKeys.has(key)) {
        throw new UnexpectedResponseError(
          `listAll: page ${pageCount} repeats a nextPageKey the server sent before; stopped instead of looping forever`,
        );
      }
      seenKeys.add(key);
      page = await fetchPage(key);
      pageCount++;
      yield page;
    }
  }
  async function* tokens(): AsyncGenerator<T> {
    for await (const page of pages()) yield* page.apiTokens;
  }
  return Object.assign(tokens(), { pages });
}
