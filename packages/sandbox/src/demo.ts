/**
 * generateDemoTokens(): a realistic environment for demos, dashboards and audits. Everything but
 * the secrets (always from the CSPRNG at seeding) follows from `seed` and `now`, so the same call
 * gives the same names, owners, scopes and dates.
 */

import type { SeedActiveGate, SeedActiveGateToken } from "./activegates.js";
import { mulberry32 } from "./random.js";
import type { SeedToken } from "./tokens.js";

export interface DemoOptions {
  /** How many tokens. Default 300. */
  count?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** The reference time (epoch ms) that dates are relative to. Default now. */
  now?: number;
}

const DAY = 86_400_000;

const OWNERS = [
  "alice.moreau@example.com",
  "bob.nakamura@example.com",
  "carol.osei@example.com",
  "dmitri.ivanov@example.com",
  "erin.walsh@example.com",
  "ci-pipeline",
  "platform-team",
  "admin",
];

const PURPOSES = [
  {
    name: "k8s-operator",
    scopes: [
      "activeGateTokenManagement.create",
      "entities.read",
      "settings.read",
      "settings.write",
      "DataExport",
      "InstallerDownload",
    ],
  },
  { name: "log-ingest", scopes: ["logs.ingest"] },
  { name: "metrics-ingest", scopes: ["metrics.ingest"] },
  { name: "otel-collector", scopes: ["openTelemetryTrace.ingest", "metrics.ingest", "logs.ingest"] },
  { name: "grafana-datasource", scopes: ["metrics.read", "entities.read", "problems.read"] },
  {
    name: "terraform",
    scopes: ["settings.read", "settings.write", "WriteConfig", "ReadConfig", "entities.read"],
  },
  {
    name: "monaco-deploy",
    scopes: ["settings.read", "settings.write", "WriteConfig", "ReadConfig", "slo.read", "slo.write"],
  },
  { name: "release-events", scopes: ["events.ingest", "releases.read"] },
  { name: "incident-bot", scopes: ["problems.read", "problems.write", "events.read"] },
  { name: "security-scanner", scopes: ["securityProblems.read", "attacks.read"] },
  {
    name: "synthetic-runner",
    scopes: ["syntheticExecutions.write", "syntheticExecutions.read", "syntheticLocations.read"],
  },
  { name: "audit-export", scopes: ["auditLogs.read"] },
  { name: "token-rotator", scopes: ["apiTokens.read", "apiTokens.write"] },
  {
    name: "admin-automation",
    scopes: ["apiTokens.write", "settings.write", "WriteConfig", "entities.write", "credentialVault.write"],
  },
  { name: "dashboard-share", scopes: ["ViewDashboard"] },
  { name: "backup-script", scopes: ["ReadConfig", "settings.read"] },
];

const ENVS = ["prod", "staging", "dev", "eu", "us", "test"];
const NOTES = ["", "", "", "-old", "-v2", "-tmp", "-do-not-delete", " (laptop)"];

/**
 * Tokens of several owners; personal access tokens; recent, old and no use; expired, expiring
 * within two weeks and never expiring; disabled ones; broad write scopes; legacy scopes; a few
 * duplicate names.
 */
export function generateDemoTokens(options: DemoOptions = {}): SeedToken[] {
  const count = options.count ?? 300;
  if (!Number.isInteger(count) || count < 0) throw new RangeError("count must be a whole number >= 0.");
  const random = mulberry32(options.seed ?? 1);
  const now = Math.floor((options.now ?? Date.now()) / 1000) * 1000;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (lo: number, hi: number) => Math.round(lo + (hi - lo) * random());
  const tokens: SeedToken[] = [];
  for (let i = 0; i < count; i++) {
    const purpose = pick(PURPOSES);
    const personal = random() < 0.25;
    const owner = personal ? pick(OWNERS.slice(0, 5)) : pick(OWNERS);
    // every 25th token reuses an earlier token's name: duplicates exist in real environments
    const name =
      i > 0 && i % 25 === 0
        ? tokens[Math.floor(random() * i)]!.name
        : `${purpose.name}-${pick(ENVS)}${pick(NOTES)}`;
    const creationDate = now - between(DAY, 3 * 365 * DAY);
    const use = random();
    let lastUsedDate: number | null;
    if (use < 0.15) lastUsedDate = null;
    else if (use < 0.55) lastUsedDate = now - between(0, 7 * DAY);
    else if (use < 0.85) lastUsedDate = now - between(7 * DAY, 90 * DAY);
    else lastUsedDate = now - between(90 * DAY, 3 * 365 * DAY);
    if (lastUsedDate !== null && lastUsedDate < creationDate) lastUsedDate = creationDate + between(0, DAY);
    const exp = random();
    let expirationDate: number | null;
    if (exp < 0.4) expirationDate = null;
    else if (exp < 0.5) expirationDate = now - between(DAY, 180 * DAY);
    else if (exp < 0.6) expirationDate = now + between(DAY / 2, 14 * DAY);
    else expirationDate = now + between(30 * DAY, 365 * DAY);
    if (expirationDate !== null && expirationDate < creationDate) expirationDate = creationDate + DAY;
    const modifiedDate = random() < 0.3 ? creationDate + between(0, now - creationDate) : null;
    const scopes = [...purpose.scopes];
    if (random() < 0.08) scopes.push("apiTokens.write", "settings.write");
    const token: SeedToken = {
      name,
      owner,
      scopes: [...new Set(scopes)],
      personalAccessToken: personal,
      enabled: random() >= 0.1,
      creationDate,
      lastUsedDate,
      lastUsedIpAddress: lastUsedDate === null ? null : `203.0.113.${between(1, 254)}`,
      expirationDate,
      modifiedDate,
    };
    if (purpose.name === "dashboard-share") {
      const hex = (n: number) =>
        Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
      token.additionalMetadata = { dashboardId: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}` };
    }
    tokens.push(token);
  }
  return tokens;
}

/** What {@link seedDemoActiveGates} needs: an environment's ActiveGate controls. */
interface ActiveGateSeeding {
  seedTokens(tokens: readonly SeedActiveGateToken[]): { id: string; token: string }[];
  add(gates: readonly SeedActiveGate[]): unknown[];
  setEnforcement(enforcement: { manualEnforced: boolean; autoEnforced: boolean }): void;
}

/**
 * The ActiveGate side of the demo (`--seed-demo`): environment and cluster tokens, a seed token,
 * never-expiring, expiring within 30 days, expired and unused tokens, and ActiveGates using them
 * (one whose token expires in 12 days, one whose token expired and which is offline), with
 * automatic token enforcement on. Dates are relative to `now`; secrets come from the CSPRNG.
 */
export function seedDemoActiveGates(into: ActiveGateSeeding, now = Date.now()): void {
  const days = (n: number) => now + n * DAY;
  const [prod1, prod2, dmz, , legacy] = into.seedTokens([
    { name: "ag-prod-01", owner: "platform-team", creationDate: days(-160), expirationDate: days(200) },
    { name: "ag-prod-02", owner: "platform-team", creationDate: days(-353), expirationDate: days(12) },
    { name: "ag-dmz-cluster", activeGateType: "CLUSTER", owner: "admin", creationDate: days(-700) },
    { name: "installer-seed", seedToken: true, owner: "admin", creationDate: days(-400) },
    {
      name: "ag-legacy",
      owner: "erin.walsh@example.com",
      creationDate: days(-368),
      expirationDate: days(-3),
    },
    { name: "k8s-operator-ag-old", owner: "k8s-operator", creationDate: days(-40), expirationDate: days(20) },
    { name: "spare", owner: "bob.nakamura@example.com", creationDate: days(-10), expirationDate: days(90) },
  ]) as [{ token: string }, { token: string }, { token: string }, unknown, { token: string }];
  into.add([
    { id: "0x1a2b3c01", hostname: "ag-prod-01.example.com", token: prod1.token, networkZone: "prod" },
    { id: "0x1a2b3c02", hostname: "ag-prod-02.example.com", token: prod2.token, networkZone: "prod" },
    {
      id: "0x1a2b3c03",
      hostname: "ag-dmz.example.com",
      token: dmz.token,
      type: "CLUSTER",
      networkZone: "dmz",
    },
    {
      id: "0x1a2b3c04",
      hostname: "ag-legacy.example.com",
      token: legacy.token,
      osType: "WINDOWS",
      offlineSince: days(-3),
    },
  ]);
  into.setEnforcement({ manualEnforced: false, autoEnforced: true });
}
