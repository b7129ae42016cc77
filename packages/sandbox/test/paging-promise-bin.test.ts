/**
 * The paging promise, exactly as the README states it ("The paging promise"): a token that exists
 * throughout is listed exactly once as long as what it is sorted and filtered by does not change
 * between pages; a token whose sort key changes may be listed twice or not at all, and every other
 * token is still listed exactly once. With the default sort (creationDate), which never changes,
 * the promise holds whatever happens between pages. Against the bin.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateTokenSecret, type SandboxProcess, type SeededToken, seedTokens } from "../src/index.js";
import { startBin } from "./process.js";

const admin = generateTokenSecret();
let dir: string;
let bin: SandboxProcess;
let file: string;
let tokens: SeededToken[];
const START = Date.parse("2025-01-01T00:00:00.000Z");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-paging-"));
  file = join(dir, "tokens.db");
  bin = await startBin(["--db", file, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  // a fresh set of 350 tokens: n000 … n349, created in that order, modified in reverse order
  const old = await call("GET", "/apiTokens?pageSize=10000");
  for (const t of old.body.apiTokens as { id: string; name: string }[])
    if (t.name !== "sandbox-bootstrap") await call("DELETE", `/apiTokens/${t.id}`);
  tokens = seedTokens(
    file,
    Array.from({ length: 350 }, (_, i) => ({
      name: `n${String(i).padStart(3, "0")}`,
      scopes: ["metrics.read"],
      creationDate: START + i,
      modifiedDate: START - i,
    })),
  );
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${bin.ready.apiBase}${path}`, {
    method,
    headers: { authorization: `Api-Token ${admin}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Pages through a list, calling between() after page one; returns how often each id was listed. */
async function walk(
  query: string,
  between: (pageOne: string[]) => Promise<void>,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let page = (await call("GET", `/apiTokens?pageSize=100&${query}`)).body;
  const pageOne = page.apiTokens.map((t: { id: string }) => t.id);
  await between(pageOne);
  for (;;) {
    for (const t of page.apiTokens as { id: string }[]) seen.set(t.id, (seen.get(t.id) ?? 0) + 1);
    if (page.nextPageKey === null) return seen;
    page = (await call("GET", `/apiTokens?nextPageKey=${encodeURIComponent(page.nextPageKey)}`)).body;
  }
}

const rename = (id: string, name: string) => call("PUT", `/apiTokens/${id}`, { name });
const rescope = (id: string) => call("PUT", `/apiTokens/${id}`, { scopes: ["logs.read"] });

function expectOnceExcept(seen: Map<string, number>, moved: string[]): void {
  for (const t of tokens) if (!moved.includes(t.id)) expect(seen.get(t.id), t.name).toBe(1);
}

describe("the paging promise", () => {
  it("holds whatever changes between pages with the default sort (creationDate, which never changes)", async () => {
    const seen = await walk("fields=%2BmodifiedDate", async (pageOne) => {
      const later = tokens.filter((t) => !pageOne.includes(t.id));
      await rename(later[5]!.id, "aaa-moved-first");
      await rename(tokens.find((t) => pageOne.includes(t.id))!.id, "zzz-moved-last");
      await rescope(later[50]!.id);
      await call("DELETE", `/apiTokens/${later[60]!.id}`);
      await call("POST", "/apiTokens", { name: "created-mid-walk", scopes: ["metrics.read"] });
    });
    const deleted = tokens.filter((t) => !seen.has(t.id));
    expect(deleted).toHaveLength(1); // the one deleted between pages, and only it
    expectOnceExcept(seen, [deleted[0]!.id]);
    expect(seen.size).toBe(350); // 349 of them and the bootstrap token; not the one created mid-walk
  });

  it("sort=name: only a renamed token may be listed twice or not at all", async () => {
    let back = "";
    let forward = "";
    const seen = await walk("sort=name", async (pageOne) => {
      back = tokens.find((t) => t.name === "n250")!.id; // on a later page, renamed before the cursor
      forward = tokens.find((t) => pageOne.includes(t.id) && t.name === "n010")!.id; // on page one, renamed after it
      await rename(back, "a-renamed-back");
      await rename(forward, "z-renamed-forward");
    });
    expectOnceExcept(seen, [back, forward]);
    expect(seen.get(back)).toBeUndefined(); // skipped: its key moved behind the cursor
    expect(seen.get(forward)).toBe(2); // repeated: its key moved ahead of it
  });

  it("sort=-modifiedDate: only a token whose scopes changed may be skipped", async () => {
    let changed = "";
    const seen = await walk("sort=-modifiedDate", async (pageOne) => {
      changed = tokens.find((t) => !pageOne.includes(t.id) && t.name === "n300")!.id;
      await rescope(changed); // now the most recently modified: before the cursor
    });
    expectOnceExcept(seen, [changed]);
    expect(seen.get(changed)).toBeUndefined();
  });
});
