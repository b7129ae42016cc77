/**
 * Many environments stay isolated and start cleanly (README, "Many environments"), against the bin:
 * - a --seed-file secret authenticates only in the environment it names; tokens without a chosen
 *   secret go into every environment, each with its own; a secret without an environment is a
 *   usage error (exit 2) before anything is created;
 * - --environments 400 --db FILE under a limit of 1024 open files fails cleanly before creating a
 *   file (exit 1, what to do), and leaves none behind.
 */
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateTokenSecret } from "../src/index.js";
import { startBin } from "./process.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-fleet-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the bin to its exit under `ulimit -n <limit>` (sh's builtin), with the given flags. */
function runLimited(
  limit: number,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      "sh",
      ["-c", `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 60_000); // a bin that serves instead of exiting
    child.on("close", (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

const list = (apiBase: string, token: string) =>
  fetch(`${apiBase}/apiTokens`, { headers: { authorization: `Api-Token ${token}` } });

describe("--seed-file with --environments", { timeout: 90_000 }, () => {
  it("a chosen secret authenticates only in the environment it names", async () => {
    const secret = generateTokenSecret();
    const file = join(dir, "seed.json");
    writeFileSync(
      file,
      JSON.stringify([
        { name: "ci", token: secret, scopes: ["apiTokens.read"], environment: "env02" },
        { name: "everywhere", scopes: ["apiTokens.read"] },
      ]),
    );
    const bin = await startBin(["--db", ":memory:", "--quiet", "--environments", "3", "--seed-file", file]);
    try {
      const envs = bin.ready.environments!;
      const statuses = await Promise.all(envs.map(async (e) => (await list(e.apiBase, secret)).status));
      expect(statuses).toEqual([401, 200, 401]);
      expect((await list(bin.ready.apiBase, secret)).status).toBe(401);
      // the token without a chosen secret is in each environment, under a different id each
      const ids = await Promise.all(
        envs.map(async (e) => {
          const body = (await (await list(e.apiBase, e.bootstrapToken!)).json()) as {
            apiTokens: { id: string; name: string }[];
          };
          return body.apiTokens.find((t) => t.name === "everywhere")!.id;
        }),
      );
      expect(new Set(ids).size).toBe(3);
    } finally {
      await bin.close();
    }
  });

  it("a chosen secret without an environment is a usage error before anything is created", async () => {
    const file = join(dir, "seed.json");
    writeFileSync(file, JSON.stringify([{ name: "ci", token: generateTokenSecret() }]));
    const r = await runLimited(4096, [
      "--db",
      join(dir, "db", "tokens.db"),
      "--environments",
      "3",
      "--seed-file",
      file,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('name the one environment it belongs to ("environment": "env01")');
    expect(r.out).toBe("");
    expect(readdirSync(dir)).toEqual(["seed.json"]);
  });
});

describe("--environments 400 --db FILE under ulimit -n 1024", { timeout: 90_000 }, () => {
  it("fails cleanly before creating a file, saying what to do", async () => {
    const r = await runLimited(1024, [
      "--db",
      join(dir, "db", "tokens.db"),
      "--environments",
      "400",
      "--quiet",
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/400 environments with database files need about \d+ open files/);
    expect(r.err).toContain("ulimit -n");
    expect(r.out).toBe("");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("starts with fewer environments on files", async () => {
    const bin = await startBin(["--db", join(dir, "tokens.db"), "--environments", "40", "--quiet"]);
    try {
      expect(bin.ready.environments).toHaveLength(40);
    } finally {
      await bin.close();
    }
  });
});
