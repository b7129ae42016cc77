/** `dt-tokens audit`: each check, the thresholds, --min-severity, --fail-on and the formats. */
import { beforeEach, describe, expect, it } from "vitest";
import { plain, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

const recent = { lastUsedDate: "now-1d", creationDate: "now-400d", scopes: ["metrics.read"] };

let ids: Record<string, string>;
beforeEach(() => {
  const tokens = seed([
    { name: "clean", owner: "tidy", ...recent, expirationDate: "now+100d" },
    { name: "never-old", ...recent, lastUsedDate: null, creationDate: "now-200d" },
    { name: "never-new", ...recent, lastUsedDate: null, creationDate: "now-5d" },
    { name: "stale", ...recent, lastUsedDate: "now-120d" },
    { name: "used-60d", ...recent, lastUsedDate: "now-60d" },
    { name: "expired", ...recent, expirationDate: "now-3d" },
    { name: "expiring", ...recent, expirationDate: "now+5d" },
    { name: "expiring-20d", ...recent, expirationDate: "now+20d" },
    { name: "off", ...recent, enabled: false },
    { name: "pat", ...recent, owner: "alice", personalAccessToken: true },
    { name: "broad", ...recent, scopes: ["metrics.read", "settings.write", "WriteConfig"] },
    { name: "dup", ...recent },
    { name: "dup", ...recent },
  ]);
  ids = Object.fromEntries(tokens.map((t, i) => [i === 12 ? "dup2" : t.name, t.id]));
  ids["sandbox-bootstrap"] = sandbox().bootstrapToken!.split(".").slice(0, 2).join(".");
});

interface Finding {
  severity: string;
  check: string;
  id: string;
  name: string;
  owner: string;
  detail: string;
}

const audit = async (args: string[] = []) => {
  const r = await run(sandbox(), ["audit", "-o", "json", ...args]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Finding[];
};

/** name → "check:severity" list, for the tokens that have findings. */
const byName = (findings: Finding[]) => {
  const out: Record<string, string[]> = {};
  for (const f of findings) {
    const name = f.id === ids.dup2 ? "dup2" : f.name;
    out[name] = [...(out[name] ?? []), `${f.check}:${f.severity}`];
  }
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
};

describe("audit", () => {
  it("reports each kind of finding on the token that has it, and nothing on a clean token", async () => {
    expect(byName(await audit())).toEqual({
      "sandbox-bootstrap": ["broad-write-scope:high"],
      broad: ["broad-write-scope:high"],
      "never-old": ["never-used:medium"],
      "never-new": ["never-used:low"],
      stale: ["unused:medium"],
      expired: ["expired:low"],
      expiring: ["expiring:medium"],
      off: ["disabled:low"],
      pat: ["personal:low"],
      dup: ["duplicate-name:low"],
      dup2: ["duplicate-name:low"],
    });
  });

  it("says why in the detail", async () => {
    const findings = await audit();
    const detail = (name: string) => findings.find((f) => f.name === name)!.detail;
    expect(detail("broad")).toBe("settings.write, WriteConfig");
    expect(detail("never-old")).toBe("never used, created 7 months ago");
    expect(detail("stale")).toBe("last used 120 days ago (limit 90)");
    expect(detail("expired")).toBe("expired 3 days ago; it can be deleted");
    expect(detail("expiring")).toMatch(/^expires in [56] days \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\); rotate it$/);
    expect(detail("pat")).toBe("personal access token of alice");
    expect(detail("dup")).toBe('2 tokens are named "dup"');
    expect(findings.find((f) => f.name === "broad")).toMatchObject({ id: ids.broad, owner: "admin" });
  });

  it("--max-unused-days and --expiring-within-days move the thresholds", async () => {
    const found = byName(await audit(["--max-unused-days", "30", "--expiring-within-days", "30"]));
    expect(found["used-60d"]).toEqual(["unused:medium"]);
    expect(found["expiring-20d"]).toEqual(["expiring:medium"]);
    expect(found.stale).toEqual(["unused:medium"]);
    expect(found["never-new"]).toEqual(["never-used:low"]);
    const strict = byName(await audit(["--max-unused-days", "3"]));
    expect(strict["never-new"]).toEqual(["never-used:medium"]);
    expect(strict.clean).toBeUndefined();
  });

  it("the boundary is the dashboard's: last used or created --unused-for ago counts (isUnused of @dt-tokens/types)", async () => {
    // The CLI counted whole days past the limit (`> 90`), the dashboard 90 days or more.
    seed([
      { name: "used-5d", ...recent, lastUsedDate: "now-5d" },
      { name: "never-5d", ...recent, lastUsedDate: null, creationDate: "now-5d" },
      { name: "used-4d", ...recent, lastUsedDate: "now-4d" },
    ]);
    const found = byName(await audit(["--unused-for", "5d"]));
    expect(found["used-5d"]).toEqual(["unused:medium"]);
    expect(found["never-5d"]).toEqual(["never-used:medium"]);
    expect(found["used-4d"]).toBeUndefined();
    // Every duration flag takes the one grammar (it was refused by audit and taken by rotate --overlap).
    expect(byName(await audit(["--unused-for", "4d12h", "--expiring-within", "1w2d"]))["used-5d"]).toEqual([
      "unused:medium",
    ]);
  });

  it("--min-severity shows fewer findings; the summary on stderr counts them all", async () => {
    const r = await run(sandbox(), ["audit", "--min-severity", "high", "-o", "csv"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("severity,check,id,name,owner,detail");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",").slice(0, 2).join(","))
        .sort(),
    ).toEqual(["high,broad-write-scope", "high,broad-write-scope"]);
    expect(r.stderr).toBe(
      "Audited 14 tokens: 11 findings on 11 tokens (2 high, 3 medium, 6 low); 2 shown (--min-severity high).\n",
    );
  });

  it("--fail-on exits 3 when a finding is at or above the severity, 0 otherwise", async () => {
    const fail = await run(sandbox(), ["audit", "--fail-on", "high", "-o", "ndjson"]);
    expect(fail.code).toBe(3);
    expect(fail.stdout.trimEnd().split("\n")).toHaveLength(11);
    expect(fail.stderr.trimEnd().split("\n").at(-1)).toBe(
      "error: 2 findings at or above high (--fail-on high)",
    );
    const medium = await run(sandbox(), [
      "audit",
      "--fail-on",
      "medium",
      "--no-personal",
      "--owner",
      "admin",
    ]);
    expect(medium.code).toBe(3);
    expect(medium.stderr).toContain("error: 5 findings at or above medium (--fail-on medium)");
    const clean = await run(sandbox(), ["audit", "--fail-on", "low", "--owner", "tidy"]);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([
      0,
      "",
      "Audited 1 token: 0 findings on 0 tokens (0 high, 0 medium, 0 low).\n",
    ]);
    const bad = await run(sandbox(), ["audit", "--fail-on", "critical"]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "error: option '--fail-on <severity>' argument 'critical' is invalid. Allowed choices are low, medium, high.\n",
    ]);
  });

  it("prints an aligned table on a terminal, highest severity first, with colour", async () => {
    const r = await run(sandbox(), ["audit"], { tty: true });
    expect(r.code).toBe(0);
    const lines = plain(r.stdout).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEVERITY +CHECK +ID +NAME +OWNER +DETAIL$/);
    expect(lines[1]).toMatch(/^high +broad-write-scope +dt0c01\./);
    expect(lines.at(-2)).toMatch(/^low /);
    expect(lines.at(-1)).toMatch(/^Audited 14 tokens/);
    expect(r.stdout).toContain("\u001b[31mhigh");
  });

  it("at 80 columns keeps the CHECK (why a token is listed): the owner and id give way first", async () => {
    const r = await run(sandbox(), ["audit", "--no-color"], { tty: true, columns: 80 });
    expect(r.code).toBe(0);
    const lines = plain(r.stdout).trimEnd().split("\n");
    const header = lines.findIndex((l) => l.startsWith("SEVERITY"));
    expect(lines[header]!.split(/ +/)).toEqual(["SEVERITY", "CHECK", "NAME", "DETAIL"]);
    const rows = lines.slice(header + 1).filter((l) => /^(high|medium|low) /.test(l));
    expect(rows.length).toBeGreaterThan(10);
    for (const line of [lines[header]!, ...rows]) expect(line.length).toBeLessThanOrEqual(80);
    for (const row of rows) expect(row.split(/ +/)[1]).toMatch(/^[a-z-]+$/);
    expect(rows.map((row) => row.split(/ +/)[1])).toContain("broad-write-scope");
    // The note names what was hidden and only remedies that audit has (it has no --fields).
    const note = lines.find((l) => l.includes("hidden to fit the terminal"));
    expect(note).toContain("(OWNER, ID)");
    expect(note).toContain("-o json");
    expect(note).not.toContain("--fields");
  });

  it("audits only the tokens the filters select, and rejects bad thresholds", async () => {
    expect(byName(await audit(["--owner", "alice"]))).toEqual({ pat: ["personal:low"] });
    expect(byName(await audit(["--scope", "WriteConfig"]))).toEqual({ broad: ["broad-write-scope:high"] });
    const bad = await run(sandbox(), ["audit", "--max-unused-days", "soon"]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'error: --max-unused-days: expected a whole number of at least 1, got "soon"\nnothing was sent.\n',
    ]);
  });
});
