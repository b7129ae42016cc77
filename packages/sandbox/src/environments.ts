/**
 * Many environments in one sandbox process, as a Managed cluster serves them: each under
 * `/e/<environment-id>/api/v2` with its own database (so its own tokens and bootstrap token); a
 * token of one environment is unknown in every other. The default environment (`/api/v2`) is
 * unchanged.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";

/** Environment ids: what Managed puts after `/e/` (letters, digits and '-', like a UUID or abc12345). */
export const ENVIRONMENT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

/** The ids of `count` environments: env01, env02, … (as wide as the count needs, at least 2 digits). */
export function environmentIds(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `env${String(i + 1).padStart(width, "0")}`);
}

/** The ids of the `environments` option, checked: a count, or the ids themselves. */
export function resolveEnvironmentIds(environments: number | readonly string[]): string[] {
  if (typeof environments === "number") {
    if (!Number.isInteger(environments) || environments < 0 || environments > 1000)
      throw new RangeError("environments must be a whole number from 0 to 1000.");
    return environmentIds(environments);
  }
  const ids = [...environments];
  for (const id of ids)
    if (!ENVIRONMENT_ID.test(id))
      throw new RangeError(
        `environment id "${id}" is not valid: letters, digits and '-', starting with a letter or digit, at most 63.`,
      );
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new RangeError(`environment id "${duplicate}" is given twice.`);
  return ids;
}

/** File descriptors a database file keeps open in WAL mode: the file, its WAL and its shared memory. */
const FDS_PER_DATABASE = 3;
/** What the process needs besides: the listening socket, clients' connections, stdio, Node itself. */
const FDS_SPARE = 64;

/** This process's limit of open files (the soft `ulimit -n`), where the platform tells; else undefined. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * Throws, before any file is created, when `count` hosted environments with database files (and
 * the default one) would need more file descriptors than this process may open.
 */
export function checkFileDescriptors(count: number, limit: number | undefined = openFileLimit()): void {
  if (limit === undefined || !Number.isFinite(limit)) return;
  const needed = FDS_PER_DATABASE * (count + 1) + FDS_SPARE;
  if (needed <= limit) return;
  const most = Math.max(0, Math.floor((limit - FDS_SPARE) / FDS_PER_DATABASE) - 1);
  throw new RangeError(
    `${count} environments with database files need about ${needed} open files (${FDS_PER_DATABASE} per database), more than this process may open (${limit}, ulimit -n). Raise the limit (ulimit -n ${needed}), host at most ${most} environments, or keep them in memory (--db :memory:). Nothing was created.`,
  );
}

/**
 * Where an environment's database lives: beside the default one (`tokens.db` → `tokens.env01.db`),
 * or in memory when the default is.
 */
export function environmentDatabase(database: string, id: string): string {
  if (database === ":memory:" || database.startsWith("file:")) return ":memory:";
  const ext = extname(database);
  return join(dirname(database), `${basename(database, ext)}.${id}${ext || ".db"}`);
}
