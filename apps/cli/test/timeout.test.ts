/**
 * --timeout and an environment's `timeout` in the config file: how long each attempt waits for an
 * answer (flag > config file > default), and the final message saying the total wait, against a
 * node:http server on 127.0.0.1 that never answers. Timeouts of 1-2 s keep the runs short.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/errors.js";
import { knowSecrets, leaks, run } from "./helpers.js";

const TOKEN = generateTokenSecret();
knowSecrets(TOKEN);
const dir = mkdtempSync(join(tmpdir(), "dt-tokens-timeout-"));

let server: Server;
let url = "";
let requests = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  // Takes every request and never answers.
  server = createServer(() => {
    requests++;
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

/** A config file with environments named by their timeout (undefined: none set). */
function configWith(environments: Record<string, string | undefined>): string {
  const path = join(dir, `config-${Object.keys(environments).join("-")}.yaml`);
  const entries = Object.entries(environments).map(
    ([name, timeout]) =>
      `  ${name}:\n    url: ${url}\n    apiToken: env:DT_TEST_TOKEN\n${timeout ? `    timeout: ${timeout}\n` : ""}`,
  );
  writeFileSync(path, `environments:\n${entries.join("")}`);
  chmodSync(path, 0o600);
  return path;
}

const direct = (args: string[]) => run(undefined, args, { env: { DT_ENV_URL: url, DT_API_TOKEN: TOKEN } });
const withConfig = (config: string, args: string[]) =>
  run(undefined, args, { env: { DT_TOKENS_CONFIG: config, DT_TEST_TOKEN: TOKEN } });

/** The "N attempts of X s each, T in all" of the final message, with T in seconds. */
function waited(stderr: string): { attempts: number; each: string; totalS: number } | undefined {
  const m = /: (\d+) attempts? of ([\d.]+ s)(?: each)?, (?:(\d+) min ?)?(?:([\d.]+) s)? in all/.exec(stderr);
  if (!m) return undefined;
  return { attempts: Number(m[1]), each: m[2]!, totalS: Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0) };
}

describe("--timeout and the config file's timeout", () => {
  it("--timeout 1s: three attempts of 1 s, and the message says the total wait", async () => {
    const before = requests;
    const r = await direct(["--timeout", "1s", "list", "-o", "json"]);
    expect(r.code).toBe(EXIT.api);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: no answer from .+: 3 attempts of 1 s each, [\d.]+ s in all\n/);
    // The total covers the three attempts (and the waits between them); no upper bound (loaded machine).
    expect(waited(r.stderr)).toMatchObject({ attempts: 3, each: "1 s" });
    expect(waited(r.stderr)!.totalS).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toContain("hint: --timeout (or the environment's timeout in the config file)");
    expect(r.stderr).not.toMatch(/\d{4,} ms/);
    expect(requests - before).toBe(3);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  }, 60_000);

  it("an environment's timeout in the config file applies to it", async () => {
    const r = await withConfig(configWith({ slow: "1s" }), [
      "--env",
      "slow",
      "get",
      "dt0c01.ST2EY72KQINMH574WMNVI7YN",
    ]);
    expect(r.code).toBe(EXIT.api);
    expect(waited(r.stderr)).toMatchObject({ attempts: 3, each: "1 s" });
  }, 60_000);

  it("the flag wins over the config file (1h there, 1s on the command line)", async () => {
    const r = await withConfig(configWith({ patient: "1h" }), [
      "--env",
      "patient",
      "--timeout",
      "1s",
      "list",
    ]);
    expect(r.code).toBe(EXIT.api);
    expect(waited(r.stderr)).toMatchObject({ attempts: 3, each: "1 s" });
  }, 60_000);

  it("a fleet: each environment waits its own timeout", async () => {
    const config = configWith({ one: "1s", two: "2s" });
    const r = await withConfig(config, ["list", "--env", "one,two", "-o", "json"]);
    expect(r.code).not.toBe(0);
    const reasons = plainLines(r.stderr);
    expect(reasons.find((l) => l.includes("one"))).toMatch(/3 attempts of 1 s each/);
    expect(reasons.find((l) => l.includes("two"))).toMatch(/3 attempts of 2 s each/);
    // And --timeout wins for every one of them.
    const flagged = await withConfig(config, ["list", "--env", "one,two", "--timeout", "1s", "-o", "json"]);
    expect(plainLines(flagged.stderr).filter((l) => /3 attempts of 1 s each/.test(l))).toHaveLength(2);
  }, 90_000);
});

const plainLines = (text: string) => text.split("\n").filter((l) => /attempts? of/.test(l));

describe("bad values are refused, naming what is accepted", () => {
  it("--timeout that is not a duration, zero, or longer than a timer can wait", async () => {
    for (const [value, says] of [
      ["30", /--timeout: "30" is not a duration; expected .*90s.*1d12h/],
      ["soon", /--timeout: "soon" is not a duration; expected /],
      ["0s", /--timeout: "0s" is zero; expected a duration longer than that/],
      ["30d", /--timeout: "30d" is longer than a timer can wait; at most \d+h/],
    ] as const) {
      const r = await direct(["--timeout", value, "list"]);
      expect([value, r.code]).toEqual([value, EXIT.usage]);
      expect(r.stderr).toMatch(says);
    }
    expect(requests).toBeGreaterThanOrEqual(0);
  });

  it("a timeout in the config file that is not a duration: the file's line and what is accepted", async () => {
    const config = join(dir, "bad.yaml");
    writeFileSync(
      config,
      `environments:\n  prod:\n    url: ${url}\n    apiToken: env:DT_TEST_TOKEN\n    timeout: 30\n`,
    );
    chmodSync(config, 0o600);
    const r = await withConfig(config, ["--env", "prod", "list"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(
      /bad\.yaml:5:\d+: environments\.prod\.timeout: expected how long each attempt waits for an answer, a duration: .*90s/,
    );
  });

  it("env add --timeout keeps a duration in the file and refuses anything else", async () => {
    const config = join(dir, "added.yaml");
    const add = (timeout: string) =>
      run(
        undefined,
        ["env", "add", "prod", "--url", url, "--api-token-ref", "env:X", "--timeout", timeout, "--force"],
        {
          env: { DT_TOKENS_CONFIG: config },
        },
      );
    expect((await add("2m")).code).toBe(0);
    expect(readFileSync(config, "utf8")).toMatch(/\n {4}timeout: 2m\n/);
    const bad = await add("2 minutes");
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--timeout: "2 minutes" is not a duration; expected /);
    expect(readFileSync(config, "utf8")).toMatch(/timeout: 2m/);
  });
});
