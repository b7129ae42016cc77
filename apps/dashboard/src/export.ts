/**
 * The table as a CSV file: the rows the table shows (filtered and sorted, every table page), with
 * the CLI's rules: RFC 4180, ISO dates, scopes separated by spaces, and OWASP's guard against
 * cells a spreadsheet would run as formulas (`=`, `+`, `-`, `@`, tab, CR get a leading `'`).
 */
import type { ApiToken } from "@dt-tokens/client";
import { csvRow } from "@dt-tokens/client/display";

export const CSV_COLUMNS = [
  "id",
  "name",
  "owner",
  "enabled",
  "personalAccessToken",
  "creationDate",
  "lastUsedDate",
  "expirationDate",
  "scopes",
] as const;

const cell = (token: ApiToken, column: (typeof CSV_COLUMNS)[number]): string => {
  const value = token[column];
  if (value === undefined || value === null) return "";
  return Array.isArray(value) ? value.join(" ") : String(value);
};

/** The CSV text of these tokens, header first. */
export function tokensCsv(tokens: readonly ApiToken[]): string {
  return csvRow(CSV_COLUMNS) + tokens.map((t) => csvRow(CSV_COLUMNS.map((c) => cell(t, c)))).join("");
}

/** Offers `text` as a file download named `filename` (a blob URL, revoked right after). */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
