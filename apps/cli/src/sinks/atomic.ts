/**
 * Writes a file atomically: a temporary file beside it (created exclusively, mode 0600 until it
 * is complete), given the final owner, group and mode, flushed to disk, renamed over the target,
 * and the directory flushed too, so that the rename itself survives a power cut. Readers see the
 * old content or the new, never a part; on failure the temporary file is removed and the target
 * is untouched.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What the written file gets: its mode, and (when given) its owner and group. */
export interface FileAttributes {
  mode: number;
  uid?: number;
  gid?: number;
  /** How the text becomes bytes: utf8 (the default), or latin1 for a file read as latin1 (one byte per character, so every byte is kept). */
  encoding?: "utf8" | "latin1";
  /** Called once the temporary file is complete, before it replaces the target (a test's crash point). */
  beforeRename?: () => void;
}

export async function writeFileAtomic(
  path: string,
  content: string,
  attributes: FileAttributes | number,
): Promise<void> {
  const {
    mode,
    uid,
    gid,
    beforeRename,
    encoding = "utf8",
  } = typeof attributes === "number" ? ({ mode: attributes } as FileAttributes) : attributes;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(content, encoding);
      // Owner and group first: chown clears set-id bits, and a file another user reads keeps that user.
      if ((uid !== undefined && uid !== process.getuid?.()) || gid !== undefined)
        await handle.chown(uid ?? -1, gid ?? -1).catch((e: NodeJS.ErrnoException) => {
          throw new Error(
            `cannot give the new ${basename(path)} its owner ${uid}:${gid} (${e.code}); run as that user or as root`,
          );
        });
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    beforeRename?.();
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`the directory ${dirname(path)} does not exist`);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Flushes a directory's entries (a rename, a new or removed file) to disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
