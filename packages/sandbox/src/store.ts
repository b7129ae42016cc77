/**
 * SQLite storage (better-sqlite3): versioned migrations, WAL with synchronous=FULL so that every
 * acknowledged write survives the process being killed, secrets only as SHA-256 hashes, files
 * readable by their owner only. Last uses are batched (see last-use.ts).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { ListSortKey } from "@dt-tokens/types";
import Database from "better-sqlite3";
import { LastUses, PENDING_USES_TABLE } from "./last-use.js";
import { MIGRATIONS } from "./migrations.js";

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
/** How long a starting sandbox waits for another process's migration. */
const START_BUSY_TIMEOUT_MS = 10_000;
/** How long a request's write waits for another process's lock before answering 503. */
const BUSY_TIMEOUT_MS = 200;

function isFile(path: string): boolean {
  return path !== "" && path !== ":memory:" && !path.startsWith("file:");
}

/**
 * Creates the database file (and its directory) readable by its owner only; SQLite gives the WAL
 * and shared-memory files the database file's permissions.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
}

/** A row without the secret's hash, which a listing never needs. */
export type ListedRow = Omit<TokenRow, "secret_hash">;
export type ListedColumn = Exclude<keyof ListedRow, "seq">;
/** A row of a list page: `seq` and only the columns the page's fields and sort need. */
export type PageRow = Pick<ListedRow, "seq"> & Partial<ListedRow>;

export type SortField = ListSortKey;

const NEVER_LOW = -Number.MAX_SAFE_INTEGER;
const NEVER_HIGH = Number.MAX_SAFE_INTEGER;

/**
 * A token's last use as every answer of this process shows it: the column, or a newer use still
 * pending in memory (mirrored into a temporary table before a query reads this). Never used:
 * NEVER_LOW, which no timeframe reaches.
 */
const LAST_USED_SQL = `MAX(COALESCE(last_used_ms, ${NEVER_LOW}), COALESCE((SELECT ms FROM ${PENDING_USES_TABLE} p WHERE p.seq = tokens.seq), ${NEVER_LOW}))`;

/** The SQL expression each sort orders by; absent dates sort as the brief says. */
const SORT_EXPRESSIONS: Record<SortField, string> = {
  name: "name COLLATE NOCASE",
  creationDate: "creation_ms",
  // +lastUsedDate: never used first
  lastUsedDate: LAST_USED_SQL,
  // +expirationDate: expiring soon first, never expiring last (so -expirationDate puts them first)
  expirationDate: `COALESCE(expiration_ms, ${NEVER_HIGH})`,
  // +modifiedDate: never modified first
  modifiedDate: `COALESCE(modified_ms, ${NEVER_LOW})`,
};

/** The column each sort reads. */
const SORT_COLUMNS: Record<SortField, ListedColumn> = {
  name: "name",
  creationDate: "creation_ms",
  lastUsedDate: "last_used_ms",
  expirationDate: "expiration_ms",
  modifiedDate: "modified_ms",
};

/** The value of a row for a sort, as the keyset cursor stores it. */
export function sortValue(row: PageRow, field: SortField): string | number {
  switch (field) {
    case "name":
      return row.name!;
    case "creationDate":
      return row.creation_ms!;
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

export interface ListRequest {
  filter: TokenFilter;
  sort: { field: SortField; descending: boolean };
  after?: { value: string | number; seq: number } | undefined;
  limit: number;
  /** The columns the page shows (besides seq and the sort's, which are always read). */
  columns: readonly ListedColumn[];
}

let nextInstanceId = 1;

export class TokenStore {
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements;
  private readonly lastUses: LastUses;
  /** Unique among the stores of this process: the page cache keys an environment's pages by it. */
  readonly instanceId = nextInstanceId++;

  constructor(path: string) {
    this.path = path;
    if (isFile(path)) createPrivately(path);
    this.db = new Database(path);
    // Start-up may wait for another process's migration; serving never waits long for a lock.
    this.db.pragma(`busy_timeout = ${START_BUSY_TIMEOUT_MS}`);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.migrate();
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.lastUses = new LastUses(this.db, BUSY_TIMEOUT_MS);
    this.statements = {
      byId: this.db.prepare<[string], TokenRow>("SELECT * FROM tokens WHERE id = ?"),
      insert: this.db.prepare<NewTokenRow>(
        `INSERT INTO tokens (id, secret_hash, name, owner, personal, enabled, scopes, creation_ms, expiration_ms,
           last_used_ms, last_used_ip, modified_ms, metadata)
         VALUES (@id, @secret_hash, @name, @owner, @personal, @enabled, @scopes, @creation_ms, @expiration_ms,
           @last_used_ms, @last_used_ip, @modified_ms, @metadata)`,
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
      // rows changed through this connection, by any statement (SQLite counts them itself)
      changes: this.db.prepare<[], number>("SELECT total_changes()").pluck(),
      // moves whenever another connection (another process) commits to the database file
      dataVersion: this.db.prepare<[], number>("PRAGMA data_version").pluck(),
    };
    this.sharedFile = path !== ":memory:" && path !== "";
  }
  /** Whether other connections may open the database (a private in-memory one has a single connection). */
  private readonly sharedFile: boolean;

  /**
   * Changes whenever anything in the database changes: a write of this process through any
   * statement (total_changes, which counts every inserted, updated or deleted row) or a commit of
   * another process (data_version). Equal stamps mean equal data. Last uses written from memory
   * (and their mirror in a temporary table) do not count: every read of this process already
   * showed them.
   */
  dataStamp(): string {
    const changes = this.statements.changes.get()! - this.lastUses.rowsWritten;
    return this.sharedFile ? `${changes}.${this.statements.dataVersion.get()!}` : String(changes);
  }

  /** Migrates inside one write transaction, so that two processes starting at once cannot race. */
  private migrate(): void {
    this.exclusively(() => {
      const version = this.schemaVersion;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `The database ${this.path} has schema version ${version}, newer than this sandbox knows (${MIGRATIONS.length}): upgrade @dt-tokens/sandbox.`,
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }
    });
  }

  /** Runs fn in a transaction that holds the write lock from its start (BEGIN IMMEDIATE). */
  exclusively<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /** The environment's own id (`/e/<id>/api/v2`): written once by migration 5, so read once. */
  get environmentId(): string {
    this.environmentIdCache ??= String(this.statements.meta.get("environmentId")!.value);
    return this.environmentIdCache;
  }
  private environmentIdCache: string | undefined;

  /** The HMAC key of page keys: written once by the first migration, so read once. */
  pageKeySecret(): Buffer {
    this.pageKeySecretCache ??= this.statements.meta.get("pageKeySecret")!.value;
    return this.pageKeySecretCache;
  }
  private pageKeySecretCache: Buffer | undefined;

  findById(id: string): TokenRow | undefined {
    const row = this.statements.byId.get(id);
    return row && this.lastUses.apply(row);
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

  /** Replaces a token's secret hash and makes sure it is enabled with the given scopes (one transaction). */
  ensure(row: NewTokenRow): TokenRow {
    return this.exclusively(() => {
      const existing = this.findById(row.id);
      if (!existing) return this.insert(row);
      const scopes = [...new Set([...(JSON.parse(existing.scopes) as string[]), ...JSON.parse(row.scopes)])];
      this.statements.ensure.run(row.secret_hash, JSON.stringify(scopes), existing.seq);
      return this.findById(row.id)!;
    });
  }

  /** Records a use of a token: shown at once, written within a second (see last-use.ts). */
  touch(seq: number, ms: number, ip: string | null): void {
    this.lastUses.record(seq, ms, ip);
  }

  /** Writes pending last uses now, waiting up to waitMs for another connection's lock (false: still pending). */
  flushLastUses(waitMs = 0): boolean {
    return this.lastUses.flush(waitMs);
  }

  /**
   * The row with this process's latest recorded use of its token laid over it, when that is newer
   * than the one it shows (for pages served from the cache; rows this store reads get the same).
   */
  withLastUse<Row extends { seq: number; last_used_ms: number | null; last_used_ip: string | null }>(
    row: Row,
  ): Row {
    return this.lastUses.apply(row);
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
      clauses.push(`${LAST_USED_SQL} >= ?`);
      params.push(filter.fromMs);
    }
    if (filter.toMs !== undefined) {
      clauses.push(`${LAST_USED_SQL} <= ? AND ${LAST_USED_SQL} > ${NEVER_LOW}`);
      params.push(filter.toMs);
    }
    if (filter.maxSeq !== undefined) {
      clauses.push("seq <= ?");
      params.push(filter.maxSeq);
    }
    return { sql: clauses.length > 0 ? clauses.join(" AND ") : "1", params };
  }

  countMatching(filter: TokenFilter): number {
    if (filter.fromMs !== undefined || filter.toMs !== undefined) this.lastUses.mirrorPending();
    const where = this.where(filter);
    const statement = this.prepared<{ n: number }>(`SELECT count(*) AS n FROM tokens WHERE ${where.sql}`);
    return statement.get(...where.params)!.n;
  }

  /** One page in keyset order: rows strictly after the cursor, in the sort's order, ties by seq. */
  list(request: ListRequest): PageRow[] {
    const { filter, sort } = request;
    if (filter.fromMs !== undefined || filter.toMs !== undefined || sort.field === "lastUsedDate") {
      this.lastUses.mirrorPending(); // the query itself looks at last uses: the pending ones too
    }
    const { sql, params } = this.listQuery(request);
    const rows = this.prepared<PageRow>(sql).all(...params);
    if (this.lastUses.knowsUses) for (const row of rows) this.lastUses.apply(row);
    return rows;
  }

  /** The SQL of a list page and its parameters (exported for the query-plan test). */
  listQuery(request: ListRequest): { sql: string; params: unknown[] } {
    const { sort } = request;
    const where = this.where(request.filter);
    const expr = SORT_EXPRESSIONS[request.sort.field];
    const dir = request.sort.descending ? "DESC" : "ASC";
    const cmp = request.sort.descending ? "<" : ">";
    // reading only the columns shown makes a page several times cheaper than SELECT of them all
    const columns = new Set<string>(["seq", ...request.columns, SORT_COLUMNS[sort.field]]);
    let sql = `SELECT ${[...columns].join(", ")} FROM tokens WHERE ${where.sql}`;
    const params = [...where.params];
    if (request.after) {
      sql += ` AND (${expr} ${cmp} ? OR (${expr} = ? AND seq ${cmp} ?))`;
      params.push(request.after.value, request.after.value, request.after.seq);
    }
    sql += ` ORDER BY ${expr} ${dir}, seq ${dir} LIMIT ?`;
    params.push(request.limit);
    return { sql, params };
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

  /**
   * Writes pending last uses (waiting for the lock) and closes the database. Uses that cannot be
   * written because another connection held the write lock all that time are lost, and a process
   * warning says how many (a clean shutdown never loses them silently).
   */
  close(): void {
    if (!this.db.open) return;
    this.lastUses.stop();
    try {
      if (!this.lastUses.flush(START_BUSY_TIMEOUT_MS)) {
        process.emitWarning(
          `dt-tokens-sandbox: ${this.lastUses.pendingCount} last use(s) were not written to ${this.db.name}: another connection held its write lock for ${START_BUSY_TIMEOUT_MS / 1000} s`,
          { code: "DT_SANDBOX_LAST_USE_LOST" },
        );
      }
    } finally {
      this.db.close();
    }
  }
}
