/**
 * Writes a file atomically: a temporary file beside it (created exclusively, with the final mode
 * from the start), flushed to disk, then renamed over the target. Readers see the old content or
 * the new, never a part; on failure the temporary file is removed and the target is untouched.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(content, "utf8");
      await handle.chmod(mode); // the umask may have narrowed it at creation; never widen beyond mode
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`the directory ${dirname(path)} does not exist`);
    throw error;
  }
}
