/**
 * What a file sink is about to replace, as a snapshot that can be kept in the rotation journal:
 * the path really written (symlinks are followed, dangling ones too, so a mounted secret or a
 * shared .env keeps its link and its target is rewritten), and the content, mode, owner and group
 * the file had, so that a rollback (now, or by `dt-tokens cleanup` after a crash) puts them back.
 */
import { lstat, readFile, readlink, realpath, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { syncDirectory, writeFileAtomic } from "./atomic.js";
import type { SinkPlace } from "./sink.js";

export interface FileBefore {
  /** The path written to, symlinks resolved. */
  path: string;
  /** The content before; undefined when the file did not exist. */
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** How `content` was read: utf8 (absent), or latin1 (a properties file: every byte is one character, so any byte survives). */
  encoding?: "latin1";
}

/** The mode of a file a sink creates. */
export const NEW_FILE_MODE = 0o600;

/**
 * The file a path names once every symlink is followed (those of its directories too), also when
 * the last link dangles (then the file it names is the one to create). Throws on a loop.
 */
export async function resolveLinks(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const found = await lstat(current).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw e;
    });
    if (!found?.isSymbolicLink()) {
      // A linked directory (dir2 -> dir1) names the same file as its target: dir2/x is dir1/x.
      const directory = await realpath(dirname(current)).catch(() => dirname(current));
      return join(directory, basename(current));
    }
    current = resolve(dirname(current), await readlink(current));
  }
  throw new Error(`${path}: too many levels of symbolic links`);
}

/** A file sink's place: its real path, and `dev:ino` when it exists (two hard links are one file). */
export async function filePlace(path: string, key?: string): Promise<SinkPlace> {
  const real = await resolveLinks(path);
  const found = await stat(real).catch(() => undefined);
  return {
    kind: "file",
    path: real,
    ...(key !== undefined && { key }),
    ...(found && { inode: `${found.dev}:${found.ino}` }),
  };
}

export async function readBefore(path: string, encoding?: "latin1"): Promise<FileBefore> {
  const real = await resolveLinks(path);
  const found = await stat(real).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (!found) return { path: real };
  // A FIFO, a terminal or a pipe (/dev/stdout) would block the read, and cannot be rolled back.
  if (!found.isFile()) throw new Error(`${real} is not a regular file`);
  const content = await readFile(real, encoding ?? "utf8");
  return {
    path: real,
    content,
    mode: found.mode & 0o7777,
    uid: found.uid,
    gid: found.gid,
    ...(encoding && { encoding }),
  };
}

/** The attributes a rewritten file gets: those it had, or 0600 and the writer's for a new one. */
export const keptAttributes = (before: FileBefore) => ({
  ...(before.content === undefined
    ? { mode: NEW_FILE_MODE }
    : { mode: before.mode ?? NEW_FILE_MODE, uid: before.uid, gid: before.gid }),
  ...(before.encoding && { encoding: before.encoding }),
});

/** Puts the file back as it was (removes it if it did not exist), owner, group and mode included. */
export async function restore(before: FileBefore): Promise<void> {
  if (before.content === undefined) {
    await rm(before.path, { force: true });
    await syncDirectory(dirname(before.path)).catch(() => {});
  } else await writeFileAtomic(before.path, before.content, keptAttributes(before));
}
