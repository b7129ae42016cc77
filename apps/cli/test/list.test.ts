/** `dt-tokens list`: every filter, sorting, fields, pagination, limits, formats and bad input. */
import { beforeEach, describe, expect, it } from "vitest";
import { DAY, plain, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

beforeEach(() => {
  seed([
    {
      name: "alpha",
      owner: "alice",
      scopes: ["metrics.read"],
      personalAccessToken: true,
      creationDate: "now-300d",
      lastUsedDate: "now-1d",
    },
    {
      name: "bravo",
      owner: "bob",
      scopes: ["apiTokens.write", "settings.write"],
      creationDate: "now-250d",
      lastUsedDate: "now-200d",
      expirationDate: "now+5d",
    },
    { name: "charlie", owner: "alice", scopes: ["logs.ingest"], creationDate: "now-10d" },
    {
      name: "delta",
      owner: "carol",
      scopes: ["DataExport", "settings.write"],
      enabled: false,
      creationDate: "now-100d",
      lastUsedDate: "now-40d",
      expirationDate: "now-1d",
    },
  ]);
});

/** The NAME column of a table. */
const names = (table: string) =>
  plain(table)
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(/\s{2,}/)[1]);

const json = async (args: string[]) => {
  const r = await run(sandbox(), [...args, "-o", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};
const jsonNames = async (args: string[]) => (await json(args)).map((t) => t.name);

describe("list", () => {
  it("shows an aligned table of every token, newest first, with the default columns", async () => {
    const r = await run(sandbox(), ["list"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID {2,}NAME {2,}OWNER {2,}PERSONAL {2}ENABLED {2}LAST USED {2,}EXPIRES$/);
    expect(names(r.stdout)).toEqual(["sandbox-bootstrap", "charlie", "delta", "bravo", "alpha"]);
    // aligned: every column starts at the same offset on every line
    const start = lines[0]!.indexOf("NAME");
    for (const line of lines.slice(1)) expect(line.slice(start - 2, start)).toBe("  ");
    const delta = lines.find((l) => l.includes("delta"))!;
    expect(delta).toMatch(
      /carol +no +no +\d{4}-\d\d-\d\d \d\d:\d\d UTC +\d{4}-\d\d-\d\d \d\d:\d\d UTC \(expired \d+ (hours|days) ago\)$/,
    );
    expect(lines.find((l) => l.includes("charlie"))).toMatch(/alice +no +yes +never +never$/);
    expect(lines.find((l) => l.includes("bravo"))).toMatch(/ UTC \(in [56] days\)$/);
  });

  it("filters by owner, personal or not, and scopes (repeatable, any of them)", async () => {
    expect(await jsonNames(["list", "--owner", "alice"])).toEqual(["charlie", "alpha"]);
    expect(await jsonNames(["list", "--personal"])).toEqual(["alpha"]);
    expect(await jsonNames(["list", "--no-personal", "--owner", "alice"])).toEqual(["charlie"]);
    expect(await jsonNames(["list", "--scope", "settings.write", "--scope", "metrics.read"])).toEqual([
      "delta",
      "bravo",
      "alpha",
    ]);
    expect(await jsonNames(["list", "--scope", "logs.ingest,metrics.read", "--owner", "alice"])).toEqual([
      "charlie",
      "alpha",
    ]);
    expect(await jsonNames(["list", "--scope", "DataExport"])).toEqual(["delta"]);
  });

  it("filters by last use with relative and absolute times", async () => {
    expect(await jsonNames(["list", "--used-from", "now-7d", "--owner", "alice"])).toEqual(["alpha"]);
    expect(await jsonNames(["list", "--used-to", "now-30d"])).toEqual(["delta", "bravo"]);
    const day = new Date(Date.now() - 150 * DAY).toISOString().slice(0, 10);
    expect(await jsonNames(["list", "--used-from", "2000-01-01", "--used-to", day])).toEqual(["bravo"]);
    const ms = String(Date.now() - 60 * DAY);
    expect(await jsonNames(["list", "--used-from", ms, "--used-to", "now-20d"])).toEqual(["delta"]);
  });

  it("sorts by any sort key, ascending or descending", async () => {
    expect(await jsonNames(["list", "--sort", "name"])).toEqual([
      "alpha",
      "bravo",
      "charlie",
      "delta",
      "sandbox-bootstrap",
    ]);
    expect(await jsonNames(["list", "--sort", "-name", "--limit", "2"])).toEqual([
      "sandbox-bootstrap",
      "delta",
    ]);
    expect(await jsonNames(["list", "--sort", "+expirationDate", "--limit", "2"])).toEqual([
      "delta",
      "bravo",
    ]);
  });

  it("--fields replaces, adds to or removes from the columns; id always comes first", async () => {
    const replaced = await run(sandbox(), ["list", "--fields", "name,scopes", "--owner", "bob", "-o", "csv"]);
    expect(replaced.stdout).toBe(
      "id,name,scopes\n" +
        `${(await json(["list", "--owner", "bob"]))[0]!.id},bravo,apiTokens.write settings.write\n`,
    );
    const added = await run(sandbox(), ["list", "--fields", "+scopes,-owner", "--owner", "bob"]);
    expect(added.stdout.split("\n")[0]).toMatch(/^ID +NAME +PERSONAL +ENABLED +LAST USED +EXPIRES +SCOPES$/);
    expect(added.stdout).toContain("apiTokens.write,settings.write");
    const [token] = await json([
      "list",
      "--fields",
      "name,creationDate,modifiedDate,lastUsedIpAddress",
      "--owner",
      "bob",
    ]);
    expect(Object.keys(token!).sort()).toEqual(["creationDate", "id", "name"]);
  });

  it("--limit stops after n tokens", async () => {
    expect(await jsonNames(["list", "--limit", "2", "--sort", "name"])).toEqual(["alpha", "bravo"]);
    const table = await run(sandbox(), ["list", "--limit", "1"]);
    expect(names(table.stdout)).toEqual(["sandbox-bootstrap"]);
  });

  it("fetches every page by default, and stops early with --limit", async () => {
    seed(
      Array.from({ length: 250 }, (_, i) => ({
        name: `bulk-${String(i).padStart(3, "0")}`,
        scopes: ["logs.ingest"],
      })),
    );
    const all = await run(sandbox(), ["list", "--page-size", "100", "-o", "ndjson"]);
    expect(all.code).toBe(0);
    const ids = all.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toHaveLength(255);
    expect(new Set(ids).size).toBe(255);
    const limited = await run(sandbox(), ["list", "--page-size", "100", "--limit", "150", "-o", "ndjson"]);
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(150);
  });

  it("shows a progress bar on a terminal when there is more than one page, and only then", async () => {
    seed(Array.from({ length: 250 }, (_, i) => ({ name: `bulk-${i}`, scopes: ["logs.ingest"] })));
    const paged = await run(sandbox(), ["list", "--page-size", "100", "--fields", "name"], { tty: true });
    expect(paged.code).toBe(0);
    expect(plain(paged.stdout)).toMatch(/Fetching tokens \[[^\]]+\] 255\/255/);
    expect(plain(paged.stdout)).toContain("255 tokens");
    const onePage = await run(
      sandbox(),
      ["list", "--fields", "name", "--page-size", "100", "--owner", "alice"],
      { tty: true },
    );
    expect(plain(onePage.stdout)).toContain("alpha");
    expect(plain(onePage.stdout)).not.toContain("Fetching tokens");
    const piped = await run(sandbox(), ["list", "--page-size", "100"]);
    expect(piped.stderr).toBe("");
  });

  it("fits the table to the terminal width, truncating names and owners", async () => {
    seed([
      {
        name: "a-very-long-token-name-that-does-not-fit-into-eighty-columns",
        owner: "someone.with.a.long.name@example.com",
        scopes: ["logs.ingest"],
      },
    ]);
    const r = await run(sandbox(), ["list", "--no-color"], { tty: true, columns: 110 });
    const lines = plain(r.stdout)
      .trimEnd()
      .split("\n")
      .filter((l) => l.startsWith("dt0c01") || l.startsWith("ID"));
    expect(lines).toHaveLength(7);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(110);
    expect(r.stdout).toContain("…");
  });

  it("writes JSON, NDJSON and RFC 4180 CSV", async () => {
    seed([{ name: 'say "hi", ok', owner: "quoter", scopes: ["logs.ingest"] }]);
    const tokens = await json(["list", "--owner", "quoter"]);
    expect(tokens).toEqual([
      expect.objectContaining({
        name: 'say "hi", ok',
        owner: "quoter",
        enabled: true,
        personalAccessToken: false,
      }),
    ]);
    const nd = await run(sandbox(), ["list", "--owner", "alice", "-o", "ndjson"]);
    expect(
      nd.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).name),
    ).toEqual(["charlie", "alpha"]);
    const csv = await run(sandbox(), [
      "list",
      "--owner",
      "quoter",
      "--fields",
      "name,owner,enabled",
      "-o",
      "csv",
    ]);
    expect(csv.stdout).toBe(`id,name,owner,enabled\n${tokens[0]!.id},"say ""hi"", ok",quoter,true\n`);
    const none = await run(sandbox(), ["list", "--owner", "nobody", "-o", "csv"]);
    expect(none.stdout).toBe("id,name,owner,personalAccessToken,enabled,lastUsedDate,expirationDate\n");
    expect((await run(sandbox(), ["list", "--owner", "nobody", "-o", "json"])).stdout).toBe("[]\n");
    const table = await run(sandbox(), ["list", "--owner", "nobody"]);
    expect([table.stdout, table.stderr, table.code]).toEqual(["", "No tokens match.\n", 0]);
  });

  it("rejects an unknown scope, naming it and suggesting the closest (exit 2)", async () => {
    const r = await run(sandbox(), ["list", "--scope", "metric.read"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --scope: unknown scope "metric.read"; did you mean "metrics.read"?\nhint: `dt-tokens scopes` lists every scope (names are case-sensitive)\nnothing was sent.\n',
    );
    const cased = await run(sandbox(), ["list", "--scope", "APITOKENS.READ"]);
    expect(cased.stderr).toContain('unknown scope "APITOKENS.READ"; did you mean "apiTokens.read"?');
    const far = await run(sandbox(), ["list", "--scope", "zzz"]);
    expect(far.stderr.split("\n")[0]).toBe('error: --scope: unknown scope "zzz"');
  });

  it("rejects a bad date, listing the accepted formats (exit 2)", async () => {
    const r = await run(sandbox(), ["list", "--used-from", "yesterday"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --used-from: "yesterday" is not a date or time; accepted formats: 2025-01-31, 2025-01-31T13:45:00Z, 2025-01-31T13:45:00.123+01:00, epoch milliseconds, relative now-90d (units m h d w M y, m minutes and M months, /d to round down), or a duration such as 90d or 1d12h ago\nnothing was sent.\n',
    );
    const future = await run(sandbox(), ["list", "--used-to", "now+1d"]);
    expect(future.stderr).toBe(
      'error: --used-to: "now+1d" points into the future; use now-90d\nnothing was sent.\n',
    );
  });

  it("--used-from after --used-to is judged by the one timeframe grammar of @dt-tokens/types (UTC, calendar months), not the machine's time zone", async () => {
    // 10:00 without a zone is 10:00 UTC, as the API reads it: before 12:00Z, even in New York.
    for (const TZ of ["America/New_York", "Asia/Tokyo"]) {
      const r = await run(
        sandbox(),
        ["list", "--used-from", "2026-01-01T10:00", "--used-to", "2026-01-01T12:00Z", "-o", "json"],
        { env: { TZ } },
      );
      expect([r.code, r.stderr]).toEqual([0, ""]);
    }
    const empty = await run(
      sandbox(),
      ["list", "--used-from", "2026-01-01 13:00", "--used-to", "2026-01-01T12:00Z"],
      {
        env: { TZ: "America/New_York" },
      },
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("the window is empty");
    // Two months back is a calendar span (as now-2M is sent), never 60 days: a window from
    // now-2M to now-62d is empty exactly when the two months held fewer than 62 days.
    const now = new Date();
    const twoMonths = new Date(now);
    twoMonths.setUTCMonth(now.getUTCMonth() - 2);
    const monthDays = Math.round((now.getTime() - twoMonths.getTime()) / DAY);
    const span = await run(sandbox(), [
      "list",
      "--used-from",
      "now-2M",
      "--used-to",
      `now-${monthDays}d`,
      "-o",
      "json",
    ]);
    expect([span.code, span.stderr]).toEqual([0, ""]);
  });

  it("rejects bad sort keys, fields, page sizes and limits (exit 2), sending nothing", async () => {
    const cases: [string[], string][] = [
      [
        ["--sort", "owner"],
        'error: --sort: unknown sort key "owner"; expected one of name, lastUsedDate, creationDate, expirationDate, modifiedDate, optionally prefixed with - (descending) or + (ascending)\nnothing was sent.\n',
      ],
      [
        ["--fields", "name,scope"],
        'error: --fields: unknown field "scope" (did you mean "scopes"?); fields are id, name, owner, enabled, personalAccessToken, creationDate, modifiedDate, lastUsedDate, lastUsedIpAddress, expirationDate, scopes, additionalMetadata\nnothing was sent.\n',
      ],
      [
        ["--page-size", "50"],
        'error: --page-size: expected a whole number from 100 to 10000, got "50"\nnothing was sent.\n',
      ],
      [
        ["--limit", "0"],
        'error: --limit: expected a whole number of at least 1, got "0"\nnothing was sent.\n',
      ],
    ];
    for (const [args, message] of cases) {
      // No token at all: the flags are checked first.
      const r = await run(sandbox(), ["list", ...args], { env: { DT_API_TOKEN: undefined } });
      expect([r.code, r.stderr]).toEqual([2, message]);
    }
  });
});
