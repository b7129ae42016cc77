/**
 * The recovery driver (rotation/recovery.ts) and journals it did not write: edited by hand, left by
 * another version, of the other kind's shape. Nothing is done on such a journal's word: it is
 * reported as unreadable, kept byte for byte, and the command exits 1. Before, a journal whose
 * stage was not one the driver knows was taken for "verified": `cleanup` deleted the old token and
 * said "undefined is delivered, verified and committed"; and an unreadable journal's "failed:"
 * line ended with exit status 0.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lock } from "../src/rotation/lock.js";
import { knowSecrets, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();
const AG_SCOPES = ["activeGateTokenManagement.read", "activeGateTokenManagement.write", "activeGates.read"];

let state: string;
beforeEach(async () => {
  state = await mkdtemp(join(tmpdir(), "dt-recovery-journal-"));
});
afterEach(() => rm(state, { recursive: true, force: true }));

/** Writes a journal file as a person (or another version) might have, 0600. */
async function handWritten(name: string, record: unknown): Promise<{ path: string; text: string }> {
  const dir = join(state, "dt-tokens", "journal");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const text = typeof record === "string" ? record : `${JSON.stringify(record)}\n`;
  await writeFile(path, text, { mode: 0o600 });
  return { path, text };
}

const record = (kind: string, key: string, data: unknown) => ({
  version: 1,
  kind,
  key,
  startedAt: new Date().toISOString(),
  pid: 999_999_999,
  data,
});

describe("a journal the driver cannot act on", () => {
  it("API tokens: an unknown stage, a stage past the create without the replacement, missing fields, no data: reported, kept, nothing retired, exit 1", async () => {
    const [victim] = seed([{ name: "victim", scopes: ["metrics.read"] }]);
    const url = sandbox().url;
    const base = {
      environment: url,
      oldId: victim!.id,
      oldName: "victim",
      finalName: "victim",
      scopes: ["metrics.read"],
      retire: { action: "delete" },
      retireWithNewToken: false,
      sinkTimeoutMs: 1000,
      sinks: [],
    };
    const key = `api-token ${url} ${victim!.id}`;
    const cases: [string, unknown, RegExp][] = [
      [
        "stage",
        { ...base, stage: "garbage" },
        /its stage is not one of prepared, delivering, verified, committed/,
      ],
      ["no-new", { ...base, stage: "committed" }, /its stage is committed but its newId is missing/],
      ["no-data", undefined, /it holds no rotation/],
      [
        "no-retire",
        { ...base, stage: "committed", newId: "dt0c01.X", secret: "x", retire: null },
        /retire\.action/,
      ],
      ["no-sinks", { ...base, stage: "verified", newId: "dt0c01.X", secret: "x", sinks: "all" }, /its sinks/],
    ];
    const files = [];
    for (const [name, data, error] of cases)
      files.push({ ...(await handWritten(`api-token-${name}.json`, record("api-token", key, data))), error });
    for (const command of [["cleanup"], ["rotate", "--finish"]]) {
      const r = await run(sandbox(), command, { env: { XDG_STATE_HOME: state } });
      expect(r.code, r.stderr).toBe(1);
      for (const { path, text, error } of files) {
        const line = r.stderr.split("\n").find((l) => l.includes(path));
        expect(line, r.stderr).toMatch(/^failed: the rotation journal .* cannot be read: /);
        expect(line).toMatch(error);
        expect(await readFile(path, "utf8")).toBe(text);
      }
      expect(r.stderr).not.toMatch(/completed|rolled back|undefined/);
    }
    const { token } = victim!;
    const still = await fetch(`${url}/api/v2/apiTokens/${victim!.id}`, {
      headers: { authorization: `Api-Token ${sandbox().bootstrapToken}` },
    });
    expect(still.status).toBe(200);
    expect(((await still.json()) as { enabled: boolean }).enabled).toBe(true);
    knowSecrets(token);
  });

  it("ActiveGate tokens: a stage API-token journals have (committed), or an API-token journal's shape: reported, kept, the old token not deleted", async () => {
    const [admin] = seed([{ name: "ag-admin", scopes: AG_SCOPES }]);
    const [old] = sandbox().activeGates.seedTokens([{ name: "gw" }]);
    knowSecrets(old!.token);
    const url = sandbox().url;
    const key = `activegate-token ${url} ${old!.id}`;
    const base = {
      environment: url,
      oldId: old!.id,
      newId: "dt0g02.NEWNEWNE",
      secret: "x",
      sinkTimeoutMs: 1000,
      sinks: [],
    };
    const committed = await handWritten(
      "activegate-token-committed.json",
      record("activegate-token", key, {
        ...base,
        stage: "committed",
        name: "gw",
        type: "ENVIRONMENT",
        seed: false,
        gates: [],
      }),
    );
    const apiShaped = await handWritten(
      "activegate-token-api-shaped.json",
      record("activegate-token", key, {
        ...base,
        stage: "verified",
        finalName: "gw",
        retire: { action: "delete" },
      }),
    );
    const r = await run(sandbox(), ["ag-tokens", "rotate", "--finish"], {
      env: { XDG_STATE_HOME: state, DT_API_TOKEN: admin!.token },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `${committed.path} cannot be read: its stage is not one of prepared, delivering, verified`,
    );
    expect(r.stderr).toContain(`${apiShaped.path} cannot be read: its name or type is missing`);
    expect(await readFile(committed.path, "utf8")).toBe(committed.text);
    expect(await readFile(apiShaped.path, "utf8")).toBe(apiShaped.text);
    const gone = await fetch(`${url}/api/v2/activeGateTokens/${old!.id}`, {
      headers: { authorization: `Api-Token ${admin!.token}` },
    });
    expect(gone.status).toBe(200);
  });

  it("a corrupt journal alone: cleanup says so and exits 1 (it exited 0)", async () => {
    const corrupt = await handWritten("api-token-corrupt.json", '{"version":1,');
    const r = await run(sandbox(), ["cleanup"], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed: the rotation journal ${corrupt.path} cannot be read`);
  });

  it("a journal whose lock another process holds: left alone, naming that process, not the dead rotation's pid", async () => {
    const [victim] = seed([{ name: "held", scopes: ["metrics.read"] }]);
    const url = sandbox().url;
    const key = `api-token ${url} ${victim!.id}`;
    await handWritten(
      "api-token-held.json",
      record("api-token", key, {
        stage: "prepared",
        environment: url,
        oldId: victim!.id,
        oldName: "held",
        finalName: "held",
        scopes: ["metrics.read"],
        retire: { action: "disable" },
        retireWithNewToken: false,
        sinkTimeoutMs: 1000,
        sinks: [],
      }),
    );
    // This test process stands for a second `cleanup` that took the lock first.
    const held = await lock({ XDG_STATE_HOME: state }, key);
    try {
      const r = await run(sandbox(), ["cleanup"], { env: { XDG_STATE_HOME: state } });
      expect(r.stderr).toContain(
        `left alone: the interrupted rotation of ${victim!.id} "held": another dt-tokens process (${process.pid}) is recovering it`,
      );
      expect(r.stderr).not.toContain("999999999");
    } finally {
      await held.release();
    }
  });
});
