/**
 * What a file sink is about to replace: the real path (a symlink, such as a mounted secret or a
 * shared .env, is followed, so its target is rewritten and the link kept) and the content and mode
 * it had, so that a rollback can put them back.
 */
import { readFile, realpath, rm, stat } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";

export interface FileBefore {
  /** The path written to, symlinks resolved. */
  path: string;
  /** The content before; undefined when the file did not exist. */
  content?: string;
  mode?: number;
}

export async function readBefore(path: string): Promise<FileBefore> {
  const real = await realpath(path).catch(() => path);
  try {
    // A FIFO, a terminal or a pipe (/dev/stdout) would block the read, and cannot be rolled back.
    if (!(await stat(real)).isFile()) throw new Error(`${real} is not a regular file`);
    const content = await readFile(real, "utf8");
    return { path: real, content, mode: (await stat(real)).mode & 0o777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { path: real };
    throw e;
  }
}

/** Puts the file back as it was (removes it if it did not exist). */
export async function restore(before: FileBefore): Promise<void> {
  if (before.content === undefined) await rm(before.path, { force: true });
  else await writeFileAtomic(before.path, before.content, before.mode ?? 0o600);
}
