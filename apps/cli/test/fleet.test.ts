/**
 * audit and list over several environments, each a real `dt-tokens-sandbox` process: healthy ones,
 * one killed (down), one throttled past its deadline, one throttled within it, one refusing the
 * credential. The report and the exit status say which failed and why, and no finding of the
 * healthy ones is lost.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  generateTokenSecret,
  type SandboxProcess,
  type SeedToken,
  startSandboxProcess,
} from "@dt-tokens/sandbox";
import { marked } from "marked";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowSecrets, run, useSandbox } from "./helpers.js";

useSandbox(); // the secret check after every test
const dir = mkdtempSync(join(tmpdir(), "dt-tokens-fleet-"));
const config = join(dir, "config.yaml");
const processes: Record<string, SandboxProcess> = {};

const recent = { lastUsedDate: "now-1d", creationDate: "now-400d", scopes: ["metrics.read"] };

/** 150 tokens (with the bootstrap token, two pages of 100), a few of them with findings. */
function tokensOf(env: string): SeedToken[] {
  return [
    { name: `${env}-broad`, ...recent, scopes: ["settings.write"] },
    { name: `${env}-expiring`, ...recent, expirationDate: "now+3d" },
    { name: `${env}-expiring-later`, ...recent, expirationDate: "now+10d" },
    { name: "shared | <b>name</b> [x](http://evil.example)", ...recent, expirationDate: "now-2d" },
    ...Array.from({ length: 146 }, (_, i) => ({
      name: `${env}-clean-${i}`,
      ...recent,
      expirationDate: "now+100d",
    })),
  ];
}

async function start(name: string, flags: string[] = []): Promise<SandboxProcess> {
  const seedFile = join(dir, `${name}.json`);
  writeFileSync(seedFile, JSON.stringify(tokensOf(name)));
  const bootstrap = generateTokenSecret();
  knowSecrets(bootstrap);
  const p = await startSandboxProcess(["--db", ":memory:", "--quiet", "--seed-file", seedFile, ...flags], {
    env: { DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap },
  });
  writeFileSync(join(dir, `${name}.token`), `${bootstrap}\n`, { mode: 0o600 });
  processes[name] = p;
  return p;
}

beforeAll(async () => {
  await Promise.all([
    start("alpha"),
    start("beta"),
    start("down"),
    start("throttled", ["--throttle-rps", "0.05", "--throttle-burst", "1"]),
    start("slow", ["--throttle-rps", "1", "--throttle-burst", "1"]),
    start("refusing"),
  ]);
  // A token this environment does not know: it answers 401.
  const stranger = generateTokenSecret();
  knowSecrets(stranger);
  writeFileSync(join(dir, "refusing.token"), `${stranger}\n`, { mode: 0o600 });
  processes.down!.child.kill("SIGKILL");
  await processes.down!.exit;
  const entries = Object.entries(processes).map(
    ([name, p]) => `  ${name}:\n    url: ${p.ready.url}\n    apiToken: file:${name}.token\n`,
  );
  writeFileSync(config, `environments:\n${entries.join("")}`);
  chmodSync(config, 0o600);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(processes).map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});

const dt = (args: string[]) => run(undefined, args, { env: { DT_TOKENS_CONFIG: config } });

interface Report {
  environments: {
    name: string;
    status: string;
    failure?: string;
    reason?: string;
    tokens?: number;
    findings?: Record<string, number>;
  }[];
  totals: {
    environments: number;
    audited: number;
    failed: number;
    tokens: number;
    findings: Record<string, number>;
  };
  findings: { environment: string; severity: string; check: string; id: string; name: string }[];
}

describe("fleet audit", () => {
  it("audits the healthy environments and reports the down, throttled and refusing ones (exit 4)", async () => {
    const r = await dt([
      "audit",
      "--all-environments",
      "--deadline",
      "8s",
      "--page-size",
      "100",
      "--concurrency",
      "3",
      "-o",
      "json",
    ]);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as Report;
    const byName = Object.fromEntries(report.environments.map((e) => [e.name, e]));
    expect(byName.alpha).toMatchObject({ status: "ok", tokens: 151 });
    expect(byName.beta).toMatchObject({ status: "ok", tokens: 151 });
    // Throttled at 1 request per second: it waits Retry-After within its deadline and completes.
    expect(byName.slow).toMatchObject({ status: "ok", tokens: 151 });
    expect(byName.down).toMatchObject({ status: "failed", failure: "unreachable" });
    expect(byName.down!.reason).toMatch(/^could not connect to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(byName.throttled).toMatchObject({ status: "failed", failure: "throttled" });
    expect(byName.throttled!.reason).toMatch(
      /^throttled \(HTTP 429\): asked to wait \d+ s, past the 8 s deadline \(--deadline\)$/,
    );
    expect(byName.refusing).toMatchObject({ status: "failed", failure: "refused" });
    expect(byName.refusing!.reason).toMatch(/^the credential was refused: .*\(HTTP 401 Unauthorized\)$/);
    expect(report.totals).toMatchObject({ environments: 6, audited: 3, failed: 3, tokens: 453 });

    // No finding of a healthy environment is lost: the same as auditing each alone.
    for (const env of ["alpha", "beta", "slow"]) {
      const alone = await dt(["--env", env, "audit", "-o", "json", "--page-size", "100"]);
      expect(alone.code).toBe(0);
      const expected = (JSON.parse(alone.stdout) as { id: string; check: string }[]).map(
        (f) => `${f.id} ${f.check}`,
      );
      const got = report.findings.filter((f) => f.environment === env).map((f) => `${f.id} ${f.check}`);
      expect(got.sort()).toEqual(expected.sort());
      expect(got.length).toBeGreaterThan(4);
    }

    // The summary on stderr: a row per environment with its reason, the fleet, and the partial error.
    expect(r.stderr).toMatch(/^down +- +- +- +- +failed: could not connect to/m);
    expect(r.stderr).toMatch(/^throttled +- .*failed: throttled \(HTTP 429\)/m);
    expect(r.stderr).toMatch(/^fleet +453 .* 3 of 6 environments audited$/m);
    expect(r.stderr).toContain(
      "error: 3 environments of 6 could not be audited; the report covers the other 3\n",
    );
  }, 120_000);

  it("--fail-on counts across the fleet; a failed environment still makes it partial", async () => {
    const healthy = await dt(["audit", "--env", "alpha,beta", "--fail-on", "high", "-o", "ndjson"]);
    expect(healthy.code).toBe(3);
    expect(healthy.stderr).toContain("error: 4 findings at or above high (--fail-on high)\n");
    const lines = healthy.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(new Set(lines.map((f) => f.environment))).toEqual(new Set(["alpha", "beta"]));

    const withDown = await dt(["audit", "--env", "alpha,down", "--fail-on", "high", "-o", "csv"]);
    expect(withDown.code).toBe(4);
    expect(withDown.stdout.split("\n")[0]).toBe("environment,severity,check,id,name,owner,detail");
    expect(withDown.stderr).toContain("note: and 2 findings at or above high (--fail-on high)\n");

    const allDown = await dt(["audit", "--env", "down,refusing"]);
    expect(allDown.code).toBe(1);
    expect(allDown.stderr).toContain("error: no environment could be audited (2 environments failed)\n");
  }, 60_000);

  it("audit --check expiring --expiring-within 5d is an expiry alert", async () => {
    const r = await dt([
      "audit",
      "--env",
      "alpha,beta",
      "--check",
      "expiring",
      "--expiring-within",
      "5d",
      "-o",
      "json",
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.map((f) => `${f.environment} ${f.name} ${f.check}`).sort()).toEqual([
      "alpha alpha-expiring expiring",
      "beta beta-expiring expiring",
    ]);
    const wider = JSON.parse(
      (
        await dt([
          "audit",
          "--env",
          "alpha,beta",
          "--check",
          "expiring",
          "--expiring-within",
          "2w",
          "-o",
          "json",
        ])
      ).stdout,
    ) as Report;
    expect(wider.findings).toHaveLength(4);
    const both = await dt([
      "audit",
      "--env",
      "alpha,beta",
      "--expiring-within",
      "5d",
      "--expiring-within-days",
      "5",
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "error: --expiring-within-days and --expiring-within are the same setting; give one of them\nnothing was sent.\n",
    );
    const bad = await dt(["audit", "--expiring-within", "14"]);
    expect(bad.stderr).toBe(
      'error: --expiring-within: "14" is not a duration; expected a duration such as 90s, 30m, 24h, 14d or 2w (also combined: 1d12h)\nnothing was sent.\n',
    );
  });

  it("writes a Markdown report for a CI job summary, with names escaped", async () => {
    const r = await dt(["audit", "--env", "alpha,down", "-o", "markdown", "--min-severity", "low"]);
    expect(r.code).toBe(4);
    const md = r.stdout;
    expect(md).toMatch(
      /^## dt-tokens audit\n\n\*\*1 of 2 environments audited\*\* \(1 failed\) · 151 tokens · \d+ findings: 2 high, \d+ medium, \d+ low\n\n/,
    );
    expect(md).toContain(
      "| Environment | Status | Tokens | High | Medium | Low |\n| --- | --- | ---: | ---: | ---: | ---: |\n",
    );
    expect(md).toMatch(/^\| alpha \| ✅ audited \| 151 \| 2 \| \d+ \| \d+ \|$/m);
    expect(md).toMatch(
      /^\| down \| ❌ could not connect to http\\:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.* \| {2}\| {2}\| {2}\| {2}\|$/m,
    );
    expect(md).toMatch(/^\| \*\*fleet\*\* \| 1 of 2 audited \| 151 \| 2 \|/m);
    expect(md).toContain(
      "### Findings (low and above)\n\n| Environment | Severity | Check | Token | Name | Owner | Detail |\n",
    );
    expect(md).toMatch(
      /^\| alpha \| \*\*high\*\* \| broad-write-scope \| `dt0c01\.[A-Z2-7]{24}` \| alpha-broad \| admin \| settings\.write \|$/m,
    );
    // A name is data: no table break, no HTML, no link (not even GFM's links of bare URLs).
    expect(md).toContain("shared \\| &lt;b&gt;name&lt;/b&gt; \\[x\\]\\(http\\://evil.example\\)");
    const html = marked.parse(md, { gfm: true, async: false }) as string;
    expect(html).toContain("<table>");
    expect(html).toContain("shared | &lt;b&gt;name&lt;/b&gt; [x](http://evil.example)");
    expect(html).not.toMatch(/<a |<b>/);
  });
});

describe("fleet list", () => {
  it("lists every environment with an ENVIRONMENT column, and says which could not be listed", async () => {
    const table = await dt(["list", "--env", "alpha,beta,down", "--limit", "2", "--sort", "name"]);
    expect(table.code).toBe(4);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ENVIRONMENT +ID +NAME +OWNER/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(["alpha", "alpha", "beta", "beta"]);
    expect(table.stderr).toMatch(/^alpha +2 +ok$/m);
    expect(table.stderr).toMatch(/^down +- +failed: could not connect to/m);
    expect(table.stderr).toMatch(/^fleet +4 +2 of 3 listed$/m);
    expect(table.stderr).toContain(
      "error: 1 of 3 environments could not be listed; the output covers the other 2\n",
    );

    const ndjson = await dt(["list", "--env", "alpha,beta", "-o", "ndjson", "--page-size", "100"]);
    expect(ndjson.code).toBe(0);
    const tokens = ndjson.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(tokens).toHaveLength(302);
    expect(tokens.filter((t) => t.environment === "beta")).toHaveLength(151);
    expect(Object.keys(tokens[0])[0]).toBe("environment");

    const csv = await dt([
      "list",
      "--env",
      "alpha,beta",
      "-o",
      "csv",
      "--fields",
      "name",
      "--limit",
      "1",
      "--sort",
      "name",
    ]);
    expect(csv.stdout.split("\n")[0]).toBe("environment,id,name");
    const json = JSON.parse((await dt(["list", "--env", "alpha,beta", "-o", "json", "--limit", "1"])).stdout);
    expect(json.map((t: { environment: string }) => t.environment).sort()).toEqual(["alpha", "beta"]);
  });

  it("--name filters every environment, also when the name is not a shown field", async () => {
    const shared = "shared | <b>name</b> [x](http://evil.example)";
    const csv = await dt(["list", "--env", "alpha,beta", "--name", shared, "-o", "csv", "--fields", "owner"]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toBe("environment,id,owner");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[0])
        .sort(),
    ).toEqual(["alpha", "beta"]);
    const table = await dt(["list", "--env", "alpha,beta", "--name", "beta-broad"]);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(/ +/)[2])).toEqual(["beta-broad"]);
  });

  it("takes a --deadline (and a --sink-timeout) up to what a timer can wait, and refuses a longer one", async () => {
    const longest = await dt([
      "list",
      "--env",
      "alpha,beta",
      "--deadline",
      "596h",
      "--limit",
      "1",
      "-o",
      "csv",
    ]);
    expect(longest.code).toBe(0);
    for (const args of [
      ["list", "--env", "alpha,beta", "--deadline", "597h"],
      ["rotate", "--name", "alpha-broad", "--to", "stdout", "--sink-timeout", "597h"],
    ]) {
      const flag = args.at(-2)!;
      const r = await dt(args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code: 2,
        stderr: `error: ${flag}: "597h" is longer than a timer can wait; at most 596h\nnothing was sent.\n`,
      });
    }
  });

  it("refuses --env with --all-environments, an empty name, and a fleet without a config file", async () => {
    const both = await dt(["list", "--env", "alpha,beta", "--all-environments"]);
    expect(both.stderr).toBe(
      "error: --env and --all-environments exclude each other; give one of them\nnothing was sent.\n",
    );
    const stdin = await dt(["--token-stdin", "audit", "--env", "alpha,beta"]);
    expect(stdin.stderr).toBe(
      "error: --token-stdin gives one credential; with several environments, each uses its own from the config file\nnothing was sent.\n",
    );
    const url = await dt(["--env-url", "http://127.0.0.1:1", "list", "--all-environments"]);
    expect(url.stderr).toBe(
      "error: --env-url names one environment; with several, each comes from the config file\nnothing was sent.\n",
    );
    const empty = await dt(["list", "--env", "alpha,,beta"]);
    expect(empty.stderr).toBe(
      'error: --env: "alpha,,beta" has an empty name; expected NAME or NAME,NAME,...\nnothing was sent.\n',
    );
    const none = await run(undefined, ["audit", "--all-environments"], {
      env: { DT_TOKENS_CONFIG: join(dir, "none.yaml") },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      `error: --all-environments: there is no config file at ${join(dir, "none.yaml")}\n`,
    );
  });
});
