/**
 * `dt-tokens scan`: a directory with secrets of every kind in several files, written the ways a
 * diff, a log or a config shows them; stdin as `git log -p`; binary files, symbolic links, paths
 * that cannot be read; the exit statuses; --emit-secrets only into a pipe; --verify by id against
 * the sandbox. No output ever holds a secret (helpers.ts checks every output).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterAll, describe, expect, it } from "vitest";
import { type Finding, LineScanner } from "../src/secret-input.js";
import { BIN, cliEnv, knowSecrets, leaks, run, secretOf, useSandbox } from "./helpers.js";
import { type ScanRow, scan, utf16le } from "./scan-helpers.js";

const { sandbox, seed } = useSandbox();

const API = secretOf("dt0c01", 24);
const AG = secretOf("dt0g02", 8);
const PLATFORM = secretOf("dt0s16", 8);
const OAUTH = secretOf("dt0s02", 8);
const API2 = secretOf("dt0c01", 24);
const IN_BINARY = secretOf("dt0c01", 24);
const BEHIND_LINK = secretOf("dt0c01", 24);
const IN_GIT = secretOf("dt0c01", 24);

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-scan-"));
const tree = join(dir, "repo");
const outside = join(dir, "outside");
mkdirSync(join(tree, "config", "deep"), { recursive: true });
mkdirSync(join(tree, ".git"), { recursive: true });
mkdirSync(outside);
writeFileSync(join(tree, "README.md"), "nothing here\ndt0c01.<public>.<secret> is the shape\n");
writeFileSync(
  join(tree, "change.diff"),
  `diff --git a/.env b/.env\n+++ b/.env\n+DT_API_TOKEN=${API.secret}\n-OLD=x\n`,
);
writeFileSync(join(tree, "config", "app.json"), `{\n  "activeGate": {"token": "${AG.secret}"}\n}\n`);
writeFileSync(
  join(tree, "config", "deep", "ci.log"),
  `GET /x?platform_token=${PLATFORM.secret.replaceAll(".", "%2E")}&y=1\n\tclient_secret='${OAUTH.secret}'\nA${API2.secret}Z\n`,
);
writeFileSync(
  join(tree, "image.bin"),
  Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(IN_BINARY.secret)]),
);
writeFileSync(join(outside, "elsewhere.env"), `TOKEN=${BEHIND_LINK.secret}\n`);
symlinkSync(outside, join(tree, "linked-dir"));
symlinkSync(join(outside, "elsewhere.env"), join(tree, "linked.env"));
writeFileSync(join(tree, ".git", "packed"), IN_GIT.secret);
const clean = join(dir, "clean");
mkdirSync(clean);
writeFileSync(join(clean, "a.txt"), "no secrets\n");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scan", () => {
  it("finds every kind in a directory, as a diff, JSON, a URL or a log shows them; exit 3", async () => {
    const r = await scan([tree, "-o", "json"]);
    expect(r.code).toBe(3);
    const rows = JSON.parse(r.stdout) as ScanRow[];
    expect(rows.map((f) => [f.file.slice(tree.length + 1), f.line, f.column, f.kind, f.id])).toEqual([
      ["change.diff", 3, 15, "api-token", API.id],
      ["config/app.json", 2, 28, "activegate-token", AG.id],
      ["config/deep/ci.log", 1, 23, "platform-token", PLATFORM.id],
      ["config/deep/ci.log", 2, 17, "oauth-client-secret", OAUTH.id],
      ["config/deep/ci.log", 3, 2, "api-token", API2.id],
    ]);
    expect(rows[0]).toMatchObject({ diffFile: ".env" });
    // binary, symbolic links (to a file and to a directory) and .git are not scanned
    expect(r.stdout).not.toContain(IN_BINARY.id);
    expect(r.stdout).not.toContain(BEHIND_LINK.id);
    expect(r.stdout).not.toContain(IN_GIT.id);
    expect(r.stderr).toMatch(/Scanned 4 files \(skipped: 1 binary, 2 symlink\); 5 secrets found/);
  });

  it("the table says file:line:column, kind and id", async () => {
    const r = await scan([join(tree, "change.diff")]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`change\\.diff:3:15 +api-token +${API.id.replace(".", "\\.")}`));
    expect(r.stdout).toMatch(/^LOCATION +KIND +ID +IN\n/);
  });

  it("a symbolic link named on the command line is followed", async () => {
    const r = await scan([join(tree, "linked.env"), "-o", "ndjson"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ id: BEHIND_LINK.id, line: 1, column: 7 });
  });

  it("git log -p on stdin: each finding names its commit and file", async () => {
    const log = [
      "commit 1111111111111111111111111111111111111111",
      "Author: a <a@example.com>",
      "",
      "diff --git a/deploy.sh b/deploy.sh",
      "--- a/deploy.sh",
      "+++ b/deploy.sh",
      `+export DT_API_TOKEN="${API.secret}"`,
      "commit 2222222222222222222222222222222222222222",
      "diff --git a/old.yaml b/old.yaml",
      "--- a/old.yaml",
      "+++ /dev/null",
      `-platformToken: ${PLATFORM.secret}`,
      "",
    ].join("\n");
    const r = await scan(["-", "-o", "ndjson"], log);
    expect(r.code).toBe(3);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        file: "-",
        line: 7,
        column: 23,
        kind: "api-token",
        id: API.id,
        commit: "1".repeat(40),
        diffFile: "deploy.sh",
      },
      {
        file: "-",
        line: 12,
        column: 17,
        kind: "platform-token",
        id: PLATFORM.id,
        commit: "2".repeat(40),
        diffFile: "/dev/null",
      },
    ]);
  });

  it("--kind picks kinds; csv has one row per finding", async () => {
    const r = await scan([tree, "--kind", "platform-token,oauth-client-secret", "-o", "csv"]);
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("file,line,column,kind,id,commit,diffFile,verified,encoding");
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(["platform-token", "oauth-client-secret"]);
    const bad = await scan([tree, "--kind", "passwords"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kind: "passwords" is not a kind of secret; expected api-token, /);
  });

  it("exit 0 when nothing is found, 4 when a path could not be read, 2 without a path", async () => {
    const none = await scan([clean]);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toMatch(/Scanned 1 file; 0 secrets found\./);

    const unreadable = await scan([clean, join(clean, "a.txt", "inside-a-file"), join(dir, "no-such")]);
    expect(unreadable.code).toBe(4);
    expect(unreadable.stderr).toMatch(/warning: .*inside-a-file: not scanned: ENOTDIR/);
    expect(unreadable.stderr).toMatch(/warning: .*no-such: not scanned: no such file or directory/);

    // a find beats a path that could not be read
    const both = await scan([tree, join(dir, "no-such")]);
    expect(both.code).toBe(3);

    const usage = await scan([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/give the files or directories to scan, or - for stdin/);
  });

  it.skipIf(process.getuid?.() === 0)("a file it may not read is a warning and exit 4", async () => {
    const locked = join(dir, "locked");
    mkdirSync(locked);
    writeFileSync(join(locked, "secret.env"), `X=${API.secret}\n`, { mode: 0o000 });
    const r = await scan([locked]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/secret\.env: not scanned: permission denied/);
  });

  it("--emit-secrets writes the secrets into a pipe for leak, and refuses a file", async () => {
    // spawned here, not with run(): this output holds a secret by design, and run() checks outputs for them
    const env = cliEnv();
    const r = spawnSync(process.execPath, [BIN, "scan", join(tree, "change.diff"), "--emit-secrets"], {
      env,
      encoding: "utf8",
    });
    expect(r.status).toBe(3);
    const [line] = r.stdout.trim().split("\n");
    const record = JSON.parse(line!) as ScanRow & { secret: string };
    expect(record).toMatchObject({ kind: "api-token", id: API.id, line: 3, column: 15 });
    expect(record.secret).toBe(API.secret);
    expect(leaks(r.stderr)).toEqual([]);
    const out = join(dir, "emitted.ndjson");
    const toFile = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" "${BIN}" scan "${join(tree, "change.diff")}" --emit-secrets > "${out}"`],
      { env, encoding: "utf8" },
    );
    expect(toFile.status).toBe(2);
    expect(toFile.stderr).toMatch(/only into a pipe/);
    expect(readFileSync(out, "utf8")).toBe("");
    expect(leaks(toFile.stderr)).toEqual([]);
  });

  it("--verify asks the environment by id: enabled, disabled, not found", async () => {
    const [enabled, disabled] = seed([
      { name: "live", scopes: ["metrics.read"] },
      { name: "off", scopes: ["metrics.read"], enabled: false },
    ]);
    const file = join(dir, "verify.log");
    writeFileSync(file, `${enabled!.token}\n${disabled!.token}\n${API.secret}\n${PLATFORM.secret}\n`);
    const r = await run(sandbox(), ["scan", file, "--verify", "-o", "json"]);
    expect(r.code).toBe(3);
    const rows = JSON.parse(r.stdout) as ScanRow[];
    const url = sandbox().url;
    expect(rows.map((f) => f.verified)).toEqual([
      [{ environment: url, status: "enabled", name: "live" }],
      [{ environment: url, status: "disabled", name: "off" }],
      [{ environment: url, status: "absent" }],
      undefined,
    ]);
    const table = await run(sandbox(), ["scan", file, "--verify"]);
    expect(table.stdout).toMatch(/VERIFIED/);
    expect(table.stdout).toMatch(/enabled in http/);
    expect(table.stdout).toMatch(/not found in 1 environment/);
    expect(table.stdout).toMatch(/Account Management/);
  });

  it("--verify asks for ActiveGate tokens by id too: present (with its name) or not found; never sends the secret", async () => {
    const [admin] = seed([
      {
        name: "admin",
        scopes: ["apiTokens.read", "activeGateTokenManagement.read", "activeGateTokenManagement.create"],
      },
    ]);
    const gates = createActiveGateTokensClient({ environmentUrl: sandbox().url, token: admin!.token! });
    const created = await gates.create({
      name: "ag-prod",
      activeGateType: "ENVIRONMENT",
      expirationDate: "now+30d",
    });
    knowSecrets(created.token!);
    const before = await gates.get(created.id!);
    const file = join(dir, "verify-ag.log");
    writeFileSync(file, `AG=${created.token}\nOLD=${AG.secret}\n`);
    const r = await run(sandbox(), ["scan", file, "--verify", "-o", "json"], {
      env: { DT_API_TOKEN: admin!.token! },
    });
    expect(r.code).toBe(3);
    const url = sandbox().url;
    expect((JSON.parse(r.stdout) as ScanRow[]).map((f) => [f.kind, f.verified])).toEqual([
      ["activegate-token", [{ environment: url, status: "enabled", name: "ag-prod" }]],
      ["activegate-token", [{ environment: url, status: "absent" }]],
    ]);
    // asked by id only: the leaked token was not used, its last use is unchanged
    expect((await gates.get(created.id!)).lastUsedDate).toEqual(before.lastUsedDate);
    const table = await run(sandbox(), ["scan", file, "--verify"], { env: { DT_API_TOKEN: admin!.token! } });
    expect(table.stdout).toMatch(/enabled in http/);
    expect(table.stdout).not.toMatch(/not checked/);
  });
});

describe("scan: a secret in a path", () => {
  it("a file or diff path holding a secret is shown redacted (table, json, ndjson, csv)", async () => {
    const inPath = secretOf("dt0c01", 24);
    const found = secretOf("dt0c01", 24);
    const base = mkdtempSync(join(tmpdir(), "dt-tokens-scan-path-"));
    try {
      writeFileSync(join(base, `n-${inPath.secret}.env`), `k=${found.secret}\n`);
      writeFileSync(join(base, "a.diff"), `+++ b/${inPath.secret}\n+k=${found.secret}\n`);
      for (const output of ["table", "json", "ndjson", "csv"]) {
        const r = await scan([base, "-o", output]);
        expect(r.code).toBe(3);
        expect(r.stdout).toContain(found.id);
        expect(r.stdout).toContain(inPath.id);
        expect(leaks(r.stdout + r.stderr)).toEqual([]);
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("scan: UTF-16", () => {
  it("a UTF-16LE file with its byte order mark (PowerShell's >) is scanned, not skipped as binary", async () => {
    const found = secretOf("dt0c01", 24);
    const base = mkdtempSync(join(tmpdir(), "dt-tokens-scan-utf16-"));
    try {
      const text = `Write-Output ok\r\n$env:DT_API_TOKEN = "${found.secret}"\r\n`;
      writeFileSync(join(base, "ps.log"), utf16le(text));
      const r = await scan([base, "-o", "json"]);
      expect(r.code, r.stderr).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject([
        { file: join(base, "ps.log"), line: 2, column: 22, id: found.id },
      ]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("LineScanner", () => {
  const scanText = (chunks: string[]) => {
    const found: Finding[] = [];
    const scanner = new LineScanner("x", (f) => found.push(f));
    for (const c of chunks) scanner.push(c);
    scanner.end();
    return found;
  };
  it("finds a secret split across chunks, and in a line longer than a MiB (column kept)", () => {
    const secret = generateTokenSecret();
    knowSecrets(secret);
    const half = secret.length / 2;
    expect(
      scanText([`ab\nxx${secret.slice(0, half)}`, `${secret.slice(half)}\n`]).map((f) => [f.line, f.column]),
    ).toEqual([[2, 3]]);
    const filler = "x".repeat((1 << 20) - 100);
    // one secret right at the cut, one far after it, both in one huge line, given in 64 kB chunks
    const huge = `${filler}${secret} ${"y".repeat(1 << 20)} ${secret}\nnext ${secret}`;
    const chunks = huge.match(/[\s\S]{1,65536}/g)!;
    const found = scanText(chunks);
    expect(found.map((f) => [f.line, f.column])).toEqual([
      [1, filler.length + 1],
      [1, filler.length + secret.length + 2 + (1 << 20) + 1],
      [2, 6],
    ]);
    expect(found.every((f) => f.secret === secret)).toBe(true);
  });
});
