import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BOOTSTRAP_ENV,
  DEFAULT_DATABASE,
  OAUTH_CLIENT_SECRET_ENV,
  PLATFORM_TOKEN_ENV,
  parseSandboxArgs,
  runSandboxCli,
  UsageError,
} from "../src/cli.js";
import { generateTokenSecret } from "../src/index.js";
import { api } from "./helpers.js";
import { startBin } from "./process.js";

const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseSandboxArgs", () => {
  it("has the documented defaults", () => {
    expect(parseSandboxArgs([], {})).toEqual({
      sandbox: { host: "127.0.0.1", port: 0, database: DEFAULT_DATABASE, log: true },
    });
  });

  it("reads every flag", () => {
    const token = generateTokenSecret();
    const parsed = parseSandboxArgs(
      [
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
        "--db",
        ":memory:",
        "--bootstrap-token",
        token,
        "--seed-demo",
        "300",
        "--demo-seed",
        "7",
        "--seed-file",
        "x.json",
        "--cors-origin",
        "http://localhost:5173",
        "--cors-origin",
        "https://dash.example.com",
        "--throttle-rps",
        "5",
        "--throttle-burst",
        "10",
        "--fault-seed",
        "3",
        "--fault-error-rate",
        "0.1",
        "--fault-drop-rate",
        "0.05",
        "--fault-latency-ms",
        "10-50",
        "--quiet",
      ],
      {},
    );
    expect(parsed).toEqual({
      sandbox: {
        host: "0.0.0.0",
        port: 8080,
        database: ":memory:",
        log: false,
        bootstrapToken: token,
        cors: { origins: ["http://localhost:5173", "https://dash.example.com"] },
        throttle: { requestsPerSecond: 5, burst: 10 },
        faults: { seed: 3, errorRate: 0.1, dropRate: 0.05, latencyMs: [10, 50] },
      },
      seedDemo: { count: 300, seed: 7 },
      seedFile: "x.json",
    });
  });

  it(`takes the bootstrap token from ${BOOTSTRAP_ENV}; the flag wins`, () => {
    const a = generateTokenSecret();
    const b = generateTokenSecret();
    expect(parseSandboxArgs([], { [BOOTSTRAP_ENV]: a })).toMatchObject({ sandbox: { bootstrapToken: a } });
    expect(parseSandboxArgs(["--bootstrap-token", b], { [BOOTSTRAP_ENV]: a })).toMatchObject({
      sandbox: { bootstrapToken: b },
    });
    expect(parseSandboxArgs(["--cors-origin", "*"], {})).toMatchObject({
      sandbox: { cors: { origins: "*" } },
    });
    expect(parseSandboxArgs(["--help"], {})).toBe("help");
  });

  it.each([
    [["--port", "70000"], /--port/],
    [["--port", "abc"], /--port/],
    [["--bootstrap-token", "nope"], /bootstrap token/],
    [["--fault-error-rate", "2"], /--fault-error-rate/],
    [["--fault-latency-ms", "50-10"], /--fault-latency-ms/],
    [["--throttle-rps", "0"], /--throttle-rps/],
    [["--throttle-burst", "3"], /--throttle-burst needs/],
    [["--seed-demo", "-1"], /--seed-demo/],
    [["--unknown"], /Unknown option/],
    [["positional"], /positional/i],
  ])("rejects %j with a UsageError", (argv, message) => {
    expect(() => parseSandboxArgs(argv, {})).toThrow(UsageError);
    expect(() => parseSandboxArgs(argv, {})).toThrow(message);
  });

  it("never echoes a bad bootstrap token", () => {
    const secretish = `dt0c01.${"A".repeat(24)}.${"b".repeat(64)}`;
    expect(() => parseSandboxArgs(["--bootstrap-token", secretish], {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("b".repeat(64)) }),
    );
  });
});

describe("runSandboxCli (embeddable)", () => {
  function capture() {
    let text = "";
    return {
      write: (t: string) => {
        text += t;
        return true;
      },
      text: () => text,
    };
  }

  it("prints one JSON line with the generated bootstrap token and stops on abort", async () => {
    const out = capture();
    const err = capture();
    const controller = new AbortController();
    let url = "";
    const done = runSandboxCli(["--db", ":memory:", "--quiet", "--seed-demo", "20"], {
      env: {},
      stdout: out,
      stderr: err,
      signal: controller.signal,
      handleSignals: false,
      onReady: async (sandbox) => {
        url = sandbox.url;
        controller.abort();
      },
    });
    expect(await done).toBe(0);
    const lines = out.text().trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(Object.keys(line)).toEqual([
      "url",
      "environmentId",
      "apiBase",
      "platformBase",
      "tokenUrl",
      "accountUrn",
      "bootstrapToken",
      "platformToken",
      "oauthClientId",
      "oauthClientSecret",
    ]);
    expect(line.platformBase).toBe(`${url}/platform/classic/environment-api/v2`);
    expect(line.tokenUrl).toBe(`${url}/sso/oauth2/token`);
    expect(line.platformToken).toMatch(/^dt0s16\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/);
    expect(line.oauthClientSecret.startsWith(`${line.oauthClientId}.`)).toBe(true);
    expect(line.url).toBe(url);
    expect(line.apiBase).toBe(`${url}/api/v2`);
    expect(err.text()).toContain("seeded 20 tokens");
  });

  it("does not print a bootstrap token it was given", async () => {
    const out = capture();
    const token = generateTokenSecret();
    const controller = new AbortController();
    const platformToken = `dt0s16.ABCDEFGH.${"P".repeat(64)}`;
    const clientSecret = `dt0s02.ABCDEFGH.${"S".repeat(64)}`;
    const code = await runSandboxCli(["--db", ":memory:", "--quiet"], {
      env: {
        [BOOTSTRAP_ENV]: token,
        [PLATFORM_TOKEN_ENV]: platformToken,
        [OAUTH_CLIENT_SECRET_ENV]: clientSecret,
      },
      stdout: out,
      stderr: capture(),
      signal: controller.signal,
      handleSignals: false,
      onReady: () => controller.abort(),
    });
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(out.text()))).toEqual([
      "url",
      "environmentId",
      "apiBase",
      "platformBase",
      "tokenUrl",
      "accountUrn",
    ]);
    expect(out.text()).not.toContain(token.slice(32));
    expect(out.text()).not.toContain(platformToken.slice(16));
    expect(out.text()).not.toContain(clientSecret.slice(16));
  });

  it("answers 2 with usage for bad flags and 0 with help", async () => {
    const err = capture();
    expect(await runSandboxCli(["--port", "x"], { stderr: err, stdout: capture(), env: {} })).toBe(2);
    expect(err.text()).toContain("Usage: dt-tokens-sandbox");
    const out = capture();
    expect(await runSandboxCli(["--help"], { stdout: out, env: {} })).toBe(0);
    expect(out.text()).toContain("--seed-demo");
  });

  it("answers 2 for an unreadable seed file and seeds a valid one", async () => {
    expect(
      await runSandboxCli(["--db", ":memory:", "--seed-file", join(dir, "missing.json")], {
        stderr: capture(),
        stdout: capture(),
        env: {},
      }),
    ).toBe(2);
    const file = join(dir, "seed.json");
    writeFileSync(file, JSON.stringify([{ name: "from-file", owner: "erin", scopes: ["metrics.read"] }]));
    const controller = new AbortController();
    let count = 0;
    await runSandboxCli(["--db", ":memory:", "--quiet", "--seed-file", file], {
      env: {},
      stdout: capture(),
      stderr: capture(),
      signal: controller.signal,
      handleSignals: false,
      onReady: (s) => {
        count = s.tokenCount();
        controller.abort();
      },
    });
    expect(count).toBe(2);
  });
});

describe("the dt-tokens-sandbox bin", () => {
  it("starts on a free port, answers, logs requests without secrets and stops cleanly on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const db = join(dir, `bin-${signal}.db`);
      const bin = await startBin(["--db", db, "--seed-demo", "30"]);
      expect(bin.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = bin.ready.bootstrapToken!;
      expect(token).toMatch(/^dt0c01\./);
      const created = (
        await api(bin.ready, "POST", "/apiTokens", {
          token,
          body: { name: "via-bin", scopes: ["metrics.read"] },
        })
      ).body as { id: string; token: string };
      expect((await api(bin.ready, "DELETE", `/apiTokens/${created.token}`, { token })).status).toBe(204);
      const list = await api(bin.ready, "GET", `/apiTokens?api-token=${token}`);
      expect(list.body.totalCount).toBe(31);
      bin.child.kill(signal);
      expect(await bin.exit).toEqual({ code: 0, signal: null });
      const log = bin.stderr();
      expect(log).toContain('"method":"DELETE"');
      expect(log).toContain(`"tokenId":"${token.slice(0, 31)}"`);
      expect(log).not.toContain(token.slice(32));
      expect(log).not.toContain(created.token.slice(32));
      expect(bin.stdout().trim().split("\n")).toHaveLength(1);
    }
  });

  it("keeps its data across restarts and prints no token when the database already has tokens", async () => {
    const db = join(dir, "restart.db");
    const first = await startBin(["--db", db, "--quiet", "--seed-demo", "10"]);
    const token = first.ready.bootstrapToken!;
    first.child.kill("SIGTERM");
    await first.exit;
    const second = await startBin(["--db", db, "--quiet", "--seed-demo", "10"]);
    expect(second.ready.bootstrapToken).toBeUndefined();
    const list = await api(second.ready, "GET", `/apiTokens?api-token=${token}`);
    expect(list.body.totalCount).toBe(11);
    expect(second.stderr()).toContain("not seeding");
    second.child.kill("SIGTERM");
    expect((await second.exit).code).toBe(0);
  });

  it("exits 1 with a message when the port is taken", async () => {
    const first = await startBin(["--db", ":memory:", "--quiet"]);
    const port = new URL(first.ready.url).port;
    try {
      await expect(startBin(["--db", ":memory:", "--quiet", "--port", port])).rejects.toThrow(
        /exited \(1\).*cannot start/s,
      );
    } finally {
      first.child.kill("SIGTERM");
      await first.exit;
    }
  });
});
