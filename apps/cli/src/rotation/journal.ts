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
import { chmod, readdir, readFile, rm, stat } from "node:fs/promises";
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

  /**
   * Every journal of `kind` left in the state directory. Unreadable ones are reported, not dropped
   * (nor changed), with an error that never quotes their content (it holds a secret); journals
   * other users could read are reported in `exposed` (their secret may have been read) and made
   * 0600 again.
   */
  static async list<T>(
    env: Env,
    kind: string,
  ): Promise<{
    journals: Journal<T>[];
    unreadable: { path: string; error: string }[];
    exposed: { path: string; mode: number }[];
  }> {
    const dir = await stateSubdir(env, "journal");
    const journals: Journal<T>[] = [];
    const unreadable: { path: string; error: string }[] = [];
    const exposed: { path: string; mode: number }[] = [];
    for (const name of (await readdir(dir)).sort()) {
      if (!name.startsWith(`${kind}-`) || !name.endsWith(".json")) continue;
      const path = join(dir, name);
      try {
        const mode = (await stat(path)).mode & 0o777;
        if (mode & 0o077) {
          exposed.push({ path, mode });
          await chmod(path, 0o600);
        }
        const record = parseRecord(await readFile(path, "utf8"));
        if (record.version !== 1 || record.kind !== kind) throw new Error("not a journal of this version");
        journals.push(new Journal(path, record as JournalRecord<T>));
      } catch (error) {
        unreadable.push({ path, error: (error as Error).message });
      }
    }
    return { journals, unreadable, exposed };
  }
}

/**
 * A journal's record. JSON.parse's own errors quote the text near the fault, which may be the
 * secret: this one says only what is wrong and where.
 */
function parseRecord(text: string): Partial<JournalRecord<unknown>> {
  if (text.trim() === "") throw new Error("it is empty (a crash or a full disk while it was written)");
  try {
    const record: unknown = JSON.parse(text);
    if (typeof record !== "object" || record === null) throw new SyntaxError("not an object");
    return record;
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new Error(
      `it is not a JSON object${at ? ` (the fault is at byte ${at} of ${Buffer.byteLength(text)})` : ""}: it is truncated or corrupt`,
    );
  }
}
