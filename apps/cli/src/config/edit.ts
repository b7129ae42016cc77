/** Edits of the config file that more than one `dt-tokens env` command makes. */
import { type Document, isMap } from "yaml";
import { UsageError } from "../errors.js";
import type { LoadedConfig } from "./file.js";

/** A usage error naming the environments there are, when `name` is not one of them. */
export function mustExist(loaded: LoadedConfig, name: string): void {
  if (Object.hasOwn(loaded.config.environments, name)) return;
  const names = Object.keys(loaded.config.environments);
  throw new UsageError(`no environment named "${name}" in ${loaded.path}`, [
    names.length > 0
      ? `hint: the environments are ${names.join(", ")}`
      : "hint: the file lists no environments",
  ]);
}

/** Sets `current`, as the file's first key when it is new. */
export function setCurrent(doc: Document, name: string): void {
  if (doc.has("current") || !isMap(doc.contents)) doc.set("current", name);
  else doc.contents.items.unshift(doc.createPair("current", name));
}
