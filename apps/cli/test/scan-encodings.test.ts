/**
 * `dt-tokens scan` and `dt-tokens leak` on the encodings a diff, a Windows tool or a Kubernetes
 * secret shows: UTF-16LE and UTF-16BE with their byte order mark, UTF-8 with one, base64 (standard
 * and URL-safe) in YAML, JSON and a diff; from files and from stdin. Awkward input: empty stdin, a
 * symbolic-link loop, a large stdin streamed through a small heap. No output ever holds a secret,
 * nor its base64 (helpers.ts checks the secrets; this file checks their base64).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cliEnv, run, secretOf, useSandbox } from "./helpers.js";
import { type ScanRow, scan, utf16be, utf16le } from "./scan-helpers.js";

useSandbox(); // the secret check after every test

const b64 = (text: string) => Buffer.from(text).toString("base64");

const LE = secretOf("dt0c01", 24);
const BE = secretOf("dt0g02", 8);
const BOM8 = secretOf("dt0s16", 8);
const K8S = secretOf("dt0g02", 8);
const INLINE = secretOf("dt0c01", 24);
const DIFF = secretOf("dt0s02", 8);
const URLSAFE = secretOf("dt0c01", 24);
const ALL = [LE, BE, BOM8, K8S, INLINE, DIFF, URLSAFE];

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-scan-enc-"));
const tree = join(dir, "tree");
mkdirSync(join(tree, "k8s"), { recursive: true });
writeFileSync(join(tree, "ps-le.log"), utf16le(`Write-Output ok\r\n$env:DT_API_TOKEN = "${LE.secret}"\r\n`));
writeFileSync(join(tree, "ps-be.txt"), utf16be(`first\nAG_TOKEN=${BE.secret}\n`));
writeFileSync(join(tree, "bom8.env"), `\uFEFFPLATFORM=${BOM8.secret}\n`);
writeFileSync(
  join(tree, "k8s", "secret.yaml"),
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ag\ndata:\n  token: ${b64(K8S.secret)}\n`,
);
writeFileSync(join(tree, "k8s", "inline.yaml"), `data: { token: ${b64(`${INLINE.secret}\n`)} }\n`);
writeFileSync(
  join(tree, "change.diff"),
  `diff --git a/s.yaml b/s.yaml\n+++ b/s.yaml\n@@ -1 +1 @@\n-  old: eA==\n+  client: ${b64(DIFF.secret)}\n`,
);
writeFileSync(join(tree, "config.json"), `{"auth":"${Buffer.from(URLSAFE.secret).toString("base64url")}"}\n`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Neither a secret nor any 24 characters of its base64 (either alphabet, any alignment) in the text. */
function expectNoEncodedSecret(text: string): void {
  for (const { secret } of ALL)
    for (const pad of ["", "x", "xy"])
      for (const encoding of ["base64", "base64url"] as const) {
        const encoded = Buffer.from(pad + secret).toString(encoding);
        for (let i = 4; i + 24 <= encoded.length - 4; i += 12)
          expect(text.includes(encoded.slice(i, i + 24))).toBe(false);
      }
}

describe("scan: encodings", () => {
  it("UTF-16LE and UTF-16BE with their mark, UTF-8 with one, base64 in YAML, JSON and a diff: all found, none shown", async () => {
    const r = await scan([tree, "-o", "json"]);
    expect(r.code, r.stderr).toBe(3);
    const found = JSON.parse(r.stdout) as ScanRow[];
    const at = (f: ScanRow) =>
      `${f.file.slice(tree.length + 1)}:${f.line}:${f.column} ${f.id} ${f.encoding ?? ""}`;
    expect(found.map(at).sort()).toEqual(
      [
        `bom8.env:1:10 ${BOM8.id} `,
        `change.diff:5:12 ${DIFF.id} base64`,
        `config.json:1:10 ${URLSAFE.id} base64`,
        `k8s/inline.yaml:1:16 ${INLINE.id} base64`,
        `k8s/secret.yaml:6:10 ${K8S.id} base64`,
        `ps-be.txt:2:10 ${BE.id} `,
        `ps-le.log:2:22 ${LE.id} `,
      ].sort(),
    );
    // the diff's finding names its file
    expect(found.find((f) => f.id === DIFF.id)).toMatchObject({ diffFile: "s.yaml" });
    expect(r.stderr).toMatch(/Scanned 7 files; 7 secrets found/);
    expectNoEncodedSecret(r.stdout + r.stderr);
    // the table says which were base64
    const table = await scan([join(tree, "k8s")]);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/secret\.yaml:6:10\s+activegate-token \(base64\)\s+/);
    expectNoEncodedSecret(table.stdout + table.stderr);
  });

  it("stdin: UTF-16LE and UTF-16BE with their mark, and base64 in a diff, as git log -p shows it", async () => {
    const le = await scan(["-", "-o", "json"], utf16le(`one\r\ntwo ${LE.secret}\r\n`));
    expect(le.code, le.stderr).toBe(3);
    expect(JSON.parse(le.stdout)).toMatchObject([{ file: "-", line: 2, column: 5, id: LE.id }]);
    const be = await scan(["-", "-o", "json"], utf16be(`${BE.secret}\n`));
    expect(be.code, be.stderr).toBe(3);
    expect(JSON.parse(be.stdout)).toMatchObject([{ file: "-", line: 1, column: 1, id: BE.id }]);
    const log = [
      "commit 0123456789abcdef0123456789abcdef01234567",
      "diff --git a/deploy/secret.yaml b/deploy/secret.yaml",
      "+++ b/deploy/secret.yaml",
      `+  token: ${b64(K8S.secret)}`,
    ].join("\n");
    const git = await scan(["-", "-o", "json"], log);
    expect(git.code).toBe(3);
    expect(JSON.parse(git.stdout)).toMatchObject([
      { line: 4, column: 11, id: K8S.id, encoding: "base64", diffFile: "deploy/secret.yaml" },
    ]);
    expectNoEncodedSecret(le.stdout + be.stdout + git.stdout + git.stderr);
  });

  it("awkward input: empty stdin, stdin of only a byte order mark, a symbolic-link loop", async () => {
    const empty = await scan(["-"], "");
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/Scanned 1 file; 0 secrets found\./);
    const bomOnly = await scan(["-"], Buffer.from([0xfe, 0xff]));
    expect(bomOnly.code).toBe(0);
    const loops = join(dir, "loops");
    mkdirSync(loops);
    symlinkSync(join(loops, "a"), join(loops, "b"));
    symlinkSync(join(loops, "b"), join(loops, "a"));
    symlinkSync(loops, join(loops, "self"));
    // inside a directory: links are not followed
    const walked = await scan([loops]);
    expect(walked.code).toBe(0);
    expect(walked.stderr).toMatch(/skipped: 3 symlink/);
    // named on the command line: followed, and the loop is a path that cannot be read
    const named = await scan([join(loops, "a")]);
    expect(named.code).toBe(4);
    expect(named.stderr).toMatch(/a: not scanned: too many levels of symbolic links/);
  });

  it("a large stdin is streamed: 48 MB through a 24 MB heap, the secret at its end found", async () => {
    const tail = secretOf("dt0c01", 24);
    const line = `+ ${"x".repeat(90)} ${b64("y".repeat(120))}\n`;
    const chunk = line.repeat(Math.ceil((1 << 20) / line.length));
    const chunks = Math.ceil((48 << 20) / chunk.length);
    const child = spawn(process.execPath, ["--max-old-space-size=24", BIN, "scan", "-", "-o", "json"], {
      env: cliEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    for (let i = 0; i < chunks; i++)
      if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once("drain", resolve));
    child.stdin.end(`last ${tail.secret}\n`);
    const code = await closed;
    expect(code, stderr).toBe(3);
    const found = JSON.parse(stdout) as ScanRow[];
    expect(found.map((f) => [f.id, f.line])).toEqual([[tail.id, chunks * (chunk.length / line.length) + 1]]);
    expect(stdout + stderr).not.toContain(tail.secret.split(".")[2]);
  }, 180_000);
});

describe("scan: many files", () => {
  it("files are read several at a time, yet findings come in the order of the walk (a big first file, small ones after)", async () => {
    const many = join(dir, "many");
    mkdirSync(join(many, "sub"), { recursive: true });
    const big = secretOf("dt0c01", 24);
    writeFileSync(join(many, "a-big.log"), `${`${"x".repeat(200)}\n`.repeat(40_000)}${big.secret}\n`);
    const small = Array.from({ length: 20 }, () => secretOf("dt0c01", 24));
    small.forEach((s, i) => {
      writeFileSync(join(many, i < 10 ? "" : "sub", `f${String(i).padStart(2, "0")}.env`), `T=${s.secret}\n`);
    });
    writeFileSync(join(many, "sub", "zz.bin"), Buffer.from([0, 1, 2, 3]));
    symlinkSync(join(many, "a-big.log"), join(many, "sub", "link.log"));
    const r = await scan([many, "-o", "json"]);
    expect(r.code).toBe(3);
    const ids = (JSON.parse(r.stdout) as ScanRow[]).map((f) => f.id);
    expect(ids).toEqual([
      big.id,
      ...small.slice(0, 10).map((s) => s.id),
      ...small.slice(10).map((s) => s.id),
    ]);
    expect(r.stderr).toMatch(/Scanned 21 files \(skipped: 1 symlink, 1 binary\); 21 secrets found/);
  });
});

describe("leak: encodings", () => {
  it("finds a secret in UTF-16 stdin and in a Kubernetes secret's base64 (--from), and shows neither", async () => {
    const platform = secretOf("dt0s16", 8);
    const r = await run(undefined, ["leak", "-o", "json"], {
      stdin: utf16le(`token=${platform.secret}\r\n`),
    });
    expect(r.code).toBe(11); // a platform token: revoke it in Account Management
    expect(JSON.parse(r.stdout)).toMatchObject([
      { kind: "platform-token", id: platform.id, foundAt: ["-:1:7"] },
    ]);
    const file = join(dir, "leaked-secret.yaml");
    writeFileSync(file, `kind: Secret\ndata:\n  client: ${b64(DIFF.secret)}\n`);
    const fromFile = await run(undefined, ["leak", "--from", file, "-o", "json"]);
    expect(fromFile.code).toBe(11);
    expect(JSON.parse(fromFile.stdout)).toMatchObject([
      { kind: "oauth-client-secret", id: DIFF.id, foundAt: [`${file}:3:11`] },
    ]);
    expectNoEncodedSecret(r.stdout + r.stderr + fromFile.stdout + fromFile.stderr);
  });
});
