/**
 * Fits the screen and the user: tables by display width at 80 columns, relative times, plurals,
 * local usage errors (exit 2, nothing sent), `-o json` for create and rotate, and the documented
 * way to put `dt-tokens` on the PATH from a clone.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { BIN, DAY, ID, plain, run, SECRET, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();
const HOUR = 3_600_000;

describe("tables at 80 columns", () => {
  it("a terminal that reports no size (0 columns) gets 80, and COLUMNS is the user's width", async () => {
    seed([{ name: "visible-name", owner: "alice@example.com", scopes: ["metrics.read"] }]);
    const sizeless = await run(sandbox(), ["list"], { tty: true, columns: 0 });
    const rows = plain(sizeless.stdout).split(/\r?\n/);
    expect(rows.find((l) => l.startsWith("ID"))).toMatch(/^ID +NAME/);
    expect(rows.find((l) => l.startsWith("dt0c01."))).toContain("visible-name");
    const narrow = await run(sandbox(), ["list"], { tty: true, columns: 200, env: { COLUMNS: "40" } });
    const tableRows = plain(narrow.stdout)
      .split(/\r?\n/)
      .filter((l) => /^(ID|dt0c01\.)/.test(l));
    for (const l of tableRows) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    expect(plain(narrow.stdout)).toMatch(/dt0c01\.\w{24}/);
    const wide = await run(sandbox(), ["list"], { tty: true, columns: 80, env: { COLUMNS: "1000" } });
    expect(plain(wide.stdout)).not.toContain("hidden to fit");
    expect(plain(wide.stdout)).toContain("alice@example.com");
  });

  it("count display width (CJK, emoji), drop the least important columns first, never wrap", async () => {
    seed([
      {
        name: "日本語のトークン名前がとても長い本番環境用",
        owner: "山田太郎@example.com",
        scopes: ["metrics.read"],
      },
      {
        name: "🚀🚀🚀 deploy-bot-with-a-long-name 👩‍💻",
        owner: "alice@example.com",
        scopes: ["metrics.read"],
      },
      {
        name: "short",
        owner: "bob",
        scopes: ["metrics.read"],
        expirationDate: new Date(Date.now() + 2 * HOUR),
      },
    ]);
    const r = await run(sandbox(), ["list"], { tty: true, columns: 80 });
    expect(r.code).toBe(0);
    const lines = plain(r.stdout).split("\n");
    const table = lines.filter((l) => /^(ID|dt0c01)/.test(l));
    expect(table).toHaveLength(5); // header, the bootstrap token and three rows: nothing wrapped
    for (const line of table) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
    // The id (31 columns) and the expiry with its relative time leave room for the name only.
    expect(table[0]).toMatch(/^ID +NAME +EXPIRES$/);
    expect(plain(r.stdout)).toMatch(
      /4 columns hidden to fit the terminal \(PERSONAL, LAST USED, ENABLED, OWNER\); widen it, choose --fields, or use -o json/,
    );
    expect(table.find((l) => l.includes("short"))).toMatch(/\d{4}-\d\d-\d\d \(in 2 hours\)$/);
    expect(table.some((l) => l.includes("日本語のトークン") && l.includes("…"))).toBe(true);
    expect(plain(r.stdout)).toMatch(/^4 tokens$/m);
  });

  it("piped, nothing is cut and wide names align by display width", async () => {
    seed([{ name: "日本語", owner: "x", scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["list", "--fields", "name,owner"]);
    const lines = r.stdout.trimEnd().split("\n");
    const ownerAt = (l: string) => stringWidth(l.slice(0, l.lastIndexOf(" ") + 1));
    expect(new Set(lines.map(ownerAt)).size).toBe(1);
  });

  it("one token is '1 token'; a token created now was 'created just now', never '0 days ago'", async () => {
    const r = await run(sandbox(), ["list"], { tty: true });
    expect(plain(r.stdout)).toMatch(/^1 token$/m);
    seed([{ name: "fresh", scopes: ["metrics.read"] }]);
    const audit = await run(sandbox(), ["audit", "-o", "json"]);
    const fresh = JSON.parse(audit.stdout).find((f: { name: string; check: string }) => f.name === "fresh");
    expect(fresh.detail).toBe("never used, created just now");
  });

  it("relative expiry says minutes and hours, in the audit too", async () => {
    seed([
      { name: "minutes", scopes: ["metrics.read"], expirationDate: new Date(Date.now() + 20 * 60_000) },
      { name: "hours", scopes: ["metrics.read"], expirationDate: new Date(Date.now() + 5 * HOUR) },
      { name: "days", scopes: ["metrics.read"], expirationDate: new Date(Date.now() + 9 * DAY) },
    ]);
    const audit = await run(sandbox(), ["audit", "-o", "json"]);
    const detail = (name: string) =>
      JSON.parse(audit.stdout).find(
        (f: { name: string; check: string }) => f.name === name && f.check === "expiring",
      )?.detail;
    expect(detail("minutes")).toMatch(
      /^expires in (19|20) minutes \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\); rotate it$/,
    );
    expect(detail("hours")).toMatch(/^expires in 5 hours /);
    expect(detail("days")).toMatch(/^expires in 9 days /);
  });
});

describe("usage errors caught locally: exit 2, nothing sent", () => {
  it.each([
    [["get", "dt0c01.not-an-id"], '"dt0c01.not-an-id" is not a token id'],
    [["delete", "12345", "--yes"], '"12345" is not a token id'],
    [["list", "--env-url", "http://127.0.0.1:99999"], '"http://127.0.0.1:99999" is not an environment URL'],
    [
      ["list", "--used-from", "now-1d", "--used-to", "now-5d"],
      "--used-from (now-1d) is after --used-to (now-5d)",
    ],
    [["create", "--name", "n".repeat(1001), "--scope", "metrics.read"], "the name is 1001 characters long"],
    [
      ["update", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", "--name", "n".repeat(1001)],
      "Dynatrace accepts at most 1000",
    ],
  ])("%j", async (args, message) => {
    const before = sandbox().tokenCount();
    const r = await run(sandbox(), args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/\nnothing was sent\.\n$/);
    expect(sandbox().tokenCount()).toBe(before);
  });
});

describe("-o json for create", () => {
  it("create prints {id, name, expirationDate, token} (rotate: its outcomes, see rotate.test.ts)", async () => {
    const created = await run(sandbox(), ["create", "--name", "ci", "--scope", "metrics.read", "-o", "json"]);
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout);
    expect(Object.keys(json)).toEqual(["id", "name", "expirationDate", "token"]);
    expect(json).toMatchObject({ name: "ci", expirationDate: null });
    expect(json.id).toMatch(ID);
    expect(json.token).toMatch(SECRET);
  });
});

describe("on the PATH from a clone", () => {
  it("the README's symlink line gives a working `dt-tokens`", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain('ln -sf "$PWD/apps/cli/dist/bin.js" ~/.local/bin/dt-tokens');
    const dir = mkdtempSync(join(tmpdir(), "dt-tokens-path-"));
    try {
      symlinkSync(BIN, join(dir, "dt-tokens"));
      const out = execFileSync("dt-tokens", ["--version"], {
        env: { PATH: `${dir}:${process.env.PATH}` },
        encoding: "utf8",
      });
      expect(out).toMatch(/^0\.0\.0-dev/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
