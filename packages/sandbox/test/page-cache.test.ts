import { describe, expect, it } from "vitest";
import { PAGE_CACHE_MAX_AGE_MS, PageCache } from "../src/page-cache.js";

const page = (text: string, computedAt = 0, stamp = "1") => ({
  stamp,
  body: Buffer.from(text),
  computedAt,
});

describe("PageCache", () => {
  it("answers only under the stamp a page was computed under", () => {
    const cache = new PageCache();
    cache.set("a", page("A"));
    cache.set("b", page("B"));
    expect(cache.get("a", "1", 0)?.body.toString()).toBe("A");
    expect(cache.get("a", "2", 0)).toBeUndefined();
    expect(cache.get("a", "1", 0)).toBeUndefined(); // dropped when found stale
    expect(cache.get("b", "1", 0)?.body.toString()).toBe("B");
  });

  it("forgets a page after the maximum age, and when the clock went back", () => {
    const cache = new PageCache();
    cache.set("a", page("A", 1000));
    expect(cache.get("a", "1", 1000 + PAGE_CACHE_MAX_AGE_MS - 1)).toBeDefined();
    expect(cache.get("a", "1", 1000 + PAGE_CACHE_MAX_AGE_MS)).toBeUndefined();
    cache.set("a", page("A", 1000));
    expect(cache.get("a", "1", 999)).toBeUndefined();
  });

  it("keeps at most 256 pages, dropping the least recently used", () => {
    const cache = new PageCache();
    for (let i = 0; i < 256; i++) cache.set(`k${i}`, page(`p${i}`));
    expect(cache.get("k0", "1", 0)).toBeDefined(); // k0 is now the most recently used
    cache.set("k256", page("p256"));
    expect(cache.size).toBe(256);
    expect(cache.get("k1", "1", 0)).toBeUndefined();
    expect(cache.get("k0", "1", 0)).toBeDefined();
  });

  it("keeps at most 32 MiB, and no page larger than 4 MiB", () => {
    const cache = new PageCache();
    const big = "x".repeat(4 * 1024 * 1024);
    for (let i = 0; i < 9; i++) cache.set(`k${i}`, page(big));
    expect(cache.size).toBe(8);
    expect(cache.get("k0", "1", 0)).toBeUndefined();
    cache.set("huge", page(`${big}x`));
    expect(cache.get("huge", "1", 0)).toBeUndefined();
    expect(cache.size).toBe(8);
  });

  it("replaces a page set again under the same key", () => {
    const cache = new PageCache();
    cache.set("a", page("old"));
    cache.set("a", page("new"));
    expect(cache.size).toBe(1);
    expect(cache.get("a", "1", 0)?.body.toString()).toBe("new");
  });
});
