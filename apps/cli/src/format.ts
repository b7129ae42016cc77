/**
 * Output of tokens: tables (table.ts fits them to the terminal), the detail view of one token,
 * JSON, NDJSON and CSV. Colour comes from the caller's picocolors instance, so it is off unless
 * stdout is a terminal and NO_COLOR is unset. Human output shows dates in the one format of
 * `formatDate` and escapes control characters; JSON and CSV carry the values exactly (ISO dates),
 * CSV with the formula guard unless turned off.
 */
import type { ApiToken } from "@dt-tokens/client";
import { csvRow, formatDate, formatRelative, isExpiring } from "@dt-tokens/client/display";
import type { Colors, Env, Stream } from "./io.js";
import { type Cell, type Column, renderTable, type TableLayout } from "./table.js";
import type { Field } from "./validate.js";

export { csvRow };

export const OUTPUT_FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Headers of the fields the CLI knows. A field Dynatrace adds later (it reaches API_TOKEN_FIELDS,
 * `--fields` and JSON output with the types, no change here) gets its name in capitals and spaces.
 */
const KNOWN_HEADERS: Partial<Record<Field, string>> = {
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

/** A field's column header: `lastUsedHost` → `LAST USED HOST` unless named above. */
export const fieldHeader = (field: Field): string =>
  KNOWN_HEADERS[field] ?? field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toUpperCase();

/**
 * How much each column matters when a table must drop columns to fit (higher stays longer). A field
 * not named here (added by Dynatrace later) gives way before the rest, except the metadata.
 */
const IMPORTANCE: Partial<Record<Field, number>> = {
  id: Number.POSITIVE_INFINITY,
  name: Number.POSITIVE_INFINITY,
  expirationDate: 9,
  owner: 8,
  enabled: 7,
  lastUsedDate: 6,
  scopes: 5,
  personalAccessToken: 4,
  creationDate: 3,
  modifiedDate: 2,
  lastUsedIpAddress: 1,
  additionalMetadata: 0,
};

/** Columns that may be cut with `…` (to this many terminal columns) before others are dropped. */
const MIN_WIDTH: Partial<Record<Field, number>> = {
  name: 16,
  owner: 12,
  scopes: 16,
  lastUsedIpAddress: 15,
  additionalMetadata: 12,
};

const dateCell = (value: string, extra = "", style?: (s: string) => string): Cell => ({
  text: `${formatDate(value)}${extra}`,
  short: `${formatDate(value, "day")}${extra}`,
  ...(style && { style }),
});

/** How a field of a token is shown in a table cell or the detail view (`long`). */
export function cell(token: ApiToken, field: Field, colors: Colors, now: number, long = false): Cell {
  const value = token[field];
  switch (field) {
    case "enabled":
      return value === undefined ? "" : value ? "yes" : { text: "no", style: colors.yellow };
    case "personalAccessToken":
      return value === undefined ? "" : value ? "yes" : "no";
    case "expirationDate": {
      if (!value) return { text: "never", style: colors.dim };
      const ms = Date.parse(value as string);
      if (ms <= now) return dateCell(value as string, ` (expired ${formatRelative(ms, now)})`, colors.red);
      if (isExpiring(value as string, now))
        return dateCell(value as string, ` (${formatRelative(ms, now)})`, colors.yellow);
      return dateCell(value as string, long ? ` (${formatRelative(ms, now)})` : "");
    }
    case "lastUsedDate":
      // A use is never in the future: a server clock a little ahead reads "just now".
      return value
        ? dateCell(
            value as string,
            long ? ` (${formatRelative(Math.min(Date.parse(value as string), now), now)})` : "",
          )
        : { text: "never", style: colors.dim };
    case "creationDate":
    case "modifiedDate":
      return value ? dateCell(value as string) : "";
    case "scopes":
      return ((value as string[] | undefined) ?? []).join(",");
    case "additionalMetadata":
      return value === undefined ? "" : JSON.stringify(value);
    default:
      return value === undefined || value === null ? "" : String(value);
  }
}

/** The columns of a token table: headers, what gives way first and how far. */
export const tokenColumns = (fields: readonly Field[]): Column[] =>
  fields.map((f) => ({
    header: fieldHeader(f),
    importance: IMPORTANCE[f] ?? 0.5,
    ...(MIN_WIDTH[f] !== undefined && { minWidth: MIN_WIDTH[f] }),
  }));

/** A token's cells in a table row. */
export const tokenCells = (token: ApiToken, fields: readonly Field[], colors: Colors, now: number): Cell[] =>
  fields.map((f) => cell(token, f, colors, now));

/** Tokens as a table (list), fitted to stdout when it is a terminal. */
export function tokensTable(
  tokens: ApiToken[],
  fields: readonly Field[],
  colors: Colors,
  stdout: Stream,
  now = Date.now(),
): TableLayout {
  return renderTable(
    tokenColumns(fields),
    tokens.map((t) => tokenCells(t, fields, colors, now)),
    { maxWidth: terminalWidth(stdout), bold: colors.bold },
  );
}

/**
 * The width to fit tables into, on a terminal: `COLUMNS` when it is a positive number (POSIX: the
 * user's preferred width), else the terminal's size when it reports one (a pseudo-terminal may
 * report 0), else 80. None when the stream is a pipe or a file: every value is shown whole.
 */
export function terminalWidth(stream: Stream, env: Env = process.env): number | undefined {
  if (!stream.isTTY) return undefined;
  const preferred = Number(env.COLUMNS);
  if (Number.isInteger(preferred) && preferred > 0) return preferred;
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
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

/** One token as `Key  value` lines (get, lookup, update); scopes one per line. */
export function tokenDetail(token: ApiToken, colors: Colors, stdout: Stream, now = Date.now()): string {
  const rows: Cell[][] = [];
  for (const [field, label] of DETAIL) {
    if (!(field in token) && !["expirationDate", "lastUsedDate"].includes(field)) continue;
    const value = cell(token, field, colors, now, true);
    if (field === "scopes") {
      ((token.scopes as string[] | undefined) ?? []).forEach((scope, i) => {
        rows.push([{ text: i === 0 ? label : "", style: colors.bold }, scope]);
      });
      continue;
    }
    rows.push([{ text: label, style: colors.bold }, value]);
  }
  return renderTable([{ header: "" }, { header: "", minWidth: 20 }], rows, {
    maxWidth: terminalWidth(stdout),
    header: false,
  }).text;
}

/** A token's field as a CSV value: ISO dates, true/false, scopes separated by spaces, metadata as JSON. */
export function csvValue(token: ApiToken, field: Field): string {
  const value = token[field];
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(" ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Writes tokens in a machine format: NDJSON and CSV one line per token as they arrive (each line
 * whole); JSON all at once at the end, so an interrupted run leaves no half document.
 */
export class TokenWriter {
  #first = true;
  readonly #json: ApiToken[] = [];
  constructor(
    private readonly out: Stream,
    private readonly format: Exclude<OutputFormat, "table">,
    private readonly fields: readonly Field[],
    /** CSV: guard cells that a spreadsheet would run as formulas (`--no-csv-guard` turns it off). */
    private readonly csvGuard = true,
  ) {}

  write(token: ApiToken): void {
    const { out, format, fields } = this;
    const first = this.#first;
    this.#first = false;
    if (format === "ndjson") out.write(`${JSON.stringify(token)}\n`);
    else if (format === "csv") {
      out.write(
        (first ? csvRow(fields, this.csvGuard) : "") +
          csvRow(
            fields.map((f) => csvValue(token, f)),
            this.csvGuard,
          ),
      );
    } else this.#json.push(token);
  }

  end(): void {
    if (this.format === "json") this.out.write(`${JSON.stringify(this.#json, null, 2)}\n`);
    else if (this.format === "csv" && this.#first) this.out.write(csvRow(this.fields, this.csvGuard));
  }
}
