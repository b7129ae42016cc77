/**
 * `dt-tokens rotate`, `rotate --finish` and `cleanup`: the built CLI as a child process against the
 * sandbox bin as another process (a fresh in-memory one per test). After every test, no output of
 * the CLI holds a secret (unless stdout was the sink) and no file but a sink's holds one.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiTokensClient, createApiTokensClient } from "@dt-tokens/client";
import { formatDate } from "@dt-tokens/client/display";
import type { Sandbox } from "@dt-tokens/sandbox";
import { type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, type RunOptions, type RunResult, run as runCli } from "./helpers.js";

const ANY_SECRET = /dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}/g;

let sandbox: SandboxProcess;
let dt: ApiTokensClient;
let dir: string;
let outputs: { text: string; mayHoldSecret: boolean }[];
/** Files that may hold a secret: the sinks of the test. */
let sinkFiles: Set<string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-rotate-"));
  // Every environment holds an expired token, which no selection may pick up.
  const seed = join(dir, "seed.json");
  await writeFile(
    seed,
    JSON.stringify([{ name: "expired", scopes: ["metrics.read"], expirationDate: "now-1d" }]),
  );
  sandbox = await startSandboxProcess(["--db", ":memory:", "--quiet", "--seed-file", seed]);
  await rm(seed);
  dt = createApiTokensClient({ environmentUrl: sandbox.ready.url, token: sandbox.ready.bootstrapToken! });
  outputs = [];
  sinkFiles = new Set();
});

afterEach(async () => {
  await sandbox.close();
  for (const { text, mayHoldSecret } of outputs)
    if (!mayHoldSecret) expect(text.match(ANY_SECRET), "a secret in the CLI's output").toBeNull();
  for (const file of await filesUnder(dir))
    if (!sinkFiles.has(file))
      expect((await readFile(file, "utf8")).match(ANY_SECRET), `a secret in ${file}`).toBeNull();
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Runs the CLI against the sandbox process (or `envUrl`), recording its output for the leak check. */
async function run(args: string[], options: RunOptions & { envUrl?: string; stdoutSink?: boolean } = {}) {
  const target = { url: options.envUrl ?? sandbox.ready.url, bootstrapToken: sandbox.ready.bootstrapToken };
  // A state directory per test: the rotation journals and locks of one test are not another's.
  const env = { XDG_STATE_HOME: join(dir, "state"), ...options.env };
  const r: RunResult = await runCli(target as Sandbox, args, { ...options, env });
  outputs.push(
    { text: r.stdout, mayHoldSecret: !!options.stdoutSink },
    { text: r.stderr, mayHoldSecret: false },
  );
  return r;
}

/** Whether the user nobody (uid 65534) can read `path` (every directory above it included). */
function nobodyCanRead(path: string): boolean {
  const probe = spawnSync(
    process.execPath,
    ["-e", "require('node:fs').accessSync(process.argv[1], 4)", path],
    {
      uid: 65534,
      gid: 65534,
    },
  );
  return probe.status === 0;
}

const sink = (path: string) => {
  sinkFiles.add(path);
  return path;
};

async function token(name: string, expirationDate = "now+10d") {
  return (await dt.create({ name, scopes: ["metrics.read", "logs.ingest"], expirationDate })).id;
}
async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
const count = async () => (await dt.list()).totalCount;
const byName = async (name: string) =>
  (await all(dt.listAll({ fields: ["name", "enabled"] }))).filter((t) => t.name === name);

/** A stand-in for a secret store's CLI: stores stdin under its first argument, records argv and env; fails for "fail-*". */
async function storeScript(): Promise<string> {
  const path = join(dir, "store.sh");
  await writeFile(
    path,
    `#!/bin/sh
d=$(dirname "$0")
mkdir -p "$d/store" "$d/seen"
cat > "$d/store/$1"
printf '%s\\n' "$@" > "$d/seen/argv-$1"
env > "$d/seen/env-$1"
case "$1" in fail-*) echo "store refused $1" >&2; exit 7;; esac
`,
  );
  await chmod(path, 0o755);
  return path;
}

describe("rotate delivers, verifies, then retires", () => {
  it("file: the secret alone, mode 0600, verified; the old token disabled", async () => {
    const old = await token("grafana");
    const n = await count();
    const path = sink(join(dir, "grafana.token"));
    const r = await run(["rotate", old, "--to", `file:${join(dir, "{name}.token")}`]);
    expect(r.code).toBe(0);
    const secret = await readFile(path, "utf8");
    expect(secret).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const fresh = await dt.lookup(secret);
    expect(fresh).toMatchObject({ name: "grafana", enabled: true, scopes: ["metrics.read", "logs.ingest"] });
    expect(r.stderr).toBe(
      `rotated "grafana": new token ${fresh.id} (expires ${formatDate(fresh.expirationDate!)}), delivered to file:${path}; verified: the new secret authenticates as ${fresh.id}, enabled, with the scopes of ${old}; old token ${old} disabled\n`,
    );
    expect(await dt.get(old)).toMatchObject({ name: "grafana", enabled: false });
    expect(await count()).toBe(n + 1);
    expect((await readdir(dir)).filter((n) => n !== "state")).toEqual(["grafana.token"]);
  });

  it("dotenv: sets the key, every other line kept byte for byte, the file's mode kept", async () => {
    const old = await token("app");
    const path = sink(join(dir, ".env"));
    const before =
      "# settings\r\nexport DT_API_TOKEN='old' # rotated\r\nOTHER=x y\r\n\r\nDT_API_TOKEN_2=keep\r\n";
    await writeFile(path, before, { mode: 0o640 });
    const r = await run(["rotate", old, "--to", `dotenv:${path}#DT_API_TOKEN`]);
    expect(r.code).toBe(0);
    const after = await readFile(path, "utf8");
    const secret = after.match(ANY_SECRET)![0];
    expect(after).toBe(before.replace("'old'", `'${secret}'`));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect((await dt.lookup(secret)).name).toBe("app");
  });

  it("exec: the secret on stdin only, never in argv or the environment (nor the API token)", async () => {
    const old = await token("ci");
    const store = await storeScript();
    sinkFiles.add(join(dir, "store", "ci"));
    const r = await run(["rotate", old, "--to", `exec:${store} {name}`]);
    expect(r.code).toBe(0);
    const secret = await readFile(join(dir, "store", "ci"), "utf8");
    expect((await dt.lookup(secret)).name).toBe("ci");
    expect(await readFile(join(dir, "seen", "argv-ci"), "utf8")).toBe("ci\n");
    const env = await readFile(join(dir, "seen", "env-ci"), "utf8");
    expect(env).not.toContain(sandbox.ready.bootstrapToken!.split(".")[2]);
    expect(env).not.toMatch(/DT_API_TOKEN/);
  });

  it("stdout: only when asked for, the secret alone", async () => {
    const old = await token("printed");
    const r = await run(["rotate", old, "--to", "stdout"], { stdoutSink: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}\n$/);
    expect((await dt.lookup(r.stdout.trim())).name).toBe("printed");
  });
});

describe("rollback", () => {
  it("a failing sink: the new token is deleted, earlier sinks get their content back, the old token is unchanged", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const path = join(dir, "grafana.token");
    await writeFile(path, "the old secret stays", { mode: 0o600 });
    const store = await storeScript();
    sinkFiles.add(join(dir, "store", "fail-grafana"));
    const r = await run(["rotate", old, "--to", `file:${path}`, "--to", `exec:${store} fail-{name}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^failed: rotating ${old} failed at deliver: exec:.*store.sh fail-'grafana': exited with status 7\\n  \\| store refused fail-grafana; the new token dt0c01\\.[A-Z2-7]{24} was deleted again and ${old} is unchanged; undoing the delivery failed \\(exec:.*store.sh fail-'grafana' may hold the new secret, of a token that is deleted now: put the old one back there\\)\\n$`,
      ),
    );
    expect(await readFile(path, "utf8")).toBe("the old secret stays");
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
  });

  it("a failing verification rolls back too, and says that a command's delivery cannot be undone", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const store = await storeScript();
    sinkFiles.add(join(dir, "store", "grafana"));
    const proxy = await lookupFails(sandbox.ready.url);
    try {
      const r = await run(["rotate", old, "--to", `exec:${store} {name}`], { envUrl: proxy.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`failed at verify: `);
      expect(r.stderr).toMatch(
        /was deleted again and .* is unchanged; undoing the delivery failed \(exec:.* may hold the new secret, of a token that is deleted now: put the old one back there\)/,
      );
    } finally {
      await new Promise((r) => proxy.server.close(r));
    }
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
  });

  it("a sink that cannot be snapshotted at deliver: nothing is written, -o json lists no sink (it listed those snapshotted before)", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const first = join(dir, "first.token");
    const second = join(dir, "second.token");
    await writeFile(first, "the old secret stays", { mode: 0o600 });
    await writeFile(second, "checked at prepare", { mode: 0o600 });
    // Between the check (prepare) and the delivery: the second sink's file becomes a directory.
    const proxy = await onCreate(sandbox.ready.url, async () => {
      await rm(second);
      await mkdir(second);
    });
    try {
      const r = await run(["rotate", old, "--to", `file:${first}`, "--to", `file:${second}`, "-o", "json"], {
        envUrl: proxy.url,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `failed at deliver: ${second} is not a regular file; the new token dt0c01\\.[A-Z2-7]{24} was deleted again and ${old} is unchanged`,
        ),
      );
      expect(JSON.parse(r.stdout)).toEqual([
        expect.objectContaining({ id: old, status: "failed", stage: "deliver", rolledBack: true, sinks: [] }),
      ]);
    } finally {
      await new Promise((r) => proxy.server.close(r));
    }
    expect(await readFile(first, "utf8")).toBe("the old secret stays");
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
  });

  it("SIGTERM while an exec: sink hangs: the command is stopped, the rotation rolls back at deliver", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const script = join(dir, "hang.sh");
    await writeFile(script, `#!/bin/sh\necho $$ > "${dir}/hang.pid"\nexec sleep 600\n`);
    await chmod(script, 0o755);
    const child = spawn(process.execPath, [BIN, "rotate", old, "--to", `exec:${script}`], {
      env: {
        PATH: process.env.PATH,
        DT_ENV_URL: sandbox.ready.url,
        DT_API_TOKEN: sandbox.ready.bootstrapToken,
        XDG_STATE_HOME: join(dir, "state"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const pidFile = join(dir, "hang.pid");
    while (!existsSync(pidFile) || !(await readFile(pidFile, "utf8")).trim())
      await new Promise((r) => setTimeout(r, 20));
    const hangPid = Number(await readFile(pidFile, "utf8"));
    child.kill("SIGTERM");
    // Without the fix the CLI waits for the command (600 s) and the test times out. 143: SIGTERM
    // (was 1: an interruption looked like an API error).
    expect(await exited).toBe(143);
    outputs.push({ text: stderr, mayHoldSecret: false });
    // A stopped command may stay a zombie (state Z) until something reaps it: that counts as stopped.
    const alive = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${hangPid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    while (alive()) await new Promise((r) => setTimeout(r, 20));
    expect(stderr).toMatch(/failed at deliver: exec:.*hang\.sh: stopped \(the rotation was interrupted\)/);
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
  });

  it("an exec: sink past --sink-timeout is stopped with its background children, and the rotation rolls back", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const script = join(dir, "slow.sh");
    await writeFile(script, `#!/bin/sh\nsleep 600 &\necho $! > "${dir}/child.pid"\nwait\n`);
    await chmod(script, 0o755);
    const r = await run(["rotate", old, "--to", `exec:${script}`, "--sink-timeout", "2s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /failed at deliver: exec:.*slow\.sh: stopped: it ran longer than 2 s \(--sink-timeout\); the new token .* was deleted again/,
    );
    const childPid = Number(await readFile(join(dir, "child.pid"), "utf8"));
    const alive = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${childPid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(), "the background sleep of the sink").toBe(false);
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
    // The one duration grammar (every unit, combined forms), up to what a timer can wait.
    const bad = await run(["rotate", old, "--to", `exec:${script}`, "--sink-timeout", "5 min"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sink-timeout: "5 min" is not a duration');
    const long = await run(["rotate", old, "--to", `exec:${script}`, "--sink-timeout", "30d"]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('--sink-timeout: "30d" is longer than a timer can wait; at most 596h');
    expect(await count()).toBe(n);
  });

  it("an exec: sink that ignores SIGTERM gets SIGKILL after --sink-timeout: the rotation still ends and rolls back", async () => {
    const old = await token("stubborn");
    const n = await count();
    const script = join(dir, "stubborn.sh");
    // The ignored SIGTERM is inherited by the sleep; without SIGKILL the CLI waits 10 minutes.
    await writeFile(script, `#!/bin/sh\ntrap '' TERM\necho $$ > "${dir}/stubborn.pid"\nsleep 600\n`);
    await chmod(script, 0o755);
    const r = await run(["rotate", old, "--to", `exec:${script}`, "--sink-timeout", "1s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /stopped: it ran longer than 1 s \(--sink-timeout\); the new token .* was deleted again/,
    );
    expect(await count()).toBe(n);
  }, 60_000);
});

describe("overlap and --finish", () => {
  it("marks the old tokens; a later --finish from a fresh process retires exactly the due ones", async () => {
    const [a, b, c] = [await token("a"), await token("b"), await token("c")];
    const out = (x: string) => `file:${sink(join(dir, `${x}.token`))}`;
    expect((await run(["rotate", a, "--to", out("a"), "--overlap", "0s"])).code).toBe(0);
    expect((await run(["rotate", b, "--to", out("b"), "--overlap", "24h"])).code).toBe(0);
    const rc = await run(["rotate", c, "--to", out("c"), "--overlap", "0s", "--retire", "delete"]);
    expect(rc.stderr).toMatch(
      /old token .* stays enabled until .*, then `dt-tokens rotate --finish` will delete it\n$/,
    );
    for (const id of [a, b, c]) expect((await dt.get(id)).enabled).toBe(true);
    expect((await dt.get(b)).name).toMatch(/^b \[dt-tokens:retire:disable@\d{4}-\d\d-\d\dT[\d:.]+Z\]$/);

    const plan = await run(["rotate", "--finish", "--dry-run"]);
    expect(plan.code).toBe(0);
    for (const id of [a, b, c]) expect((await dt.get(id)).enabled).toBe(true);

    const finish = await run(["rotate", "--finish", "-o", "json"]);
    expect(finish.code).toBe(0);
    expect(
      JSON.parse(finish.stdout).map((o: { name: string; status: string }) => [o.name, o.status]),
    ).toEqual([
      ["a", "done"],
      ["c", "done"],
      ["b", "waiting"],
    ]);
    expect(await dt.get(a)).toMatchObject({ name: "a", enabled: false });
    await expect(dt.get(c)).rejects.toThrow(/404/);
    expect(await dt.get(b)).toMatchObject({ enabled: true });
    // The replacements work and carry the plain names.
    for (const x of ["a", "b", "c"])
      expect((await dt.lookup(await readFile(join(dir, `${x}.token`), "utf8"))).name).toBe(x);
    // A second --finish has nothing due.
    const again = await run(["rotate", "--finish"]);
    expect(again.stderr).toMatch(/^waiting: .* "b" will be disabled after /);
  });
  it("rotate, --finish and --finish --dry-run print dates as every other command does (2026-12-07 16:39 UTC), never ISO", async () => {
    const [a, b] = [await token("a"), await token("b")];
    const out = (x: string) => `file:${sink(join(dir, `${x}.token`))}`;
    const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
    const oneFormat = /\d{4}-\d\d-\d\d \d\d:\d\d UTC/;
    const ra = await run(["rotate", a, "--to", out("a"), "--overlap", "0s"]);
    const rb = await run(["rotate", b, "--to", out("b"), "--overlap", "24h"]);
    const dry = await run(["rotate", "--finish", "--dry-run"]);
    const finish = await run(["rotate", "--finish"]);
    for (const r of [ra, rb, dry, finish]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(oneFormat);
      expect(r.stderr).not.toMatch(iso);
    }
  });
});

describe("batch", () => {
  it("--expiring-within selects; one failing sink does not stop the others; the exit status says not all succeeded", async () => {
    const a = await token("batch-a", "now+3d");
    const b = await token("fail-b", "now+5d");
    const c = await token("batch-c", "now+6d");
    const later = await token("later", "now+60d");
    const bBefore = await dt.get(b);
    const n = await count();
    const store = await storeScript();
    for (const x of ["batch-a", "fail-b", "batch-c"]) sinkFiles.add(join(dir, "store", x));

    const dry = await run([
      "rotate",
      "--expiring-within",
      "14d",
      "--to",
      `exec:${store} {name}`,
      "--dry-run",
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^would rotate .* "batch-a" \(the old lifetime again\), deliver to exec:.*store.sh 'batch-a', verify, disable the old token$/,
      ),
      expect.stringMatching(/"fail-b"/),
      expect.stringMatching(/"batch-c"/),
    ]);
    expect(existsSync(join(dir, "store"))).toBe(false);
    expect(await count()).toBe(n);

    const r = await run(["rotate", "--expiring-within", "14d", "--to", `exec:${store} {name}`, "-o", "json"]);
    expect(r.code).toBe(1);
    const outcomes = JSON.parse(r.stdout);
    expect(outcomes.map((o: { name: string; status: string }) => [o.name, o.status])).toEqual([
      ["batch-a", "rotated"],
      ["fail-b", "failed"],
      ["batch-c", "rotated"],
    ]);
    expect(outcomes[1]).toMatchObject({ stage: "deliver", rolledBack: true });
    expect(r.stderr).toContain("2 of 3 rotations succeeded.");
    expect(await count()).toBe(n + 2);
    expect(await dt.get(b)).toEqual(bBefore);
    expect((await dt.get(later)).enabled).toBe(true);
    for (const x of ["batch-a", "batch-c"]) {
      expect((await dt.lookup(await readFile(join(dir, "store", x), "utf8"))).name).toBe(x);
      expect((await byName(x)).map((t) => t.enabled).sort()).toEqual([false, true]);
    }
    // The disabled old tokens are not selected again; their replacements (same lifetime) are.
    const again = ["rotate", "--expiring-within", "14d", "--to", `exec:${store} {name}`, "--dry-run"];
    const second = await run(again);
    expect(second.stderr.trimEnd().split("\n")).toHaveLength(3);
    for (const old of [a, c]) expect(second.stderr).not.toContain(old);
  });

  it("a token name cannot inject into an exec command or escape a file path", async () => {
    const evil = await token(`x'; touch ${dir}/pwned; echo '`);
    const name = `x'; touch ${dir}/pwned; echo '`;
    // (The store script cannot take this name as a file name: the command here only records it.)
    const r = await run(["rotate", evil, "--to", `exec:cat >/dev/null; printf %s {name} > ${dir}/seen-name`]);
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, "seen-name"), "utf8")).toBe(name);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    const traversal = await token("../../escape");
    const n = await count();
    const t = await run(["rotate", traversal, "--to", `file:${dir}/{name}.token`]);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`{name} is "../../escape", which cannot be used in a file name`);
    expect(await count()).toBe(n);
  });
});

describe("checks before anything is created", () => {
  it("a sink that cannot work stops the rotation at prepare: no token is created, the old one is untouched", async () => {
    const old = await token("grafana");
    const before = await dt.get(old);
    const n = await count();
    const readOnly = join(dir, "read-only");
    await mkdir(readOnly, { mode: 0o500 });
    const multiLine = join(dir, "multi.env");
    await writeFile(multiLine, 'A=1\nDT_API_TOKEN="first\nsecond"\n');
    const aDirectory = join(dir, "a-directory");
    await mkdir(aDirectory);
    const cases: [string, string][] = [
      [`file:${dir}/missing/{name}.token`, `the directory ${dir}/missing does not exist`],
      [`dotenv:${aDirectory}#KEY`, `${aDirectory} is not a regular file`],
      // a pipe here: realpath cannot resolve it, and reading it (for a rollback) hung the delivery
      ["file:/dev/stdout", "/dev/stdout is not a regular file"],
      [`dotenv:${multiLine}#DT_API_TOKEN`, "the value of DT_API_TOKEN spans lines"],
      ...(process.getuid?.() === 0
        ? []
        : ([[`file:${readOnly}/t`, `the directory ${readOnly} is not writable`]] as [string, string][])),
    ];
    for (const [to, why] of cases) {
      const r = await run(["rotate", old, "--to", `file:${sink(join(dir, "first.token"))}`, "--to", to]);
      expect(r.code, to).toBe(1);
      expect(r.stderr, to).toContain(`failed at prepare: ${to.replace("{name}", "grafana")}: ${why}`);
      expect(r.stderr, to).toContain("nothing was changed");
      expect(existsSync(join(dir, "first.token")), "no sink was written").toBe(false);
    }
    expect(await count()).toBe(n);
    expect(await dt.get(old)).toEqual(before);
  });

  it("a read-only file in a writable directory passes the check: the rename replaces it", async (ctx) => {
    // As root every access check passes: the CLI then runs as nobody, who owns the directory. In a
    // clone nobody cannot enter (mktemp -d makes 0700 directories), the check cannot be exercised.
    const asRoot = process.getuid?.() === 0;
    if (asRoot && !nobodyCanRead(BIN)) ctx.skip();
    const old = await token("read-only");
    const target = sink(join(dir, "read-only.token"));
    await writeFile(target, "old\n", { mode: 0o400 });
    if (asRoot) await Promise.all([dir, target].map((path) => chown(path, 65534, 65534)));
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, "rotate", old, "--to", `file:${target}`], {
        env: {
          PATH: process.env.PATH ?? "",
          DT_TOKENS_CONFIG: join(dir, "no-config.yaml"),
          DT_ENV_URL: sandbox.ready.url,
          DT_API_TOKEN: sandbox.ready.bootstrapToken!,
          XDG_STATE_HOME: join(dir, "state"),
        },
        ...(asRoot && { uid: 65534, gid: 65534 }),
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("close", (code) => done({ code, stderr }));
    });
    outputs.push({ text: r.stderr, mayHoldSecret: false });
    expect([r.code, r.stderr]).toEqual([
      0,
      expect.stringContaining(`delivered to file:${target}; verified: `),
    ]);
    expect(readFileSync(target, "utf8")).toMatch(ANY_SECRET);
  });

  it("--dry-run runs the same checks: a refusal is reported per token, exit 1, nothing created", async () => {
    await token("good", "now+3d");
    await token("../evil", "now+4d");
    const disabled = await token("disabled");
    await dt.update(disabled, { enabled: false });
    const n = await count();
    await mkdir(join(dir, "out"));
    const batch = await run([
      "rotate",
      "--expiring-within",
      "14d",
      "--to",
      `file:${dir}/out/{name}.token`,
      "--dry-run",
      "-o",
      "json",
    ]);
    expect(batch.code).toBe(1);
    expect(JSON.parse(batch.stdout).map((o: { name: string; status: string }) => [o.name, o.status])).toEqual(
      [
        ["good", "planned"],
        ["../evil", "failed"],
      ],
    );
    expect(batch.stderr).toContain(`would rotate`);
    expect(batch.stderr).toContain(
      `"../evil" would fail at prepare: file:${dir}/out/{name}.token: {name} is "../evil", which cannot be used in a file name; nothing would be changed`,
    );
    const missing = await run(["rotate", "--name", "good", "--to", `file:${dir}/missing/t`, "--dry-run"]);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining(
        `would fail at prepare: file:${dir}/missing/t: the directory ${dir}/missing does not exist`,
      ),
    ]);
    const byId = await run(["rotate", disabled, "--to", "stdout", "--dry-run"]);
    expect([byId.code, byId.stderr]).toEqual([
      1,
      expect.stringContaining(`${disabled} "disabled" would fail at read: it is disabled`),
    ]);
    expect(await count()).toBe(n);
    expect(await readdir(join(dir, "out"))).toEqual([]);
  });

  it("a {newId} in the directory part is left to the delivery, which rolls back", async () => {
    const old = await token("grafana");
    const n = await count();
    const r = await run(["rotate", old, "--to", `file:${dir}/{newId}/token`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /failed at deliver: .*does not exist; the new token dt0c01\.[A-Z2-7]{24} was deleted again/,
    );
    expect(await count()).toBe(n);
  });

  it("a disabled token is not rotated: its replacement would re-enable what it grants", async () => {
    const old = await token("retired");
    await dt.update(old, { enabled: false });
    const n = await count();
    const r = await run(["rotate", old, "--to", `file:${sink(join(dir, "retired.token"))}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rotating ${old} "retired" failed at read: it is disabled`);
    expect(existsSync(join(dir, "retired.token"))).toBe(false);
    expect(await count()).toBe(n);
  });
});

describe("issue 21: one sink per token, the CLI's own token, other owners", () => {
  // Was a bug: each replacement overwrote the previous one ("2 of 2 rotations succeeded", exit 0)
  // and one live token's secret was lost; --dry-run did not warn.
  it("a plan whose targets share a sink is refused before anything is created, by --dry-run too", async () => {
    const a = await token("dup");
    const b = await token("dup");
    const n = await count();
    await mkdir(join(dir, "out"));
    await writeFile(join(dir, "out", "real.token"), "x");
    await symlink(join(dir, "out", "real.token"), join(dir, "out", "link.token"));
    const plans: string[][] = [
      ["--name", "dup", "--to", `file:${dir}/out/{name}.token`],
      [a, b, "--to", `file:${dir}/out/shared.token`],
      [a, b, "--to", `dotenv:${dir}/out/.env#DT_TOKEN`],
      [a, b, "--to", "exec:cat >/dev/null"],
      [a, "--to", `file:${dir}/out/real.token`, "--to", `file:${dir}/out/link.token`],
      [a, "--to", `file:${dir}/out/.env`, "--to", `dotenv:${dir}/out/.env#K`],
    ];
    for (const plan of plans)
      for (const dry of [[], ["--dry-run"]]) {
        const r = await run(["rotate", ...plan, ...dry]);
        expect([r.code, r.stderr], plan.join(" ")).toEqual([
          2,
          expect.stringContaining("one sink, one token"),
        ]);
        expect(r.stderr).toContain("{id}");
      }
    expect(await count()).toBe(n);
    // Two keys of one dotenv file are two places; {id} gives each token its own file.
    const keys = await run([
      "rotate",
      a,
      "--to",
      `dotenv:${sink(join(dir, "out", "two.env"))}#A`,
      "--to",
      `dotenv:${join(dir, "out", "two.env")}#B`,
    ]);
    expect(keys.code, keys.stderr).toBe(0);
    const ok = await run(["rotate", "--name", "dup", "--to", `file:${dir}/out/{id}.token`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(dir, "out", `${b}.token`))).toBe(true);
    for (const f of await readdir(join(dir, "out"))) sink(join(dir, "out", f));
  }, 600_000);

  // Was a bug: exit 4, "You can't disable the token you're using"; the old token stayed valid.
  it("rotates the CLI's own token: verified, then retired with the new secret", async () => {
    const own = await dt.create({
      name: "cli",
      scopes: ["apiTokens.read", "apiTokens.write"],
      expirationDate: "now+10d",
    });
    const path = sink(join(dir, "cli.token"));
    const r = await run(["rotate", own.id, "--to", `file:${path}`], { env: { DT_API_TOKEN: own.token } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`old token ${own.id} disabled`);
    expect((await dt.get(own.id)).enabled).toBe(false);
    expect(await dt.lookup(await readFile(path, "utf8"))).toMatchObject({ name: "cli", enabled: true });
  });

  // Was a bug: the replacement silently changed owner.
  it("warns, before anything is created, that another user's token gets a new owner", async () => {
    const seed = join(dir, "owners.json");
    await writeFile(
      seed,
      JSON.stringify([{ name: "theirs", owner: "someone@example.com", scopes: ["metrics.read"] }]),
    );
    const other = await startSandboxProcess(["--db", ":memory:", "--quiet", "--seed-file", seed]);
    try {
      const client = createApiTokensClient({
        environmentUrl: other.ready.url,
        token: other.ready.bootstrapToken!,
      });
      const [theirs] = (await all(client.listAll({ fields: ["name"] }))).filter((t) => t.name === "theirs");
      const r = await runCli(
        { url: other.ready.url, bootstrapToken: other.ready.bootstrapToken } as Sandbox,
        ["rotate", theirs!.id, "--to", "exec:cat >/dev/null", "--dry-run"],
        { env: { XDG_STATE_HOME: join(dir, "state") } },
      );
      outputs.push({ text: r.stderr, mayHoldSecret: false });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning: .* "theirs" belongs to someone@example\.com; its replacement will belong to /,
      );
    } finally {
      await other.close();
    }
  });

  // Was a bug: 999999999w crashed after the create; 3000000d wrote a marker --finish could not read.
  it("--overlap is bounded (366d), refused before anything is sent", async () => {
    const old = await token("x");
    const n = await count();
    for (const overlap of ["999999999w", "3000000d", "367d"]) {
      const r = await run(["rotate", old, "--to", "stdout", "--overlap", overlap]);
      expect([r.code, r.stderr]).toEqual([
        2,
        expect.stringContaining("longer than the longest overlap, 366d"),
      ]);
    }
    expect(await count()).toBe(n);
  });

  // Was a bug: names reached the terminal unescaped in --dry-run and failure lines.
  it("escapes control characters of token names in plans and refusals", async () => {
    const evil = await token("evil\u001b[2Jname");
    const r = await run(["rotate", evil, "--to", `file:${dir}/missing/{id}`, "--dry-run"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("\u001b");
    expect(r.stderr).toContain("evil\\e[2Jname");
  });
});

describe("usage", () => {
  it("refuses unclear commands before anything is sent", async () => {
    const old = await token("x");
    const n = await count();
    const cases: [string[], string][] = [
      [["rotate", old], "rotate: say where the new secret goes with --to"],
      [["rotate", old, "--to", "s3:bucket"], 'error: --to "s3:bucket": unknown sink'],
      [["rotate", old, "--to", "dotenv:.env"], "needs a path and a key"],
      [["rotate", "--to", "stdout"], "rotate: which tokens?"],
      [["rotate", old, "--owner", "a", "--to", "stdout"], "not both"],
      [
        ["rotate", old, "--to", "stdout", "--overlap", "1 day"],
        '--overlap: "1 day" is not a duration; expected a duration such as 90s, 30m, 24h, 14d or 2w',
      ],
      [
        ["rotate", old, "--to", "stdout", "--overlap", "1h", "--retire", "keep"],
        "does not go with --retire keep",
      ],
      [["rotate", old, "--to", "stdout", "-o", "json"], "choose one"],
      [["rotate", "--finish", old], "--finish retires what earlier rotations marked"],
      [["cleanup", "--older-than", "soon"], '--older-than: "soon" is not a duration; expected a duration'],
      [
        ["rotate", "--expiring-within", "2 weeks", "--to", "stdout"],
        '--expiring-within: "2 weeks" is not a duration',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
    await token("y");
    const many = await run(["rotate", "--expiring-within", "30d", "--to", "stdout"]);
    expect([many.code, many.stderr]).toEqual([
      2,
      expect.stringContaining("--to stdout takes one token, and 2 are selected"),
    ]);
    expect(await count()).toBe(n + 1);
  });
});

/**
 * A node:http proxy in front of the sandbox: `answer` answers a request itself (and says so), or
 * lets it pass on to the sandbox.
 */
async function proxy(
  target: string,
  answer: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>,
): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    if (await answer(req, res)) return;
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A proxy in front of the sandbox that runs `before` when a token is created (POST .../apiTokens), then passes it on. */
const onCreate = (target: string, before: () => Promise<void>) =>
  proxy(target, async (req) => {
    if (req.method === "POST" && req.url?.split("?")[0]?.endsWith("/apiTokens")) await before();
    return false;
  });

/** A proxy in front of the sandbox whose lookups fail (503): the verification cannot succeed. */
const lookupFails = (target: string) =>
  proxy(target, (req, res) => {
    if (!req.url?.endsWith("/apiTokens/lookup")) return false;
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: 503, message: "lookup is down" } }));
    return true;
  });
