/** The overview's definitions and the table's filtering and sorting, at their edges. */
import type { ApiToken } from "@dt-tokens/client";
import { describe, expect, test } from "vitest";
import { filterTokens, NO_FILTERS, sortTokens } from "../src/query.js";
import {
  countStates,
  expirationTimeline,
  expiryBars,
  inState,
  lastUsedHistogram,
  statesOf,
} from "../src/stats.js";

const NOW = Date.parse("2025-06-01T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();

describe("states", () => {
  test("expired means expirationDate <= now (as the sandbox and Dynatrace refuse it); expiring is within 14 days after, as in the CLI's audit", () => {
    expect(inState({ expirationDate: at(0) }, "expired", NOW)).toBe(true);
    expect(inState({ expirationDate: at(0) }, "expiring", NOW)).toBe(false);
    expect(inState({ expirationDate: at(0.001) }, "expiring", NOW)).toBe(true);
    expect(inState({ expirationDate: at(14) }, "expiring", NOW)).toBe(true);
    expect(inState({ expirationDate: at(14.001) }, "expiring", NOW)).toBe(false);
    expect(inState({}, "expired", NOW)).toBe(false);
  });

  test("active is enabled and not expired; a disabled expired token is both disabled and expired", () => {
    expect(statesOf({ enabled: false, expirationDate: at(-1) }, NOW)).toEqual([
      "disabled",
      "expired",
      "neverUsed",
    ]);
    expect(statesOf({ enabled: true, lastUsedDate: at(-1) }, NOW)).toEqual(["active"]);
    // enabled absent (not requested) counts as enabled
    expect(inState({}, "active", NOW)).toBe(true);
  });

  test("unused means last used 90 or more days ago; never-used tokens are counted apart", () => {
    expect(inState({ lastUsedDate: at(-90) }, "unused", NOW)).toBe(true);
    expect(inState({ lastUsedDate: at(-89.99) }, "unused", NOW)).toBe(false);
    expect(inState({}, "unused", NOW)).toBe(false);
    expect(inState({}, "neverUsed", NOW)).toBe(true);
  });

  test("counts, the histogram and the timeline agree with each other and add up", () => {
    const tokens: ApiToken[] = [];
    for (let i = 0; i < 200; i++)
      tokens.push({
        enabled: i % 7 !== 0,
        personalAccessToken: i % 3 === 0,
        lastUsedDate: i % 5 === 0 ? undefined : at(-((i * 13) % 800) - 0.5),
        expirationDate: i % 4 === 0 ? undefined : at(((i * 37) % 900) - 300 + 0.5),
      });
    const counts = countStates(tokens, NOW);
    const ages = lastUsedHistogram(tokens, NOW);
    const timeline = expirationTimeline(tokens, NOW);
    expect(ages.reduce((n, b) => n + b.count, 0)).toBe(200);
    expect(ages.at(-1)!.count).toBe(counts.neverUsed);
    expect(ages.slice(4, 7).reduce((n, b) => n + b.count, 0)).toBe(counts.unused);
    const windows = timeline.windows.reduce((n, b) => n + b.count, 0);
    expect(timeline.expired + windows + timeline.later + timeline.never).toBe(200);
    expect(timeline.expired).toBe(counts.expired);
    expect(timeline.windows[0]!.count).toBeGreaterThanOrEqual(counts.expiring);
    expect(counts.active + counts.disabled).toBeGreaterThanOrEqual(200 - counts.expired);
  });

  test("broad write scopes are the audit's high finding", () => {
    expect(inState({ scopes: ["metrics.read", "settings.write"] }, "broadWrite", NOW)).toBe(true);
    expect(inState({ scopes: ["metrics.read"] }, "broadWrite", NOW)).toBe(false);
    expect(inState({}, "broadWrite", NOW)).toBe(false);
  });

  test("a lastUsedDate a little in the future (clock skew) counts as used today", () => {
    expect(lastUsedHistogram([{ lastUsedDate: at(0.001) }], NOW)[0]!.count).toBe(1);
  });
});

describe("table", () => {
  const tokens: ApiToken[] = [
    {
      id: "a",
      name: "beta",
      owner: "x",
      scopes: ["metrics.read"],
      lastUsedDate: at(-3),
      expirationDate: at(5),
    },
    { id: "b", name: "Alpha", owner: "y", scopes: ["apiTokens.write"], personalAccessToken: true },
    { id: "c", name: "alpha-2", owner: "x", scopes: [], lastUsedDate: at(-100), expirationDate: at(-1) },
    { id: "d", name: "gamma", owner: "y", scopes: ["metrics.read", "logs.ingest"], enabled: false },
  ];
  const ids = (list: ApiToken[]) => list.map((t) => t.id);

  test("filters combine (AND); text matches name, id, owner and scopes case-insensitively", () => {
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, owner: "x" }, NOW))).toEqual(["a", "c"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, scope: "metrics.read", owner: "y" }, NOW))).toEqual([
      "d",
    ]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, personal: "yes" }, NOW))).toEqual(["b"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, personal: "no" }, NOW))).toEqual(["a", "c", "d"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, state: "expired" }, NOW))).toEqual(["c"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, state: "disabled" }, NOW))).toEqual(["d"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, text: " ALPHA " }, NOW))).toEqual(["b", "c"]);
    expect(ids(filterTokens(tokens, { ...NO_FILTERS, text: "LOGS." }, NOW))).toEqual(["d"]);
  });

  test("sorts like the API: never used first on +lastUsedDate, never expiring last on +expirationDate", () => {
    expect(ids(sortTokens(tokens, { key: "name", descending: false }))).toEqual(["b", "c", "a", "d"]);
    expect(ids(sortTokens(tokens, { key: "name", descending: true }))).toEqual(["d", "a", "c", "b"]);
    expect(ids(sortTokens(tokens, { key: "lastUsedDate", descending: false }))).toEqual(["b", "d", "c", "a"]);
    expect(ids(sortTokens(tokens, { key: "expirationDate", descending: false }))).toEqual([
      "c",
      "a",
      "b",
      "d",
    ]);
    expect(ids(sortTokens(tokens, { key: "scopes", descending: true }))).toEqual(["d", "a", "b", "c"]);
  });
});

describe("the expiration chart's labels", () => {
  test("30-day windows are said in days (30d … 360d): m is minutes in every duration of dt-tokens", () => {
    const labels = expiryBars(expirationTimeline([], NOW)).map((b) => b.label);
    expect(labels).toEqual([
      "expired",
      ...Array.from({ length: 12 }, (_, i) => `${(i + 1) * 30}d`),
      ">1y",
      "never",
    ]);
  });
});
