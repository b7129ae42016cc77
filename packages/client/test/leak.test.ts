// locate and contain (@dt-tokens/client/leak) against a sandbox hosting several environments, and a
// node:http server for an environment that cannot be asked: the leaked secret is confirmed only
// where its id exists, never authenticates, and its last use stays as it was.
import { type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createApiTokensClient } from "../src/index.js";
import { contain, type LeakEnvironment, locate, locateById } from "../src/leak.js";
import { makeSecret, startServer, type TestServer } from "./helpers.js";

let sandbox: Sandbox;
let broken: TestServer;
/** Every request the environments' clients sent: which environment, which path, whether it carried the secret. */
const sent: { environment: string; path: string; body: string }[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({
    host: "127.0.0.1",
    port: 0,
    database: ":memory:",
    environments: 3,
  });
  broken = await startServer((_req, res) => {
    res.statusCode = 503;
    res.end("{}");
  });
});
afterAll(async () => {
  await sandbox?.close();
  await broken?.close();
});
beforeEach(() => {
  for (const e of sandbox.environments) e.reset();
  sent.length = 0;
});

/** A fetch that records what it sends and sends it (the requests are real). */
const recording =
  (environment: string): typeof fetch =>
  async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    sent.push({ environment, path: new URL(request.url).pathname, body });
    return fetch(request);
  };

const environments = (): LeakEnvironment[] =>
  sandbox.environments.map((e) => ({
    name: e.id,
    apiTokens: createApiTokensClient({
      environmentUrl: e.url,
      token: e.bootstrapToken!,
      maxRetries: 0,
      fetch: recording(e.id),
    }),
  }));

describe("locate", () => {
  test("finds a leaked API token in the environment that holds it, confirms it, and leaves its last use alone", async () => {
    const env2 = sandbox.environments[1]!;
    const [leaked] = env2.seed([
      { name: "ci", scopes: ["metrics.read"], lastUsedDate: "now-2d", lastUsedIpAddress: "203.0.113.7" },
    ]);
    const answers: string[] = [];
    const location = await locate(leaked!.token, environments(), {
      onAnswer: (a) => answers.push(`${a.environment}:${a.status}`),
    });
    expect(location).toMatchObject({ kind: "api-token", id: leaked!.id, status: "located" });
    expect(location.answers.map((a) => [a.environment, a.status])).toEqual([
      ["env01", "absent"],
      ["env02", "found"],
      ["env03", "absent"],
    ]);
    const found = location.answers[1]!;
    expect(found.status === "found" && found.token).toMatchObject({
      id: leaked!.id,
      name: "ci",
      lastUsedIpAddress: "203.0.113.7",
    });
    expect(answers.sort()).toEqual(["env01:absent", "env02:found", "env03:absent"]);
    // asked by id everywhere; the secret went to env02 only, in a lookup body
    expect(
      sent
        .filter((r) => r.path.endsWith(`/apiTokens/${leaked!.id}`))
        .map((r) => r.environment)
        .sort(),
    ).toEqual(["env01", "env02", "env03"]);
    const carried = sent.filter((r) => r.body.includes(leaked!.token.split(".")[2]!));
    expect(carried.map((r) => [r.environment, r.path])).toEqual([
      ["env02", "/e/env02/api/v2/apiTokens/lookup"],
    ]);
    // never authenticated: its last use is what it was
    const after = await createApiTokensClient({ environmentUrl: env2.url, token: env2.bootstrapToken! }).get(
      leaked!.id,
    );
    expect(after.lastUsedDate).toBe(leaked!.lastUsedDate);
    expect(after.lastUsedIpAddress).toBe("203.0.113.7");
  });

  test("a real id with a made-up private part is a mismatch, not found", async () => {
    const [token] = sandbox.environments[0]!.seed([{ name: "x", scopes: ["metrics.read"] }]);
    const forged = `${token!.id}.${makeSecret().privatePart}`;
    const location = await locate(forged, environments());
    expect(location.answers.map((a) => a.status)).toEqual(["mismatch", "absent", "absent"]);
  });

  test("an environment that cannot be asked is a failed answer; the others are still asked", async () => {
    const [leaked] = sandbox.environments[2]!.seed([{ name: "y", scopes: ["metrics.read"] }]);
    const location = await locate(leaked!.token, [
      {
        name: "down",
        apiTokens: createApiTokensClient({
          environmentUrl: broken.url,
          token: makeSecret().secret,
          maxRetries: 0,
        }),
      },
      {
        name: "no-credential",
        apiTokens: () => {
          throw new Error("the credential could not be read");
        },
      },
      ...environments(),
    ]);
    expect(location.answers.map((a) => [a.environment, a.status])).toEqual([
      ["down", "failed"],
      ["no-credential", "failed"],
      ["env01", "absent"],
      ["env02", "absent"],
      ["env03", "found"],
    ]);
  });

  test.each([
    ["a platform token", `dt0s16.${"A".repeat(8)}.${"B".repeat(64)}`, "platform-token", "account"],
    ["an OAuth client secret", `dt0s02.${"A".repeat(8)}.${"B".repeat(64)}`, "oauth-client-secret", "account"],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "jwt", "account"],
    [
      "an ActiveGate token (not yet)",
      `dt0g02.${"A".repeat(8)}.${"B".repeat(64)}`,
      "activegate-token",
      "unsupported",
    ],
    ["not a secret", "hello", "unknown", "unrecognized"],
  ])("%s: no environment is asked", async (_, secret, kind, status) => {
    const before = broken.requests.length;
    const location = await locate(secret, [
      {
        name: "down",
        apiTokens: createApiTokensClient({ environmentUrl: broken.url, token: makeSecret().secret }),
      },
    ]);
    expect(location).toMatchObject({ kind, status, answers: [] });
    expect(broken.requests.length).toBe(before);
  });
});

describe("locateById", () => {
  test("asks by id only: present (with its metadata), absent, failed; no secret is sent", async () => {
    const [token] = sandbox.environments[2]!.seed([{ name: "z", scopes: ["metrics.read"], enabled: false }]);
    const answers = await locateById(token!.id, [
      ...environments(),
      {
        name: "down",
        apiTokens: createApiTokensClient({
          environmentUrl: broken.url,
          token: makeSecret().secret,
          maxRetries: 0,
        }),
      },
    ]);
    expect(answers.map((a) => [a.environment, a.status])).toEqual([
      ["env01", "absent"],
      ["env02", "absent"],
      ["env03", "present"],
      ["down", "failed"],
    ]);
    expect(answers[2]!.status === "present" && answers[2]!.token).toMatchObject({
      name: "z",
      enabled: false,
    });
    expect(sent.some((r) => r.body.includes(token!.token.split(".")[2]!))).toBe(false);
    expect(sent.some((r) => r.path.endsWith("/lookup"))).toBe(false);
  });
});

describe("contain", () => {
  test("disables by default (the token stays), deletes when asked, reports a failure without throwing", async () => {
    const env = sandbox.environments[0]!;
    const [a, b, c] = env.seed([
      { name: "a", scopes: ["metrics.read"] },
      { name: "b", scopes: ["metrics.read"] },
      { name: "c", scopes: ["metrics.read"], enabled: false },
    ]);
    const [target] = environments();
    const admin = createApiTokensClient({ environmentUrl: env.url, token: env.bootstrapToken! });

    const disabled = await contain(target!, { id: a!.id, enabled: true });
    expect(disabled).toMatchObject({ environment: "env01", id: a!.id, action: "disable", status: "done" });
    expect(Date.parse(disabled.at)).not.toBeNaN();
    expect((await admin.get(a!.id)).enabled).toBe(false);

    expect(await contain(target!, { id: c!.id, enabled: false })).toMatchObject({ status: "already" });

    expect(await contain(target!, { id: b!.id, enabled: true }, { action: "delete" })).toMatchObject({
      action: "delete",
      status: "done",
    });
    await expect(admin.get(b!.id)).rejects.toThrow(/not found|No token/i);

    const failed = await contain(
      {
        name: "down",
        apiTokens: createApiTokensClient({
          environmentUrl: broken.url,
          token: makeSecret().secret,
          maxRetries: 0,
        }),
      },
      { id: a!.id, enabled: true },
    );
    expect(failed.status).toBe("failed");
    expect(failed.error).toBeInstanceOf(Error);
  });
});

test("@dt-tokens/client/leak bundles for a browser (no node: imports) and stays small", async () => {
  const { build } = await import("esbuild");
  const { fileURLToPath } = await import("node:url");
  const { gzipSync } = await import("node:zlib");
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../dist/leak.js", import.meta.url))],
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/["']node:/);
  const size = gzipSync(code).length;
  console.log(`size: @dt-tokens/client/leak ${size} B (min+gzip, with the errors it uses)`);
  expect(size).toBeLessThan(4_000);
});
