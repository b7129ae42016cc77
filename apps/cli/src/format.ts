/**
 * Output: aligned tables (cli-table3, without borders, fitted to the terminal), JSON, NDJSON and
 * CSV. Colour comes from the caller's picocolors instance, so it is off unless stdout is a terminal
 * and NO_COLOR is unset.
 */
import type { ApiToken } from "@dt-tokens/client";
import Table from "cli-table3";
import type { Colors, Stream } from "./io.js";
import type { Field } from "./validate.js";

export const OUTPUT_FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes to measure text
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (s: string) => [...s.replace(ANSI, "")].length;

export interface TableOptions {
  /** The column headers; no header row when omitted. */
  head?: string[];
  /**
   * Columns that may be truncated to fit the terminal, as [index, floor] in the order they give
   * way: each down to its floor first, then the widest of them, down to 8 characters.
   */
  shrinkable?: [number, number][];
  /** The terminal width to fit into, if any. */
  maxWidth?: number | undefined;
  colors: Colors;
}

/** Renders rows as an aligned table without borders, like kubectl and gh do. */
export function renderTable(rows: string[][], options: TableOptions): string {
  const { head, shrinkable = [], maxWidth, colors } = options;
  const all = head ? [head, ...rows] : rows;
  const count = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...all.map((r) => width(r[i] ?? ""))));
  if (maxWidth && shrinkable.length > 0) {
    let over = widths.reduce((a, b) => a + b, 0) + 2 * (count - 1) - maxWidth;
    // First each shrinkable column in turn, down to its floor; then the widest, down to 8.
    for (const [i, floor] of shrinkable) {
      const take = Math.max(0, Math.min(over, (widths[i] ?? 0) - floor));
      widths[i]! -= take;
      over -= take;
    }
    while (over > 0) {
      const candidates = shrinkable.map(([i]) => i).filter((i) => (widths[i] ?? 0) > 8);
      if (candidates.length === 0) break;
      const widest = candidates.reduce((a, b) => ((widths[a] ?? 0) >= (widths[b] ?? 0) ? a : b));
      widths[widest]! -= 1;
      over -= 1;
    }
  }
  const table = new Table({
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
    colWidths: widths.map((w) => Math.max(1, w)),
    wordWrap: false,
    truncate: "…",
    ...(head ? { head: head.map((h) => colors.bold(h)) } : {}),
  });
  table.push(...rows);
  return `${table
    .toString()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")}\n`;
}

export const FIELD_HEADERS: Record<Field, string> = {
  id: "ID",
  name: "NAME",
  enabled: "ENABLED",
  owner: "OWNER",
  personalAccessToken: "PERSONAL",
  creationDate: "CREATED",
  expirationDate: "EXPIRES",
  lastUsedDate: "LAST USED",
  lastUsedIpAddress: "LAST USED FROM",
  modifiedDate: "MODIFIED",
  scopes: "SCOPES",
  additionalMetadata: "METADATA",
};

const DAY = 86_400_000;

/** `2025-01-31` (table) or `2025-01-31 13:45:07 UTC` (detail view). */
export function shortDate(value: string | undefined, long = false): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const iso = d.toISOString();
  return long ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso.slice(0, 10);
}

/** How a field of a token is shown in a table cell. */
export function cell(token: ApiToken, field: Field, colors: Colors, now: number, long = false): string {
  const value = token[field];
  switch (field) {
    case "enabled":
      return value === undefined ? "" : value ? "yes" : colors.yellow("no");
    case "personalAccessToken":
      return value === undefined ? "" : value ? "yes" : "no";
    case "expirationDate": {
      if (!value) return colors.dim("never");
      const ms = Date.parse(value as string);
      const text = shortDate(value as string, long);
      if (ms <= now) return colors.red(`${text} (expired)`);
      if (ms - now <= 14 * DAY) return colors.yellow(`${text} (in ${Math.ceil((ms - now) / DAY)}d)`);
      return text;
    }
    case "lastUsedDate":
      return value ? shortDate(value as string, long) : colors.dim("never");
    case "creationDate":
    case "modifiedDate":
      return shortDate(value as string | undefined, long);
    case "scopes":
      return ((value as string[] | undefined) ?? []).join(long ? "\n" : ",");
    case "additionalMetadata":
      return value === undefined ? "" : JSON.stringify(value);
    default:
      return value === undefined || value === null ? "" : String(value);
  }
}

/** The columns of a token table that give way to fit a terminal, as [index, floor] (`offset`: columns before them). */
export function tokenShrinkable(fields: readonly Field[], offset = 0): [number, number][] {
  const order: [Field, number][] = [
    ["additionalMetadata", 12],
    ["scopes", 24],
    ["lastUsedIpAddress", 15],
    ["owner", 16],
    ["name", 20],
  ];
  return order
    .map(([f, floor]): [number, number] => [fields.indexOf(f) + offset, floor])
    .filter(([i]) => i >= offset);
}

/** A token's cells in a table row. */
export const tokenCells = (token: ApiToken, fields: readonly Field[], colors: Colors, now: number) =>
  fields.map((f) => cell(token, f, colors, now));

/** A token as a table of rows (list). */
export function tokensTable(
  tokens: ApiToken[],
  fields: readonly Field[],
  colors: Colors,
  stdout: Stream,
  now = Date.now(),
): string {
  return renderTable(
    tokens.map((t) => tokenCells(t, fields, colors, now)),
    {
      head: fields.map((f) => FIELD_HEADERS[f]),
      shrinkable: tokenShrinkable(fields),
      maxWidth: stdout.isTTY ? stdout.columns : undefined,
      colors,
    },
  );
}

const DETAIL: [Field, string][] = [
  ["id", "ID"],
  ["name", "Name"],
  ["owner", "Owner"],
  ["enabled", "Enabled"],
  ["personalAccessToken", "Personal"],
  ["creationDate", "Created"],
  ["modifiedDate", "Modified"],
  ["lastUsedDate", "Last used"],
  ["lastUsedIpAddress", "Last used from"],
  ["expirationDate", "Expires"],
  ["scopes", "Scopes"],
  ["additionalMetadata", "Metadata"],
];

/** One token as `Key  value` lines (get, lookup, update). */
export function tokenDetail(token: ApiToken, colors: Colors, now = Date.now()): string {
  const rows: string[][] = [];
  for (const [field, label] of DETAIL) {
    if (!(field in token) && !["expirationDate", "lastUsedDate"].includes(field)) continue;
    const text = cell(token, field, colors, now, true);
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      rows.push([i === 0 ? colors.bold(label) : "", line]);
    });
  }
  return renderTable(rows, { colors });
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvRow(values: readonly string[]): string {
  return `${values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(",")}\n`;
}

/** A token's field as a CSV value: ISO dates, true/false, scopes separated by spaces, metadata as JSON. */
export function csvValue(token: ApiToken, field: Field): string {
  const value = token[field];
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(" ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Writes tokens in a machine format, one at a time where the format allows (ndjson, csv). */
export class TokenWriter {
  #first = true;
  constructor(
    private readonly out: Stream,
    private readonly format: Exclude<OutputFormat, "table">,
    private readonly fields: readonly Field[],
  ) {}

  write(token: ApiToken): void {
    const { out, format, fields } = this;
    const first = this.#first;
    this.#first = false;
    if (format === "ndjson") out.write(`${JSON.stringify(token)}\n`);
    else if (format === "csv") {
      if (first) out.write(csvRow(fields));
      out.write(csvRow(fields.map((f) => csvValue(token, f))));
    } else out.write(`${first ? "[\n" : ",\n"}${indent(JSON.stringify(token, null, 2))}`);
  }

  end(): void {
    if (this.format === "json") this.out.write(this.#first ? "[]\n" : "\n]\n");
    else if (this.format === "csv" && this.#first) this.out.write(csvRow(this.fields));
  }
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
