/**
 * lastUsedDate / lastUsedIpAddress without a write per request. Uses are kept in memory, shown on
 * every read of this process at once (to the millisecond), and written in one transaction per
 * second without an fsync and without waiting for a lock another process holds: while one does,
 * they stay pending and the write is retried every RETRY_MS, so they reach the file within
 * FLUSH_AFTER_MS of the use or RETRY_MS after the lock is released, whichever is later.
 *
 * Last use only moves forward: a use replaces the one known (in memory or in the file) only when
 * it is newer, so a process never overwrites another's newer use with an older one, and the
 * address always belongs to the latest use.
 *
 * Sorting and filtering by last use see the same values the rows show, pending ones included: the
 * pending uses are mirrored into a temporary table of this connection (no lock on the database
 * needed), which the list's SQL reads next to the column (see store.ts, LAST_USED_SQL).
 *
 * A SIGKILL may lose the uses of the last second (or of as long as another connection held the
 * write lock); never a token or its other fields.
 */
import type Database from "better-sqlite3";
import { isBusy } from "./sqlite-busy.js";

interface Use {
  ms: number;
  ip: string | null;
}

/** How long uses may wait in memory before they are written. */
export const FLUSH_AFTER_MS = 1000;
/** How soon a write that found the database locked is tried again. */
export const RETRY_MS = 100;

/** The temporary table of pending uses (per connection, in memory). */
export const PENDING_USES_TABLE = "temp.pending_uses";

export class LastUses {
  /** The latest use of each token this process recorded (written or not): shown over older rows. */
  private readonly latest = new Map<number, Use>();
  /** Those of them not written yet. */
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly write: Database.Statement<[number, string | null, number, number]>;
  private readonly clearMirror: Database.Statement<[]>;
  private readonly mirror: Database.Statement<[number, number]>;
  private mirrored = true;
  /** How many rows flushes and the pending-use mirror have changed, in all (the data stamp leaves them out). */
  rowsWritten = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly busyTimeoutMs: number,
  ) {
    db.pragma("temp_store = MEMORY");
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS pending_uses (seq INTEGER PRIMARY KEY, ms INTEGER NOT NULL)`);
    this.write = db.prepare(
      `UPDATE tokens SET last_used_ms = ?, last_used_ip = COALESCE(?, last_used_ip)
       WHERE seq = ? AND (last_used_ms IS NULL OR last_used_ms < ?)`,
    );
    this.clearMirror = db.prepare(`DELETE FROM ${PENDING_USES_TABLE}`);
    this.mirror = db.prepare(`INSERT INTO ${PENDING_USES_TABLE} (seq, ms) VALUES (?, ?)`);
  }

  /** Records a use of the token with this seq (ignored when an already known use is newer); a null address keeps the last known one. */
  record(seq: number, ms: number, ip: string | null): void {
    const earlier = this.latest.get(seq);
    if (earlier && earlier.ms > ms) return;
    this.latest.set(seq, { ms, ip: ip ?? earlier?.ip ?? null });
    this.pending.add(seq);
    this.mirrored = false;
    this.schedule(FLUSH_AFTER_MS);
  }

  private schedule(delay: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.flush()) this.schedule(RETRY_MS); // another connection holds the lock
    }, delay).unref();
  }

  /** Shows this process's latest use on a row read from the database (in place), when it is newer. */
  apply<Row extends { seq: number; last_used_ms?: number | null; last_used_ip?: string | null }>(
    row: Row,
  ): Row {
    const use = this.latest.get(row.seq);
    if (use && (row.last_used_ms == null || use.ms > row.last_used_ms)) {
      row.last_used_ms = use.ms;
      if (use.ip !== null) row.last_used_ip = use.ip;
    }
    return row;
  }

  /** Whether this process knows uses that rows read from the database may not show yet. */
  get knowsUses(): boolean {
    return this.latest.size > 0;
  }

  /** The latest use of a token this process recorded, if any. */
  latestOf(seq: number): { ms: number; ip: string | null } | undefined {
    return this.latest.get(seq);
  }

  /** Makes the temporary table hold exactly the pending uses, for a query that sorts or filters by last use. */
  mirrorPending(): void {
    if (this.mirrored) return;
    this.db.transaction(() => {
      this.rowsWritten += this.clearMirror.run().changes;
      for (const seq of this.pending)
        this.rowsWritten += this.mirror.run(seq, this.latest.get(seq)!.ms).changes;
    })();
    this.mirrored = true;
  }

  /**
   * Writes every pending use in one transaction (synchronous=NORMAL: no fsync; WAL keeps it
   * across a process crash), never over a newer one. Returns false, keeping them pending, when
   * another connection holds the write lock (after waiting up to `waitMs`).
   */
  flush(waitMs = 0): boolean {
    if (this.pending.size === 0) return true;
    const uses = [...this.pending].map((seq) => [seq, this.latest.get(seq)!] as const);
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`busy_timeout = ${waitMs}`);
    try {
      const written = this.db.transaction(() => {
        let rows = 0;
        for (const [seq, use] of uses) rows += this.write.run(use.ms, use.ip, seq, use.ms).changes;
        return rows;
      })();
      this.rowsWritten += written;
      for (const [seq, use] of uses) if (this.latest.get(seq) === use) this.pending.delete(seq);
      this.mirrored = false;
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      this.db.pragma("synchronous = FULL");
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** How many uses are not written yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops the timer (before closing the database, after a last flush). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
