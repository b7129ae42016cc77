/**
 * Last use with two processes on one database file (README, "lastUsedDate"), against two real
 * bins and a third connection that holds the write lock:
 * - sorting and filtering by lastUsedDate see what the rows show, pending uses included, with or
 *   without contention: every token exactly once, in order, a nextPageKey that ends, and from/to
 *   counting every use;
 * - last use only moves forward: a process never writes an older use over another's newer one, and
 *   the address shown is the latest caller's;
 * - another process sees the uses once the lock is free (within the bound the README states);
 * - page keys carry their query: a key issued while the lock was held works in the other process
 *   and after a restart.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateTokenSecret, type SandboxProcess, type SeededToken, seedTokens } from "../src/index.js";
import { startBin } from "./process.js";

let dir: string;
let file: string;
const admin = generateTokenSecret();
let a: SandboxProcess;
let b: SandboxProcess;
let holder: Database.Database | undefined;
let tokens: SeededToken[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-last-use-"));
  file = join(dir, "tokens.db");
  tokens = seedTokens(
    file,
    Array.from({ length: 300 }, (_, i) => ({
      name: `t${String(i).padStart(3, "0")}`,
      scopes: ["apiTokens.read"],
      creationDate: Date.now() - 86_400_000 + i,
      ...(i % 3 === 0 ? { lastUsedDate: "now-30d", lastUsedIpAddress: "192.0.2.9" } : {}),
    })),
  );
  const env = { DT_SANDBOX_BOOTSTRAP_TOKEN: admin };
  a = await startBin(["--db", file, "--quiet"], env);
  b = await startBin(["--db", file, "--quiet"], env);
});
afterEach(async () => {
  holder?.close();
  holder = undefined;
  await Promise.all([a?.close(), b?.close()]);
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => undefined);

/** Takes the database's write lock in a third connection until release(). */
function holdWriteLock(): { release(): void } {
  holder = new Database(file);
  holder.exec("BEGIN IMMEDIATE");
  return {
    release: () => {
      holder!.exec("COMMIT");
    },
  };
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies
  body: any;
}

/** A GET with node:http, from a chosen loopback address (127.0.0.0/8 is all local on Linux). */
function get(p: SandboxProcess, path: string, token: string, localAddress = "127.0.0.1"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${p.ready.apiBase}${path}`,
      { headers: { authorization: `Api-Token ${token}` }, localAddress },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every page of a list, following nextPageKey (at most 20 pages: a key that never ends fails). */
async function walk(p: SandboxProcess, first: string): Promise<{ id: string; lastUsedDate?: string }[]> {
  const rows: { id: string; lastUsedDate?: string }[] = [];
  let page = await get(p, `/apiTokens?${first}`, admin);
  for (let n = 0; ; n++) {
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    rows.push(...page.body.apiTokens);
    if (page.body.nextPageKey === null) return rows;
    expect(n, "a nextPageKey that never ends").toBeLessThan(20);
    page = await get(p, `/apiTokens?nextPageKey=${encodeURIComponent(page.body.nextPageKey)}`, admin);
  }
}

function expectEachOnceInOrder(rows: { id: string; lastUsedDate?: string }[], descending: boolean): void {
  const ids = rows.map((r) => r.id);
  expect(new Set(ids).size, "a token listed twice").toBe(ids.length);
  expect(ids.length, "a token skipped").toBe(tokens.length + 1);
  const times = rows.map((r) => (r.lastUsedDate === undefined ? -Infinity : Date.parse(r.lastUsedDate)));
  const sorted = [...times].sort((x, y) => (descending ? y - x : x - y));
  expect(times).toEqual(sorted);
}

describe("last use with two processes on one database file", () => {
  it("sorting and filtering see the uses the rows show, while a third connection holds the write lock", async () => {
    const lock = holdWriteLock();
    const since = new Date(Date.now() - 1000).toISOString();
    const used = tokens.slice(0, 151);
    for (const t of used) expect((await get(a, `/apiTokens/${t.id}`, t.token)).status).toBe(200);
    await sleep(1500); // past the flush interval: the process tried to write them and found the lock
    for (const [sort, descending] of [
      ["-lastUsedDate", true],
      ["lastUsedDate", false],
    ] as const) {
      const rows = await walk(a, `pageSize=100&sort=${sort}&fields=%2BlastUsedDate`);
      expectEachOnceInOrder(rows, descending);
    }
    const recent = await get(a, `/apiTokens?from=${since}&pageSize=100&fields=%2BlastUsedDate`, admin);
    expect(recent.body.totalCount).toBe(152); // the 151 and the admin token listing them
    const ids = (await walk(a, `from=${since}&pageSize=100`)).map((r) => r.id);
    for (const t of used) expect(ids).toContain(t.id);
    const to = await get(a, `/apiTokens?from=now-1y&to=${since}&pageSize=100`, admin);
    expect(to.body.totalCount).toBe(tokens.filter((_, i) => i % 3 === 0 && i >= 151).length);

    // the other process cannot see them while the lock is held (nothing is written) ...
    const meanwhile = await get(b, `/apiTokens?from=${since}&pageSize=100`, admin);
    expect(meanwhile.body.totalCount).toBeLessThan(152);
    // ... and sees every one of them soon after it is released
    lock.release();
    await until("the other process to see the uses", async () => {
      const r = await get(b, `/apiTokens?from=${since}&pageSize=100`, admin);
      return r.body.totalCount >= 152 ? r : undefined;
    });
    const other = await walk(b, `pageSize=100&sort=-lastUsedDate&fields=%2BlastUsedDate`);
    expectEachOnceInOrder(other, true);
  });

  it("never writes an older use over a newer one: the date and the address are the latest caller's", async () => {
    const t = tokens[1]!;
    const lock = holdWriteLock();
    expect((await get(a, `/apiTokens/${t.id}`, t.token, "127.0.0.2")).status).toBe(200);
    const older = (await get(a, `/apiTokens/${t.id}`, admin)).body;
    expect(older.lastUsedIpAddress).toBe("127.0.0.2");
    await sleep(20);
    expect((await get(b, `/apiTokens/${t.id}`, t.token, "127.0.0.3")).status).toBe(200);
    const newer = (await get(b, `/apiTokens/${t.id}`, admin)).body;
    expect(Date.parse(newer.lastUsedDate)).toBeGreaterThan(Date.parse(older.lastUsedDate));
    lock.release();
    // the newer use reaches the file first (b stops and writes it), then a writes its older one
    await b.close();
    await sleep(1500); // a's flush interval passes: it writes (or, now, declines to write) its older use
    // a shows the newer use, not its own older one ...
    const shown = (await get(a, `/apiTokens/${t.id}`, admin)).body;
    expect(shown.lastUsedDate).toBe(newer.lastUsedDate);
    expect(shown.lastUsedIpAddress).toBe("127.0.0.3");
    // ... and the file keeps it after a has shut down too
    await a.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT last_used_ms, last_used_ip FROM tokens WHERE id = ?").get(t.id)).toEqual({
        last_used_ms: Date.parse(newer.lastUsedDate),
        last_used_ip: "127.0.0.3",
      });
    } finally {
      db.close();
    }
  });

  it("a page key issued while the lock is held works in the other process and after a restart", async () => {
    const lock = holdWriteLock();
    const query = `pageSize=100&sort=name&apiTokenSelector=${encodeURIComponent('scope("apiTokens.read")')}`;
    const first = await get(a, `/apiTokens?${query}`, admin);
    expect(first.status).toBe(200);
    const key = encodeURIComponent(first.body.nextPageKey);
    const there = await get(b, `/apiTokens?nextPageKey=${key}`, admin);
    expect(there.status, JSON.stringify(there.body)).toBe(200);
    expect(there.body.apiTokens[0].name).toBe("t099"); // page one: sandbox-bootstrap, t000 … t098
    lock.release();
    await a.close();
    a = await startBin(["--db", file, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
    const again = await get(a, `/apiTokens?nextPageKey=${key}`, admin);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.apiTokens).toEqual(there.body.apiTokens);
  });
});

it("a shutdown that cannot write its pending uses (the lock held throughout) says so on stderr, never silently", async () => {
  const token = tokens[1]!;
  expect((await get(a, `/apiTokens/${token.id}`, admin)).status).toBe(200);
  const lock = holdWriteLock(); // after the use: the flush (within a second) has nothing else to wait for
  try {
    expect((await get(a, "/apiTokens?pageSize=100", admin)).status).toBe(200); // a pending use of the admin token
    await a.close(); // waits up to 10 s for the lock, then gives up
  } finally {
    lock.release();
  }
  expect(a.stderr()).toMatch(/DT_SANDBOX_LAST_USE_LOST.*last use\(s\) were not written/);
  expect(a.stderr()).not.toContain(admin);
}, 60_000);
