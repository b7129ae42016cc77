/** The sinks on their own: dotenv editing, templating, parsing, atomic files and exec (no server). */
import { existsSync } from "node:fs";
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restore } from "../src/sinks/before.js";
import { checkSink } from "../src/sinks/check.js";
import { dotenvSink, readDotenvKey, setDotenvKey } from "../src/sinks/dotenv.js";
import { execSink } from "../src/sinks/exec.js";
import { fileSink } from "../src/sinks/file.js";
import { parseSink } from "../src/sinks/parse.js";
import { findSinkConflict } from "../src/sinks/place.js";
import { fillCommand, fillPath } from "../src/sinks/template.js";

const SECRET = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;
const tempDir = () => mkdtemp(join(tmpdir(), "dt-sinks-"));

describe("setDotenvKey", () => {
  it("replaces the value only, keeping every other byte (CRLF, export, quotes, comments)", () => {
    const before =
      "# app settings\r\nexport DT_TOKEN=\"old-value\" # rotated by dt-tokens\r\nOTHER=1\r\n\r\n  DT_TOKEN_X=keep\r\nQ='a b'";
    expect(setDotenvKey(before, "DT_TOKEN", "NEW")).toBe(
      "# app settings\r\nexport DT_TOKEN=\"NEW\" # rotated by dt-tokens\r\nOTHER=1\r\n\r\n  DT_TOKEN_X=keep\r\nQ='a b'",
    );
    expect(setDotenvKey("A=1\nK = 'x'\nK=y\n", "K", "N")).toBe("A=1\nK = 'N'\nK=N\n");
    expect(setDotenvKey("K=\n", "K", "N")).toBe("K=N\n");
    // An unquoted value runs to the end of the line or a " #" comment.
    expect(setDotenvKey("K=abc def # note\r\nA=1\n", "K", "N")).toBe("K=N # note\r\nA=1\n");
    expect(setDotenvKey("K=a#b\n", "K", "N")).toBe("K=N\n");
  });

  it("appends a missing key on a line of its own, with the file's line ending", () => {
    expect(setDotenvKey("", "K", "N")).toBe("K=N\n");
    expect(setDotenvKey("A=1", "K", "N")).toBe("A=1\nK=N\n");
    expect(setDotenvKey("A=1\r\n", "K", "N")).toBe("A=1\r\nK=N\r\n");
    expect(setDotenvKey("# K=old\nKK=1\n", "K", "N")).toBe("# K=old\nKK=1\nK=N\n");
  });

  it("refuses a value quoted across lines rather than touching other lines", () => {
    expect(() => setDotenvKey('K="line one\nline two"\nA=1\n', "K", "N")).toThrow(/spans lines/);
    // Was a bug: a `K=` line inside another key's multi-line value was rewritten (and read back).
    const cert = 'CERT="-----BEGIN-----\nK=not-a-definition\n-----END-----"\nK=old\n';
    expect(setDotenvKey(cert, "K", "N")).toBe(
      'CERT="-----BEGIN-----\nK=not-a-definition\n-----END-----"\nK=N\n',
    );
    expect(readDotenvKey(cert, "K")).toBe("old");
    const onlyInside = "NOTE='a\nK=x\nb'\n";
    expect(setDotenvKey(onlyInside, "K", "N")).toBe(`${onlyInside}K=N\n`);
  });

  it("reads back what it wrote", () => {
    expect(readDotenvKey(setDotenvKey('export K="x"\n', "K", SECRET), "K")).toBe(SECRET);
    expect(readDotenvKey("A=1\n", "K")).toBeUndefined();
  });
});

describe("templates", () => {
  it("quote every value for the shell, so a token name cannot run anything", () => {
    const info = { id: "dt0c01.OLD", newId: "dt0c01.NEW", name: "x'; touch pwned; echo '$(id)" };
    expect(fillCommand("store {name} {id} {newId}", info)).toBe(
      "store 'x'\\''; touch pwned; echo '\\''$(id)' 'dt0c01.OLD' 'dt0c01.NEW'",
    );
  });

  it("refuse a value that is not a file name in a path", () => {
    expect(fillPath("tokens/{name}.token", { id: "i", name: "grafana prod" })).toBe(
      "tokens/grafana prod.token",
    );
    for (const name of ["../etc/passwd", "a/b", "..", "a\nb"])
      expect(() => fillPath("tokens/{name}", { id: "i", name })).toThrow(/cannot be used in a file name/);
  });
});

describe("parseSink", () => {
  it("accepts the four forms and says what is accepted otherwise", () => {
    expect(parseSink("file:/a/b")).toEqual({ kind: "file", path: "/a/b" });
    expect(parseSink("dotenv:.env#DT_API_TOKEN")).toEqual({
      kind: "dotenv",
      path: ".env",
      key: "DT_API_TOKEN",
    });
    expect(parseSink("dotenv:dir#1/.env#K")).toEqual({ kind: "dotenv", path: "dir#1/.env", key: "K" });
    expect(parseSink("exec:gh secret set X")).toEqual({ kind: "exec", command: "gh secret set X" });
    expect(parseSink("stdout")).toEqual({ kind: "stdout" });
    for (const [bad, why] of [
      ["file:", "file: needs a path"],
      ["dotenv:.env", "needs a path and a key"],
      ["dotenv:.env#1X", "is not a dotenv key"],
      ["exec: ", "exec: needs a command"],
      ["s3:bucket", "unknown sink"],
      ["stdout:x", "unknown sink"],
    ])
      expect(() => parseSink(bad!)).toThrow(why!);
  });
});

describe("file and dotenv sinks", () => {
  // Was a bug: an existing file was forced to 0600 (a service reading it through its group lost access).
  it("write atomically keeping an existing file's mode (0600 for a new one), leave no temporary file, and restore puts the old content back", async () => {
    const dir = await tempDir();
    const path = join(dir, "token");
    await writeFile(path, "old secret", { mode: 0o640 });
    const sink = fileSink(path);
    const before = await sink.snapshot!();
    await sink.deliver(SECRET);
    expect(await readFile(path, "utf8")).toBe(SECRET);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(["token"]);
    await restore(before);
    expect(await readFile(path, "utf8")).toBe("old secret");
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    const fresh = fileSink(join(dir, "new"));
    const none = await fresh.snapshot!();
    await fresh.deliver(SECRET);
    expect((await stat(join(dir, "new"))).mode & 0o777).toBe(0o600);
    await restore(none);
    expect(await readdir(dir)).toEqual(["token"]);
    await expect(fileSink(join(dir, "missing", "x")).deliver(SECRET)).rejects.toThrow(
      /directory .*missing does not exist/,
    );
  });

  it("follow a symlink and rewrite its target, keeping the link", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "real.env"), "A=1\n");
    await symlink(join(dir, "real.env"), join(dir, ".env"));
    await dotenvSink(join(dir, ".env"), "K").deliver(SECRET);
    expect((await lstat(join(dir, ".env"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, "real.env"), "utf8")).toBe(`A=1\nK=${SECRET}\n`);
    await writeFile(join(dir, "real.token"), "old");
    await symlink(join(dir, "real.token"), join(dir, "token"));
    const file = fileSink(join(dir, "token"));
    const before = await file.snapshot!();
    await file.deliver(SECRET);
    expect((await lstat(join(dir, "token"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, "real.token"), "utf8")).toBe(SECRET);
    await restore(before);
    expect(await readFile(join(dir, "real.token"), "utf8")).toBe("old");
  });

  // Was a bug: a dangling symlink (a secret mount not populated yet) was replaced by a file.
  it("keep a dangling symlink a link: its target is created, and removed again on restore", async () => {
    const dir = await tempDir();
    await symlink("target.token", join(dir, "token"));
    const file = fileSink(join(dir, "token"));
    const before = await file.snapshot!();
    await file.deliver(SECRET);
    expect((await lstat(join(dir, "token"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, "target.token"), "utf8")).toBe(SECRET);
    expect((await stat(join(dir, "target.token"))).mode & 0o777).toBe(0o600);
    await restore(before);
    expect((await lstat(join(dir, "token"))).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, "target.token"))).toBe(false);
  });

  // Was a bug: the rename left the file owned by the rotating user; a service reading it lost access.
  it.skipIf(process.getuid?.() !== 0)(
    "keep the owner and group of a file owned by another user (nobody, 0640), on delivery and on restore (as root)",
    async () => {
      const dir = await tempDir();
      for (const [sink, path] of [
        [fileSink, join(dir, "token")],
        [(p: string) => dotenvSink(p, "K"), join(dir, ".env")],
      ] as const) {
        await writeFile(path, "K=old\n", { mode: 0o640 });
        await chown(path, 65534, 65534);
        await chmod(path, 0o640);
        const s = sink(path);
        const before = await s.snapshot!();
        await s.deliver(SECRET);
        const after = await stat(path);
        expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
        await restore(before);
        const restored = await stat(path);
        expect([restored.uid, restored.gid, restored.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
        expect(await readFile(path, "utf8")).toBe("K=old\n");
      }
    },
  );

  it("dotenv keeps the file's mode and restores it byte for byte on undo", async () => {
    const dir = await tempDir();
    const path = join(dir, ".env");
    const before = "# c\r\nA=1\r\nK='old'\r\n";
    await writeFile(path, before, { mode: 0o644 });
    const sink = dotenvSink(path, "K");
    const saved = await sink.snapshot!();
    await sink.deliver(SECRET);
    expect(await readFile(path, "utf8")).toBe(`# c\r\nA=1\r\nK='${SECRET}'\r\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await restore(saved);
    expect(await readFile(path, "utf8")).toBe(before);
  });
});

describe("exec sink", () => {
  it("gives the secret on stdin only, without the API token in the environment; failure shows redacted output", async () => {
    const dir = await tempDir();
    const env = {
      PATH: process.env.PATH,
      DT_API_TOKEN: "admin-secret",
      DYNATRACE_API_TOKEN: "x",
      DT_PLATFORM_TOKEN: "platform-secret",
      DT_CLIENT_SECRET: "client-secret",
      KEEP: "1",
    };
    await execSink(`cat > ${dir}/in; env > ${dir}/env; echo "$@" > ${dir}/args`, env).deliver(SECRET);
    expect(await readFile(join(dir, "in"), "utf8")).toBe(SECRET);
    // Tools that open /dev/stdin by name (kubectl --from-file, aws file:///dev/stdin) read it too.
    await execSink(`cat /dev/stdin > ${dir}/by-name`, env).deliver(SECRET);
    expect(await readFile(join(dir, "by-name"), "utf8")).toBe(SECRET);
    const seenEnv = await readFile(join(dir, "env"), "utf8");
    expect(seenEnv).toContain("KEEP=1");
    expect(seenEnv).not.toMatch(
      /DT_API_TOKEN|DYNATRACE_API_TOKEN|DT_PLATFORM_TOKEN|DT_CLIENT_SECRET|admin-secret|platform-secret|client-secret|BBBB/,
    );
    const failing = execSink("cat; echo nope >&2; exit 3", env);
    const error = await failing.deliver(SECRET).catch((e) => e);
    expect(error.message).toMatch(/^exited with status 3\n/);
    expect(error.message).toContain("nope");
    expect(error.message).not.toContain("BBBB");
    await expect(execSink("kill -9 $PPID", env).deliver(SECRET)).rejects.toThrow(/status 137/);
  });

  // Was a bug: a command that exited 0 without reading the secret was reported "delivered".
  it("delivers only when the command read its standard input to the end and exited 0", async () => {
    const env = { PATH: process.env.PATH };
    await expect(execSink("exit 0", env).deliver(SECRET)).rejects.toThrow(
      /without reading its standard input/,
    );
    await expect(execSink("head -c 10 >/dev/null", env).deliver(SECRET)).rejects.toThrow(
      /without reading its standard input/,
    );
    await expect(execSink("cat >/dev/null", env).deliver(SECRET)).resolves.toBeUndefined();
    await expect(execSink("read -r x; exit 0", env).deliver(`${SECRET}\n`)).resolves.toBeUndefined();
  });

  // Was a bug: a config file's `env:VAR` credential (any variable name) reached the command.
  it("keeps every variable holding a Dynatrace secret out of the command's environment", async () => {
    const dir = await tempDir();
    const env = { PATH: process.env.PATH, MY_DT_CREDENTIAL: SECRET, PLAIN: "ok" };
    await execSink(`cat >/dev/null; env > ${dir}/env`, env).deliver(SECRET);
    const seen = await readFile(join(dir, "env"), "utf8");
    expect(seen).toContain("PLAIN=ok");
    expect(seen).not.toContain("MY_DT_CREDENTIAL");
  });

  // Was a bug: the output was cut to its last 4,000 characters before redaction, which could cut
  // the secret in two and show its tail.
  it("never shows part of the secret when a long output is cut", async () => {
    // The secret, then output that puts a cut through it (at 4,000 characters from the end, as
    // before; anywhere, with more output than is kept).
    for (const after of [3_990, 63_990, 127_990]) {
      const error = await execSink(
        `cat >/dev/null; printf '%s' '${SECRET}'; head -c ${after} /dev/zero | tr '\\0' y; exit 1`,
        { PATH: process.env.PATH },
      )
        .deliver(SECRET)
        .catch((e: Error) => e);
      expect((error as Error).message).toMatch(/^exited with status 1/);
      expect((error as Error).message).not.toContain("BBBB");
    }
  });
});

describe("one sink, one token (findSinkConflict)", () => {
  const target = { title: "A", id: "dt0c01.AAA", name: "a" };
  /** Whether two sinks of one target are found to share a place. */
  const conflict = async (first: string, second: string) =>
    (await findSinkConflict([parseSink(first), parseSink(second)], [target])) !== undefined;

  // Was a bug: only the last component's link was followed, so dir2/x (dir2 a link to dir1) and
  // dir1/x were two places, and the second target's secret overwrote the first's.
  it("finds one file reached through a symlinked directory, a/../, or a hard link", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "real"));
    await mkdir(join(dir, "sub"));
    await symlink(join(dir, "real"), join(dir, "alias"));
    await writeFile(join(dir, "real", "x"), "old");
    await link(join(dir, "real", "x"), join(dir, "hard"));
    const x = join(dir, "real", "x");
    expect(await conflict(`file:${x}`, `file:${join(dir, "alias", "x")}`)).toBe(true);
    expect(await conflict(`file:${x}`, `file:${dir}/sub/../real/x`)).toBe(true);
    expect(await conflict(`file:${x}`, `file:${join(dir, "hard")}`)).toBe(true);
    expect(await conflict(`dotenv:${x}#K`, `dotenv:${join(dir, "alias", "x")}#K`)).toBe(true);
    // a new file in a linked directory too
    expect(await conflict(`file:${join(dir, "real", "new")}`, `file:${join(dir, "alias", "new")}`)).toBe(
      true,
    );
    expect(await conflict(`file:${x}`, `file:${join(dir, "real", "y")}`)).toBe(false);
    expect(await conflict(`dotenv:${x}#K`, `dotenv:${x}#k`)).toBe(false);
  });

  // Was a bug: `gh secret set X` and `gh  secret set X` (sh runs both alike) were two places.
  it("finds two commands that differ only by spaces", async () => {
    expect(await conflict("exec:gh secret set X", "exec:  gh   secret\tset X ")).toBe(true);
    expect(await conflict("exec:gh secret set X", "exec:gh secret set Y")).toBe(false);
  });
});

describe("checkSink", () => {
  // Was a bug: a file with a second hard link was replaced by the rename, and the other name kept
  // the old (now disabled) secret while the rotation said "delivered".
  it("refuses a file with other hard links before anything is created", async () => {
    const dir = await tempDir();
    const path = join(dir, "token");
    await writeFile(path, "old", { mode: 0o600 });
    const info = { id: "dt0c01.AAA", name: "a" };
    await expect(checkSink(parseSink(`file:${path}`), info)).resolves.toBeUndefined();
    await link(path, join(dir, "other"));
    await expect(checkSink(parseSink(`file:${path}`), info)).rejects.toThrow(
      /has 2 hard links.*other name would keep the old secret/,
    );
    await expect(checkSink(parseSink(`dotenv:${path}#K`), info)).rejects.toThrow(/hard links/);
  });
});
