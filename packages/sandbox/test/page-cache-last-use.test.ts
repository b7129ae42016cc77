/**
 * A cached page that shows last use is served with this process's newer uses laid over its bytes
 * (handlers.ts, withNewerUses): property test that the body served is byte for byte the page
 * computed fresh. Two sandboxes share one database file: A caches pages and is where the uses
 * happen (its lister token is on the pages, as an audit's own token is), B has the cache off and
 * is where each page is computed fresh once A's uses are written (within a second). Random pages,
 * fields and sorts; tokens never used, used long ago and "used" in the future (last use only moves
 * forward), with and without an address, with names of several UTF-8 widths (the splice works on
 * bytes); uses in the same millisecond as the one shown; uses through B, which A sees as another
 * process's commit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SeedToken } from "../src/index.js";
import { mulberry32 } from "../src/random.js";
import { api, start } from "./helpers.js";

const NOW = Date.parse("2025-06-01T00:00:00.000Z");
let now = NOW;
const clock = () => now;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-sandbox-page-cache-last-use-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIELDS = [
  "%2BlastUsedDate",
  "%2BlastUsedIpAddress",
  "%2BlastUsedDate,%2BlastUsedIpAddress",
  "lastUsedDate",
  "lastUsedIpAddress,id",
  "%2BlastUsedDate,%2Bscopes,%2BexpirationDate,%2BmodifiedDate,%2BadditionalMetadata,%2BpersonalAccessToken",
  "-name,%2BlastUsedIpAddress,%2Bscopes",
  "id,name,scopes", // no last use: cached as it is
];
// sorting by last use is never cached: those pages are computed fresh in A too
const SORTS = ["", "-creationDate", "%2Bname", "-name", "%2BexpirationDate", "-lastUsedDate"];
const NAMES = ["plain", "tök-ü", "名前", "emoji 🔑", 'quote " and \\ backslash'];

/** The body with its nextPageKey's value set aside: the key carries the time it was issued. */
function withoutKey(text: string): string {
  return text.replace(/"nextPageKey":"[^"]*"/, '"nextPageKey":"(issued at its time)"');
}

it("serves a page with newer uses laid over it byte for byte as the page computed fresh", async () => {
  const seed = Number(process.env.PAGE_CACHE_SEED ?? 26);
  // the sandbox's own seeded PRNG, so that a failing run can be repeated with its seed
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const file = join(dir, "shared.db");
  const a = await start({ now: clock, database: file });
  const b = await start({ now: clock, database: file, listCache: false, bootstrapToken: false });
  try {
    const onPages: SeedToken[] = Array.from({ length: 260 }, (_, i) => {
      const used = pick(["never", "null", "past", "future"] as const);
      return {
        name: `${pick(NAMES)} ${i}`,
        owner: "pages",
        scopes: ["apiTokens.read"],
        creationDate: NOW - 100_000 - i * 1000,
        expirationDate: random() < 0.5 ? null : NOW + 86_400_000 + i,
        ...(used === "null" ? { lastUsedDate: null } : {}),
        ...(used === "past" ? { lastUsedDate: NOW - 50_000 - i } : {}),
        ...(used === "future" ? { lastUsedDate: NOW + 365 * 86_400_000 } : {}),
        ...(used !== "never" && random() < 0.5 ? { lastUsedIpAddress: `192.0.2.${i % 250}` } : {}),
        ...(random() < 0.3 ? { additionalMetadata: { note: pick(NAMES) } } : {}),
      };
    });
    const tokens = a.seed(onPages);
    // A's lister is on the pages: every listing through A is a newer use of a token shown
    const [lister] = a.seed([{ name: "lister", owner: "pages", scopes: ["apiTokens.read"] }]);
    // B's lister is on no page, and its uses never write ("used" in the future)
    const [listerB] = a.seed([
      { name: "lister B", owner: "other", scopes: ["apiTokens.read"], lastUsedDate: NOW + 365 * 86_400_000 },
    ]);
    const list = async (s: typeof a, token: string, query: string) => {
      const r = await api(s, "GET", `/apiTokens${query}`, { token });
      expect(r.status, r.text).toBe(200);
      return r.text;
    };
    const use = async (s: typeof a, token: { id: string; token: string }) => {
      const r = await api(s, "GET", `/apiTokens/${token.id}`, { token: token.token });
      expect(r.status, r.text).toBe(200);
    };
    /** Fails unless B, computing fresh, comes to show exactly the page A served (once A's uses are written). */
    const expectFresh = async (query: string, served: string, again?: () => Promise<string>) => {
      let fresh = "";
      for (let i = 0; i < 100; i++) {
        // a use through B shows in A once B has written it: then A's page is asked for again
        if (again && i > 0) served = await again();
        fresh = await list(b, listerB!.token, query);
        if (withoutKey(fresh) === withoutKey(served)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      // where they first differ, with some context (the pages are long)
      const [x, y] = [withoutKey(served), withoutKey(fresh)];
      let at = 0;
      while (at < x.length && x[at] === y[at]) at++;
      const around = (t: string) => t.slice(Math.max(0, at - 300), at + 200);
      expect(around(x), `seed ${seed}, ${query}: served (cached) vs fresh at ${at}`).toBe(around(y));
    };

    let overlaid = 0;
    for (let round = 0; round < 16; round++) {
      const fields = pick(FIELDS);
      const sort = pick(SORTS);
      const query = `?apiTokenSelector=owner(%22pages%22)&pageSize=${100 + Math.floor(random() * 60)}&fields=${fields}${sort ? `&sort=${sort}` : ""}`;
      now += 10;
      const first = JSON.parse(await list(a, lister!.token, query)) as { nextPageKey: string | null };
      // uses through A, some in the millisecond the page shows, one of them sometimes through B
      let throughB = false;
      for (let k = Math.floor(random() * 6); k > 0; k--) {
        now += Math.floor(random() * 3);
        const where = random() < 0.1 ? b : a;
        throughB ||= where === b;
        await use(where, pick(tokens));
      }
      now += Math.floor(random() * 3);
      const served = await list(a, lister!.token, query);
      if (
        (JSON.parse(served) as { nextPageKey: string | null }).nextPageKey === first.nextPageKey &&
        first.nextPageKey
      )
        overlaid++;
      await expectFresh(query, served, throughB ? () => list(a, lister!.token, query) : undefined);
      // the next page, through the key A issued: cached in A too
      const key = (JSON.parse(served) as { nextPageKey: string | null }).nextPageKey;
      if (key) {
        const next = `?nextPageKey=${encodeURIComponent(key)}`;
        await list(a, lister!.token, next);
        now += 1;
        await use(a, pick(tokens));
        await expectFresh(next, await list(a, lister!.token, next));
      }
    }
    // the property was checked on pages served from the cache, not only on pages computed again
    expect(overlaid).toBeGreaterThan(0);
  } finally {
    await b.close();
    await a.close();
  }
}, 240_000);
