/**
 * `dotenv:PATH#KEY`: sets one key in a dotenv file. Every other line is kept byte for byte (line
 * endings, comments, `export`, quotes and inline comments of the key's own line too); the file is
 * rewritten atomically, keeping its mode (0600 for a new file). A missing key is appended.
 */
import { readFile } from "node:fs/promises";
import { crashPoint } from "../rotation/test-hooks.js";
import { writeFileAtomic } from "./atomic.js";
import { filePlace, keptAttributes, readBefore } from "./before.js";
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
 * The stretches of `content` inside a value quoted across lines (`A="one\ntwo"`), from the line
 * after the opening quote to the closing one: a `KEY=` there is part of A's value, not a definition.
 */
function multiLineValues(content: string): [number, number][] {
  const spans: [number, number][] = [];
  const opening = /^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=[ \t]*(["'`])/gm;
  for (let m = opening.exec(content); m; m = opening.exec(content)) {
    const quote = m[1]!;
    let i = m.index + m[0].length;
    let sawNewline = false;
    for (; i < content.length && content[i] !== quote; i++) {
      if (quote === '"' && content[i] === "\\") i++;
      else if (content[i] === "\n") sawNewline = true;
    }
    if (sawNewline) spans.push([m.index + m[0].length, i]);
    opening.lastIndex = Math.max(opening.lastIndex, i + 1);
  }
  return spans;
}

const inside = (spans: [number, number][], offset: number) =>
  spans.some(([a, b]) => offset > a && offset <= b);

/**
 * The content with KEY set to `value`. Each line defining KEY (`KEY=...`, `export KEY=...`) gets the
 * new value in the old one's quotes; throws if KEY's value is quoted across lines (it cannot be
 * replaced without touching other lines).
 */
export function setDotenvKey(content: string, key: string, value: string): string {
  let replaced = 0;
  const spans = multiLineValues(content);
  const next = content.replace(
    definitionLine(key),
    (
      whole: string,
      prefix: string,
      quoted: string | undefined,
      afterQuote: string | undefined,
      _plain: string | undefined,
      afterPlain: string | undefined,
      offset: number,
    ) => {
      if (inside(spans, offset)) return whole; // a line of another key's multi-line value
      replaced++;
      const quote = quoted ? quoted[0] : "";
      return `${prefix}${quote}${value}${quote}${quoted ? afterQuote : afterPlain}`;
    },
  );
  const definitions = [...content.matchAll(definitionStart(key))].filter(
    (m) => !inside(spans, m.index),
  ).length;
  if (definitions !== replaced)
    throw new Error(`the value of ${key} spans lines; set it by hand once, then rotate`);
  if (replaced > 0) return next;
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const separator = content === "" || content.endsWith("\n") ? "" : eol;
  return `${content}${separator}${key}=${value}${eol}`;
}

/** The value of KEY in a dotenv file (the last definition), without quotes; undefined when absent. */
export function readDotenvKey(content: string, key: string): string | undefined {
  const spans = multiLineValues(content);
  const last = [...content.matchAll(definitionLine(key))].filter((m) => !inside(spans, m.index)).at(-1);
  if (!last) return;
  return last[2] ? last[2].slice(1, -1) : (last[4] ?? "");
}

export function dotenvSink(path: string, key: string): Sink {
  return {
    label: `dotenv:${path}#${key}`,
    replayable: true,
    place: () => filePlace(path, key),
    snapshot: () => readBefore(path),
    async deliver(secret) {
      const before = await readBefore(path);
      const content = setDotenvKey(before.content ?? "", key, secret);
      await writeFileAtomic(before.path, content, {
        ...keptAttributes(before),
        beforeRename: () => crashPoint("before-rename"),
      });
      if (readDotenvKey(await readFile(before.path, "utf8"), key) !== secret)
        throw new Error(`${before.path} does not hold the secret in ${key} after writing it`);
    },
  };
}
