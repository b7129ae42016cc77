/**
 * Hostile input, end to end: secrets pasted where free text goes, names that carry terminal
 * escapes, line breaks and bidi overrides, and CSV cells a spreadsheet would run as formulas.
 */
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { describe, expect, it } from "vitest";
import { run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

const RED = "\u001b[31m";
const HOSTILE = `ok${RED}FAKE\u001b[0m\nsecond line\tcol\u202eevil`;
const SHOWN = "ok\\e[31mFAKE\\e[0m\\nsecond line\\tcol\\u{202e}evil";

describe("secrets where free text goes", () => {
  // Shapes of Dynatrace secrets: a classic access token, a platform token, an OAuth client secret.
  const platform = `dt0s16.SAMPLEID.${"A1B2C3D4".repeat(8)}`;
  const oauth = `dt0s02.SAMPLEID.${"Z9Y8X7W6".repeat(8)}`;

  it.each([
    ["create --name", (s: string) => ["create", "--name", s, "--scope", "metrics.read"], "--name"],
    [
      "update --name",
      (s: string) => ["update", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", "--name", `prefix ${s}`],
      "--name",
    ],
    ["list --owner", (s: string) => ["list", "--owner", s], "--owner"],
    ["audit --owner", (s: string) => ["audit", "--owner", s], "--owner"],
    ["list --name", (s: string) => ["list", "--name", s], "--name"],
  ])(
    "%s refuses classic, platform and OAuth secrets without echoing them (exit 2)",
    async (_, args, flag) => {
      const classic = generateTokenSecret();
      // Not registered as known: the helper refuses known secrets in argv, which is this test's point.
      for (const secret of [classic, platform, oauth]) {
        const r = await run(sandbox(), args(secret));
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`error: ${flag}: the value looks like a Dynatrace secret`);
        expect(r.stderr).toContain("nothing was sent.");
        expect(r.stderr).not.toContain(secret.split(".")[2]);
      }
      expect(sandbox().tokenCount()).toBe(1);
    },
  );
});

describe("control characters in names", () => {
  it("list, audit, get and messages show them escaped, one row per token", async () => {
    const [t] = seed([{ name: HOSTILE, owner: `mallory${RED}`, scopes: ["settings.write"] }]);
    for (const args of [["list"], ["audit"], ["get", t!.id], ["list", "--fields", "+scopes"]]) {
      for (const tty of [false, true]) {
        const r = await run(sandbox(), args, { tty, columns: 400 });
        const out = r.stdout + r.stderr;
        expect(out, args.join(" ")).not.toContain("\u001b[31mFAKE");
        expect(out, args.join(" ")).not.toContain("\u202e");
        expect(out, args.join(" ")).not.toContain("second line\tcol");
        expect(out, args.join(" ")).toContain(SHOWN);
      }
    }
    const listed = await run(sandbox(), ["list"]);
    expect(listed.stdout.trimEnd().split("\n")).toHaveLength(3); // header, bootstrap, the token
    const renamed = await run(sandbox(), ["update", t!.id, "--name", `x${RED}y`]);
    expect(renamed.stderr).toContain(`renamed to "x\\e[31my"`);
    expect(renamed.stderr).not.toContain(RED);
  });

  it("JSON carries the exact name", async () => {
    const [t] = seed([{ name: HOSTILE, scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["get", t!.id, "-o", "json"]);
    expect(JSON.parse(r.stdout).name).toBe(HOSTILE);
  });
});

describe("CSV guard", () => {
  it("cells starting with = + - @ tab or CR get a leading quote; --no-csv-guard leaves them", async () => {
    const names = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "\tt", "\rr", "plain"];
    // White space before the formula: importers trim it, then run the rest.
    names.push(" =1+1", "\u00a0=2+2", "\u3000@x", " plain");
    seed(names.map((name, i) => ({ name, scopes: ["metrics.read"], creationDate: `now-${i + 1}d` })));
    const guarded = await run(sandbox(), [
      "list",
      "-o",
      "csv",
      "--fields",
      "name",
      "--sort",
      "-creationDate",
    ]);
    expect(guarded.stdout).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")"\n`);
    expect(guarded.stdout).toContain(",'+1\n");
    expect(guarded.stdout).toContain(",'-2\n");
    expect(guarded.stdout).toContain(",'@SUM(A1)\n");
    expect(guarded.stdout).toContain(",'\tt\n");
    expect(guarded.stdout).toContain(`,"'\rr"\n`);
    expect(guarded.stdout).toContain(",plain\n");
    expect(guarded.stdout).toContain(",' =1+1\n");
    expect(guarded.stdout).toContain(",'\u00a0=2+2\n");
    expect(guarded.stdout).toContain(",'\u3000@x\n");
    expect(guarded.stdout).toContain(", plain\n");
    const raw = await run(sandbox(), ["--no-csv-guard", "list", "-o", "csv", "--fields", "name"]);
    expect(raw.stdout).toContain(`,"=HYPERLINK(""http://evil.example"",""x"")"\n`);
    expect(raw.stdout).toContain(",+1\n");
    const audit = await run(sandbox(), ["audit", "-o", "csv"]);
    expect(audit.stdout).toContain(",'@SUM(A1),");
    expect(audit.stdout).not.toMatch(/,=HYPERLINK/);
  });
});
