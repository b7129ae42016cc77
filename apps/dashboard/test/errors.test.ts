/**
 * The plain-words messages, for real errors thrown by @dt-tokens/client against a real sandbox
 * (in Node here; the browser tests show the same messages on the page).
 */
import { createApiTokensClient } from "@dt-tokens/client";
import { generateTokenSecret, type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { describeError } from "../src/errors.js";
import { connect } from "../src/session.js";
import { closedPort } from "./harness.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.setThrottle(undefined);
  sandbox.setFaults(undefined);
});

const client = (token: string, environmentUrl = sandbox.url) =>
  createApiTokensClient({ environmentUrl, token, maxRetries: 0, timeoutMs: 5_000 });

/** What the page would show for the error the call throws; never a secret in it. */
async function shown(call: () => Promise<unknown>, what?: string) {
  const error = await call().then(
    () => expect.unreachable("the call should fail"),
    (e: unknown) => e,
  );
  const problem = describeError(error, what);
  expect(JSON.stringify(problem)).not.toMatch(/dt0c01\.\w+\.\w{20}/);
  return `${problem.title} ${problem.detail}`;
}

describe("describeError", () => {
  test("wrong, disabled and expired tokens", async () => {
    expect(await shown(() => client(generateTokenSecret()).list())).toMatch(
      /^The environment rejected the token\. .*Token Authentication failed\./,
    );
    const [off, old] = sandbox.seed([
      { name: "off", enabled: false, scopes: ["apiTokens.read"] },
      { name: "old", expirationDate: "now-1d", scopes: ["apiTokens.read"] },
    ]);
    expect(await shown(() => client(off!.token).list())).toContain("Token is disabled.");
    expect(await shown(() => client(old!.token).list())).toContain("Token is expired.");
  });

  test("a missing scope names the scope", async () => {
    const [reader] = sandbox.seed([{ name: "reader", scopes: ["apiTokens.read"] }]);
    const [metrics] = sandbox.seed([{ name: "metrics", scopes: ["metrics.read"] }]);
    expect(await shown(() => client(metrics!.token).list())).toMatch(
      /^The token is missing a permission: it needs the scope apiTokens\.read\./,
    );
    expect(await shown(() => client(reader!.token).update(reader!.id, { name: "x" }))).toMatch(
      /needs the scope apiTokens\.write\./,
    );
  });

  test("throttled: says how long to wait", async () => {
    sandbox.setThrottle({ requestsPerSecond: 0.2, burst: 1 });
    const dt = client(sandbox.bootstrapToken!);
    await dt.list();
    expect(await shown(() => dt.list())).toMatch(
      /^The environment is throttling requests.* Wait \d+ seconds/,
    );
  });

  test("server errors, missing tokens and refused changes", async () => {
    const dt = client(sandbox.bootstrapToken!);
    expect(await shown(() => dt.get("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA"))).toMatch(
      /^That token no longer exists\./,
    );
    const self = await dt.lookup(sandbox.bootstrapToken!);
    expect(await shown(() => dt.update(self.id, { enabled: false }), "Disabling the token")).toMatch(
      /^Disabling the token was refused by the environment\. The server said: “.+”/,
    );
    sandbox.setFaults({ errorRate: 1, errorStatuses: [500] });
    expect(await shown(() => dt.list())).toMatch(/^The environment had an internal error\./);
  });

  test("unreachable environments and bad input", async () => {
    const port = await closedPort();
    expect(await shown(() => client("dt0c01.X.Y", `http://127.0.0.1:${port}`).list())).toMatch(
      /^The environment could not be reached\..*CORS/,
    );
    expect(await shown(async () => client("x", "https://abc.live.dynatrace.com/ui/apps"))).toMatch(
      /^That environment URL is not one Dynatrace uses\./,
    );
    expect(await shown(async () => client("Api-Token abc"))).toMatch(
      /^That does not look like an API token\./,
    );
    expect(await shown(() => client(sandbox.bootstrapToken!).lookup("two words"))).toMatch(
      /^That does not look like an API token\./,
    );
  });

  test("a token whose scheme the URL does not take: refused before sending, naming the URL to use", async () => {
    // Nothing listens at these hosts: the refusal must come before any request.
    const platformToken = sandbox.platformToken!;
    const onLive = await shown(() => connect("https://abc12345.live.dynatrace.com", platformToken, false));
    expect(onLive).toMatch(/^A platform token does not work with this URL\./);
    expect(onLive).toContain("use https://abc12345.apps.dynatrace.com");
    const onApps = await shown(() =>
      connect("https://abc12345.apps.dynatrace.com", sandbox.bootstrapToken!, false),
    );
    expect(onApps).toMatch(/^A classic API token does not work with this URL\./);
    expect(onApps).toContain("use https://abc12345.live.dynatrace.com for a classic API token");
    // a sandbox root takes either: the platform token goes to its platform prefix
    const session = await connect(` ${sandbox.url} `, `Bearer ${platformToken}`, false);
    expect(session.client.baseUrl).toBe(sandbox.platformBase);
    expect(session.identity).toEqual({ kind: "platform-token", publicId: platformToken.slice(0, 15) });
    expect(JSON.stringify(session.identity)).not.toContain(platformToken.split(".")[2]);
  });

  test("anything else is still said, with secrets removed", () => {
    const secret = generateTokenSecret();
    const problem = describeError(new Error(`boom with ${secret}`), "Loading");
    expect(problem.title).toBe("Loading failed unexpectedly.");
    expect(problem.detail).not.toContain(secret);
  });
});
