/**
 * `properties:PATH#KEY`: sets one key of a Java properties file (an ActiveGate's
 * `authorization.properties`, key `authToken`), read as java.util.Properties reads it: logical
 * lines continued by an odd number of backslashes, `#` and `!` comments, `key=value`,
 * `key:value` and `key value`, and escapes (`\uXXXX`, `\t`, `\ `, ...) in keys and values. Only the
 * value of each definition of KEY changes; every other byte (comments, other keys, line endings,
 * bytes that are not UTF-8) is kept: the file is read and written as latin1, one character per
 * byte, as Properties.load reads a stream. The value is written escaped as Properties.store writes
 * it (`\uXXXX` beyond ASCII), so it reads back the same in any encoding. A missing key is
 * appended. The file is rewritten atomically, keeping owner, group and mode (0600 for a new file).
 */
import { readFile } from "node:fs/promises";
import { crashPoint } from "../rotation/test-hooks.js";
import { writeFileAtomic } from "./atomic.js";
import { filePlace, keptAttributes, readBefore } from "./before.js";
import type { Sink } from "./sink.js";

/** A key the sink accepts on the command line: printable, without white space, `#`, `!`, `=`, `:` or `\`. */
export const PROPERTIES_KEY = /^[^\s#!=:\\\p{Cc}]+$/u;

/** One definition in a properties file: its key (unescaped) and where its value lies in the text. */
interface Definition {
  key: string;
  /** Where the key ends: a value right after it (`authToken` alone) needs a separator. */
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

const isBlank = (c: string | undefined) => c === " " || c === "\t" || c === "\f";
const isEol = (c: string | undefined) => c === "\n" || c === "\r";

/** The length of the line terminator at `i` (`\r\n`, `\r` or `\n`), 0 when there is none. */
const eolLength = (text: string, i: number) =>
  text[i] === "\r" && text[i + 1] === "\n" ? 2 : isEol(text[i]) ? 1 : 0;

/** The definitions of a properties file, in order, and whether its last logical line is left open (a continuation at the end). */
function scan(text: string): { definitions: Definition[]; open: boolean } {
  const definitions: Definition[] = [];
  let i = 0;
  let open = false;
  /** At a backslash ending a natural line: skips it, the terminator and the next line's leading blanks. */
  const continuation = () => {
    const eol = eolLength(text, i + 1);
    if (eol === 0 && i + 1 < text.length) return false;
    i += 1 + eol;
    if (i >= text.length) open = true;
    while (isBlank(text[i])) i++;
    return true;
  };
  const skipBlanks = () => {
    for (;;) {
      if (isBlank(text[i])) i++;
      else if (text[i] === "\\" && (isEol(text[i + 1]) || i + 1 === text.length)) continuation();
      else return;
    }
  };
  while (i < text.length) {
    open = false;
    while (isBlank(text[i])) i++;
    if (i >= text.length) break;
    if (isEol(text[i])) {
      i += eolLength(text, i);
      continue;
    }
    if (text[i] === "#" || text[i] === "!") {
      while (i < text.length && !isEol(text[i])) i++; // a comment never continues
      i += eolLength(text, i);
      continue;
    }
    const keyStart = i;
    while (i < text.length && !isEol(text[i])) {
      const c = text[i];
      if (c === "\\") {
        if (!continuation()) i += 2;
      } else if (c === "=" || c === ":" || isBlank(c)) break;
      else i++;
    }
    const keyEnd = Math.min(i, text.length);
    const key = unescapeProperty(text.slice(keyStart, keyEnd));
    skipBlanks();
    if (text[i] === "=" || text[i] === ":") {
      i++;
      skipBlanks();
    }
    const valueStart = Math.min(i, text.length);
    while (i < text.length && !isEol(text[i])) {
      if (text[i] === "\\") {
        if (!continuation()) i += 2;
      } else i++;
    }
    const valueEnd = Math.min(i, text.length);
    unescapeProperty(text.slice(valueStart, valueEnd)); // a malformed escape anywhere: Properties.load refuses the file
    definitions.push({ key, keyEnd, valueStart, valueEnd });
    i = valueEnd + eolLength(text, valueEnd);
  }
  return { definitions, open };
}

/** A key or value as Properties.load reads it: continuations removed, escapes resolved. */
function unescapeProperty(raw: string): string {
  const text = raw.replace(/\\(?:\r\n|\r|\n)[ \t\f]*/g, (m, offset: number) =>
    oddBackslashesBefore(raw, offset) ? m : "",
  );
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === undefined) break; // a backslash at the very end is dropped
    if (next === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex))
        throw new Error("it has a malformed \\uXXXX escape (java.util.Properties refuses the file)");
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += { t: "\t", n: "\n", r: "\r", f: "\f" }[next] ?? next;
  }
  return out;
}

/** Whether the backslash at `offset` is itself escaped (an odd number of backslashes before it). */
function oddBackslashesBefore(text: string, offset: number): boolean {
  let n = 0;
  for (let j = offset - 1; j >= 0 && text[j] === "\\"; j--) n++;
  return n % 2 === 1;
}

/** A key or value as Properties.store writes it (ASCII only, `\uXXXX` beyond it). */
function escapeProperty(value: string, isKey: boolean): string {
  let out = "";
  for (const [i, c] of [...value].entries()) {
    if (c === " ") out += i === 0 || isKey ? "\\ " : " ";
    else if (c === "\\" || c === "=" || c === ":" || c === "#" || c === "!") out += `\\${c}`;
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\f") out += "\\f";
    else if (c < " " || c > "~")
      for (let k = 0; k < c.length; k++)
        out += `\\u${c.charCodeAt(k).toString(16).toUpperCase().padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/** The UTF-8 byte order mark (EF BB BF) as the file is read here: one latin1 character a byte. */
const UTF8_BOM = "\u00ef\u00bb\u00bf";
/** The UTF-16 byte order marks (FF FE, FE FF) as the file is read here. */
const UTF16_BOMS = ["\u00ff\u00fe", "\u00fe\u00ff"];

/**
 * Throws when a UTF-8 byte order mark stands right before a definition of KEY: at the start of the
 * file (as some Windows editors save it), twice there, or at the start of a later line (a file
 * joined from others). java.util.Properties does not skip the mark, whether it reads the file as
 * bytes (latin1) or through a UTF-8 Reader: it reads it as the start of that key's name, so that
 * definition is not KEY to Java, nor to this sink. Setting KEY would append a second definition and
 * leave the old value in the file, under a name that looks like KEY to a person. Also throws for a
 * UTF-16 file (its byte order mark): Java reads its bytes as latin1, and a line appended here would
 * be in another encoding than the rest.
 */
function refuseKeyBehindBom(content: string, key: string, definitions: Definition[]): void {
  const utf16 = UTF16_BOMS.find((mark) => content.startsWith(mark));
  if (utf16)
    throw new Error(
      `it starts with a UTF-16 byte order mark (the bytes ${[...utf16].map((c) => c.charCodeAt(0).toString(16).toUpperCase()).join(" ")}): it is UTF-16 text, which java.util.Properties does not read (it reads the bytes as ISO 8859-1), and ${key} cannot be set in it without mixing two encodings. Save it as ASCII or UTF-8 without a byte order mark and run again`,
    );
  if (!content.includes(UTF8_BOM)) return;
  const count = (found: Definition[]) => found.filter((d) => d.key === key).length;
  if (count(scan(content.replaceAll(UTF8_BOM, "")).definitions) <= count(definitions)) return;
  // The only mark is the file's first three bytes.
  if (content.lastIndexOf(UTF8_BOM) === 0)
    throw new Error(
      `it starts with a UTF-8 byte order mark (the bytes EF BB BF) right before ${key}: java.util.Properties reads those bytes as part of the key's name, so it does not see ${key} on the first line, and setting ${key} would add a second ${key} and leave the old value in the file. Remove the three bytes (save the file as UTF-8 without a byte order mark, or run: sed -i '1s/^\\xEF\\xBB\\xBF//' FILE) and run again`,
    );
  throw new Error(
    `it holds UTF-8 byte order marks (the bytes EF BB BF) beyond the first three bytes, one of them right before ${key} (a file joined from others, or a mark saved twice): java.util.Properties reads those bytes as part of the key's name, so it does not see that ${key}, and setting ${key} would add a second ${key} and leave the old value in the file. Remove every mark (run: sed -i 's/\\xEF\\xBB\\xBF//g' FILE) and run again`,
  );
}

/**
 * The content (read as latin1) with KEY set to `value`: the value of every definition of KEY is
 * replaced (a continued value becomes one line), nothing else changes; a missing key is appended
 * on a line of its own with the file's line ending. Throws when the file is not one
 * java.util.Properties reads (a malformed `\u` escape), and when a UTF-8 byte order mark hides the
 * first line's KEY from it.
 */
export function setPropertiesKey(content: string, key: string, value: string): string {
  const { definitions } = scan(content);
  refuseKeyBehindBom(content, key, definitions);
  const escaped = escapeProperty(value, false);
  const ours = definitions.filter((d) => d.key === key);
  if (ours.length > 0) {
    let next = content;
    for (const d of ours.reverse()) {
      const separator = d.valueStart === d.keyEnd ? "=" : "";
      next = next.slice(0, d.valueStart) + separator + escaped + next.slice(d.valueEnd);
    }
    return next;
  }
  const eol = content.includes("\r\n")
    ? "\r\n"
    : !content.includes("\n") && content.includes("\r")
      ? "\r"
      : "\n";
  const ended = content === "" || isEol(content.at(-1));
  const before = ended ? content : content + eol;
  // A last line left open by a continuation would swallow the new line: an empty line closes it.
  const closes = scan(before).open;
  return `${before}${closes ? eol : ""}${escapeProperty(key, true)}=${escaped}${eol}`;
}

/** The value of KEY (its last definition, as Properties.load keeps it), or undefined. */
export function readPropertiesKey(content: string, key: string): string | undefined {
  const last = scan(content)
    .definitions.filter((d) => d.key === key)
    .at(-1);
  return last && unescapeProperty(content.slice(last.valueStart, last.valueEnd));
}

export function propertiesSink(path: string, key: string): Sink {
  return {
    label: `properties:${path}#${key}`,
    replayable: true,
    place: () => filePlace(path, key),
    snapshot: () => readBefore(path, "latin1"),
    async deliver(secret) {
      const before = await readBefore(path, "latin1");
      const content = setPropertiesKey(before.content ?? "", key, secret);
      await writeFileAtomic(before.path, content, {
        ...keptAttributes(before),
        encoding: "latin1",
        beforeRename: () => crashPoint("before-rename"),
      });
      if (readPropertiesKey(await readFile(before.path, "latin1"), key) !== secret)
        throw new Error(`${before.path} does not hold the secret in ${key} after writing it`);
    },
  };
}
