/**
 * The rotation journal: one JSON file per rotation in flight, in the state directory (mode 0600,
 * the directory 0700), rewritten atomically and flushed to disk before each stage starts. It holds
 * what a recovery needs after a crash at any instant: the stage reached, the replacement's id and
 * secret once it exists, and each sink's place and previous content. `dt-tokens cleanup` and
 * `dt-tokens rotate --finish` read it to complete or roll back the rotation, then remove it.
 *
 * Generic: `kind` names the rotation (`api-token`, an ActiveGate token, ...), `key` its lock, and
 * `data` is the kind's own record.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Env } from "../io.js";
import { syncDirectory, writeFileAtomic } from "../sinks/atomic.js";
import { stateSubdir } from "./state.js";

export interface JournalRecord<T> {
  version: 1;
  kind: string;
  /** The lock key of the rotation's subject. */
  key: string;
  /** When it started (ISO). */
  startedAt: string;
  pid: number;
  data: T;
}

export class Journal<T> {
  private constructor(
    readonly path: string,
    public record: JournalRecord<T>,
  ) {}

  /** Writes a new journal (before the rotation changes anything). */
  static async begin<T>(env: Env, kind: string, key: string, data: T): Promise<Journal<T>> {
    const dir = await stateSubdir(env, "journal");
    const record: JournalRecord<T> = {
      version: 1,
      kind,
      key,
      startedAt: new Date().toISOString(),
      pid: process.pid,
      data,
    };
    const journal = new Journal(join(dir, `${kind}-${randomUUID()}.json`), record);
    await journal.write();
    return journal;
  }

  /** Records the next state, on disk, before the step it announces runs. */
  async save(data: T): Promise<void> {
    this.record = { ...this.record, data };
    await this.write();
  }

  /** The rotation ended (completed or rolled back): the journal goes, and its secrets with it. */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    await syncDirectory(join(this.path, "..")).catch(() => {});
  }

  private write(): Promise<void> {
    return writeFileAtomic(this.path, `${JSON.stringify(this.record)}\n`, { mode: 0o600 });
  }

  /** Every journal of `kind` left in the state directory (unreadable ones are reported, not dropped). */
  static async list<T>(
    env: Env,
    kind: string,
  ): Promise<{ journals: Journal<T>[]; unreadable: { path: string; error: string }[] }> {
    const dir = await stateSubdir(env, "journal");
    const journals: Journal<T>[] = [];
    const unreadable: { path: string; error: string }[] = [];
    for (const name of (await readdir(dir)).sort()) {
      if (!name.startsWith(`${kind}-`) || !name.endsWith(".json")) continue;
      const path = join(dir, name);
      try {
        const record = JSON.parse(await readFile(path, "utf8")) as JournalRecord<T>;
        if (record.version !== 1 || record.kind !== kind) throw new Error("not a journal of this version");
        journals.push(new Journal(path, record));
      } catch (error) {
        unreadable.push({ path, error: (error as Error).message });
      }
    }
    return { journals, unreadable };
  }
}
