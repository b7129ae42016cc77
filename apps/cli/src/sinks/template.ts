/**
 * `{id}`, `{newId}` and `{name}` in sink paths and commands. In a path, a value must be usable as
 * (part of) one file name; in a command, each value is single-quoted for the shell, so that a
 * token name can never run anything.
 */
import type { SinkTokenInfo } from "./sink.js";

const PLACEHOLDER = /\{(id|newId|name)\}/g;

/** The placeholders a sink string uses. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function value(info: SinkTokenInfo, key: string): string {
  const v = info[key as keyof SinkTokenInfo];
  if (v === undefined) throw new Error(`{${key}} is not known yet`);
  return v;
}

/** A path with its placeholders filled in; a value with `/`, `\`, a control character, or `.`/`..` is refused. */
export function fillPath(template: string, info: SinkTokenInfo): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const v = value(info, key);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[/\\\u0000-\u001f\u007f]/.test(v) || v === "." || v === ".." || v === "")
      throw new Error(`{${key}} is ${JSON.stringify(v)}, which cannot be used in a file name`);
    return v;
  });
}

/** Single-quotes a value for sh. */
export const shellQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** A shell command with its placeholders filled in, each value single-quoted. */
export function fillCommand(template: string, info: SinkTokenInfo): string {
  return template.replace(PLACEHOLDER, (_, key: string) => shellQuote(value(info, key)));
}
