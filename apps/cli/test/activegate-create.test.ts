/**
 * `dt-tokens ag-tokens create` against the sandbox bin process: the secret alone on stdout or
 * through the --to sinks of `dt-tokens create` (a properties file's key among them), the expiry
 * refused before anything is sent when it is past or more than 2 years ahead, and a failing sink
 * that puts the others back and deletes the token again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret, type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AG_SECRET, knowSecrets, run, useSandbox } from "./helpers.js";

useSandbox(); // the secret check after every test
const dir = mkdtempSync(join(tmpdir(), "dt-tokens-ag-create-"));
const AG_SCOPES = [
  "activeGateTokenManagement.read",
  "activeGateTokenManagement.create",
  "activeGateTokenManagement.write",
  "activeGates.read",
  "apiTokens.read",
  "apiTokens.write",
];
let proc: SandboxProcess;
const admin = generateTokenSecret();
knowSecrets(admin);

beforeAll(async () => {
  const seedFile = join(dir, "admin.json");
  writeFileSync(seedFile, JSON.stringify([{ name: "ag-admin", token: admin, scopes: AG_SCOPES }]));
  proc = await startSandboxProcess(["--db", ":memory:", "--quiet", "--seed-file", seedFile]);
});
afterAll(async () => {
  await proc?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], options: { printsSecret?: boolean } = {}) =>
  run(undefined, args, { env: { DT_ENV_URL: proc.ready.url, DT_API_TOKEN: admin }, ...options });

interface AgToken {
  id: string;
  name: string;
  activeGateType: string;
  seedToken: boolean;
  expirationDate?: string;
}
const tokens = async () => JSON.parse((await cli(["ag-tokens", "list", "-o", "json"])).stdout) as AgToken[];

describe("ag-tokens create", () => {
  it("prints the secret alone on stdout; -o json gives type, seed and expiry; the token is what was asked", async () => {
    const plain = await cli(["ag-tokens", "create", "--name", "ag-plain", "--expires", "now+90d"], {
      printsSecret: true,
    });
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toMatch(AG_SECRET);
    expect(plain.stderr).toMatch(/Created ENVIRONMENT ActiveGate token dt0g02\.\w{8} "ag-plain" \(expires /);
    expect(plain.stderr).toContain("shown only once");
    const json = await cli([
      "activegate-tokens",
      "create",
      "--name",
      "ag-seed",
      "--seed",
      "--type",
      "CLUSTER",
      "-o",
      "json",
    ]);
    expect(json.code).toBe(0);
    const created = JSON.parse(json.stdout) as AgToken & { token: string };
    expect(created).toMatchObject({
      name: "ag-seed",
      activeGateType: "CLUSTER",
      seedToken: true,
      expirationDate: null,
    });
    expect(created.token.startsWith(`${created.id}.`)).toBe(true);
    const got = JSON.parse((await cli(["ag-tokens", "get", created.id, "-o", "json"])).stdout) as AgToken;
    expect(got).toMatchObject({ name: "ag-seed", activeGateType: "CLUSTER", seedToken: true });
    expect(got.expirationDate).toBeUndefined();
    const at = (await tokens()).find((t) => t.name === "ag-plain")!.expirationDate!;
    expect(Math.abs(Date.parse(at) - Date.now() - 90 * 86_400_000)).toBeLessThan(3_600_000);
  });

  it("refuses an expiry in the past or more than 731 days (2 years) ahead, saying the limit in days (status 2, nothing sent); now+2y is accepted", async () => {
    const before = (await tokens()).length;
    for (const [expires, why] of [
      [
        "now+3y",
        /"now\+3y" \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\) is more than 731 days from now; an ActiveGate token may expire at most 731 days from now\n/,
      ],
      ["now+25M", /is more than 731 days from now; an ActiveGate token may expire at most 731 days from now/],
      // One day over the limit: the message says the limit in days and does not contradict itself.
      [
        "now+732d",
        /^error: --expires: "now\+732d" \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\) is more than 731 days from now; an ActiveGate token may expire at most 731 days from now\n/,
      ],
      ["now+740d", /at most 731 days from now/],
      [new Date(Date.now() + 735 * 86_400_000).toISOString().slice(0, 10), /at most 731 days from now/],
      ["2020-01-01", /is in the past/],
      ["now-1d", /points into the past/],
      ["soon", /is not a date or time/],
    ] as const) {
      const r = await cli(["ag-tokens", "create", "--name", "x", "--expires", expires]);
      expect(r.code, expires).toBe(2);
      expect(r.stderr, expires).toMatch(why);
      expect(r.stdout).toBe("");
    }
    expect(await tokens()).toHaveLength(before);
    const type = await cli(["ag-tokens", "create", "--name", "x", "--type", "GATEWAY"]);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/ENVIRONMENT.*CLUSTER/);
    const twoYears = await cli(
      ["ag-tokens", "create", "--name", "ag-2y", "--expires", "now+2y", "-o", "json"],
      { printsSecret: true },
    );
    expect(twoYears.code).toBe(0);
  });

  it("--to properties: sets authToken in authorization.properties, every other byte and the mode kept; stdout and stderr never hold the secret", async () => {
    const path = join(dir, "authorization.properties");
    const original =
      "# ActiveGate \u00e9\r\nserver = https\\://tenant.example.com\\:443\r\nauthToken = old\r\ntenantToken=x\r\n";
    writeFileSync(path, Buffer.from(original, "latin1"), { mode: 0o640 });
    const r = await cli([
      "ag-tokens",
      "create",
      "--name",
      "ag-props",
      "--expires",
      "now+1y",
      "--to",
      `properties:${path}#authToken`,
      "-o",
      "json",
    ]);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as { id: string; token?: string; sinks: string[] };
    expect(record.token).toBeUndefined();
    expect(record.sinks).toEqual([`properties:${path}#authToken`]);
    const text = await readFile(path, "latin1");
    const secret = /authToken = (\S+)\r\n/.exec(text)![1]!;
    knowSecrets(secret);
    expect(secret).toMatch(AG_SECRET);
    expect(secret.startsWith(`${record.id}.`)).toBe(true);
    expect(text).toBe(original.replace("authToken = old", `authToken = ${secret}`));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(r.stderr).toContain(`its secret went to properties:${path}#authToken`);
  });

  it("a failing sink puts the others back byte for byte and deletes the token again (status 7)", async () => {
    const path = join(dir, "rollback.properties");
    const original = "authToken=old\n# kept\n";
    writeFileSync(path, original);
    const before = (await tokens()).length;
    const r = await cli([
      "ag-tokens",
      "create",
      "--name",
      "ag-fails",
      "--to",
      `properties:${path}#authToken`,
      "--to",
      "exec:cat > /dev/null; exit 3",
    ]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(
      /could not be delivered: exec:.*exited with status 3; the token dt0g02\.\w{8} was deleted again/,
    );
    expect(readFileSync(path, "utf8")).toBe(original);
    expect(await tokens()).toHaveLength(before);
  });

  it("a sink that cannot work is refused before anything is created (status 2)", async () => {
    const before = (await tokens()).length;
    const bad = join(dir, "bad.properties");
    writeFileSync(bad, "x=\\uZZZZ\n");
    for (const to of [
      `properties:${bad}#authToken`,
      `properties:${dir}/missing/a.properties#authToken`,
      "properties:a#b c",
    ]) {
      const r = await cli(["ag-tokens", "create", "--name", "x", "--to", to]);
      expect(r.code, to).toBe(2);
      expect(r.stderr, to).toMatch(/malformed|does not exist|not a properties key/);
    }
    expect(await tokens()).toHaveLength(before);
  });

  it("an API token's create delivers to a properties sink too", async () => {
    const path = join(dir, "api.properties");
    writeFileSync(path, "! app\napi.token:old\n");
    const r = await cli([
      "create",
      "--name",
      "app",
      "--scope",
      "metrics.read",
      "--to",
      `properties:${path}#api.token`,
    ]);
    expect(r.code).toBe(0);
    const text = readFileSync(path, "utf8");
    const secret = /^api\.token:(\S+)$/m.exec(text)![1]!;
    knowSecrets(secret);
    expect(text).toBe(`! app\napi.token:${secret}\n`);
    expect(secret).toMatch(/^dt0c01\./);
  });
});
