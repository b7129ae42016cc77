/**
 * `dt-tokens ag-tokens list|get|delete|audit` against the sandbox bin process seeded with
 * --seed-demo (7 ActiveGate tokens, 4 ActiveGates, enforcement on), and against an in-process
 * sandbox for the enforcement-off case and a fleet.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret, type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowSecrets, plain, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox(); // also the secret check after every test
const dir = mkdtempSync(join(tmpdir(), "dt-tokens-ag-"));
const AG_SCOPES = ["activeGateTokenManagement.read", "activeGateTokenManagement.write", "activeGates.read"];
let proc: SandboxProcess;
const admin = generateTokenSecret();
const bootstrap = generateTokenSecret();
knowSecrets(admin, bootstrap);

beforeAll(async () => {
  const seedFile = join(dir, "admin.json");
  writeFileSync(seedFile, JSON.stringify([{ name: "ag-admin", token: admin, scopes: AG_SCOPES }]));
  proc = await startSandboxProcess(
    ["--db", ":memory:", "--quiet", "--seed-demo", "0", "--seed-file", seedFile],
    {
      env: { DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap },
    },
  );
});
afterAll(async () => {
  await proc?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ag = (args: string[], env: Record<string, string> = {}) =>
  run(undefined, ["ag-tokens", ...args], {
    env: { DT_ENV_URL: proc.ready.url, DT_API_TOKEN: admin, ...env },
  });

interface Finding {
  severity: string;
  check: string;
  id: string;
  name: string;
  host: string;
  detail: string;
}

describe("ag-tokens audit", () => {
  it("names the host whose token expires and when it goes dark, high with enforcement on", async () => {
    const r = await ag(["audit", "-o", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { enforcement: { enforced: boolean }; findings: Finding[] };
    expect(report.enforcement).toMatchObject({ enforced: true, autoEnforced: true });
    const got = report.findings.map((f) => `${f.check}:${f.severity}:${f.name}:${f.host}`).sort();
    expect(got).toEqual(
      [
        "gate-token-expiring:high:ag-prod-02:ag-prod-02.example.com",
        "gate-token-invalid:high:ag-legacy:ag-legacy.example.com",
        "expiring:medium:ag-prod-02:",
        "expiring:medium:k8s-operator-ag-old:",
        "expired:low:ag-legacy:",
        "never-expires:medium:ag-dmz-cluster:",
        "never-expires:medium:installer-seed:",
        "seed-token:medium:installer-seed:",
        "unused:medium:k8s-operator-ag-old:",
        "unused:medium:spare:",
      ].sort(),
    );
    const prod2 = report.findings.find((f) => f.check === "gate-token-expiring")!;
    expect(prod2.detail).toMatch(/^ag-prod-02\.example\.com \(0x1a2b3c02\) goes dark .*\(in 1[12] days\)/);
    expect(r.stderr).toContain("token enforcement is on (automatically)");
  });

  it("warns 30 days ahead by default (Dynatrace's EXPIRING state); --expiring-within 14d leaves out the 20-day token", async () => {
    const r = await ag(["audit", "-o", "ndjson", "--expiring-within", "14d"]);
    const expiring = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Finding)
      .filter((f) => f.check === "expiring")
      .map((f) => f.name)
      .sort();
    expect(expiring).toEqual(["ag-prod-02"]);
  });

  it("--fail-on high exits 3; table, CSV and Markdown name the host", async () => {
    const fail = await ag(["audit", "--fail-on", "high"]);
    expect(fail.code).toBe(3);
    expect(fail.stdout).toMatch(
      /high\s+gate-token-expiring\s+dt0g02\.\w{8}\s+ag-prod-02\s+ag-prod-02\.example\.com/,
    );
    expect(fail.stderr).toContain("error: 2 findings at or above high (--fail-on high)");
    const csv = await ag(["audit", "-o", "csv", "--min-severity", "high"]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split("\n")[0]).toBe("severity,check,id,name,host,detail");
    expect(csv.stdout.trim().split("\n")).toHaveLength(3);
    const md = await ag(["audit", "-o", "markdown"]);
    expect(md.stdout).toContain("| **high** | gate-token-expiring |");
    expect(md.stdout).toContain("ag-prod-02.example.com");
  });

  it("at 80 columns keeps the CHECK (why a token is listed): the host and id give way first", async () => {
    const r = await run(undefined, ["ag-tokens", "audit", "--no-color"], {
      env: { DT_ENV_URL: proc.ready.url, DT_API_TOKEN: admin },
      tty: true,
      columns: 80,
    });
    expect(r.code).toBe(0);
    const lines = plain(r.stdout).trimEnd().split("\n");
    const header = lines.findIndex((l) => l.startsWith("SEVERITY"));
    expect(lines[header]!.split(/ +/)).toEqual(["SEVERITY", "CHECK", "NAME", "DETAIL"]);
    const rows = lines.slice(header + 1).filter((l) => /^(high|medium|low) /.test(l));
    expect(rows.map((row) => row.split(/ +/)[1])).toContain("gate-token-expiring");
    for (const line of [lines[header]!, ...rows]) expect(line.length).toBeLessThanOrEqual(80);
    const note = lines.find((l) => l.includes("hidden to fit the terminal"));
    expect(note).toContain("(HOST, ID)");
    expect(note).not.toContain("--fields");
  });

  it("with enforcement off, the ActiveGate findings are medium and --fail-on high passes", async () => {
    const tokens = sandbox().activeGates.seedTokens([
      { name: "gw", expirationDate: Date.now() + 5 * 86_400_000, lastUsedDate: Date.now() },
    ]);
    knowSecrets(...tokens.map((t) => t.token));
    sandbox().activeGates.add([{ hostname: "gw.example.com", token: tokens[0]!.token }]);
    const [key] = seed([{ name: "ag-admin", scopes: AG_SCOPES }]);
    const r = await run(sandbox(), ["ag-tokens", "audit", "-o", "json", "--fail-on", "high"], {
      env: { DT_API_TOKEN: key!.token },
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { enforcement: { enforced: boolean }; findings: Finding[] };
    expect(report.enforcement.enforced).toBe(false);
    expect(report.findings.map((f) => `${f.check}:${f.severity}:${f.host}`).sort()).toEqual([
      "expiring:medium:",
      "gate-token-expiring:medium:gw.example.com",
    ]);
    expect(r.stderr).toContain("token enforcement is off");
  });

  it("a credential without the ActiveGate scopes is refused (status 1, as for API tokens), naming the scope", async () => {
    const r = await ag(["audit"], { DT_API_TOKEN: bootstrap });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/activeGateTokenManagement\.read|activeGates\.read/);
  });

  it("audits a fleet: a down environment makes it partial (4), the other's findings stay", async () => {
    const config = join(dir, "fleet.yaml");
    writeFileSync(
      config,
      `environments:\n  demo:\n    url: ${proc.ready.url}\n    apiToken: env:AG_KEY\n  down:\n    url: http://127.0.0.1:9\n    apiToken: env:AG_KEY\n`,
    );
    const r = await run(undefined, ["ag-tokens", "audit", "--all-environments", "-o", "json"], {
      env: { DT_TOKENS_CONFIG: config, AG_KEY: admin },
    });
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as {
      environments: { name: string; status: string }[];
      findings: (Finding & { environment: string })[];
    };
    expect(report.environments.map((e) => `${e.name}:${e.status}`)).toEqual(["demo:ok", "down:failed"]);
    expect(report.findings.find((f) => f.check === "gate-token-expiring")).toMatchObject({
      environment: "demo",
      host: "ag-prod-02.example.com",
    });
  });
});

describe("ag-tokens list, get, delete", () => {
  it("lists every token in each format", async () => {
    const json = await ag(["list", "-o", "json"]);
    expect(json.code).toBe(0);
    const tokens = JSON.parse(json.stdout) as { id: string; name: string; seedToken: boolean }[];
    expect(tokens).toHaveLength(7);
    expect(tokens.find((t) => t.name === "installer-seed")?.seedToken).toBe(true);
    const csv = await ag(["list", "-o", "csv"]);
    expect(csv.stdout.split("\n")[0]).toBe(
      "id,name,activeGateType,owner,seedToken,creationDate,lastUsedDate,expirationDate",
    );
    const table = await ag(["list"]);
    expect(table.stdout).toMatch(/ag-dmz-cluster\s+CLUSTER/);
    const alias = await run(undefined, ["activegate-tokens", "list", "-o", "ndjson"], {
      env: { DT_ENV_URL: proc.ready.url, DT_API_TOKEN: admin },
    });
    expect(alias.stdout.trim().split("\n")).toHaveLength(7);
  });

  it("gets one token; a bad id or an unknown one is refused clearly", async () => {
    const [first] = JSON.parse((await ag(["list", "-o", "json"])).stdout) as { id: string; name: string }[];
    const got = await ag(["get", first!.id, "-o", "json"]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: first!.id, name: first!.name });
    const bad = await ag(["get", "dt0c01.ST2EY72KQINMH574WMNVI7YN"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an ActiveGate token id: expected dt0g02. and 8 characters");
    const unknown = await ag(["get", "dt0g02.AAAAAAAA"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found|404/i);
  });

  it("delete needs --yes without a terminal, then deletes", async () => {
    const tokens = JSON.parse((await ag(["list", "-o", "json"])).stdout) as { id: string; name: string }[];
    const spare = tokens.find((t) => t.name === "spare")!;
    const refused = await ag(["delete", spare.id]);
    expect(refused.code).toBe(2);
    expect((await ag(["get", spare.id])).code).toBe(0);
    const deleted = await ag(["delete", spare.id, "--yes"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain(`Deleted ActiveGate token ${spare.id}.`);
    expect((await ag(["get", spare.id])).code).toBe(1);
  });
});
