/**
 * lastUsedDate / lastUsedIpAddress without a write per request: uses are kept in memory, shown on
 * every read of this process at once (to the millisecond), and written in one transaction per
 * second without an fsync and without waiting for a lock another process holds (they stay pending
 * and are retried). A SIGKILL may lose up to a second of last uses; never a token or its other fields.
 */
import type Database from "better-sqlite3";
import { isBusy } from "./sqlite-busy.js";

interface Use {
  ms: number;
  ip: string | null;
}

/** How long uses may wait in memory before they are written. */
const FLUSH_AFTER_MS = 1000;

export class LastUses {
  private readonly pending = new Map<number, Use>();
  private timer: NodeJS.Timeout | undefined;
  private readonly write: Database.Statement<[number, string | null, number]>;
  /** How many rows flushes have changed, in all (the store's data stamp leaves them out). */
  rowsWritten = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly busyTimeoutMs: number,
  ) {
    this.write = db.prepare(
      "UPDATE tokens SET last_used_ms = ?, last_used_ip = COALESCE(?, last_used_ip) WHERE seq = ?",
    );
  }

  /** Records a use of the token with this seq; a null address keeps the last known one. */
  record(seq: number, ms: number, ip: string | null): void {
    const earlier = this.pending.get(seq);
    this.pending.set(seq, { ms, ip: ip ?? earlier?.ip ?? null });
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.flush()) this.schedule(); // another process holds the lock: try again later
    }, FLUSH_AFTER_MS).unref();
  }

  /** Shows pending uses on rows read from the database (in place). */
  apply<Row extends { seq: number; last_used_ms?: number | null; last_used_ip?: string | null }>(
    row: Row,
  ): Row {
    const use = this.pending.get(row.seq);
    if (use) {
      row.last_used_ms = use.ms;
      if (use.ip !== null) row.last_used_ip = use.ip;
    }
    return row;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Writes every pending use in one transaction (synchronous=NORMAL: no fsync; WAL keeps it
   * across a process crash). Returns false, keeping them pending, when another process holds the lock.
   */
  flush(waitForLock = false): boolean {
    if (this.pending.size === 0) return true;
    const uses = [...this.pending];
    this.db.pragma("synchronous = NORMAL");
    if (!waitForLock) this.db.pragma("busy_timeout = 0");
    try {
      const written = this.db.transaction(() => {
        let rows = 0;
        for (const [seq, use] of uses) rows += this.write.run(use.ms, use.ip, seq).changes;
        return rows;
      })();
      this.rowsWritten += written;
      for (const [seq, use] of uses) if (this.pending.get(seq) === use) this.pending.delete(seq);
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      this.db.pragma("synchronous = FULL");
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** Stops the timer (before closing the database, after a last flush). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
