// A page key the bin issues is a key it accepts, even when the page ends on the longest name whose
// every character JSON escapes (\u0001 -> "\u0001", six characters): a cursor of about 8,100 characters.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBin } from "./process.js";

let bin: Awaited<ReturnType<typeof startBin>>;
let auth: Record<string, string>;
beforeAll(async () => {
  bin = await startBin(["--db", ":memory:", "--quiet"]);
  auth = { Authorization: `Api-Token ${bin.ready.bootstrapToken}` };
});
afterAll(() => bin.close());

it("pages through tokens sorted by 1000-character names of control characters", async () => {
  for (let i = 0; i < 101; i++) {
    const res = await fetch(`${bin.ready.apiBase}/apiTokens`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "\u0001".repeat(995) + String(i).padStart(5, "0"),
        scopes: ["apiTokens.read"],
      }),
    });
    expect(res.status).toBe(201);
  }
  type Page = { nextPageKey: string | null; apiTokens: { id: string }[] };
  const first = (await (
    await fetch(`${bin.ready.apiBase}/apiTokens?pageSize=100&sort=name`, { headers: auth })
  ).json()) as Page;
  expect(first.apiTokens).toHaveLength(100);
  expect(first.nextPageKey).toEqual(expect.any(String));
  const res = await fetch(
    `${bin.ready.apiBase}/apiTokens?nextPageKey=${encodeURIComponent(first.nextPageKey!)}`,
    { headers: auth },
  );
  expect(res.status).toBe(200);
  const second = (await res.json()) as Page;
  const ids = new Set([...first.apiTokens, ...second.apiTokens].map((token) => token.id));
  expect(ids.size).toBe(102); // the 101 tokens and the bootstrap token, none twice
  expect(second.nextPageKey).toBeNull();
});
