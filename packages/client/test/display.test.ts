import { describe, expect, test } from "vitest";
import {
  BROAD_WRITE_SCOPES,
  broadWriteScopes,
  csvRow,
  EXPIRING_WITHIN_DAYS,
  enforcementText,
  escapeControl,
  formatDate,
  formatRelative,
  guardCsvCell,
  hasControl,
  isExpiring,
} from "../src/display.js";

const NOW = Date.parse("2025-06-15T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("escapeControl", () => {
  test("makes terminal escapes, line breaks, tabs and bidi overrides visible", () => {
    expect(escapeControl("\u001b[31mred\u001b[0m")).toBe("\\e[31mred\\e[0m");
    expect(escapeControl("a\nb\tc\rd")).toBe("a\\nb\\tc\\rd");
    expect(escapeControl("evil\u202etxt.exe")).toBe("evil\\u{202e}txt.exe");
    expect(escapeControl("\u2066x\u2069\u200f\u0085\u007f\u0000")).toBe(
      "\\u{2066}x\\u{2069}\\u{200f}\\u{85}\\u{7f}\\u{0}",
    );
  });

  test("leaves ordinary text, CJK and emoji alone", () => {
    for (const text of ["grafana-prod", "日本語のトークン", "👩‍💻 deploy", "Zoë's token", "a\\nb"])
      expect(escapeControl(text)).toBe(text);
    expect(hasControl("日本語")).toBe(false);
    expect(hasControl("x\u001by")).toBe(true);
    expect(hasControl("x\u001by")).toBe(true); // the global regex keeps no state between calls
  });
});

describe("CSV", () => {
  test("cells a spreadsheet would run as a formula get a leading quote (OWASP)", () => {
    for (const v of [
      '=HYPERLINK("http://x")',
      "+1",
      "-1+2",
      "@SUM(A1)",
      "\tx",
      "\rx",
      " =1",
      "\u00a0+1",
      " \t@x",
    ])
      expect(guardCsvCell(v)).toBe(`'${v}`);
    for (const v of ["grafana", "a=b", "", "dt0c01.ABC", " plain", "a -b"]) expect(guardCsvCell(v)).toBe(v);
  });

  test("csvRow quotes per RFC 4180 after guarding, and can leave values raw", () => {
    expect(csvRow(["=1+2", 'say "hi"', "a,b", "x\ny"])).toBe(`'=1+2,"say ""hi""","a,b","x\ny"\n`);
    expect(csvRow(["=1+2", "-3"], false)).toBe("=1+2,-3\n");
    expect(csvRow(["\rx"])).toBe(`"'\rx"\n`);
  });
});

describe("dates", () => {
  test("one human format, in UTC; a day precision for narrow columns", () => {
    expect(formatDate("2025-01-31T13:45:59.999+01:00")).toBe("2025-01-31 12:45 UTC");
    expect(formatDate("2025-01-31T13:45:00Z", "day")).toBe("2025-01-31");
    expect(formatDate(NOW)).toBe("2025-06-15 12:00 UTC");
    expect(formatDate("not a date")).toBe("not a date");
  });

  test("relative times say seconds, minutes and hours before days", () => {
    expect(formatRelative(NOW + 30_000, NOW)).toBe("in under a minute");
    expect(formatRelative(NOW - 10_000, NOW)).toBe("just now");
    expect(formatRelative(NOW, NOW)).toBe("just now");
    expect(formatRelative(NOW + 5 * MIN, NOW)).toBe("in 5 minutes");
    expect(formatRelative(NOW - 1 * MIN, NOW)).toBe("1 minute ago");
    expect(formatRelative(NOW + 2 * HOUR, NOW)).toBe("in 2 hours");
    expect(formatRelative(NOW - 1 * HOUR, NOW)).toBe("1 hour ago");
    expect(formatRelative(NOW + 47 * HOUR, NOW)).toBe("in 47 hours");
    expect(formatRelative(NOW - 3 * DAY, NOW)).toBe("3 days ago");
    expect(formatRelative(NOW + 1 * DAY + 1 * HOUR, NOW)).toBe("in 25 hours");
    expect(formatRelative(NOW - 90 * DAY, NOW)).toBe("3 months ago");
    expect(formatRelative(NOW + 800 * DAY, NOW)).toBe("in 2 years");
    expect(formatRelative(new Date(NOW - 2 * DAY).toISOString(), NOW)).toBe("2 days ago");
  });
});

describe("expiring", () => {
  test("within 14 days and not expired yet", () => {
    expect(EXPIRING_WITHIN_DAYS).toBe(14);
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    expect(isExpiring(at(30_000), NOW)).toBe(true);
    expect(isExpiring(at(14 * DAY), NOW)).toBe(true);
    expect(isExpiring(at(14 * DAY + 1000), NOW)).toBe(false);
    expect(isExpiring(at(-1000), NOW)).toBe(false);
    expect(isExpiring(undefined, NOW)).toBe(false);
    expect(isExpiring(at(20 * DAY), NOW, 30)).toBe(true);
  });
});

describe("broad write scopes", () => {
  test("the audit's high finding: which of a token's scopes are broad", () => {
    expect(BROAD_WRITE_SCOPES).toContain("apiTokens.write");
    expect(broadWriteScopes(["metrics.read", "WriteConfig", "settings.write"])).toEqual([
      "WriteConfig",
      "settings.write",
    ]);
    expect(broadWriteScopes(undefined)).toEqual([]);
  });
});

describe("ActiveGate token enforcement in words", () => {
  test("on: who switched it on and what it means; off: what it will mean and when Dynatrace turns it on", () => {
    const on = "an ActiveGate with an expired or invalid token is disconnected";
    expect(enforcementText({ manualEnforced: true, autoEnforced: false })).toBe(
      `token enforcement is on (manually): ${on}`,
    );
    expect(enforcementText({ manualEnforced: true, autoEnforced: true })).toBe(
      `token enforcement is on (manually): ${on}`,
    );
    expect(enforcementText({ manualEnforced: false, autoEnforced: true })).toBe(
      `token enforcement is on (automatically): ${on}`,
    );
    for (const off of [{ manualEnforced: false, autoEnforced: false }, {}])
      expect(enforcementText(off)).toBe(
        "token enforcement is off: an ActiveGate with an expired or invalid token goes dark once it is on, and Dynatrace turns it on by itself once every ActiveGate has been ready for 30 days",
      );
  });
});
