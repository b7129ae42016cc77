// The documented date range (years 0000 to 9999) against the built bin: its lowest years are dates,
// not format errors (Date.UTC reads years 0 to 99 as 1900 to 1999).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBin } from "./process.js";

let bin: Awaited<ReturnType<typeof startBin>>;
let auth: Record<string, string>;
beforeAll(async () => {
  bin = await startBin(["--db", ":memory:", "--quiet"]);
  auth = { Authorization: `Api-Token ${bin.ready.bootstrapToken}` };
});
afterAll(() => bin.close());

const list = (query: Record<string, string>) =>
  fetch(`${bin.ready.apiBase}/apiTokens?${new URLSearchParams(query)}`, { headers: auth });

describe("dates in years 0000 to 0099", () => {
  it.each([
    "0000-01-01T00:00:00.000Z",
    "0000-01-01",
    "0050-06-01T12:00:00Z",
    "0099-12-31T23:59:59.999+01:00",
  ])("accepts from=%s and filters from it", async (from) => {
    const res = await list({ from });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { totalCount: number };
    expect(body.totalCount).toBeGreaterThanOrEqual(0);
  });

  it("still rejects year 10000 and invalid days there", async () => {
    for (const from of ["10000-01-01", "0001-02-29", "0000-13-01"]) {
      const res = await list({ from });
      expect(res.status, from).toBe(400);
    }
  });

  it("a past expirationDate in year 0000 is 'in the future' 400, not a format error", async () => {
    const res = await fetch(`${bin.ready.apiBase}/apiTokens`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "x",
        scopes: ["apiTokens.read"],
        expirationDate: "0000-01-01T00:00:00.000Z",
      }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("must be in the future");
  });
});
