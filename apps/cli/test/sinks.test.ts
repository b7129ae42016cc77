/** The sinks on their own: dotenv editing, templating, parsing, atomic files and exec (no server). */
import { lstat, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dotenvSink, readDotenvKey, setDotenvKey } from "../src/sinks/dotenv.js";
import { execSink } from "../src/sinks/exec.js";
import { fileSink } from "../src/sinks/file.js";
import { parseSink } from "../src/sinks/parse.js";
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
  it("write atomically with mode 0600, leave no temporary file, and undo puts the old content back", async () => {
    const dir = await tempDir();
    const path = join(dir, "token");
    await writeFile(path, "old secret", { mode: 0o640 });
    const sink = fileSink(path);
    await sink.deliver(SECRET);
    expect(await readFile(path, "utf8")).toBe(SECRET);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["token"]);
    await sink.undo!();
    expect(await readFile(path, "utf8")).toBe("old secret");
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    const fresh = fileSink(join(dir, "new"));
    await fresh.deliver(SECRET);
    await fresh.undo!();
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
    await file.deliver(SECRET);
    expect((await lstat(join(dir, "token"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, "real.token"), "utf8")).toBe(SECRET);
    await file.undo!();
    expect(await readFile(join(dir, "real.token"), "utf8")).toBe("old");
  });

  it("dotenv keeps the file's mode and restores it byte for byte on undo", async () => {
    const dir = await tempDir();
    const path = join(dir, ".env");
    const before = "# c\r\nA=1\r\nK='old'\r\n";
    await writeFile(path, before, { mode: 0o644 });
    const sink = dotenvSink(path, "K");
    await sink.deliver(SECRET);
    expect(await readFile(path, "utf8")).toBe(`# c\r\nA=1\r\nK='${SECRET}'\r\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await sink.undo!();
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
    await expect(execSink("exit 0", env).deliver(SECRET)).resolves.toBeUndefined(); // need not read stdin
    await expect(execSink("kill -9 $PPID", env).deliver(SECRET)).rejects.toThrow(/killed by SIGKILL/);
  });
});
