/**
 * One rotation per subject on this machine: an exclusive lock (proper-lockfile) per key, e.g.
 * `api-token <environment URL> <token id>`, in the state directory. The holder's pid is written
 * beside it: a lock whose holder no longer runs (SIGKILL, OOM) is taken over at once; otherwise a
 * lock not refreshed for STALE_MS is. Generic: any kind of rotation (API tokens, ActiveGate
 * tokens) locks its subject here. Other machines see the rotation's markers instead.
 */
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import type { Env } from "../io.js";
import { stateSubdir } from "./state.js";

/** How long the lock of a process that died (SIGKILL, power cut) holds: it is refreshed every half of it. */
export const STALE_MS = 10_000;

/** Another process holds the lock. */
export class LockedError extends Error {
  override name = "LockedError";

  constructor(
    message: string,
    /** The pid of the process holding the lock, when it is known. */
    readonly holder?: number,
  ) {
    super(message);
  }
}

export interface Lock {
  /** Whether the lock was lost (its file changed under it): the holder must stop. */
  compromised(): boolean;
  release(): Promise<void>;
}

/** Takes the lock of `key` at once, or throws a LockedError. */
export async function lock(env: Env, key: string): Promise<Lock> {
  const dir = await stateSubdir(env, "locks");
  const file = join(dir, createHash("sha256").update(key).digest("hex").slice(0, 32));
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  let lost = false;
  const options = {
    stale: STALE_MS,
    retries: 0,
    realpath: false,
    onCompromised: () => {
      lost = true;
    },
  };
  const take = async () => {
    const release = await lockfile.lock(file, options);
    await writeFile(`${file}.pid`, `${process.pid}\n`, { mode: 0o600 });
    return { compromised: () => lost, release: () => release().catch(() => {}) };
  };
  try {
    return await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    const holder = Number(await readFile(`${file}.pid`, "utf8").catch(() => ""));
    if (holder > 0 && holder !== process.pid && !running(holder)) {
      // proper-lockfile unlocks only its own locks: the dead holder's lock directory is removed.
      await rm(`${file}.lock`, { recursive: true, force: true });
      return await take().catch((again: NodeJS.ErrnoException) => {
        throw again.code === "ELOCKED" ? locked(key) : again;
      });
    }
    throw locked(key, holder > 0 ? holder : undefined);
  }
}

const locked = (key: string, holder?: number) =>
  new LockedError(`another dt-tokens process on this machine is rotating it (${key})`, holder);

/** Whether a process with this pid runs (on this machine). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
