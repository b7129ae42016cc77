/**
 * A request the sandbox refuses writes nothing (README, "lastUsedDate"): throttled (429), not
 * authenticated (401: disabled, expired, wrong secret of a known id), out of scope (403) or with a
 * repeated query parameter (400) leaves the token's lastUsedDate and lastUsedIpAddress as they
 * were, in the answers and in the database file after a clean shutdown. Against the bin, on a database file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTokenSecret, type SandboxProcess, seedTokens } from "../src/index.js";
import { startBin } from "./process.js";

let dir: string;
let db: string;
let bin: SandboxProcess;
const admin = generateTokenSecret();
const USED = "2024-01-02T03:04:05.000Z";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-refused-"));
  db = join(dir, "tokens.db");
  bin = await startBin(["--db", db, "--quiet", "--throttle-rps", "0.01", "--throttle-burst", "5"], {
    DT_SANDBOX_BOOTSTRAP_TOKEN: admin,
  });
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${bin.ready.apiBase}${path}`, {
    method,
    headers: { authorization: `Api-Token ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function lastUseInFile(id: string) {
  const file = new Database(db, { readonly: true });
  try {
    return file.prepare("SELECT last_used_ms, last_used_ip FROM tokens WHERE id = ?").get(id);
  } finally {
    file.close();
  }
}

describe("a refused request writes nothing", () => {
  it("throttled, unauthenticated or out of scope: the token's last use is unchanged", async () => {
    const seeded = seedTokens(db, [
      { name: "reader", scopes: ["apiTokens.read"], lastUsedDate: USED, lastUsedIpAddress: "192.0.2.1" },
      { name: "off", scopes: ["apiTokens.read"], enabled: false, lastUsedDate: USED },
      { name: "old", scopes: ["apiTokens.read"], expirationDate: "now-1d", lastUsedDate: USED },
    ]);
    const [reader, off, old] = seeded as [(typeof seeded)[0], (typeof seeded)[0], (typeof seeded)[0]];
    // out of scope: a reader creating
    expect(
      (await call("POST", "/apiTokens", reader.token, { name: "n", scopes: ["metrics.read"] })).status,
    ).toBe(403);
    // unauthenticated: disabled, expired, wrong secret of a known id
    expect((await call("GET", "/apiTokens", off.token)).status).toBe(401);
    expect((await call("GET", "/apiTokens", old.token)).status).toBe(401);
    const wrong = `${reader.id}.${generateTokenSecret().slice(32)}`;
    expect((await call("GET", "/apiTokens", wrong)).status).toBe(401);
    // a repeated query parameter (the README names it next to 401, 429 and 403), on both API-token prefixes
    expect((await call("GET", "/apiTokens?pageSize=100&pageSize=200", reader.token)).status).toBe(400);
    expect((await call("GET", `/apiTokens/${reader.id}?fields=name&fields=owner`, reader.token)).status).toBe(
      400,
    );
    const managed = `${bin.ready.url}/e/${bin.ready.environmentId}/api/v2/apiTokens?sort=name&sort=name`;
    expect((await fetch(managed, { headers: { authorization: `Api-Token ${reader.token}` } })).status).toBe(
      400,
    );
    // nothing recorded so far
    for (const t of [reader, off, old]) {
      const got = await call("GET", `/apiTokens/${t.id}`, admin);
      expect(got.body.lastUsedDate, t.name).toBe(USED);
    }
    // throttled: requests go through until the bucket is empty (5 at once), then are refused
    let recorded = USED;
    for (;;) {
      await new Promise((r) => setTimeout(r, 5)); // each use has a later time than the one before
      const r = await call("GET", `/apiTokens/${reader.id}`, reader.token);
      if (r.status === 429) break;
      expect(r.status).toBe(200);
      recorded = r.body.lastUsedDate;
    }
    expect(recorded).not.toBe(USED);
    await new Promise((r) => setTimeout(r, 20));
    expect((await call("GET", `/apiTokens/${reader.id}`, reader.token)).status).toBe(429);
    const after = await call("GET", `/apiTokens/${reader.id}`, admin);
    expect(after.body.lastUsedDate).toBe(recorded);
    // in the file too, once the bin has shut down cleanly (it writes pending uses then)
    await bin.close();
    expect(lastUseInFile(reader.id)).toEqual({
      last_used_ms: Date.parse(recorded),
      last_used_ip: "127.0.0.1",
    });
    for (const t of [off, old]) expect(lastUseInFile(t.id)).toMatchObject({ last_used_ms: Date.parse(USED) });
  });
});
