/**
 * doctor prints each check as it finishes: while the environment has not answered yet, the checks
 * done before (URL, credential, scheme) are already on stdout. Against a node:http server on
 * 127.0.0.1 that holds the request until the test has seen them.
 */
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeApi, startCli } from "./child.js";
import { knowSecrets, leaks, NO_CONFIG } from "./helpers.js";

const TOKEN = generateTokenSecret();
knowSecrets(TOKEN);
let api: Awaited<ReturnType<typeof fakeApi>>;
beforeAll(async () => {
  api = await fakeApi();
});
afterAll(() => api?.close());

it("each check is on stdout as it finishes, before the environment answers", async () => {
  const cli = startCli(["doctor", "--no-color"], {
    DT_ENV_URL: api.url,
    DT_API_TOKEN: TOKEN,
    DT_TOKENS_CONFIG: NO_CONFIG,
  });
  const held = await api.next(); // the environment is asked: the first three checks are done
  for (let i = 0; i < 200 && !cli.stdout().includes("scheme fits the URL"); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const before = cli.stdout();
  expect(
    before
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(0, 22).trim()),
  ).toEqual(["✓ environment URL", "✓ credential", "✓ scheme fits the URL"]);
  expect(before).not.toContain("reachable");
  held.respond(401, { error: { code: 401, message: "Token Authentication failed." } });
  // Any further request (there should be none after a 401) is refused the same way.
  void api
    .next()
    .then((r) => r.respond(401, { error: { code: 401, message: "Token Authentication failed." } }));
  expect(await cli.exit).toBe(9);
  const after = cli.stdout();
  expect(after.startsWith(before)).toBe(true);
  expect(after).toMatch(/✗ credential accepted/);
  expect(after).toMatch(/^- read scope/m);
  expect(after).toContain("Not ready (exit status 9");
  expect(leaks(after + cli.stderr())).toEqual([]);
});
