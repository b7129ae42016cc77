/**
 * SQLite storage (better-sqlite3): versioned migrations, WAL with synchronous=FULL so that every
 * acknowledged write survives the process being killed, secrets only as SHA-256 hashes.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/** One row of the tokens table. Dates are epoch milliseconds. */
export interface TokenRow {
  seq: number;
  id: string;
  secret_hash: Buffer;
  name: string;
  owner: string;
  personal: number;
  enabled: number;
  scopes: string;
  creation_ms: number;
  expiration_ms: number | null;
  last_used_ms: number | null;
  last_used_ip: string | null;
  modified_ms: number | null;
  metadata: string | null;
}

export type NewTokenRow = Omit<TokenRow, "seq">;

/** The columns an update may change; null leaves a column as it is. */
type TokenPatch = { [K in "name" | "enabled" | "scopes" | "modified_ms"]: TokenRow[K] | null };

const QUERY_CACHE_SIZE = 64;

/** A row as list reads it: everything but the secret's hash, which a listing never needs. */
export type ListedRow = Omit<TokenRow, "secret_hash">;
const LISTED_COLUMNS =
  "seq, id, name, owner, personal, enabled, scopes, creation_ms, expiration_ms, last_used_ms, last_used_ip, modified_ms, metadata";

/** Each entry upgrades the schema by one version (PRAGMA user_version). Never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE tokens (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     secret_hash BLOB NOT NULL,
     name TEXT NOT NULL,
     owner TEXT NOT NULL,
     personal INTEGER NOT NULL CHECK (personal IN (0, 1)),
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     scopes TEXT NOT NULL,
     creation_ms INTEGER NOT NULL,
     expiration_ms INTEGER,
     last_used_ms INTEGER,
     last_used_ip TEXT,
     modified_ms INTEGER,
     metadata TEXT
   );
   CREATE INDEX tokens_creation ON tokens (creation_ms, seq);
   CREATE INDEX tokens_owner ON tokens (owner);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
   INSERT INTO meta (key, value) VALUES ('pageKeySecret', randomblob(32));`,
];

export type SortField = "name" | "lastUsedDate" | "creationDate" | "expirationDate" | "modifiedDate";

const NEVER_LOW = -Number.MAX_SAFE_INTEGER;
const NEVER_HIGH = Number.MAX_SAFE_INTEGER;

/** The SQL expression each sort orders by; absent dates sort as the brief says. */
const SORT_EXPRESSIONS: Record<SortField, string> = {
  name: "name COLLATE NOCASE",
  creationDate: "creation_ms",
  // +lastUsedDate: never used first
  lastUsedDate: `COALESCE(last_used_ms, ${NEVER_LOW})`,
  // +expirationDate: expiring soon first, never expiring last (so -expirationDate puts them first)
  expirationDate: `COALESCE(expiration_ms, ${NEVER_HIGH})`,
  // +modifiedDate: never modified first
  modifiedDate: `COALESCE(modified_ms, ${NEVER_LOW})`,
};

/** The value of a row for a sort, as the keyset cursor stores it. */
export function sortValue(row: ListedRow, field: SortField): string | number {
  switch (field) {
    case "name":
      return row.name;
    case "creationDate":
      return row.creation_ms;
    case "lastUsedDate":
      return row.last_used_ms ?? NEVER_LOW;
    case "expirationDate":
      return row.expiration_ms ?? NEVER_HIGH;
    case "modifiedDate":
      return row.modified_ms ?? NEVER_LOW;
  }
}

export interface TokenFilter {
  /** Every listed owner must equal the token's owner (AND). */
  owners: string[];
  personal?: boolean | undefined;
  /** AND of groups; inside a group any scope matches (OR). */
  scopeGroups: string[][];
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** Only tokens that existed when the listing started (keyset snapshot). */
  maxSeq?: number | undefined;
}

interface ListRequest {
  filter: TokenFilter;
  sort: { field: SortField; descending: boolean };
  after?: { value: string | number; seq: number } | undefined;
  limit: number;
}

export class TokenStore {
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements;

  constructor(path: string) {
    this.path = path;
    if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.migrate();
    this.statements = {
      byId: this.db.prepare<[string], TokenRow>("SELECT * FROM tokens WHERE id = ?"),
      insert: this.db.prepare<NewTokenRow>(
        `INSERT INTO tokens (id, secret_hash, name, owner, personal, enabled, scopes, creation_ms, expiration_ms,
           last_used_ms, last_used_ip, modified_ms, metadata)
         VALUES (@id, @secret_hash, @name, @owner, @personal, @enabled, @scopes, @creation_ms, @expiration_ms,
           @last_used_ms, @last_used_ip, @modified_ms, @metadata)`,
      ),
      touch: this.db.prepare<[number, string | null, number]>(
        "UPDATE tokens SET last_used_ms = ?, last_used_ip = COALESCE(?, last_used_ip) WHERE seq = ?",
      ),
      update: this.db.prepare<TokenPatch & { seq: number }>(
        `UPDATE tokens SET name = COALESCE(@name, name), scopes = COALESCE(@scopes, scopes),
           enabled = COALESCE(@enabled, enabled), modified_ms = COALESCE(@modified_ms, modified_ms)
         WHERE seq = @seq`,
      ),
      ensure: this.db.prepare<[Buffer, string, number]>(
        "UPDATE tokens SET secret_hash = ?, enabled = 1, expiration_ms = NULL, scopes = ? WHERE seq = ?",
      ),
      delete: this.db.prepare<[number]>("DELETE FROM tokens WHERE seq = ?"),
      deleteAllExcept: this.db.prepare<[string]>(
        "DELETE FROM tokens WHERE id NOT IN (SELECT value FROM json_each(?))",
      ),
      count: this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM tokens"),
      maxSeq: this.db.prepare<[], { m: number | null }>("SELECT max(seq) AS m FROM tokens"),
      meta: this.db.prepare<[string], { value: Buffer }>("SELECT value FROM meta WHERE key = ?"),
    };
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The database ${this.path} has schema version ${version}, newer than this sandbox knows (${MIGRATIONS.length}): upgrade @dt-tokens/sandbox.`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /** The HMAC key of page keys: written once by the first migration, so read once. */
  pageKeySecret(): Buffer {
    this.pageKeySecretCache ??= this.statements.meta.get("pageKeySecret")!.value;
    return this.pageKeySecretCache;
  }
  private pageKeySecretCache: Buffer | undefined;

  findById(id: string): TokenRow | undefined {
    return this.statements.byId.get(id);
  }

  count(): number {
    return this.statements.count.get()!.n;
  }

  maxSeq(): number {
    return this.statements.maxSeq.get()!.m ?? 0;
  }

  insert(row: NewTokenRow): TokenRow {
    const info = this.statements.insert.run(row);
    return { ...row, seq: Number(info.lastInsertRowid) };
  }

  /** Inserts all rows in one transaction: all or nothing. */
  insertMany(rows: readonly NewTokenRow[]): TokenRow[] {
    return this.db.transaction((all: readonly NewTokenRow[]) => all.map((row) => this.insert(row)))(rows);
  }

  /** Sets the patch's non-null columns. */
  update(seq: number, patch: TokenPatch): void {
    this.statements.update.run({ ...patch, seq });
  }

  /** Replaces a token's secret hash and makes sure it is enabled with the given scopes. */
  ensure(row: NewTokenRow): TokenRow {
    const existing = this.findById(row.id);
    if (!existing) return this.insert(row);
    const scopes = [...new Set([...(JSON.parse(existing.scopes) as string[]), ...JSON.parse(row.scopes)])];
    this.statements.ensure.run(row.secret_hash, JSON.stringify(scopes), existing.seq);
    return this.findById(row.id)!;
  }

  touch(seq: number, ms: number, ip: string | null): void {
    this.statements.touch.run(ms, ip, seq);
  }

  delete(seq: number): void {
    this.statements.delete.run(seq);
  }

  /** Deletes every token except the given ids. */
  deleteAllExcept(ids: readonly string[]): number {
    return this.statements.deleteAllExcept.run(JSON.stringify(ids)).changes;
  }

  private where(filter: TokenFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const owner of filter.owners) {
      clauses.push("owner = ?");
      params.push(owner);
    }
    if (filter.personal !== undefined) {
      clauses.push("personal = ?");
      params.push(filter.personal ? 1 : 0);
    }
    for (const group of filter.scopeGroups) {
      clauses.push(
        `EXISTS (SELECT 1 FROM json_each(tokens.scopes) WHERE json_each.value IN (${group.map(() => "?").join(", ")}))`,
      );
      params.push(...group);
    }
    if (filter.fromMs !== undefined) {
      clauses.push("last_used_ms >= ?");
      params.push(filter.fromMs);
    }
    if (filter.toMs !== undefined) {
      clauses.push("last_used_ms <= ?");
      params.push(filter.toMs);
    }
    if (filter.maxSeq !== undefined) {
      clauses.push("seq <= ?");
      params.push(filter.maxSeq);
    }
    return { sql: clauses.length > 0 ? clauses.join(" AND ") : "1", params };
  }

  countMatching(filter: TokenFilter): number {
    const where = this.where(filter);
    const statement = this.prepared<{ n: number }>(`SELECT count(*) AS n FROM tokens WHERE ${where.sql}`);
    return statement.get(...where.params)!.n;
  }

  /** One page in keyset order: rows strictly after the cursor, in the sort's order, ties by seq. */
  list(request: ListRequest): ListedRow[] {
    const where = this.where(request.filter);
    const expr = SORT_EXPRESSIONS[request.sort.field];
    const dir = request.sort.descending ? "DESC" : "ASC";
    const cmp = request.sort.descending ? "<" : ">";
    let sql = `SELECT ${LISTED_COLUMNS} FROM tokens WHERE ${where.sql}`;
    const params = [...where.params];
    if (request.after) {
      sql += ` AND (${expr} ${cmp} ? OR (${expr} = ? AND seq ${cmp} ?))`;
      params.push(request.after.value, request.after.value, request.after.seq);
    }
    sql += ` ORDER BY ${expr} ${dir}, seq ${dir} LIMIT ?`;
    params.push(request.limit);
    return this.prepared<ListedRow>(sql).all(...params);
  }

  /**
   * Queries whose text depends on the filter's shape (how many owners, scope groups, a cursor or
   * not), prepared once per shape. The cache is bounded: a caller cannot grow it without limit.
   */
  private prepared<Row>(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.queryCache.get(sql);
    if (statement) {
      this.queryCache.delete(sql);
    } else {
      statement = this.db.prepare<unknown[], Row>(sql);
      if (this.queryCache.size >= QUERY_CACHE_SIZE) {
        this.queryCache.delete(this.queryCache.keys().next().value!);
      }
    }
    this.queryCache.set(sql, statement);
    return statement as Database.Statement<unknown[], Row>;
  }
  private readonly queryCache = new Map<string, Database.Statement<unknown[], unknown>>();

  close(): void {
    if (this.db.open) this.db.close();
  }
}
