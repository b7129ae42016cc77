/** `dt-tokens sandbox` (the embedded dt-tokens-sandbox) and `dt-tokens scopes`. */
import { spawn } from "node:child_process";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { describe, expect, it } from "vitest";
import { BIN, knowSecrets, run, useSandbox } from "./helpers.js";

useSandbox();

describe("sandbox", () => {
  it("starts the sandbox with the same flags, serves the CLI, and stops cleanly on SIGTERM", async () => {
    const bootstrap = generateTokenSecret();
    knowSecrets(bootstrap);
    const child = spawn(
      process.execPath,
      [BIN, "sandbox", "--port", "0", "--db", ":memory:", "--seed-demo", "40", "--quiet"],
      {
        env: { PATH: process.env.PATH, DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    while (!out.includes("\n")) {
      if (child.exitCode !== null) throw new Error(`the sandbox exited: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ready = JSON.parse(out.split("\n")[0]!);
    // the bootstrap token was given, so it is not printed; the platform credentials were generated
    expect(Object.keys(ready).sort()).toEqual([
      "accountUrn",
      "apiBase",
      "environmentId",
      "oauthClientId",
      "oauthClientSecret",
      "platformBase",
      "platformToken",
      "tokenUrl",
      "url",
    ]);
    expect(out).not.toContain(bootstrap);
    expect(err).toBe("dt-tokens sandbox: seeded 40 tokens, 7 ActiveGate tokens and 4 ActiveGates.\n");
    const list = await run(undefined, ["list", "-o", "ndjson"], {
      env: { DT_ENV_URL: ready.url, DT_API_TOKEN: bootstrap },
    });
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split("\n")).toHaveLength(41);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out.trimEnd().split("\n")).toHaveLength(1);
  });

  it("--help shows the sandbox flags under the dt-tokens name, with examples", async () => {
    const r = await run(undefined, ["sandbox", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dt-tokens sandbox \[options\]/);
    for (const flag of ["--port", "--db", "--seed-demo", "--throttle-rps", "--fault-error-rate", "--quiet"])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain("dt-tokens-sandbox");
  });

  it("bad flags are a usage error (exit 2)", async () => {
    const r = await run(undefined, ["sandbox", "--port", "high"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      "dt-tokens sandbox: --port must be a port from 0 to 65535, got 'high'.",
    );
    const unknown = await run(undefined, ["sandbox", "--colour"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toMatch(/^dt-tokens sandbox: Unknown option '--colour'/);
  });
});

describe("scopes", () => {
  it("lists the assignable scopes offline, marking the broad ones; --legacy adds the legacy ones", async () => {
    const r = await run(undefined, ["scopes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SCOPE +NOTE\n/);
    expect(r.stdout).toMatch(/^apiTokens\.write +broad write \(audit: high\)$/m);
    expect(r.stdout).toMatch(/^metrics\.read$/m);
    expect(r.stdout).not.toContain("ViewDashboard");
    const json = JSON.parse((await run(undefined, ["scopes", "--legacy", "-o", "json"])).stdout);
    expect(json).toHaveLength(97);
    expect(json).toContainEqual({ scope: "ViewDashboard", assignable: false, broad: false });
  });
});
