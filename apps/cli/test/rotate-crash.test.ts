/**
 * The crash matrix of `dt-tokens rotate` (issue 21): the built CLI, against the sandbox bin as
 * another process, is killed with SIGKILL at each stage boundary (DT_TOKENS_TEST_CRASH_AT makes it
 * kill itself there; an exec: sink's delivery is killed from outside while the command runs). Then
 * `dt-tokens cleanup` and `dt-tokens rotate --finish` run, and the invariants are checked:
 *
 * - the rotation is completed or rolled back: no journal, no marked replacement is left;
 * - every sink holds one and the same secret, and it authenticates;
 * - no enabled token of that name exists whose secret no sink holds;
 * - files keep their mode; an exec: sink's process group died with the CLI.
 *
 * Also: two runs on one token at once, on one machine and on two: exactly one proceeds, the
 * other names the replacement in flight.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiTokensClient, createApiTokensClient, parseRotationMarker } from "@dt-tokens/client";
import { type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CrashPoint } from "../src/rotation/test-hooks.js";
import { type CrashableOptions, runCrashable } from "./child.js";
import { BIN, cliEnv } from "./helpers.js";

const SECRET = /dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}/;
const LONG = 180_000;

let sandbox: SandboxProcess;
let dt: ApiTokensClient;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-rotate-crash-"));
  sandbox = await startSandboxProcess(["--db", ":memory:", "--quiet"]);
  dt = createApiTokensClient({ environmentUrl: sandbox.ready.url, token: sandbox.ready.bootstrapToken! });
});
afterEach(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI against this test's sandbox, its state in `dir/state` unless `state` says otherwise. */
const cli = (args: string[], options: Partial<CrashableOptions> = {}) =>
  runCrashable(args, {
    url: sandbox.ready.url,
    token: sandbox.ready.bootstrapToken!,
    ...options,
    state: options.state ?? join(dir, "state"),
  }).done;

interface Setup {
  old: string;
  oldSecret: string;
  file: string;
  env: string;
  store: string;
  sinks: Record<"file" | "dotenv" | "exec", string>;
}

/** A token "svc" whose secret is in a file (0640), a dotenv file and a command's store. */
async function setup(): Promise<Setup> {
  const created = await dt.create({ name: "svc", scopes: ["metrics.read"], expirationDate: "now+10d" });
  const file = join(dir, "svc.token");
  const env = join(dir, "app.env");
  const store = join(dir, "store");
  await writeFile(file, created.token, { mode: 0o640 });
  await chmod(file, 0o640);
  await writeFile(env, `A=1\nDT_TOKEN=${created.token}\n`);
  await writeFile(store, created.token);
  // The command stores its input; while `hang` exists it then waits, as a slow secret store does.
  const command = `cat > ${store}.tmp && mv ${store}.tmp ${store}; if [ -e ${dir}/hang ]; then echo $$ > ${dir}/exec.pid; sleep 60; fi`;
  return {
    old: created.id,
    oldSecret: created.token,
    file,
    env,
    store,
    sinks: { file: `file:${file}`, dotenv: `dotenv:${env}#DT_TOKEN`, exec: `exec:${command}` },
  };
}

const dotenvValue = (text: string) => /^DT_TOKEN=(.*)$/m.exec(text)?.[1];

/** The invariants after recovery; returns whether the rotation was completed (else rolled back). */
async function assertConsistent(s: Setup): Promise<"completed" | "rolled back"> {
  const journal = join(dir, "state", "dt-tokens", "journal");
  expect(existsSync(journal) ? await readdir(journal) : [], "journals left").toEqual([]);
  const tokens: { id: string; name: string; enabled?: boolean }[] = [];
  for await (const t of dt.listAll({ fields: ["name", "enabled"] })) tokens.push(t);
  expect(
    tokens.filter((t) => parseRotationMarker(t.name)),
    "marked tokens left",
  ).toEqual([]);
  const inFile = await readFile(s.file, "utf8");
  const inEnv = dotenvValue(await readFile(s.env, "utf8"));
  const inStore = await readFile(s.store, "utf8");
  expect(inFile).toMatch(SECRET);
  expect([inEnv, inStore], "every sink holds the same secret").toEqual([inFile, inFile]);
  const held = await dt.lookup(inFile);
  expect(held).toMatchObject({ name: "svc", enabled: true });
  // No enabled token of that name whose secret no sink holds.
  expect(tokens.filter((t) => t.name === "svc" && t.enabled !== false).map((t) => t.id)).toEqual([held.id]);
  expect((await stat(s.file)).mode & 0o777, "the file keeps its mode").toBe(0o640);
  expect(await readFile(s.env, "utf8")).toBe(`A=1\nDT_TOKEN=${inFile}\n`);
  return inFile === s.oldSecret ? "rolled back" : "completed";
}

async function recover(): Promise<void> {
  const cleanup = await cli(["cleanup"]);
  expect(cleanup.code, cleanup.stderr).toBe(0);
  expect(cleanup.stderr + cleanup.stdout).not.toMatch(SECRET);
  const finish = await cli(["rotate", "--finish"]);
  expect(finish.code, finish.stderr).toBe(0);
}

describe("crash matrix: SIGKILL at each stage boundary, then cleanup and --finish", () => {
  const cases: [string, CrashPoint, ("file" | "dotenv" | "exec")[], string[], "completed" | "rolled back"][] =
    [
      ["after create, before delivery", "created", ["file", "dotenv", "exec"], [], "rolled back"],
      ["during the file sink's write", "before-rename", ["file", "dotenv", "exec"], [], "completed"],
      ["during the dotenv sink's write", "before-rename", ["dotenv", "file", "exec"], [], "completed"],
      ["after the first sink's delivery", "delivered-one", ["file", "dotenv", "exec"], [], "completed"],
      ["after delivery, before verify", "delivered", ["exec", "file", "dotenv"], [], "completed"],
      ["after verify, before commit", "verified", ["file", "dotenv", "exec"], [], "completed"],
      ["after commit, before retire", "committed", ["file", "dotenv", "exec"], [], "completed"],
      [
        "after commit, before an overlap's marking",
        "committed",
        ["file", "dotenv", "exec"],
        ["--overlap", "0s"],
        "completed",
      ],
      ["after an overlap's marking", "retired", ["file", "dotenv", "exec"], ["--overlap", "0s"], "completed"],
      ["after retire (delete)", "retired", ["file", "dotenv", "exec"], ["--retire", "delete"], "completed"],
    ];
  for (const [title, point, order, extra, expected] of cases)
    it(
      `${title} (${point}): ${expected}`,
      async () => {
        const s = await setup();
        const r = await cli(["rotate", s.old, ...order.flatMap((k) => ["--to", s.sinks[k]]), ...extra], {
          crashAt: point,
        });
        expect([r.code, r.signal], r.stderr).toEqual([null, "SIGKILL"]);
        await recover();
        expect(await assertConsistent(s)).toBe(expected);
        const old = await dt.get(s.old).catch(() => undefined);
        if (expected === "rolled back") expect(old).toMatchObject({ name: "svc", enabled: true });
        else if (extra.includes("delete")) expect(old).toBeUndefined();
        else expect(old).toMatchObject({ name: "svc", enabled: false });
      },
      LONG,
    );

  it(
    "during an exec: sink's delivery (killed from outside): the command dies with the CLI, and the rotation completes",
    async () => {
      const s = await setup();
      await writeFile(join(dir, "hang"), "");
      const r = await cli(
        ["rotate", s.old, "--to", s.sinks.file, "--to", s.sinks.exec, "--to", s.sinks.dotenv],
        {
          killWhenFile: join(dir, "exec.pid"),
        },
      );
      expect(r.signal).toBe("SIGKILL");
      const pid = Number(await readFile(join(dir, "exec.pid"), "utf8"));
      const alive = () => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(alive(), "the exec: sink's command after the CLI died").toBe(false);
      // Another machine (no journal) sees a replacement whose delivery started: it leaves it alone.
      const elsewhere = await cli(["cleanup", "--older-than", "0s"], { state: join(dir, "other-machine") });
      expect(elsewhere.code).toBe(0);
      expect(elsewhere.stderr).toContain("its delivery had started, so its secret may be in use");
      await rm(join(dir, "hang"));
      await recover();
      expect(await assertConsistent(s)).toBe("completed");
    },
    LONG,
  );

  it(
    "a replacement deleted meanwhile: the recovery puts every sink back (the old secret works again)",
    async () => {
      const s = await setup();
      const r = await cli(
        ["rotate", s.old, "--to", s.sinks.file, "--to", s.sinks.dotenv, "--to", s.sinks.exec],
        {
          crashAt: "delivered",
        },
      );
      expect(r.signal).toBe("SIGKILL");
      for await (const t of dt.listAll({ fields: ["name"] }))
        if (parseRotationMarker(t.name)) await dt.delete(t.id);
      const cleanup = await cli(["cleanup"]);
      expect(cleanup.stderr).toContain("rolled back the interrupted rotation");
      // The command's store cannot be put back by the CLI: it is named.
      expect(cleanup.stderr).toContain("may hold the new secret");
      expect(cleanup.code).toBe(1);
      expect(await readFile(s.file, "utf8")).toBe(s.oldSecret);
      expect(dotenvValue(await readFile(s.env, "utf8"))).toBe(s.oldSecret);
      expect((await dt.get(s.old)).enabled).toBe(true);
    },
    LONG,
  );
});

describe("signals", () => {
  // Was a bug: SIGHUP (a closed terminal) was not deferred: exit 129 at once, no rollback.
  it(
    "SIGHUP is handled like SIGTERM: the rotation in flight rolls back, exit 129",
    async () => {
      const s = await setup();
      await writeFile(join(dir, "hang"), "");
      const r = await cli(["rotate", s.old, "--to", s.sinks.file, "--to", s.sinks.exec], {
        killWhenFile: join(dir, "exec.pid"),
        signal: "SIGHUP",
      });
      expect(r.code, r.stderr).toBe(129);
      expect(r.stderr).toContain("failed at deliver");
      expect(await readFile(s.file, "utf8")).toBe(s.oldSecret);
      expect((await dt.get(s.old)).enabled).toBe(true);
      const journal = join(dir, "state", "dt-tokens", "journal");
      expect(await readdir(journal)).toEqual([]);
      for await (const t of dt.listAll({ fields: ["name"] }))
        expect(parseRotationMarker(t.name)).toBeUndefined();
    },
    LONG,
  );
});

describe("one rotation per token", () => {
  it(
    "a second run while one is delivering refuses, naming the replacement in flight (this machine and another)",
    async () => {
      const s = await setup();
      await writeFile(join(dir, "hang"), "");
      const first = cli(["rotate", s.old, "--to", s.sinks.exec]);
      while (!existsSync(join(dir, "exec.pid"))) await new Promise((r) => setTimeout(r, 20));
      const [inFlight] = await (async () => {
        const found: string[] = [];
        for await (const t of dt.listAll({ fields: ["name"] }))
          if (parseRotationMarker(t.name)?.kind === "rotating") found.push(t.id);
        return found;
      })();
      expect(inFlight).toBeDefined();
      for (const state of [join(dir, "state"), join(dir, "other-machine")]) {
        const second = await cli(["rotate", s.old, "--to", `file:${join(dir, "second.token")}`], { state });
        expect(second.code).toBe(1);
        expect(second.stderr).toContain(`another rotation of it is in flight: its replacement ${inFlight}`);
        expect(existsSync(join(dir, "second.token"))).toBe(false);
      }
      await rm(join(dir, "hang"));
      expect((await first).code).toBe(0);
    },
    LONG,
  );

  it(
    "two runs started together on one machine: exactly one proceeds",
    async () => {
      const s = await setup();
      const a = join(dir, "a.token");
      const b = join(dir, "b.token");
      const [ra, rb] = await Promise.all([
        cli(["rotate", s.old, "--to", `file:${a}`]),
        cli(["rotate", s.old, "--to", `file:${b}`]),
      ]);
      expect([ra.code, rb.code].sort()).toEqual([0, 1]);
      const winner = ra.code === 0 ? a : b;
      const loser = ra.code === 0 ? rb : ra;
      expect(loser.stderr).toMatch(/rotating it|in flight|it is disabled/);
      const held = await dt.lookup(await readFile(winner, "utf8"));
      const enabled: string[] = [];
      for await (const t of dt.listAll({ fields: ["name", "enabled"] }))
        if (t.enabled !== false && t.name.startsWith("svc")) enabled.push(t.id);
      expect(enabled).toEqual([held.id]);
    },
    LONG,
  );
});

describe("stdout is a sink like the others", () => {
  it(
    "a closed stdout: not delivered, exit 7, rolled back (was: 'delivered', the old token disabled)",
    async () => {
      const s = await setup();
      const child = spawn(
        "/bin/sh",
        ["-c", `"${process.execPath}" "${BIN}" rotate ${s.old} --to stdout > /dev/full`],
        {
          env: cliEnv({
            url: sandbox.ready.url,
            token: sandbox.ready.bootstrapToken!,
            state: join(dir, "state"),
          }),
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      const code = await new Promise((r) => child.once("close", r));
      expect(code, stderr).toBe(7);
      expect(stderr).toContain("failed at deliver: stdout");
      expect((await dt.get(s.old)).enabled).toBe(true);
      const names: string[] = [];
      for await (const t of dt.listAll({ fields: ["name"] })) names.push(t.name);
      expect(names.filter((n) => n.startsWith("svc"))).toEqual(["svc"]);
    },
    LONG,
  );
});
