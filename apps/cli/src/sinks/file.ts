/** `file:PATH`: the secret alone in a file, written atomically with mode 0600. */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import { type FileBefore, readBefore, restore } from "./before.js";
import type { Sink } from "./sink.js";

export function fileSink(path: string): Sink {
  let before: FileBefore | undefined; // set once delivery started
  return {
    label: `file:${path}`,
    async deliver(secret) {
      before = await readBefore(path);
      await writeFileAtomic(before.path, secret, 0o600);
      if ((await readFile(before.path, "utf8")) !== secret)
        throw new Error(`${before.path} does not hold the secret after writing it`);
    },
    async undo() {
      if (before) await restore(before);
    },
  };
}
