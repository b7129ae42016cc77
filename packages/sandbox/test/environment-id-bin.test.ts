/**
 * Single-environment mode serves its one environment under its own id only (README, "Many
 * environments"): a client that builds a wrong Managed URL (`/e/undefined/api/v2`, `/e/null`,
 * `/e/%20`, another id) gets the 404 it would get from Managed, and that 404 names no id the
 * sandbox serves. The id is in the ready line and stays the same across restarts of a database file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxProcess } from "../src/index.js";
import { startBin } from "./process.js";

let dir: string;
let bin: SandboxProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-environment-id-"));
  bin = await startBin(["--db", join(dir, "tokens.db"), "--quiet"]);
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});

const list = (prefix: string, token?: string) =>
  fetch(`${bin.ready.url}${prefix}/apiTokens`, {
    headers: token === undefined ? {} : { authorization: `Api-Token ${token}` },
  });

describe("the environment's own id", () => {
  it("is in the ready line and serves the environment under /e/<id>/api/v2", async () => {
    expect(bin.ready.environmentId).toMatch(/^[0-9a-f]{8}$/);
    const res = await list(`/e/${bin.ready.environmentId}/api/v2`, bin.ready.bootstrapToken);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { totalCount: number }).totalCount).toBe(1);
  });

  it.each(["undefined", "null", "%20", "abc12345", "env01", "<other hex id>", "<id in upper case>"])(
    "answers 404 for /e/%s/api/v2, with or without credentials, naming no served id",
    async (raw) => {
      const own = bin.ready.environmentId;
      const other = (Number.parseInt(own, 16) ^ 1).toString(16).padStart(8, "0");
      const id = raw === "<other hex id>" ? other : raw === "<id in upper case>" ? own.toUpperCase() : raw;
      if (id === own) return; // an id of digits only has no upper case
      for (const token of [undefined, bin.ready.bootstrapToken]) {
        const res = await list(`/e/${id}/api/v2`, token);
        const text = await res.text();
        expect(res.status, text).toBe(404);
        expect(JSON.parse(text).error.message).toMatch(/^No environment ".*" in this sandbox/);
        expect(text).not.toContain(own);
      }
    },
  );

  it("stays the same when the bin restarts on the same database file", async () => {
    const id = bin.ready.environmentId;
    await bin.close();
    bin = await startBin(["--db", join(dir, "tokens.db"), "--quiet"]);
    expect(bin.ready.environmentId).toBe(id);
  });
});
