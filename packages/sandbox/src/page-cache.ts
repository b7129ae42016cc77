/**
 * Serialized list pages, so that listing the same page again costs a lookup instead of a query and
 * a serialization. One cache per sandbox, for all its environments: a key starts with the id of
 * the environment's token store, so environments never share a page, and the bounds hold however
 * many environments the sandbox hosts.
 *
 * Freshness: every page carries the data stamp it was computed under (TokenStore.dataStamp:
 * SQLite's count of rows this connection changed, plus the database's data_version, which moves
 * when another process commits). Any write, of any kind, by anyone, changes the stamp, and a page
 * is served only under its own stamp. Pages also expire after MAX_AGE_MS, so that the nextPageKey
 * a cached page carries is never older than that (keys live an hour). Pages that sort or filter
 * by last use are never cached (the caller's own request records a use): the handler decides that.
 * Pages that only show last use are cached, and served with this process's newer uses laid over
 * them (a use written from memory does not change the stamp; another process's commit does): only
 * the objects of the tokens with a newer use are serialized again, between slices of the cached
 * bytes (bench: see the README).
 *
 * Bounds: at most MAX_ENTRIES pages and MAX_BYTES bytes, least recently used dropped first; a page
 * larger than MAX_PAGE_BYTES is not kept.
 */

const MAX_ENTRIES = 256;
const MAX_BYTES = 32 * 1024 * 1024;
const MAX_PAGE_BYTES = MAX_BYTES / 8;
/** How long a page is served from the cache at most, whatever happens. */
export const PAGE_CACHE_MAX_AGE_MS = 60_000;

export interface CachedPage {
  /** The data stamp of the environment when the page was computed. */
  stamp: string;
  /** The response body, ready to send. */
  body: Buffer<ArrayBuffer>;
  /** When it was computed (the sandbox's clock). */
  computedAt: number;
  /**
   * For a page that shows last use: each token's seq, the last use it shows and where its object is
   * in the body, so that newer uses of this process are laid over it when it is served (its rows are
   * otherwise unchanged) by serializing those tokens' objects again, not the page.
   */
  shownUses?: ShownUse[];
}

/** A token on a page that shows last use. */
export interface ShownUse {
  seq: number;
  /** The last use the page shows (null: none). */
  ms: number | null;
  /** The byte range of the token's JSON object in the page's body: [start, end). */
  start: number;
  end: number;
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;

  /** The page under this key, when it was computed under this stamp, at most MAX_AGE_MS ago. */
  get(key: string, stamp: string, now: number): CachedPage | undefined {
    const page = this.pages.get(key);
    if (!page) return undefined;
    this.drop(key, page);
    if (page.stamp !== stamp) return undefined;
    if (now < page.computedAt || now - page.computedAt >= PAGE_CACHE_MAX_AGE_MS) return undefined;
    this.pages.set(key, page); // most recently used last
    this.bytes += page.body.length;
    return page;
  }

  /** Keeps a page (replacing one under the same key). */
  set(key: string, page: CachedPage): void {
    const earlier = this.pages.get(key);
    if (earlier) this.drop(key, earlier);
    if (page.body.length > MAX_PAGE_BYTES) return;
    while (this.pages.size >= MAX_ENTRIES || this.bytes + page.body.length > MAX_BYTES) {
      const [oldestKey, oldest] = this.pages.entries().next().value!;
      this.drop(oldestKey, oldest);
    }
    this.pages.set(key, page);
    this.bytes += page.body.length;
  }

  get size(): number {
    return this.pages.size;
  }

  private drop(key: string, page: CachedPage): void {
    this.pages.delete(key);
    this.bytes -= page.body.length;
  }
}
