/**
 * Slow paths are not silent: on a terminal (or with --show-retries) each retry is a line on stderr
 * as it happens, saying which attempt comes next, after what wait, and the time budget; piped, and
 * without the flag, nothing extra. Against a node:http server on 127.0.0.1 that answers 503 twice.
 */
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeApi } from "./child.js";
import { knowSecrets, leaks, plain, type RunOptions, run } from "./helpers.js";

const TOKEN = generateTokenSecret();
knowSecrets(TOKEN);
let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi();
});
afterAll(() => api?.close());

/** `list` against the fake API: two 503s, then an empty page. */
async function listThroughTwo503s(args: string[], options: RunOptions = {}) {
  const result = run(undefined, ["list", ...args], {
    ...options,
    env: { DT_ENV_URL: api.url, DT_API_TOKEN: TOKEN, ...options.env },
  });
  (await api.next()).respond(503, { error: { code: 503, message: "busy" } });
  (await api.next()).respond(503, { error: { code: 503, message: "busy" } });
  (await api.next()).respond(200, { totalCount: 0, pageSize: 200, apiTokens: [] });
  const r = await result;
  expect(leaks(r.stdout + r.stderr)).toEqual([]);
  return r;
}

const retryLines = (text: string) =>
  plain(text)
    .split("\n")
    .filter((l) => l.startsWith("retrying "));

describe("retries as they happen", () => {
  it("on a terminal: one line per retry with the attempt, the wait and the budget", async () => {
    const r = await listThroughTwo503s([], { tty: true });
    expect(r.code).toBe(0);
    const host = new URL(api.url).host;
    const lines = retryLines(r.stdout); // a terminal run merges stdout and stderr
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^retrying GET ${host.replace(/\./g, "\\.")} \\(503\\): attempt 2 of 3 in [\\d.]+ s; each attempt waits up to 30 s, 2 min in all at most$`,
      ),
    );
    expect(lines[1]).toMatch(/: attempt 3 of 3 in /);
  });

  it("piped: nothing extra on stderr; --show-retries shows them there too", async () => {
    const quiet = await listThroughTwo503s(["-o", "json"]);
    expect([quiet.code, quiet.stdout.trim(), retryLines(quiet.stderr)]).toEqual([0, "[]", []]);
    const shown = await listThroughTwo503s(["-o", "json", "--show-retries"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.trim()).toBe("[]");
    expect(retryLines(shown.stderr).map((l) => l.replace(/ in [\d.]+ s;.*/, ""))).toEqual([
      `retrying GET ${new URL(api.url).host} (503): attempt 2 of 3`,
      `retrying GET ${new URL(api.url).host} (503): attempt 3 of 3`,
    ]);
  });
});
