/**
 * ActiveGate tokens (`dt0g02.<8>.<64>`) and simulated ActiveGates, kept in the environment's SQLite
 * database beside its API tokens (migration 5). Secrets are stored only as SHA-256 hashes. Each
 * simulated ActiveGate authenticates with one token; its token state (VALID, EXPIRING, INVALID,
 * ABSENT) follows from that token as GET /activeGates reports it. A sandbox-only step
 * (`connectActiveGate`) makes an ActiveGate present another secret, as an ActiveGate restarted with a
 * new `authorization.properties` would.
 */

import { randomBytes } from "node:crypto";
import {
  ACTIVEGATE_TOKEN_MAX_LIFETIME_MS,
  type ActiveGate,
  type ActiveGateToken,
  type ActiveGateTokenEnforcement,
  type ActiveGateTokenState,
  type ActiveGateTokenType,
} from "@dt-tokens/types";
import type Database from "better-sqlite3";
import { hashSecret, secretMatches } from "./secrets.js";
import type { TokenStore } from "./store.js";
import { formatDate } from "./time.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const PREFIX = "dt0g02";
/** An ActiveGate token id: `dt0g02.<8 public characters>`. */
const ID_SOURCE = `${PREFIX}\\.[A-Z2-7]{8}`;
const ID_PATTERN = new RegExp(`^${ID_SOURCE}$`);
const SECRET_PATTERN = new RegExp(`^(${ID_SOURCE})\\.[A-Z2-7]{64}$`);

/** Days before its expiry from which an ActiveGate reports its token EXPIRING. */
export const EXPIRING_WITHIN_MS = 30 * 86_400_000;
/** How far ahead an ActiveGate token may expire: 2 years (`@dt-tokens/types`, which the CLI checks too). */
export const MAX_LIFETIME_MS = ACTIVEGATE_TOKEN_MAX_LIFETIME_MS;

/** A new ActiveGate token secret (`dt0g02.<8>.<64>`) from the CSPRNG. */
export function generateActiveGateSecret(): string {
  const bytes = randomBytes(72);
  let text = "";
  for (const byte of bytes) text += ALPHABET[byte & 31];
  return `${PREFIX}.${text.slice(0, 8)}.${text.slice(8)}`;
}

/** The id of a well-formed ActiveGate token secret, or undefined. */
export function activeGateTokenIdOf(secret: string): string | undefined {
  return SECRET_PATTERN.exec(secret)?.[1];
}

export function isActiveGateTokenId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** One row of activegate_tokens. Dates are epoch milliseconds. */
export interface ActiveGateTokenRow {
  seq: number;
  id: string;
  secret_hash: Buffer;
  name: string;
  owner: string;
  type: ActiveGateTokenType;
  seed: number;
  creation_ms: number;
  expiration_ms: number | null;
  last_used_ms: number | null;
}

/** One row of activegates. */
export interface ActiveGateRow {
  id: string;
  hostname: string;
  type: "ENVIRONMENT" | "ENVIRONMENT_MULTI" | "CLUSTER";
  version: string;
  os_type: "LINUX" | "WINDOWS";
  network_zone: string;
  grp: string;
  containerized: number;
  offline_since_ms: number | null;
  /** The id of the token it presents (which may since have been deleted). */
  token_id: string | null;
  /** Whether the secret it presented matched that token when it connected. */
  token_matched: number;
}

export const ACTIVEGATE_MIGRATION = `CREATE TABLE activegate_tokens (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     secret_hash BLOB NOT NULL,
     name TEXT NOT NULL,
     owner TEXT NOT NULL,
     type TEXT NOT NULL CHECK (type IN ('ENVIRONMENT', 'CLUSTER')),
     seed INTEGER NOT NULL CHECK (seed IN (0, 1)),
     creation_ms INTEGER NOT NULL,
     expiration_ms INTEGER,
     last_used_ms INTEGER
   );
   CREATE INDEX activegate_tokens_creation ON activegate_tokens (creation_ms, seq);
   CREATE TABLE activegates (
     id TEXT PRIMARY KEY,
     hostname TEXT NOT NULL,
     type TEXT NOT NULL,
     version TEXT NOT NULL,
     os_type TEXT NOT NULL,
     network_zone TEXT NOT NULL,
     grp TEXT NOT NULL,
     containerized INTEGER NOT NULL CHECK (containerized IN (0, 1)),
     offline_since_ms INTEGER,
     token_id TEXT,
     token_matched INTEGER NOT NULL CHECK (token_matched IN (0, 1))
   );
   INSERT INTO meta (key, value) VALUES ('activeGateTokenEnforcement', '{"manualEnforced":false,"autoEnforced":false}');`;

/** A new ActiveGate token for seeding (sandbox-only). Dates: Date, epoch ms or ISO string. */
export interface SeedActiveGateToken {
  name: string;
  activeGateType?: ActiveGateTokenType;
  seedToken?: boolean;
  owner?: string;
  creationDate?: Date | number | string;
  /** Absent or null: never expires. May lie in the past (an expired token). */
  expirationDate?: Date | number | string | null;
  lastUsedDate?: Date | number | string | null;
}

/** A seeded ActiveGate token: its metadata and its secret. */
export type SeededActiveGateToken = ActiveGateToken & { token: string };

/** A simulated ActiveGate (sandbox-only). */
export interface SeedActiveGate {
  hostname: string;
  /** Default: a generated `0x…` id. */
  id?: string;
  /** The secret it authenticates with (a seeded token's `token`); absent: ABSENT. */
  token?: string;
  type?: ActiveGateRow["type"];
  version?: string;
  osType?: ActiveGateRow["os_type"];
  networkZone?: string;
  group?: string;
  containerized?: boolean;
  /** When it went offline; absent or null: online. */
  offlineSince?: Date | number | string | null;
}

const ms = (value: Date | number | string): number => {
  const n = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(n)) throw new TypeError(`not a date: ${String(value)}`);
  return n;
};

/** The metadata of a token row, as the API shows it. */
export function toActiveGateToken(row: ActiveGateTokenRow): ActiveGateToken {
  const token: ActiveGateToken = {
    id: row.id,
    name: row.name,
    owner: row.owner,
    creationDate: formatDate(row.creation_ms),
    activeGateType: row.type,
    seedToken: row.seed === 1,
  };
  if (row.expiration_ms !== null) token.expirationDate = formatDate(row.expiration_ms);
  if (row.last_used_ms !== null) token.lastUsedDate = formatDate(row.last_used_ms);
  return token;
}

/** The state an ActiveGate reports for its token. */
export function tokenState(
  gate: Pick<ActiveGateRow, "token_id" | "token_matched">,
  token: ActiveGateTokenRow | undefined,
  now: number,
): ActiveGateTokenState {
  if (gate.token_id === null) return "ABSENT";
  if (!token || gate.token_matched !== 1) return "INVALID";
  if (token.expiration_ms !== null && token.expiration_ms <= now) return "INVALID";
  if (token.expiration_ms !== null && token.expiration_ms - now <= EXPIRING_WITHIN_MS) return "EXPIRING";
  return "VALID";
}

/** The ActiveGate tokens and ActiveGates of one environment's database. */
export class ActiveGateStore {
  private readonly db: Database.Database;
  private readonly store: TokenStore;
  private readonly statements;

  constructor(store: TokenStore) {
    this.store = store;
    this.db = store.db;
    this.statements = {
      byId: this.db.prepare<[string], ActiveGateTokenRow>("SELECT * FROM activegate_tokens WHERE id = ?"),
      insert: this.db.prepare<Omit<ActiveGateTokenRow, "seq">>(
        `INSERT INTO activegate_tokens (id, secret_hash, name, owner, type, seed, creation_ms, expiration_ms, last_used_ms)
         VALUES (@id, @secret_hash, @name, @owner, @type, @seed, @creation_ms, @expiration_ms, @last_used_ms)`,
      ),
      delete: this.db.prepare<[number]>("DELETE FROM activegate_tokens WHERE seq = ?"),
      count: this.db.prepare<[number], { n: number }>(
        "SELECT count(*) AS n FROM activegate_tokens WHERE seq <= ?",
      ),
      maxSeq: this.db.prepare<[], { m: number | null }>("SELECT max(seq) AS m FROM activegate_tokens"),
      // newest first; keyset after (creation_ms, seq); tokens created after page one (seq > max) left out
      page: this.db.prepare<[number, number, number, number, number, number], ActiveGateTokenRow>(
        `SELECT * FROM activegate_tokens WHERE seq <= ? AND (creation_ms < ? OR (creation_ms = ? AND seq < ?))
         ORDER BY creation_ms DESC, seq DESC LIMIT ? OFFSET ?`,
      ),
      touch: this.db.prepare<[number, string]>("UPDATE activegate_tokens SET last_used_ms = ? WHERE id = ?"),
      gates: this.db.prepare<[], ActiveGateRow>("SELECT * FROM activegates ORDER BY hostname, id"),
      gate: this.db.prepare<[string], ActiveGateRow>("SELECT * FROM activegates WHERE id = ?"),
      insertGate: this.db.prepare<ActiveGateRow>(
        `INSERT INTO activegates (id, hostname, type, version, os_type, network_zone, grp, containerized,
           offline_since_ms, token_id, token_matched)
         VALUES (@id, @hostname, @type, @version, @os_type, @network_zone, @grp, @containerized,
           @offline_since_ms, @token_id, @token_matched)`,
      ),
      connect: this.db.prepare<[string | null, number, string]>(
        "UPDATE activegates SET token_id = ?, token_matched = ?, offline_since_ms = NULL WHERE id = ?",
      ),
      enforcement: this.db.prepare<[], { value: Buffer | string }>(
        "SELECT value FROM meta WHERE key = 'activeGateTokenEnforcement'",
      ),
      setEnforcement: this.db.prepare<[string]>(
        "UPDATE meta SET value = ? WHERE key = 'activeGateTokenEnforcement'",
      ),
      deleteAllTokens: this.db.prepare("DELETE FROM activegate_tokens"),
      deleteAllGates: this.db.prepare("DELETE FROM activegates"),
    };
  }

  findById(id: string): ActiveGateTokenRow | undefined {
    return this.statements.byId.get(id);
  }

  maxSeq(): number {
    return this.statements.maxSeq.get()!.m ?? 0;
  }

  count(maxSeq = Number.MAX_SAFE_INTEGER): number {
    return this.statements.count.get(maxSeq)!.n;
  }

  /** One page, newest first, after a keyset position (none: the first page). */
  page(maxSeq: number, after: [number, number] | undefined, limit: number): ActiveGateTokenRow[] {
    const [creation, seq] = after ?? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    return this.statements.page.all(maxSeq, creation, creation, seq, limit, 0);
  }

  /** Creates a token and returns its row and secret. */
  create(
    input: {
      name: string;
      owner: string;
      type: ActiveGateTokenType;
      seed: boolean;
      expiration_ms: number | null;
    },
    now: number,
  ): { row: ActiveGateTokenRow; secret: string } {
    const secret = generateActiveGateSecret();
    const row = {
      id: activeGateTokenIdOf(secret)!,
      secret_hash: hashSecret(secret),
      name: input.name,
      owner: input.owner,
      type: input.type,
      seed: input.seed ? 1 : 0,
      creation_ms: now,
      expiration_ms: input.expiration_ms,
      last_used_ms: null,
    };
    const info = this.statements.insert.run(row);
    return { row: { ...row, seq: Number(info.lastInsertRowid) }, secret };
  }

  delete(seq: number): void {
    this.statements.delete.run(seq);
  }

  /** Seeds tokens in one transaction (sandbox-only). */
  seedTokens(tokens: readonly SeedActiveGateToken[], now: number): SeededActiveGateToken[] {
    return this.store.exclusively(() =>
      tokens.map((t) => {
        const secret = generateActiveGateSecret();
        const row = {
          id: activeGateTokenIdOf(secret)!,
          secret_hash: hashSecret(secret),
          name: t.name,
          owner: t.owner ?? "admin",
          type: t.activeGateType ?? "ENVIRONMENT",
          seed: t.seedToken ? 1 : 0,
          creation_ms: t.creationDate === undefined ? now : ms(t.creationDate),
          expiration_ms: t.expirationDate == null ? null : ms(t.expirationDate),
          last_used_ms: t.lastUsedDate == null ? null : ms(t.lastUsedDate),
        };
        const info = this.statements.insert.run(row);
        return { ...toActiveGateToken({ ...row, seq: Number(info.lastInsertRowid) }), token: secret };
      }),
    );
  }

  /** Adds simulated ActiveGates in one transaction (sandbox-only); each connects with its token. */
  seedActiveGates(gates: readonly SeedActiveGate[], now: number): ActiveGate[] {
    return this.store.exclusively(() =>
      gates.map((g) => {
        const id = g.id ?? `0x${randomBytes(4).toString("hex")}`;
        const presented = g.token === undefined ? undefined : this.presented(g.token);
        this.statements.insertGate.run({
          id,
          hostname: g.hostname,
          type: g.type ?? "ENVIRONMENT",
          version: g.version ?? "1.303.0.20241120-123456",
          os_type: g.osType ?? "LINUX",
          network_zone: g.networkZone ?? "default",
          grp: g.group ?? "default",
          containerized: g.containerized ? 1 : 0,
          offline_since_ms: g.offlineSince == null ? null : ms(g.offlineSince),
          token_id: presented?.id ?? null,
          token_matched: presented?.matched ? 1 : 0,
        });
        if (presented?.matched && g.offlineSince == null) this.statements.touch.run(now, presented.id);
        return this.toActiveGate(this.statements.gate.get(id)!, now);
      }),
    );
  }

  /** What an ActiveGate presenting this secret authenticates as. */
  private presented(secret: string): { id: string; matched: boolean } {
    const id = activeGateTokenIdOf(secret);
    if (id === undefined)
      throw new TypeError("an ActiveGate token secret is dt0g02.<8 characters>.<64 characters>");
    const row = this.findById(id);
    return { id, matched: row !== undefined && secretMatches(row.secret_hash, secret) };
  }

  /**
   * Makes an ActiveGate present another secret, as one restarted with a new `authorization.properties`
   * would (sandbox-only). Returns its new state, or undefined when there is no such ActiveGate.
   */
  connect(gateId: string, secret: string, now: number): ActiveGate | undefined {
    const gate = this.statements.gate.get(gateId);
    if (!gate) return undefined;
    const presented = this.presented(secret);
    this.statements.connect.run(presented.id, presented.matched ? 1 : 0, gateId);
    if (presented.matched) this.statements.touch.run(now, presented.id);
    return this.toActiveGate(this.statements.gate.get(gateId)!, now);
  }

  gate(id: string, now: number): ActiveGate | undefined {
    const row = this.statements.gate.get(id);
    return row && this.toActiveGate(row, now);
  }

  gates(now: number): ActiveGate[] {
    return this.statements.gates.all().map((row) => this.toActiveGate(row, now));
  }

  /** Whether a gate's token has an expiry (the tokenExpirationSet filter). */
  tokenExpirationSet(gate: ActiveGate): boolean {
    const id = gate.activeGateTokens?.[0]?.id;
    const row = id === undefined ? undefined : this.findById(id);
    return row?.expiration_ms != null;
  }

  private toActiveGate(row: ActiveGateRow, now: number): ActiveGate {
    const token = row.token_id === null ? undefined : this.findById(row.token_id);
    const gate: ActiveGate = {
      id: row.id,
      hostname: row.hostname,
      type: row.type,
      version: row.version,
      osType: row.os_type,
      osArchitecture: "X86",
      osBitness: "64",
      networkZone: row.network_zone,
      group: row.grp,
      containerized: row.containerized === 1,
      offlineSince: row.offline_since_ms,
      networkAddresses: [],
      loadBalancerAddresses: [],
      environments: [],
      modules: [],
      activeGateTokens:
        row.token_id === null
          ? [{ state: "ABSENT" }]
          : [{ id: row.token_id, state: tokenState(row, token, now) }],
    };
    return gate;
  }

  enforcement(): ActiveGateTokenEnforcement {
    const value = this.statements.enforcement.get()?.value;
    return JSON.parse(String(value ?? "{}")) as ActiveGateTokenEnforcement;
  }

  setEnforcement(value: ActiveGateTokenEnforcement): void {
    this.statements.setEnforcement.run(JSON.stringify(value));
  }

  /** Deletes every ActiveGate token and ActiveGate (sandbox-only reset). */
  reset(): void {
    this.store.exclusively(() => {
      this.statements.deleteAllGates.run();
      this.statements.deleteAllTokens.run();
    });
  }
}

const stores = new WeakMap<TokenStore, ActiveGateStore>();

/** The ActiveGate store of an environment's database (one per TokenStore, made on first use). */
export function activeGatesOf(store: TokenStore): ActiveGateStore {
  let found = stores.get(store);
  if (!found) {
    found = new ActiveGateStore(store);
    stores.set(store, found);
  }
  return found;
}
