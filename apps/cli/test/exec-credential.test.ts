/**
 * exec: credential sources run in a process group of their own: a timeout, an abort, too much
 * output, the command's own exit, or the CLI being interrupted leaves no process of it behind
 * (checked by pid). Failures show stderr, never stdout (the secret).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveReference } from "../src/config/reference.js";
import { startCli } from "./child.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-exec-credential-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether a process runs (a zombie, dead but not yet reaped by its new parent, does not). */
function runs(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits until the command wrote its background children's pids (a condition, not a time). */
async function pidsIn(file: string, count: number): Promise<number[]> {
  for (;;) {
    const pids = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => /^\d+$/.test(l))
          .map(Number)
      : [];
    if (pids.length >= count) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Expects none of the pids to run. A SIGKILL sent to a group is delivered asynchronously, so a
 * process may still be seen for a moment on a loaded machine: wait (at most 10 s) before asserting.
 */
async function expectGone(pids: number[]): Promise<void> {
  for (let i = 0; i < 500 && pids.some(runs); i++) await new Promise((r) => setTimeout(r, 20));
  for (const pid of pids) expect(runs(pid), `pid ${pid}`).toBe(false);
}

const SECRET = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;
let n = 0;
/** A command that starts two background sleeps, writes their pids, then runs `then`. */
function withChildren(then: string): { command: string; pidFile: string } {
  const pidFile = join(dir, `bg-${++n}.pid`);
  return {
    command: `sleep 100 & echo $! >> '${pidFile}'; sh -c 'sleep 100' & echo $! >> '${pidFile}'; ${then}`,
    pidFile,
  };
}

const resolveExec = (command: string, extra: { execTimeoutMs?: number; signal?: AbortSignal } = {}) =>
  resolveReference({ source: "exec", command }, { env: { PATH: process.env.PATH }, baseDir: dir, ...extra });

describe("exec: credential sources", () => {
  it("on a timeout, kills the command's whole process group", async () => {
    const { command, pidFile } = withChildren("sleep 100");
    // 2 s: long enough for the command to start its children even on a loaded machine.
    await expect(resolveExec(command, { execTimeoutMs: 2000 })).rejects.toThrow(
      /the command did not finish within 2 s$/,
    );
    await expectGone(await pidsIn(pidFile, 2));
  });

  it("on an abort, kills the group", async () => {
    const { command, pidFile } = withChildren("sleep 100");
    const controller = new AbortController();
    const resolving = resolveExec(command, { signal: controller.signal });
    const pids = await pidsIn(pidFile, 2);
    controller.abort();
    await expect(resolving).rejects.toThrow(/the command was interrupted$/);
    await expectGone(pids);
  });

  it("returns as soon as the command exits, killing what it left running (it would hold the pipe)", async () => {
    const { command, pidFile } = withChildren(`echo ${SECRET}`);
    await expect(resolveExec(command)).resolves.toBe(SECRET);
    await expectGone(await pidsIn(pidFile, 2));
  });

  it("refuses a huge stdout without reading it all, and kills the group", async () => {
    const { command, pidFile } = withChildren("yes dt0c01-looks-like-a-secret");
    const error = await resolveExec(command).catch((e: Error) => e);
    expect(String(error)).toMatch(/the command printed more than 64 KiB \(a credential is one line\)$/);
    await expectGone(await pidsIn(pidFile, 2));
  });

  it("shows a failing command's stderr, never its stdout (the secret)", async () => {
    const vaultToken = "hvs.CAESIJ2LqkFkq7Nq";
    const vault = join(dir, "vault.out");
    writeFileSync(vault, `${vaultToken}\n`);
    const cases: [string, RegExp][] = [
      [
        `cat vault.out; echo "could not renew $(cat vault.out): permission denied" >&2; exit 3`,
        /: the command exited with status 3: could not renew \[REDACTED\]: permission denied$/,
      ],
      [
        `printf '%s\\n' "token $(cat dt.out) expired" >&2; exit 1`,
        /: the command exited with status 1: token .+ expired$/,
      ],
      ["kill -9 $$", /: the command was killed by SIGKILL$/],
    ];
    writeFileSync(join(dir, "dt.out"), SECRET);
    for (const [command, message] of cases) {
      const error = String(await resolveExec(command).catch((e: Error) => e));
      expect(error).toMatch(message);
      expect(error).not.toContain(vaultToken);
      expect(error).not.toContain(SECRET);
    }
  });

  it("says when the command cannot be started", async () => {
    await expect(
      resolveReference(
        { source: "exec", command: "echo x" },
        { env: { PATH: process.env.PATH }, baseDir: join(dir, "no-such-dir") },
      ),
    ).rejects.toThrow(/the command could not be started \(ENOENT\)$/);
  });

  it("leaves nothing running when the CLI is interrupted while the command runs", async () => {
    const { command, pidFile } = withChildren("sleep 100");
    const config = join(dir, "config.yaml");
    writeFileSync(
      config,
      `current: main\nenvironments:\n  main:\n    url: http://127.0.0.1:9\n    apiToken: "exec:${command.replaceAll('"', '\\"')}"\n`,
    );
    const cli = startCli(["list"], { DT_TOKENS_CONFIG: config });
    const pids = await pidsIn(pidFile, 2);
    cli.child.kill("SIGINT");
    expect(await cli.exit).toBe(130);
    // the CLI sent SIGKILL to the group as it exited
    await expectGone(pids);
  });
});
