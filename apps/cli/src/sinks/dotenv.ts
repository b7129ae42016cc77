/**
 * `dotenv:PATH#KEY`: sets one key in a dotenv file. Every other line is kept byte for byte (line
 * endings, comments, `export`, quotes and inline comments of the key's own line too); the file is
 * rewritten atomically, keeping its mode (0600 for a new file). A missing key is appended.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import { type FileBefore, readBefore, restore } from "./before.js";
import type { Sink } from "./sink.js";

/** A dotenv key: letters, digits and `_` (also `.` and `-` after the first character). */
export const DOTENV_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * One definition of `key`: the prefix up to `=`, then either a quoted value and what follows it,
 * or an unquoted value (up to a ` #` comment) and the comment.
 */
function definitionLine(key: string): RegExp {
  const k = key.replace(/[.-]/g, "\\$&");
  return new RegExp(
    `^([ \\t]*(?:export[ \\t]+)?${k}[ \\t]*=[ \\t]*)` +
      `(?:("(?:[^"\\\\\\r\\n]|\\\\.)*"|'[^'\\r\\n]*'|\`[^\`\\r\\n]*\`)([^\\n]*)` +
      `|([^\\s#"'\`][^\\r\\n]*?)?((?:[ \\t]+#[^\\r\\n]*)?[ \\t]*\\r?))$`,
    "gm",
  );
}

const definitionStart = (key: string) =>
  new RegExp(`^[ \\t]*(?:export[ \\t]+)?${key.replace(/[.-]/g, "\\$&")}[ \\t]*=`, "gm");

/**
 * The content with KEY set to `value`. Each line defining KEY (`KEY=...`, `export KEY=...`) gets the
 * new value in the old one's quotes; throws if KEY's value is quoted across lines (it cannot be
 * replaced without touching other lines).
 */
export function setDotenvKey(content: string, key: string, value: string): string {
  let replaced = 0;
  const next = content.replace(
    definitionLine(key),
    (_, prefix: string, quoted?: string, afterQuote?: string, _plain?: string, afterPlain?: string) => {
      replaced++;
      const quote = quoted ? quoted[0] : "";
      return `${prefix}${quote}${value}${quote}${quoted ? afterQuote : afterPlain}`;
    },
  );
  const definitions = content.match(definitionStart(key))?.length ?? 0;
  if (definitions !== replaced)
    throw new Error(`the value of ${key} spans lines; set it by hand once, then rotate`);
  if (replaced > 0) return next;
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const separator = content === "" || content.endsWith("\n") ? "" : eol;
  return `${content}${separator}${key}=${value}${eol}`;
}

/** The value of KEY in a dotenv file (the last definition), without quotes; undefined when absent. */
export function readDotenvKey(content: string, key: string): string | undefined {
  const last = [...content.matchAll(definitionLine(key))].at(-1);
  if (!last) return;
  return last[2] ? last[2].slice(1, -1) : (last[4] ?? "");
}

export function dotenvSink(path: string, key: string): Sink {
  let before: FileBefore | undefined; // set once delivery started
  return {
    label: `dotenv:${path}#${key}`,
    async deliver(secret) {
      before = await readBefore(path);
      const content = setDotenvKey(before.content ?? "", key, secret);
      await writeFileAtomic(before.path, content, before.mode ?? 0o600);
      if (readDotenvKey(await readFile(before.path, "utf8"), key) !== secret)
        throw new Error(`${before.path} does not hold the secret in ${key} after writing it`);
    },
    async undo() {
      if (before) await restore(before);
    },
  };
}
