/**
 * `file:PATH`: the secret alone in a file, written atomically. An existing file keeps its owner,
 * group and mode; a new one is 0600; a symlink stays a symlink (its target is rewritten).
 */
import { readFile } from "node:fs/promises";
import { crashPoint } from "../rotation/test-hooks.js";
import { writeFileAtomic } from "./atomic.js";
import { filePlace, keptAttributes, readBefore } from "./before.js";
import type { Sink } from "./sink.js";

export function fileSink(path: string): Sink {
  return {
    label: `file:${path}`,
    replayable: true,
    place: () => filePlace(path),
    snapshot: () => readBefore(path),
    async deliver(secret) {
      const before = await readBefore(path);
      await writeFileAtomic(before.path, secret, {
        ...keptAttributes(before),
        beforeRename: () => crashPoint("before-rename"),
      });
      if ((await readFile(before.path, "utf8")) !== secret)
        throw new Error(`${before.path} does not hold the secret after writing it`);
    },
  };
}
