/**
 * `dt-tokens leak` against a `dt-tokens-sandbox --environments 3` process and an environment that
 * is down: secrets of each kind planted in a log; each is classified, located in the right
 * environment, contained, and recorded; the leaked secret never shows in any output and never
 * authenticates (its last use stays, and the sandbox's request log never names it as a caller);
 * every exit status (0, 2, 4, 11, 12).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiTokensClient, createApiTokensClient, type TokenScope } from "@dt-tokens/client";
import { generateTokenSecret, type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, knowSecrets, leaks, run, useSandbox } from "./helpers.js";

useSandbox(); // the secret check after every test

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-leak-"));
const config = join(dir, "config.yaml");
const withDown = join(dir, "with-down.yaml");
let sandbox: SandboxProcess;
const admin: Record<string, ApiTokensClient> = {};

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  sandbox = await startSandboxProcess(["--db", ":memory:", "--environments", "3", "--write-config", config]);
  knowSecrets(
    sandbox.ready.bootstrapToken,
    sandbox.ready.platformToken,
    sandbox.ready.oauthClientSecret,
    ...(sandbox.ready.environments ?? []).map((e) => e.bootstrapToken),
  );
  for (const e of sandbox.ready.environments ?? [])
    admin[e.id] = createApiTokensClient({
      environmentUrl: `${sandbox.ready.url}/e/${e.id}`,
      token: e.bootstrapToken!,
    });
  const port = await closedPort();
  writeFileSync(join(dir, "down.token"), `${generateTokenSecret()}\n`, { mode: 0o600 });
  writeFileSync(
    withDown,
    `${readFileSync(config, "utf8")}  "down":\n    url: "http://127.0.0.1:${port}"\n    apiToken: "file:down.token"\n`,
  );
  chmodSync(withDown, 0o600);
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Creates a token in an environment and returns its secret (known to the output check). */
async function plant(env: string, name: string, scopes: TokenScope[] = ["metrics.read", "logs.ingest"]) {
  const created = await admin[env]!.create({ name, scopes, expirationDate: "now+30d" });
  knowSecrets(created.token);
  return created;
}

const leak = (args: string[], text: string, configFile = config) =>
  run(undefined, ["leak", ...args], { stdin: text, env: { DT_TOKENS_CONFIG: configFile } });

interface Record_ {
  kind: string;
  id: string | null;
  outcome: string;
  environment: string | null;
  name?: string;
  owner?: string;
  scopes?: string[];
  creationDate?: string;
  lastUsedDate?: string;
  lastUsedIpAddress?: string;
  action: string;
  actionAt?: string;
  foundAt: string[];
  note: string;
}

describe("leak", () => {
  it("classifies every kind in a log, locates and disables the API token in its environment, records all; never authenticates with it", async () => {
    const leaked = await plant("env02", "ci-deploy", ["apiTokens.read", "metrics.read"]);
    // it was used once, from this machine: that is the evidence the record must keep
    await createApiTokensClient({ environmentUrl: `${sandbox.ready.url}/e/env02`, token: leaked.token })
      .list({ pageSize: 100 })
      .catch(() => undefined);
    const before = await admin.env02!.get(leaked.id);
    expect(before.lastUsedDate).toBeDefined();
    const ag = `dt0g02.${"ABCDEFGH"}.${generateTokenSecret().split(".")[2]}`;
    knowSecrets(ag);
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const log = [
      "2026-12-07T10:00:00Z step 3/7: deploy",
      `+ curl -H "Authorization: Api-Token ${leaked.token}" https://example/api/v2/metrics`,
      `platformToken=${sandbox.ready.platformToken}`,
      `{"client_secret":"${sandbox.ready.oauthClientSecret}","ag":"${ag}"}`,
      `Bearer ${jwt}`,
      `again: ${leaked.token}`,
    ].join("\n");
    const logBefore = sandbox.stderr().length;
    const r = await leak(["--all-environments", "-o", "json"], log);
    expect(r.code).toBe(11); // the Account Management secrets and the ActiveGate token need a person
    const records = JSON.parse(r.stdout) as Record_[];
    expect(records.map((x) => [x.kind, x.id, x.outcome, x.environment, x.action])).toEqual([
      ["api-token", leaked.id, "contained", "env02", "disabled"],
      [
        "platform-token",
        sandbox.ready.platformToken!.split(".").slice(0, 2).join("."),
        "not-contained",
        null,
        "manual",
      ],
      ["oauth-client-secret", sandbox.ready.oauthClientId, "not-contained", null, "manual"],
      // located by id: the admin credentials here lack the ActiveGate scopes (leak-activegate.test.ts has them)
      ["activegate-token", "dt0g02.ABCDEFGH", "partial", null, "none"],
      ["jwt", null, "not-contained", null, "manual"],
    ]);
    expect(records[0]).toMatchObject({
      name: "ci-deploy",
      owner: "admin",
      scopes: ["apiTokens.read", "metrics.read"],
      creationDate: before.creationDate,
      lastUsedDate: before.lastUsedDate,
      lastUsedIpAddress: "127.0.0.1",
      foundAt: ["-:2:37", "-:6:8"],
    });
    expect(Date.parse(records[0]!.actionAt!)).not.toBeNaN();
    expect(records[1]!.note).toMatch(/Account Management.*Platform tokens/);
    expect(records[2]!.note).toMatch(/OAuth clients/);
    expect(records[3]!.note).toMatch(/could not be asked/);
    expect(r.stderr).toMatch(
      /env01: could not be asked: about ActiveGate tokens: .*activeGateTokenManagement\.read/,
    );
    // contained, and never used to authenticate: its last use is unchanged
    const after = await admin.env02!.get(leaked.id);
    expect(after.enabled).toBe(false);
    expect(after.lastUsedDate).toBe(before.lastUsedDate);
    const requests = sandbox
      .stderr()
      .slice(logBefore)
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { tokenId?: string; path: string });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((q) => q.tokenId === leaked.id)).toEqual([]);
    // the secret went in a lookup to env02 only
    expect(requests.filter((q) => q.path.endsWith("/lookup")).map((q) => q.path)).toEqual([
      "/e/env02/api/v2/apiTokens/lookup",
    ]);
    expect(r.stderr).toMatch(
      /5 secrets in the input; 3 environments asked \(3 could not be\): 1 contained, 3 not contained, 0 not found, 1 may be where no one could ask/,
    );
  });

  it("exit 0 when every secret is located and contained; the table is a record per secret", async () => {
    const a = await plant("env01", "grafana");
    const b = await plant("env03", "shipper");
    const r = await leak(["--env", "env01,env02,env03"], `${a.token}\n${b.token}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${a.id.replace(".", "\\.")} +API token or personal access token +contained\n`, "m"),
    );
    expect(r.stdout).toMatch(/^ {2}environment +env03$/m);
    expect(r.stdout).toMatch(/^ {2}action +disabled at \d{4}-/m);
    expect((await admin.env01!.get(a.id)).enabled).toBe(false);
    expect((await admin.env03!.get(b.id)).enabled).toBe(false);
  });

  it("--delete deletes; --report-only changes nothing and exits 11", async () => {
    const a = await plant("env03", "to-delete");
    const deleted = await leak(["--all-environments", "--delete", "-o", "ndjson"], a.token);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ action: "deleted", environment: "env03" });
    await expect(admin.env03!.get(a.id)).rejects.toThrow();

    const b = await plant("env01", "report-only");
    const report = await leak(["--all-environments", "--report-only", "-o", "markdown"], b.token);
    expect(report.code).toBe(11);
    expect(report.stdout).toMatch(/^## Dynatrace secret leak: incident record/);
    expect(report.stdout).toMatch(/❌ not-contained \| env01 \| report-only/);
    expect((await admin.env01!.get(b.id)).enabled).toBe(true);
  });

  it("exit 12 when no environment holds it; a real id with a made-up secret changes nothing", async () => {
    const stranger = generateTokenSecret();
    knowSecrets(stranger);
    const r = await leak(["--all-environments", "-o", "json"], stranger);
    expect(r.code).toBe(12);
    expect(JSON.parse(r.stdout)).toMatchObject([{ outcome: "not-found", environment: null, action: "none" }]);

    const real = await plant("env02", "real");
    const forged = `${real.id}.${generateTokenSecret().split(".")[2]}`;
    knowSecrets(forged);
    const f = await leak(["--all-environments", "-o", "json"], forged);
    expect(f.code).toBe(12);
    expect((JSON.parse(f.stdout) as Record_[])[0]!.note).toMatch(
      /its id exists in env02, but the leaked text is not that token's secret/,
    );
    expect((await admin.env02!.get(real.id)).enabled).toBe(true);
  });

  it("an environment that cannot be asked: the others are still handled; exit 4 when not found elsewhere", async () => {
    const found = await plant("env03", "found-anyway");
    const r = await leak(["--all-environments", "-o", "json"], found.token, withDown);
    // contained in env03, but the same secret may be in the one that is down too: partial
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject([
      { outcome: "contained", environment: "env03" },
      { outcome: "partial", environment: null },
    ]);
    expect(r.stderr).toMatch(/warning: down: could not be asked: /);

    const stranger = generateTokenSecret();
    knowSecrets(stranger);
    const p = await leak(["--all-environments", "-o", "json"], stranger, withDown);
    expect(p.code).toBe(4);
    expect((JSON.parse(p.stdout) as Record_[])[0]).toMatchObject({ outcome: "partial" });
    expect((JSON.parse(p.stdout) as Record_[])[0]!.note).toMatch(
      /not found in the 3 environments that answered; down could not be asked/,
    );
  });

  it("the secrets of one input are located at once: a slow environment holds them up together, not one after another", async () => {
    // an environment that answers no request until it has been asked about both ids (or 20 s passed)
    const asked = new Set<string>();
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: (() => void)[] = [];
    const slow = createServer((req, res) => {
      asked.add(req.url ?? "");
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = () => {
        inFlight--;
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: 404, message: "no such token" } }));
      };
      waiting.push(answer);
      if (asked.size >= 2) for (const a of waiting.splice(0)) a();
      else
        setTimeout(() => {
          for (const a of waiting.splice(0)) a();
        }, 20_000);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const slowConfig = join(dir, "with-slow.yaml");
    writeFileSync(
      slowConfig,
      `${readFileSync(config, "utf8")}  "slow":\n    url: "http://127.0.0.1:${(slow.address() as AddressInfo).port}"\n    apiToken: "file:down.token"\n`,
      { mode: 0o600 },
    );
    try {
      const a = await plant("env02", "first-of-two");
      const b = await plant("env03", "second-of-two");
      const r = await leak(["--all-environments", "-o", "json"], `${a.token}\n${b.token}\n`, slowConfig);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject([
        { id: a.id, outcome: "contained", environment: "env02" },
        { id: b.id, outcome: "contained", environment: "env03" },
      ]);
      expect(maxInFlight).toBe(2);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  }, 120_000);

  it("contains a secret in its environment as soon as that one has located it, while another has not answered; exit 4 naming it", async () => {
    // an environment that answers nothing: its requests are held until the test has seen the
    // containment, then its connections are cut (so the run ends without waiting for a timeout)
    const held = new Set<import("node:net").Socket>();
    let requests = 0;
    let cut = false;
    const hang = createServer((req) => {
      requests++;
      if (cut) req.socket.destroy();
      else held.add(req.socket);
    });
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
    const hangConfig = join(dir, "with-hang.yaml");
    writeFileSync(
      hangConfig,
      // its own timeout (10 minutes) reaches leak's client: the default (30 s) would end it first
      `${readFileSync(config, "utf8")}  "hang":\n    url: "http://127.0.0.1:${(hang.address() as AddressInfo).port}"\n    apiToken: "file:down.token"\n    timeout: "10m"\n`,
      { mode: 0o600 },
    );
    try {
      const found = await plant("env02", "while-one-hangs");
      let exited = false;
      const running = leak(["--all-environments", "-o", "json"], found.token, hangConfig).finally(() => {
        exited = true;
      });
      // disabled in env02 while hang still holds its request unanswered
      await expect
        .poll(async () => (await admin.env02!.get(found.id)).enabled, { timeout: 60_000, interval: 200 })
        .toBe(false);
      expect(exited).toBe(false);
      expect(requests).toBeGreaterThan(0);
      cut = true;
      for (const socket of held) socket.destroy();
      const r = await running;
      expect(r.code).toBe(4);
      const records = JSON.parse(r.stdout) as Record_[];
      expect(records).toMatchObject([
        { id: found.id, outcome: "contained", environment: "env02", action: "disabled" },
        { id: found.id, outcome: "partial", environment: null, action: "none" },
      ]);
      expect(records[1]!.note).toMatch(/^hang could not be asked \(see the summary\): it may be there too/);
      expect(r.stderr).toMatch(/warning: hang: could not be asked: /);
      expect(leaks(r.stdout + r.stderr)).toEqual([]);
    } finally {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
    }
  }, 120_000);

  it("--timeout and an environment's timeout in the config file reach leak's clients", async () => {
    const silent = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const entry = (timeout?: string) =>
      `${readFileSync(config, "utf8")}  "silent":\n    url: "http://127.0.0.1:${port}"\n    apiToken: "file:down.token"\n${timeout ? `    timeout: "${timeout}"\n` : ""}`;
    const fromConfig = join(dir, "silent-1s.yaml");
    const plain = join(dir, "silent.yaml");
    writeFileSync(fromConfig, entry("1s"), { mode: 0o600 });
    writeFileSync(plain, entry(), { mode: 0o600 });
    try {
      const a = await plant("env01", "silent-config");
      const byConfig = await leak(["--all-environments", "-o", "json"], a.token, fromConfig);
      expect(byConfig.code).toBe(4);
      expect(byConfig.stderr).toMatch(
        /silent: could not be asked: no answer from http:\/\/127\.0\.0\.1:\d+: \d+ attempts of 1 s each/,
      );
      expect((await admin.env01!.get(a.id)).enabled).toBe(false);

      const b = await plant("env01", "silent-flag");
      const byFlag = await run(undefined, ["--timeout", "1s", "leak", "--all-environments", "-o", "json"], {
        stdin: b.token,
        env: { DT_TOKENS_CONFIG: plain },
      });
      expect(byFlag.code).toBe(4);
      expect(byFlag.stderr).toMatch(
        /silent: could not be asked: no answer from http:\/\/127\.0\.0\.1:\d+: \d+ attempts of 1 s each/,
      );
      expect((JSON.parse(byFlag.stdout) as Record_[]).map((r) => r.outcome)).toEqual([
        "contained",
        "partial",
      ]);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 120_000);

  it("an environment whose own credential is the leaked secret is not asked with it", async () => {
    const own = sandbox.ready.environments![0]!.bootstrapToken!;
    const r = await leak(["--env", "env01,env02", "-o", "json"], own);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /env01: could not be asked: its credential \(file:env01\.token\) is one of the leaked secrets/,
    );
  });

  it("an id alone (what scan prints) is not a secret: exit 2 saying how to act on an id, nothing sent", async () => {
    const token = await plant("env01", "only-its-id-leaked");
    const ag = "dt0g02.ABCDEFGH";
    const r = await leak(["--all-environments"], `found by scan: ${token.id}\n"${ag}"\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`only the id of a secret \\(${token.id.replace(".", "\\.")}, ${ag.replace(".", "\\.")}\\)`),
    );
    expect(r.stderr).toMatch(/dt-tokens update <id> --disable/);
    expect(r.stderr).toMatch(/dt-tokens ag-tokens delete <id>/);
    expect((await admin.env01!.get(token.id)).enabled).toBe(true);
  });

  it("the README's leak table lists every exit status leak --help does, and the same order of precedence", async () => {
    const help = (await run(undefined, ["leak", "--help"])).stdout.replace(/\s+/g, " ");
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### leak"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| exit status |")));
    const inHelp = [...help.slice(help.indexOf("Exit statuses:")).matchAll(/(?:^|[:;] )(\d+) /g)].map((m) =>
      Number(m[1]),
    );
    const inReadme = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
    expect(inHelp.length).toBeGreaterThan(4);
    expect([...inReadme].sort()).toEqual([...inHelp].sort());
    const order = (text: string) => /the first of ([\d, ]+) wins/.exec(text)?.[1];
    expect(order(section.replace(/\s+/g, " "))).toBe(order(help));
  });

  it("exit 2 without a secret in the input, and with --token-stdin (stdin is the leaked text)", async () => {
    const none = await leak(["--all-environments"], "nothing to see\n");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no Dynatrace secret in the input \(stdin\)/);
    const both = await run(undefined, ["--token-stdin", "leak"], { stdin: "x" });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/stdin carries the leaked text/);
  });

  it("--from FILE, and scan --emit-secrets | leak: the record says where scan found it", async () => {
    const a = await plant("env02", "in-a-file");
    const logs = mkdtempSync(join(dir, "logs-"));
    writeFileSync(join(logs, "job.log"), `step 1\nTOKEN=${a.token}\n`);
    const fromFile = await leak(
      ["--all-environments", "--report-only", "--from", join(logs, "job.log"), "-o", "json"],
      "",
    );
    expect(fromFile.code).toBe(11);
    expect(JSON.parse(fromFile.stdout)).toMatchObject([
      { environment: "env02", foundAt: [`${join(logs, "job.log")}:2:7`] },
    ]);

    const piped = spawnSync(
      "sh",
      [
        "-c",
        `"${process.execPath}" "${BIN}" scan "${logs}" --emit-secrets | "${process.execPath}" "${BIN}" leak --all-environments -o json`,
      ],
      { env: { PATH: process.env.PATH ?? "", DT_TOKENS_CONFIG: config }, encoding: "utf8" },
    );
    expect(leaks(piped.stdout)).toEqual([]);
    expect(leaks(piped.stderr)).toEqual([]);
    expect(piped.status).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject([
      { id: a.id, outcome: "contained", environment: "env02", foundAt: [`${join(logs, "job.log")}:2:7`] },
    ]);
  });

  it("--replace delivers a working replacement (same name and scopes), then disables the leaked token", async () => {
    const leaked = await plant("env03", "grafana-prod", ["metrics.read", "entities.read"]);
    const sinkDir = mkdtempSync(join(dir, "sink-"));
    const sink = join(sinkDir, "grafana.token");
    writeFileSync(sink, `${leaked.token}\n`, { mode: 0o600 });
    const r = await leak(
      ["--all-environments", "--replace", "--to", `file:${sink}`, "-o", "json"],
      leaked.token,
    );
    const fresh = readFileSync(sink, "utf8").trim();
    knowSecrets(fresh); // it may be in the sink only: the check after this test looks for it everywhere else
    expect(r.code).toBe(0);
    const [record] = JSON.parse(r.stdout) as (Record_ & { replacement: { id: string; sinks: string[] } })[];
    expect(record).toMatchObject({ outcome: "contained", environment: "env03", action: "disabled" });
    expect(record!.replacement).toMatchObject({ sinks: [`file:${sink}`], retiredLeaked: true });
    expect(fresh).not.toBe(leaked.token);
    expect(fresh.startsWith(`${record!.replacement.id}.`)).toBe(true);
    // the replacement works and is the same token again; the leaked one is disabled
    const works = await createApiTokensClient({
      environmentUrl: `${sandbox.ready.url}/e/env03`,
      token: fresh,
    }).lookup(fresh);
    expect(works).toMatchObject({
      name: "grafana-prod",
      scopes: ["metrics.read", "entities.read"],
      enabled: true,
    });
    expect((await admin.env03!.get(leaked.id)).enabled).toBe(false);
  });

  it("the record's text and markdown say dates in the one format (formatDate: 2025-01-31 13:45 UTC); JSON keeps ISO", async () => {
    const leaked = await plant("env02", "dates-in-text");
    const sinkDir = mkdtempSync(join(dir, "sink-"));
    const sink = join(sinkDir, "dates.token");
    writeFileSync(sink, `${leaked.token}\n`, { mode: 0o600 });
    const r = await leak(["--all-environments", "--replace", "--to", `file:${sink}`], leaked.token);
    knowSecrets(readFileSync(sink, "utf8").trim());
    expect(r.code, r.stderr).toBe(0);
    const date = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC";
    expect(r.stdout).toMatch(new RegExp(`^  created +${date}$`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^  action +disabled at ${date}$`, "m"));
    expect(r.stdout).toMatch(
      new RegExp(`^  replacement +dt0c01\\.\\w+ \\(expires ${date}\\), delivered to file:`, "m"),
    );
    expect(r.stdout).not.toMatch(/\d\d:\d\d:\d\d/);
    const again = await leak(["--all-environments", "-o", "markdown"], leaked.token);
    expect(again.stdout).toMatch(new RegExp(`already disabled \\\\?\\(checked ${date}`)); // markdown escapes the parenthesis
    expect(again.stdout).not.toMatch(/\d\d:\d\d:\d\d/);
    const json = await leak(["--all-environments", "-o", "json"], leaked.token);
    expect((JSON.parse(json.stdout) as Record_[])[0]!.actionAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  });

  it("--replace that cannot deliver rolls back and contains anyway; --to stdout is refused", async () => {
    const leaked = await plant("env01", "broken-sink");
    const r = await leak(
      ["--all-environments", "--replace", "--to", "exec:exit 3", "-o", "json"],
      leaked.token,
    );
    // contained, but the service that used the secret has no replacement: not a success
    expect(r.code).toBe(7);
    const [record] = JSON.parse(r.stdout) as (Record_ & { replacement: { failed: string } })[];
    expect(record).toMatchObject({ outcome: "contained", action: "disabled" });
    expect(record!.replacement.failed).toMatch(/deliver/);
    expect(record!.note).toMatch(/the replacement failed .*contained anyway/);
    // the rotation rolled back: only the leaked token has that name, and it is disabled
    const named = (await admin.env01!.list({ pageSize: 1000, fields: ["name", "enabled"] })).apiTokens.filter(
      (t) => t.name?.startsWith("broken-sink"),
    );
    expect(named.map((t) => [t.id, t.enabled])).toEqual([[leaked.id, false]]);

    const stdout = await leak(["--all-environments", "--replace", "--to", "stdout"], leaked.token);
    expect(stdout.code).toBe(2);
    expect(stdout.stderr).toMatch(/--to stdout would mix the new secret into the incident record/);
    const noTo = await leak(["--all-environments", "--replace"], leaked.token);
    expect(noTo.code).toBe(2);
  });

  it("--replace with two API tokens in the input is refused before anything is sent: one set of sinks cannot hold two replacements", async () => {
    const sink = join(dir, "two.env");
    writeFileSync(sink, "DT_API_TOKEN=old\n");
    const a = await plant("env01", "two-a");
    const b = await plant("env02", "two-b");
    const r = await leak(
      ["--all-environments", "--replace", "--to", `dotenv:${sink}#DT_API_TOKEN`],
      `${a.token}\n${b.token}\n${a.token}\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--replace: the input holds 2 API tokens \(dt0c01\.\w+, dt0c01\.\w+\)/);
    expect(readFileSync(sink, "utf8")).toBe("DT_API_TOKEN=old\n");
    expect((await admin.env01!.get(a.id)).enabled).toBe(true);
    expect((await admin.env02!.get(b.id)).enabled).toBe(true);
    const named = (await admin.env01!.list({ pageSize: 1000, fields: ["name"] })).apiTokens.filter((t) =>
      t.name?.startsWith("two-a"),
    );
    expect(named).toHaveLength(1);
  });

  it("--replace with one secret located in two environments is refused before anything is created or changed", async () => {
    // its own sandbox: --seed-file seeds an empty database only
    const secret = generateTokenSecret();
    knowSecrets(secret);
    const twoDir = mkdtempSync(join(tmpdir(), "dt-tokens-leak-two-"));
    const seedFile = join(twoDir, "seed.json");
    const twoConfig = join(twoDir, "config.yaml");
    const seed = (environment: string) => ({
      name: "shared-secret",
      scopes: ["metrics.read"],
      token: secret,
      environment,
    });
    writeFileSync(seedFile, JSON.stringify([seed("env01"), seed("env02")]), { mode: 0o600 });
    const two = await startSandboxProcess([
      "--db",
      ":memory:",
      "--environments",
      "2",
      "--seed-file",
      seedFile,
      "--write-config",
      twoConfig,
    ]);
    knowSecrets(...(two.ready.environments ?? []).map((e) => e.bootstrapToken));
    try {
      const client = (id: string) =>
        createApiTokensClient({
          environmentUrl: `${two.ready.url}/e/${id}`,
          token: two.ready.environments!.find((e) => e.id === id)!.bootstrapToken!,
        });
      const id = secret.split(".").slice(0, 2).join(".");
      const state = async () =>
        Promise.all(
          ["env01", "env02"].map(async (e) => {
            const { apiTokens } = await client(e).list({ pageSize: 1000, fields: ["enabled", "name"] });
            return apiTokens.map((t) => `${t.id} ${t.name} ${t.enabled}`).sort();
          }),
        );
      const before = await state();
      expect(before.flat().filter((t) => t.startsWith(id))).toHaveLength(2);
      const sink = join(twoDir, "app.env");
      writeFileSync(sink, "DT_API_TOKEN=old\n");
      const r = await leak(
        ["--all-environments", "--replace", "--to", `dotenv:${sink}#DT_API_TOKEN`],
        secret,
        twoConfig,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `--replace: ${id.replace(".", "\\.")} was found in 2 environments \\(env01, env02\\) and --to gives one set of sinks: .*nothing was changed`,
        ),
      );
      expect(r.stderr).toMatch(/hint: contain it everywhere first/);
      expect(r.stdout).toBe("");
      expect(readFileSync(sink, "utf8")).toBe("DT_API_TOKEN=old\n");
      expect(await state()).toEqual(before); // nothing created, nothing disabled
      expect(leaks(r.stdout + r.stderr)).toEqual([]);

      // without --replace it is contained in both
      const c = await leak(["--all-environments", "-o", "json"], secret, twoConfig);
      expect(c.code).toBe(0);
      expect(JSON.parse(c.stdout)).toMatchObject([
        { id, environment: "env01", outcome: "contained" },
        { id, environment: "env02", outcome: "contained" },
      ]);
    } finally {
      await two.close();
      rmSync(twoDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a server that echoes the secret (in the token's name, owner, scopes) and a scan line naming it as its file: no record shows it", async () => {
    const secret = generateTokenSecret();
    knowSecrets(secret);
    const id = secret.split(".").slice(0, 2).join(".");
    const echo = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.method === "GET") return res.end(JSON.stringify({ id, name: "n", enabled: true }));
        if (req.url?.endsWith("/lookup")) {
          const token = String((JSON.parse(body) as { token: string }).token);
          return res.end(
            JSON.stringify({ id, name: `copy of ${token}`, owner: token, scopes: [token], enabled: true }),
          );
        }
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const admin = generateTokenSecret();
    knowSecrets(admin);
    const emittedLine = `${JSON.stringify({ file: `leaked-${secret}.env`, line: 1, column: 1, secret })}\n`;
    try {
      for (const output of ["json", "ndjson", "csv", "markdown", "table"]) {
        const r = await run(undefined, ["leak", "--report-only", "-o", output], {
          stdin: emittedLine,
          env: { DT_ENV_URL: url, DT_API_TOKEN: admin },
        });
        expect(r.code, r.stderr).toBe(11);
        expect(r.stdout).toContain(id);
        expect(leaks(r.stdout + r.stderr)).toEqual([]);
      }
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
