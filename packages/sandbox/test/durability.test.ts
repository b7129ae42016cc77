/**
 * Every write acknowledged to a client survives SIGKILL; the database (and its -wal/-shm) never
 * contains a secret.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoTokens, generateTokenSecret, seedTokens, startSandbox } from "../src/index.js";
import { api } from "./helpers.js";
import { startBin } from "./process.js";

const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-durable-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dbFiles(db: string): Buffer[] {
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
}

/** Looks for the secret part of each secret in every file, as ASCII and as UTF-16. */
function expectNoSecrets(files: Buffer[], secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const file of files) {
    const ascii = file.toString("latin1");
    const utf16 = file.toString("utf16le");
    for (const secret of secrets) {
      const part = secret.slice(32);
      expect(ascii.includes(part) || utf16.includes(part), "a secret is in the database file").toBe(false);
    }
  }
}

describe("durability", () => {
  it("keeps every acknowledged token after SIGKILL during writes", async () => {
    const db = join(dir, "kill.db");
    const bootstrap = generateTokenSecret();
    const env = { DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap };
    const bin = await startBin(["--db", db, "--quiet"], env);
    const acknowledged: { id: string; token: string }[] = [];
    const deletedAck: string[] = [];
    let stop = false;
    const headers = { authorization: `Api-Token ${bootstrap}`, "content-type": "application/json" };
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 10_000; i++) {
        try {
          const r = await fetch(`${bin.ready.apiBase}/apiTokens`, {
            method: "POST",
            headers,
            body: JSON.stringify({ name: `w${w}-${i}`, scopes: ["metrics.read"] }),
          });
          if (r.status === 201) {
            const created = (await r.json()) as { id: string; token: string };
            acknowledged.push(created);
            if (i % 10 === 5) {
              const d = await fetch(`${bin.ready.apiBase}/apiTokens/${created.id}`, {
                method: "DELETE",
                headers,
              });
              if (d.status === 204) deletedAck.push(created.id);
            }
          }
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, w) => writer(w));
    // kill once enough writes were acknowledged, while the writers are still busy
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 5));
    bin.child.kill("SIGKILL");
    expect((await bin.exit).signal).toBe("SIGKILL");
    stop = true;
    await Promise.all(writers);

    const again = await startBin(["--db", db, "--quiet"], env);
    try {
      const res = await api(again.ready, "GET", "/apiTokens?pageSize=10000&fields=name", {
        token: bootstrap,
      });
      expect(res.status).toBe(200);
      const body = res.body as { apiTokens: { id: string }[] };
      const present = new Set(body.apiTokens.map((t) => t.id));
      const deleted = new Set(deletedAck);
      const missing = acknowledged.filter((t) => !deleted.has(t.id) && !present.has(t.id));
      expect(missing).toEqual([]);
      for (const id of deleted) expect(present.has(id)).toBe(false);
      // an acknowledged secret still authenticates
      const sample = acknowledged.find((t) => !deleted.has(t.id))!;
      const lookup = await api(again.ready, "POST", "/apiTokens/lookup", {
        token: bootstrap,
        body: { token: sample.token },
      });
      expect(lookup.status).toBe(200);
    } finally {
      again.child.kill("SIGTERM");
      await again.exit;
    }
    expectNoSecrets(dbFiles(db), [bootstrap, ...acknowledged.map((t) => t.token)]);
    // 300 acknowledged (fsynced) writes and two start-ups: disk-bound, slow on a shared machine.
  }, 120_000);
});

describe("secrets at rest", () => {
  it("never writes a secret to the database, WAL or shared memory file", async () => {
    const db = join(dir, "scan.db");
    const seededOffline = seedTokens(db, generateDemoTokens({ count: 50, seed: 3 }));
    const sandbox = await startSandbox({ database: db, bootstrapToken: generateTokenSecret() });
    const secrets = [sandbox.bootstrapToken!, ...seededOffline.map((t) => t.token)];
    try {
      secrets.push(...sandbox.seed(generateDemoTokens({ count: 50, seed: 4 })).map((t) => t.token));
      const token = sandbox.bootstrapToken!;
      for (let i = 0; i < 30; i++) {
        const r = await api(sandbox, "POST", "/apiTokens", {
          token,
          body: { name: `api-${i}`, scopes: ["metrics.read"] },
        });
        const created = r.body as { token: string };
        secrets.push(created.token);
        // use and look up the secrets, the paths that touch them
        expect(
          (await api(sandbox, "POST", "/apiTokens/lookup", { token, body: { token: created.token } })).status,
        ).toBe(200);
        expect((await api(sandbox, "GET", `/apiTokens?api-token=${created.token}`)).status).toBe(403);
      }
      // while running: the WAL holds the recent writes
      expectNoSecrets(dbFiles(db), secrets);
    } finally {
      await sandbox.close();
    }
    expectNoSecrets(dbFiles(db), secrets);
  });

  it("the scan finds a secret when one is there (the check can fail)", () => {
    const secret = generateTokenSecret();
    expect(() => expectNoSecrets([Buffer.from(`xx${secret}yy`)], [secret])).toThrow();
    expect(() => expectNoSecrets([Buffer.from(`xx${secret}yy`, "utf16le")], [secret])).toThrow();
  });
});
