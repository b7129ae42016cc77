/**
 * `dt-tokens leak` with a leaked ActiveGate token (dt0g02), against a `dt-tokens-sandbox
 * --environments 2 --seed-demo` process whose simulated ActiveGates use tokens: located by id in the
 * right environment, with the ActiveGates that use it (host, online, token state); never deleted
 * without --delete-activegate-tokens (exit 11), deleted with it (the record names the hosts cut
 * off), never deleted when those ActiveGates cannot be read; never authenticates with the leaked
 * secret (its last use is unchanged, the request log never names it as a caller, no path holds it).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiTokensClient, type TokenScope } from "@dt-tokens/client";
import { type ActiveGateTokensClient, createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowSecrets, run, useSandbox } from "./helpers.js";

useSandbox(); // the secret check after every test

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-leak-ag-"));
const ADMIN_SCOPES: TokenScope[] = [
  "apiTokens.read",
  "apiTokens.write",
  "activeGateTokenManagement.read",
  "activeGateTokenManagement.create",
  "activeGateTokenManagement.write",
  "activeGates.read",
] as TokenScope[];
let sandbox: SandboxProcess;
const gates: Record<string, ActiveGateTokensClient> = {};
const envUrl = (id: string) => `${sandbox.ready.url}/e/${id}`;

/** A config whose environments authenticate with the given secret files (name -> [url, file]). */
function writeConfig(name: string, environments: Record<string, [string, string]>): string {
  const path = join(dir, name);
  const lines = ["environments:"];
  for (const [env, [url, file]] of Object.entries(environments))
    lines.push(`  "${env}":`, `    url: "${url}"`, `    apiToken: "file:${file}"`);
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** A secret in a 0600 file beside the configs. */
function secretFile(name: string, secret: string): string {
  writeFileSync(join(dir, name), `${secret}\n`, { mode: 0o600 });
  return name;
}

let config: string;
let withDown: string;
let noGateRead: string;

beforeAll(async () => {
  sandbox = await startSandboxProcess([
    "--db",
    ":memory:",
    "--environments",
    "2",
    "--seed-demo",
    "0",
    "--write-config",
    join(dir, "bootstrap.yaml"),
  ]);
  knowSecrets(
    sandbox.ready.bootstrapToken,
    sandbox.ready.platformToken,
    sandbox.ready.oauthClientSecret,
    ...(sandbox.ready.environments ?? []).map((e) => e.bootstrapToken),
  );
  const files: Record<string, [string, string]> = {};
  for (const e of sandbox.ready.environments ?? []) {
    const bootstrap = createApiTokensClient({ environmentUrl: envUrl(e.id), token: e.bootstrapToken! });
    const admin = await bootstrap.create({
      name: "leak-admin",
      scopes: ADMIN_SCOPES,
      expirationDate: "now+1d",
    });
    knowSecrets(admin.token);
    gates[e.id] = createActiveGateTokensClient({ environmentUrl: envUrl(e.id), token: admin.token! });
    files[e.id] = [envUrl(e.id), secretFile(`${e.id}.admin`, admin.token!)];
    if (e.id === "env02") {
      // an admin that may read ActiveGate tokens but not the ActiveGates that use them
      const blind = await bootstrap.create({
        name: "leak-admin-no-gates",
        scopes: ADMIN_SCOPES.filter((s) => s !== "activeGates.read"),
        expirationDate: "now+1d",
      });
      knowSecrets(blind.token);
      noGateRead = writeConfig("no-gate-read.yaml", {
        env02: [envUrl("env02"), secretFile("env02.blind", blind.token!)],
      });
    }
  }
  config = writeConfig("config.yaml", files);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  withDown = writeConfig("with-down.yaml", {
    ...files,
    down: [`http://127.0.0.1:${port}`, files.env01![1]],
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const leak = (args: string[], text: string, configFile = config) =>
  run(undefined, ["leak", ...args], { stdin: text, env: { DT_TOKENS_CONFIG: configFile } });

/**
 * A new ActiveGate token in `env`, and the demo ActiveGate `gateId` there restarted with it (its
 * one use, the last-use evidence the record must keep).
 */
async function plantInGate(env: string, gateId: string, name: string) {
  const created = await gates[env]!.create({
    name,
    activeGateType: "ENVIRONMENT",
    expirationDate: "now+90d",
  });
  knowSecrets(created.token);
  const res = await fetch(`${envUrl(env)}/sandbox/activeGates/${gateId}/connect`, {
    method: "POST",
    headers: { authorization: `Api-Token ${created.token}` },
  });
  expect(res.status).toBe(200);
  const before = await gates[env]!.get(created.id!);
  expect(before.lastUsedDate).toBeDefined();
  return { secret: created.token!, id: created.id!, before };
}

interface AgRecord {
  kind: string;
  id: string;
  outcome: string;
  environment: string | null;
  name?: string;
  action: string;
  actionAt?: string;
  lastUsedDate?: string;
  activeGates?: { id?: string; hostname?: string; tokenState?: string; offlineSince?: string }[] | null;
  note: string;
}

/** The sandbox's request log lines written since `from`. */
function requestsSince(from: number): { tokenId?: string; path: string }[] {
  return sandbox
    .stderr()
    .slice(from)
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { tokenId?: string; path: string });
}

describe("leak: ActiveGate tokens", () => {
  it("locates it by id in its environment, names the ActiveGates that use it, and does not delete it (exit 11); never authenticates with it", async () => {
    const { secret, id, before } = await plantInGate("env02", "0x1a2b3c01", "ag-leaked");
    const logFrom = sandbox.stderr().length;
    const r = await leak(["--all-environments", "-o", "json"], `+ AG_TOKEN=${secret}\n`);
    expect(r.code).toBe(11);
    const records = JSON.parse(r.stdout) as AgRecord[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: "activegate-token",
      id,
      outcome: "not-contained",
      environment: "env02",
      name: "ag-leaked",
      action: "none",
      lastUsedDate: before.lastUsedDate,
      activeGates: [{ id: "0x1a2b3c01", hostname: "ag-prod-01.example.com", tokenState: "VALID" }],
    });
    expect(records[0]!.activeGates![0]!.offlineSince).toBeUndefined();
    expect(records[0]!.note).toMatch(/cannot be disabled/);
    expect(records[0]!.note).toMatch(/--delete-activegate-tokens/);
    expect(records[0]!.note).toMatch(
      /cuts off 1 ActiveGate: ag-prod-01\.example\.com \[0x1a2b3c01\] \(online, token VALID\)/,
    );
    // still there, its last use unchanged: nothing authenticated with it
    const after = await gates.env02!.get(id);
    expect(after.lastUsedDate).toBe(before.lastUsedDate);
    const requests = requestsSince(logFrom);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((q) => q.tokenId === id)).toEqual([]);
    // asked by id only: the secret is in no path, and went to no lookup
    expect(requests.filter((q) => q.path.includes(secret.split(".")[2]!))).toEqual([]);
    expect(requests.filter((q) => q.path.includes("lookup"))).toEqual([]);
    // both environments asked, env02 twice (the token, then its ActiveGates); nothing changed
    const mine = requests.filter((q) => q.tokenId !== undefined && q.tokenId !== id);
    expect(mine.filter((q) => q.path.startsWith("/e/env01/")).length).toBeGreaterThanOrEqual(1);
    expect(mine.filter((q) => q.path.startsWith("/e/env02/")).length).toBeGreaterThanOrEqual(2);
    expect(requests.filter((q) => (q as { method?: string }).method !== "GET")).toEqual([]);

    // the table names the host for a person, and says how to delete it
    const table = await leak(["--env", "env01,env02"], secret);
    expect(table.code).toBe(11);
    expect(table.stdout).toMatch(/used by\s+ag-prod-01\.example\.com \[0x1a2b3c01\] \(online, token VALID\)/);
    expect(table.stdout).toContain("nothing done");
  });

  it("--delete-activegate-tokens deletes it and the record names the ActiveGates cut off (exit 0)", async () => {
    const { secret, id } = await plantInGate("env01", "0x1a2b3c03", "ag-dmz-leaked");
    const r = await leak(["--all-environments", "--delete-activegate-tokens", "-o", "markdown"], secret);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\`${id}\``);
    expect(r.stdout).toMatch(/✅ contained/);
    expect(r.stdout).toMatch(
      /cut off 1 ActiveGate: ag-dmz\.example\.com \\\[0x1a2b3c03\\\] \\\(online, token VALID/,
    );
    await expect(gates.env01!.get(id)).rejects.toMatchObject({ status: 404 });
    // the ActiveGate now has no valid token: it was cut off
    const gate = await gates.env01!.activeGate("0x1a2b3c03");
    expect(gate.activeGateTokens?.[0]?.state).not.toBe("VALID");
  });

  it("--delete does not delete an ActiveGate token (only --delete-activegate-tokens does); --report-only with it is refused", async () => {
    const { secret, id } = await plantInGate("env01", "0x1a2b3c02", "ag-prod-02-leaked");
    const r = await leak(["--env", "env01", "--delete", "-o", "json"], secret);
    expect(r.code).toBe(11);
    expect((JSON.parse(r.stdout) as AgRecord[])[0]).toMatchObject({
      outcome: "not-contained",
      action: "none",
    });
    expect((await gates.env01!.get(id)).id).toBe(id);
    const refused = await leak(["--report-only", "--delete-activegate-tokens"], secret);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--report-only and --delete-activegate-tokens exclude each other/);
    const report = await leak(["--env", "env01", "--report-only", "-o", "json"], secret);
    expect(report.code).toBe(11);
    expect((JSON.parse(report.stdout) as AgRecord[])[0]!.note).toMatch(/^--report-only: nothing was changed/);
  });

  it("never deletes when the ActiveGates that use it cannot be read, even with --delete-activegate-tokens", async () => {
    const { secret, id } = await plantInGate("env02", "0x1a2b3c02", "ag-unknown-users");
    const r = await leak(
      ["--all-environments", "--delete-activegate-tokens", "-o", "json"],
      secret,
      noGateRead,
    );
    expect(r.code).toBe(11);
    const record = (JSON.parse(r.stdout) as AgRecord[])[0]!;
    expect(record).toMatchObject({ outcome: "not-contained", environment: "env02", activeGates: null });
    expect(record.note).toMatch(/which ActiveGates use it could not be read \(.*activeGates\.read/);
    expect(record.note).toMatch(/nobody could say which ActiveGates it would cut off/);
    expect((await gates.env02!.get(id)).id).toBe(id);
  });

  it("exit 12 when no environment holds the id; exit 4 when one could not be asked, the others still answer", async () => {
    const { secret } = await plantInGate("env01", "0x1a2b3c04", "ag-elsewhere");
    const made = `dt0g02.ZZZZZZZZ.${secret.split(".")[2]!}`;
    knowSecrets(made);
    const none = await leak(["--all-environments", "-o", "json"], made);
    expect(none.code).toBe(12);
    expect((JSON.parse(none.stdout) as AgRecord[])[0]).toMatchObject({
      id: "dt0g02.ZZZZZZZZ",
      outcome: "not-found",
      action: "none",
    });
    const partial = await leak(["--all-environments", "-o", "json"], made, withDown);
    expect(partial.code).toBe(4);
    expect((JSON.parse(partial.stdout) as AgRecord[])[0]!.outcome).toBe("partial");
    expect(partial.stderr).toMatch(/down: could not be asked/);
    // the one that can be asked is still handled
    const found = await leak(["--all-environments", "-o", "json"], secret, withDown);
    expect(found.code).toBe(11);
    expect((JSON.parse(found.stdout) as AgRecord[])[0]).toMatchObject({ environment: "env01" });
  });
});
