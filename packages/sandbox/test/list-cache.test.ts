/**
 * The cache of serialized list pages (page-cache.ts) against real sandboxes. Whether a page came
 * from the cache is visible from outside: its nextPageKey carries the time it was issued, so a
 * page computed again after the clock moved has a different key, and a cached one the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SeedToken } from "../src/index.js";
import { api, createToken, start } from "./helpers.js";

const NOW = Date.parse("2025-06-01T00:00:00.000Z");
let now = NOW;
const clock = () => now;
let dir: string;
const open: { close(): Promise<void> }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-sandbox-list-cache-"));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  now = NOW;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokens(count: number): SeedToken[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `tok-${i}`,
    owner: i % 2 === 0 ? "alice" : "bob",
    scopes: ["metrics.read"],
    creationDate: NOW - 10_000 - i * 1000,
  }));
}

async function started(options: Parameters<typeof start>[0] = {}) {
  const s = await start({ now: clock, ...options });
  open.push(s);
  return s;
}

type Sandboxed = Awaited<ReturnType<typeof started>>;
interface Page {
  totalCount: number;
  pageSize: number;
  nextPageKey: string | null;
  apiTokens: { id: string; name?: string; enabled?: boolean; scopes?: string[]; lastUsedDate?: string }[];
}

async function list(s: Sandboxed, query: string, prefix?: string): Promise<{ text: string; body: Page }> {
  now += 1; // a page computed again gets a new nextPageKey; a cached one keeps its own
  const r = await api(s, "GET", `/apiTokens${query}`, { token: s.token, ...(prefix ? { prefix } : {}) });
  expect(r.status, r.text).toBe(200);
  return { text: r.text, body: r.body as Page };
}

const PAGE = "?pageSize=100";

describe("the list page cache", () => {
  it("serves a repeated page from the cache, and computes it again after a minute", async () => {
    const s = await started();
    s.seed(tokens(150));
    const first = await list(s, PAGE);
    expect(first.body.nextPageKey).not.toBeNull();
    expect((await list(s, PAGE)).text).toBe(first.text);
    // the key is the query as resolved: the default fields spelled out are the same query
    expect((await list(s, "?pageSize=100&fields=id,name,enabled,owner,creationDate")).text).toBe(first.text);
    expect((await list(s, "?pageSize=100&sort=%2BcreationDate")).body.nextPageKey).not.toBe(
      first.body.nextPageKey,
    );
    now += 60_000;
    const later = await list(s, PAGE);
    expect(later.body.nextPageKey).not.toBe(first.body.nextPageKey);
    expect(later.body.apiTokens).toEqual(first.body.apiTokens);
  });

  it("computes every page with listCache: false", async () => {
    const s = await started({ listCache: false });
    s.seed(tokens(150));
    const first = await list(s, PAGE);
    const second = await list(s, PAGE);
    expect(second.body.apiTokens).toEqual(first.body.apiTokens);
    expect(second.body.nextPageKey).not.toBe(first.body.nextPageKey);
  });

  it("is fresh after a create, an update of each field, a delete, seed() and reset()", async () => {
    const s = await started();
    s.seed(tokens(150));
    const fields = "?pageSize=100&fields=%2Bscopes,%2BmodifiedDate";
    const warm = async () => {
      const a = await list(s, fields);
      expect((await list(s, fields)).text).toBe(a.text); // cached before the change
      return a.body;
    };

    let before = await warm();
    const created = await createToken(s, s.token, { name: "new", scopes: ["logs.read"] });
    let after = (await list(s, fields)).body;
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.apiTokens[0]!.id).toBe(created.id); // newest first

    const target = after.apiTokens[5]!.id;
    for (const [body, check] of [
      [{ name: "renamed" }, (t: Page["apiTokens"][number]) => expect(t.name).toBe("renamed")],
      [{ enabled: false }, (t: Page["apiTokens"][number]) => expect(t.enabled).toBe(false)],
      [{ scopes: ["logs.read"] }, (t: Page["apiTokens"][number]) => expect(t.scopes).toEqual(["logs.read"])],
    ] as const) {
      await warm();
      const r = await api(s, "PUT", `/apiTokens/${target}`, { token: s.token, body });
      expect(r.status, r.text).toBe(204);
      check((await list(s, fields)).body.apiTokens.find((t) => t.id === target)!);
    }

    before = await warm();
    const r = await api(s, "DELETE", `/apiTokens/${target}`, { token: s.token });
    expect(r.status, r.text).toBe(204);
    after = (await list(s, fields)).body;
    expect(after.totalCount).toBe(before.totalCount - 1);
    expect(after.apiTokens.map((t) => t.id)).not.toContain(target);

    before = await warm();
    s.seed([{ name: "seeded", creationDate: NOW + 1_000_000 }]);
    after = (await list(s, fields)).body;
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.apiTokens[0]!.name).toBe("seeded");

    await warm();
    s.reset();
    after = (await list(s, fields)).body;
    expect(after.totalCount).toBe(1); // the bootstrap token
    expect(after.nextPageKey).toBeNull();
  });

  it("sees a write by another process to the same database file", async () => {
    const file = join(dir, "shared.db");
    const s = await started({ database: file });
    s.seed(tokens(150));
    const first = await list(s, PAGE);
    expect((await list(s, PAGE)).text).toBe(first.text);
    const other = new Database(file);
    try {
      other
        .prepare("UPDATE tokens SET name = 'from elsewhere' WHERE id = ?")
        .run(first.body.apiTokens[0]!.id);
    } finally {
      other.close();
    }
    expect((await list(s, PAGE)).body.apiTokens[0]!.name).toBe("from elsewhere");
  });

  it.each([
    ["shows", "?pageSize=100&fields=%2BlastUsedDate"],
    ["sorts by", "?pageSize=100&fields=%2BlastUsedDate&sort=-lastUsedDate"],
    ["filters by", "?pageSize=100&fields=%2BlastUsedDate&from=now-1h"],
  ])(
    "a use shows at once on a page that %s last use (shown only: cached, the use laid over it)",
    async (_, query) => {
      const s = await started();
      const [used] = s.seed([{ name: "used", scopes: ["apiTokens.read"], lastUsedDate: NOW - 60_000 }]);
      s.seed(tokens(150));
      const lastUsedOf = async () =>
        (await list(s, query)).body.apiTokens.find((t) => t.id === used!.id)?.lastUsedDate;
      expect(await lastUsedOf()).toBe(new Date(NOW - 60_000).toISOString());
      now += 1000;
      const usedAt = now;
      const r = await api(s, "GET", `/apiTokens/${used!.id}`, { token: used!.token });
      expect(r.status, r.text).toBe(200);
      expect(await lastUsedOf()).toBe(new Date(usedAt).toISOString());
    },
  );

  it("serves a page that shows last use from the cache, with this process's newer uses laid over it", async () => {
    const s = await started();
    s.seed(tokens(150));
    const [used] = s.seed([{ name: "used", scopes: ["apiTokens.read"], lastUsedDate: NOW - 60_000 }]);
    const query = "?pageSize=100&fields=%2BlastUsedDate,%2BlastUsedIpAddress";
    const first = await list(s, query);
    now += 1000; // a page computed now would carry another nextPageKey
    const before = now;
    expect((await api(s, "GET", `/apiTokens/${used!.id}`, { token: used!.token })).status).toBe(200);
    const again = await list(s, query);
    expect(again.body.nextPageKey).toBe(first.body.nextPageKey); // from the cache
    const shown = again.body.apiTokens.find((t) => t.id === used!.id) as Record<string, unknown>;
    expect(Date.parse(shown.lastUsedDate as string)).toBeGreaterThanOrEqual(before);
    expect(shown.lastUsedIpAddress).toBe("127.0.0.1");
    expect(Object.keys(shown)).toEqual([
      "id",
      "name",
      "enabled",
      "owner",
      "creationDate",
      "lastUsedDate",
      "lastUsedIpAddress",
    ]);
  });

  it("keeps the environments of one process apart", async () => {
    const s = await started({ environments: 2 });
    const [env1, env2] = s.environments;
    env1!.seed(tokens(150));
    env2!.seed(tokens(150));
    const e1 = `/e/${env1!.id}/api/v2`;
    const e2 = `/e/${env2!.id}/api/v2`;
    const as = (token: string) => ({ ...s, token });
    const p1 = await list(as(env1!.bootstrapToken!), PAGE, e1);
    const p2 = await list(as(env2!.bootstrapToken!), PAGE, e2);
    expect(p2.text).not.toBe(p1.text);
    const ids1 = new Set(p1.body.apiTokens.map((t) => t.id));
    expect(p2.body.apiTokens.some((t) => ids1.has(t.id))).toBe(false);
    // a change in one environment changes its pages only
    await createToken(
      { ...s, url: `${s.url}/e/${env1!.id}` } as unknown as Sandboxed,
      env1!.bootstrapToken!,
      { name: "only in env1", scopes: ["logs.read"] },
    );
    expect((await list(as(env1!.bootstrapToken!), PAGE, e1)).body.totalCount).toBe(p1.body.totalCount + 1);
    expect((await list(as(env2!.bootstrapToken!), PAGE, e2)).text).toBe(p2.text);
  });

  it("walks every page through cached pages and keys, twice, with the snapshot and totalCount kept", async () => {
    const s = await started();
    s.seed(tokens(450));
    const walk = async () => {
      const pages: Page[] = [];
      let page = (await list(s, PAGE)).body;
      pages.push(page);
      while (page.nextPageKey) {
        page = (await list(s, `?nextPageKey=${encodeURIComponent(page.nextPageKey)}`)).body;
        pages.push(page);
      }
      return pages;
    };
    const first = await walk();
    const ids = first.flatMap((p) => p.apiTokens.map((t) => t.id));
    expect(ids).toHaveLength(451);
    expect(new Set(ids).size).toBe(451);
    for (const p of first) expect(p.totalCount).toBe(451);
    expect(await walk()).toEqual(first); // every page and key from the cache, all still valid

    // a token created mid-walk is not in the walk's later pages, and page one shows it at once
    const p1 = (await list(s, PAGE)).body;
    await createToken(s, s.token, { name: "mid-walk", scopes: ["logs.read"] });
    const p2 = (await list(s, `?nextPageKey=${encodeURIComponent(p1.nextPageKey!)}`)).body;
    expect(p2.apiTokens.map((t) => t.name)).not.toContain("mid-walk");
    expect(p2.totalCount).toBe(451);
    const fresh = (await list(s, PAGE)).body;
    expect(fresh.totalCount).toBe(452);
    expect(fresh.apiTokens[0]!.name).toBe("mid-walk");
  });

  it("writes nothing for the page keys it serves (a key carries its query)", async () => {
    const file = join(dir, "queries.db");
    const s = await started({ database: file });
    s.seed(tokens(150));
    const db = new Database(file, { readonly: true });
    try {
      for (let i = 0; i < 20; i++) await list(s, PAGE);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain("page_queries");
    } finally {
      db.close();
    }
  });
});
