import { deflateRawSync, inflateRawSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PAGE_KEY_TTL_MS, type SeedToken } from "../src/index.js";
import { api, start } from "./helpers.js";

const NOW = Date.parse("2025-06-01T00:00:00.000Z");
let now = NOW;
let sandbox: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  sandbox = await start({ now: () => now });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  now = NOW;
  sandbox.reset();
});

/** Tokens with many ties (same creation date, same name) so that tie-breaking is exercised. */
function tokens(count: number, offset = 0): SeedToken[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `tok-${(i + offset) % 7}`,
    owner: i % 3 === 0 ? "alice" : "bob",
    scopes: i % 2 === 0 ? ["metrics.read"] : ["logs.read"],
    creationDate: NOW - Math.floor((i + offset) / 5) * 1000,
    lastUsedDate: i % 4 === 0 ? null : NOW - ((i * 7919) % 100_000),
    expirationDate: i % 5 === 0 ? null : NOW + ((i * 104_729) % 1_000_000),
  }));
}

async function page(query: string) {
  const r = await api(sandbox, "GET", `/apiTokens${query}`, { token: sandbox.token });
  expect(r.status, r.text).toBe(200);
  return r.body as {
    totalCount: number;
    pageSize: number;
    nextPageKey: string | null;
    apiTokens: { id: string }[];
  };
}

async function all(first: string, between?: (pageNo: number) => void | Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let body = await page(first);
  ids.push(...body.apiTokens.map((t) => t.id));
  let n = 1;
  while (body.nextPageKey !== null) {
    await between?.(n++);
    body = await page(`?nextPageKey=${encodeURIComponent(body.nextPageKey)}`);
    ids.push(...body.apiTokens.map((t) => t.id));
  }
  return ids;
}

describe("keyset pagination", () => {
  it("walks every token once, page after page, with the first page's fields and page size", async () => {
    sandbox.seed(tokens(250));
    const first = await page("?pageSize=100&fields=name,scopes&sort=name");
    expect(first.totalCount).toBe(251);
    expect(first.apiTokens).toHaveLength(100);
    expect(first.nextPageKey).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const second = await page(`?nextPageKey=${first.nextPageKey}`);
    expect(second.pageSize).toBe(100);
    expect(second.totalCount).toBe(251);
    expect(Object.keys(second.apiTokens[0]!)).toEqual(["id", "name", "scopes"]);
    const ids = await all("?pageSize=100&sort=name");
    expect(ids).toHaveLength(251);
    expect(new Set(ids).size).toBe(251);
  });

  it.each([
    "name",
    "-name",
    "creationDate",
    "-creationDate",
    "lastUsedDate",
    "-lastUsedDate",
    "expirationDate",
    "-expirationDate",
    "modifiedDate",
    "-modifiedDate",
  ])("pages in the same order as one big page (sort=%s)", async (sort) => {
    sandbox.seed(tokens(230));
    const paged = await all(`?pageSize=100&sort=${encodeURIComponent(sort)}`);
    const whole = (await page(`?pageSize=1000&sort=${encodeURIComponent(sort)}`)).apiTokens.map((t) => t.id);
    expect(paged).toEqual(whole);
  });

  it("keeps the filter of the first page", async () => {
    sandbox.seed(tokens(300));
    const selector = encodeURIComponent('owner("alice"),scope("metrics.read")');
    const first = await page(`?pageSize=100&apiTokenSelector=${selector}`);
    expect(first.totalCount).toBe(50);
    const ids = await all(`?pageSize=100&apiTokenSelector=${selector}&from=now-1d`);
    const expected = (await page(`?pageSize=1000&apiTokenSelector=${selector}&from=now-1d`)).apiTokens.map(
      (t) => t.id,
    );
    expect(ids).toEqual(expected);
  });

  it("stays stable while tokens are created and deleted between pages", async () => {
    const seeded = sandbox.seed(tokens(300));
    const deleted = new Set<string>();
    const ids = await all("?pageSize=100&sort=name", async (n) => {
      // create tokens that sort into every page; delete some tokens already seen and some not yet seen
      sandbox.seed(tokens(20, n * 1000).map((t) => ({ ...t, name: `tok-${n}` })));
      for (const t of [...seeded.slice(n * 40, n * 40 + 5), ...seeded.slice(-n * 5)]) {
        if (deleted.has(t.id)) continue;
        const r = await api(sandbox, "DELETE", `/apiTokens/${t.id}`, { token: sandbox.token });
        expect(r.status).toBe(204);
        deleted.add(t.id);
      }
    });
    expect(deleted.size).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = [sandbox.token.slice(0, 31), ...seeded.map((t) => t.id)].filter(
      (id) => !deleted.has(id),
    );
    for (const id of expected) expect(ids).toContain(id);
    for (const id of ids) expect(expected.includes(id) || deleted.has(id)).toBe(true);
  });

  it("property: no token that exists throughout is skipped or repeated, whatever happens between pages", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("name", "-name", "creationDate", "-creationDate", "lastUsedDate", "-expirationDate"),
        fc.array(fc.record({ create: fc.nat(30), deleteEvery: fc.integer({ min: 2, max: 9 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (sort, steps) => {
          sandbox.reset();
          const initial = sandbox.seed(tokens(260));
          const alive = new Map(initial.map((t) => [t.id, t]));
          const removed = new Set<string>();
          let step = 0;
          const seen = await all(`?pageSize=100&sort=${encodeURIComponent(sort)}`, async () => {
            const s = steps[step++ % steps.length]!;
            sandbox.seed(tokens(s.create, 10_000 + step * 100));
            let i = 0;
            for (const id of [...alive.keys()]) {
              if (i++ % s.deleteEvery === 0) {
                removed.add(id);
                alive.delete(id);
                await api(sandbox, "DELETE", `/apiTokens/${id}`, { token: sandbox.token });
              }
            }
          });
          expect(new Set(seen).size).toBe(seen.length);
          // every token alive from start to end was seen; nothing created meanwhile was
          for (const id of alive.keys()) expect(seen).toContain(id);
          const initialIds = new Set(initial.map((t) => t.id));
          for (const id of seen) expect(initialIds.has(id) || id === sandbox.token.slice(0, 31)).toBe(true);
        },
      ),
      { numRuns: 8, seed: 4242 },
    );
  });

  it("answers 400 when other parameters come with nextPageKey", async () => {
    sandbox.seed(tokens(150));
    const first = await page("?pageSize=100");
    for (const extra of ["pageSize=100", "sort=name", "fields=name", "apiTokenSelector=x", "from=now-1d"]) {
      const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${first.nextPageKey}&${extra}`, {
        token: sandbox.token,
      });
      expect(r.status).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({
        path: extra.split("=")[0],
        parameterLocation: "QUERY",
      });
    }
    // the api-token query parameter is authentication, not a list parameter
    const ok = await api(
      sandbox,
      "GET",
      `/apiTokens?nextPageKey=${first.nextPageKey}&api-token=${sandbox.token}`,
    );
    expect(ok.status).toBe(200);
  });

  it("rejects a modified, truncated or foreign key with 400, never 500 or other data", async () => {
    sandbox.seed(tokens(150));
    const key = (await page("?pageSize=100")).nextPageKey!;
    const [data, mac] = key.split(".") as [string, string];
    const decoded = JSON.parse(inflateRawSync(Buffer.from(data, "base64url")).toString());
    const forged = deflateRawSync(
      JSON.stringify({ ...decoded, q: { ...decoded.q, pageSize: 10000 }, a: ["alice", 1] }),
    ).toString("base64url");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const bad = [
      `${forged}.${mac}`,
      flip(key, 5),
      flip(key, key.length - 3),
      key.slice(0, -1),
      `${key}x`,
      data,
      "",
      "AQAAABQBAAAABQ==",
      "%00",
      `${data}.${"A".repeat(43)}`,
    ];
    for (const k of bad) {
      const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${encodeURIComponent(k)}`, {
        token: sandbox.token,
      });
      expect(r.status, k).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({
        path: "nextPageKey",
        parameterLocation: "QUERY",
      });
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(key.length - 1), fc.constantFrom(..."ABCxyz019-_."), async (i, ch) => {
        fc.pre(key[i] !== ch);
        const k = key.slice(0, i) + ch + key.slice(i + 1);
        const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${encodeURIComponent(k)}`, {
          token: sandbox.token,
        });
        expect(r.status).toBe(400);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("rejects a key whose signature is spelled differently but decodes to the same bytes", async () => {
    // 43 base64url characters carry 258 bits for a 256-bit HMAC: the last character's low two bits
    // are padding, so three other characters decode to the same signature. They are still modified keys.
    sandbox.seed(tokens(150));
    const key = (await page("?pageSize=100")).nextPageKey!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(key.at(-1)!);
    for (const bits of [1, 2, 3]) {
      const k = key.slice(0, -1) + alphabet[last ^ bits];
      expect(Buffer.from(k.split(".")[1]!, "base64url")).toEqual(
        Buffer.from(key.split(".")[1]!, "base64url"),
      );
      const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${encodeURIComponent(k)}`, {
        token: sandbox.token,
      });
      expect(r.status, k).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({ path: "nextPageKey" });
    }
    expect((await page(`?nextPageKey=${encodeURIComponent(key)}`)).apiTokens).toHaveLength(51); // 150 + the bootstrap token
  });

  it("rejects a key from another sandbox (each database signs with its own key)", async () => {
    sandbox.seed(tokens(150));
    const other = await start();
    try {
      other.seed(tokens(150));
      const key = (await api(other, "GET", "/apiTokens?pageSize=100", { token: other.token })).body
        .nextPageKey;
      const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${key}`, { token: sandbox.token });
      expect(r.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it(`expires a key ${PAGE_KEY_TTL_MS / 60_000} minutes after it was issued`, async () => {
    sandbox.seed(tokens(150));
    const key = (await page("?pageSize=100")).nextPageKey!;
    now += PAGE_KEY_TTL_MS;
    expect(
      (await api(sandbox, "GET", `/apiTokens?nextPageKey=${key}`, { token: sandbox.token })).status,
    ).toBe(200);
    now += 1;
    const r = await api(sandbox, "GET", `/apiTokens?nextPageKey=${key}`, { token: sandbox.token });
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations[0].message).toMatch(/expired/);
  });

  it("does not show tokens created after the first page (the listing is a snapshot of who existed)", async () => {
    sandbox.seed(tokens(150));
    const first = await page("?pageSize=100&sort=name");
    const late = sandbox.seed([{ name: "zzz-late" }, { name: "aaa-late" }]);
    const second = await page(`?nextPageKey=${first.nextPageKey}`);
    const ids = second.apiTokens.map((t) => t.id);
    for (const t of late) expect(ids).not.toContain(t.id);
    expect(second.totalCount).toBe(151);
  });
});
