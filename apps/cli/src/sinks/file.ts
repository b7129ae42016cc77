/** `file:PATH`: the secret alone in a file, written atomically with mode 0600. */
import { readFile, rm, stat } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import type { Sink } from "./sink.js";

export function fileSink(path: string): Sink {
  let previous: { content: string; mode: number } | undefined | null = null; // null: not delivered
  return {
    label: `file:${path}`,
    async deliver(secret) {
      previous = await readFile(path, "utf8").then(
        async (content) => ({ content, mode: (await stat(path)).mode & 0o777 }),
        (e: NodeJS.ErrnoException) => {
          if (e.code === "ENOENT") return undefined;
          throw e;
        },
      );
      await writeFileAtomic(path, secret, 0o600);
      if ((await readFile(path, "utf8")) !== secret)
        throw new Error(`${path} does not hold the secret after writing it`);
    },
    async undo() {
      if (previous === null) return;
      if (previous === undefined) await rm(path, { force: true });
      else await writeFileAtomic(path, previous.content, previous.mode);
    },
  };
}
