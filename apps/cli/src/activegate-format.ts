/**
 * ActiveGate tokens in the CLI's output formats: a table (dates and expiry colours by format.ts's
 * `cell`, which ActiveGate tokens share with API tokens field by field), JSON, NDJSON, CSV (with the
 * formula guard) and Markdown.
 */
import type { ApiToken } from "@dt-tokens/client";
import type { ActiveGateToken } from "@dt-tokens/client/activegate";
import { cell, csvRow, terminalWidth } from "./format.js";
import type { Colors, Stream } from "./io.js";
import { mdCell, mdTable } from "./markdown.js";
import { type Cell, type Column, renderTable, type TableLayout } from "./table.js";
import type { Field } from "./validate.js";

export const ACTIVEGATE_TOKEN_FIELDS = [
  "id",
  "name",
  "activeGateType",
  "owner",
  "seedToken",
  "creationDate",
  "lastUsedDate",
  "expirationDate",
] as const;
export type ActiveGateTokenField = (typeof ACTIVEGATE_TOKEN_FIELDS)[number];

const HEADERS: Record<ActiveGateTokenField, string> = {
  id: "ID",
  name: "NAME",
  activeGateType: "TYPE",
  owner: "OWNER",
  seedToken: "SEED",
  creationDate: "CREATED",
  lastUsedDate: "LAST USED",
  expirationDate: "EXPIRES",
};

const COLUMNS: Column[] = ACTIVEGATE_TOKEN_FIELDS.map((f) => ({
  header: HEADERS[f],
  ...(f === "name" && { minWidth: 16 }),
  ...(f === "owner" && { minWidth: 12, importance: 1 }),
  ...(f === "creationDate" && { importance: 0 }),
}));

function tokenCell(token: ActiveGateToken, field: ActiveGateTokenField, colors: Colors, now: number): Cell {
  if (field === "seedToken") return token.seedToken ? "yes" : "no";
  if (field === "expirationDate" && !token.expirationDate) return { text: "never", style: colors.yellow };
  return cell(token as ApiToken, field as Field, colors, now);
}

/** A CSV or Markdown value: exactly as the API gave it ("" when absent). */
const plainValue = (token: ActiveGateToken, field: ActiveGateTokenField): string => {
  const v = token[field];
  return v === undefined || v === null ? "" : String(v);
};

/** ActiveGate tokens as a table; `environments` (fleet) adds that column first. */
export function activeGateTokensTable(
  rows: readonly { environment?: string; token: ActiveGateToken }[],
  colors: Colors,
  stdout: Stream,
  withEnvironment = false,
  now = Date.now(),
): TableLayout {
  return renderTable(
    [...(withEnvironment ? [{ header: "ENVIRONMENT", minWidth: 12 }] : []), ...COLUMNS],
    rows.map(({ environment, token }) => [
      ...(withEnvironment ? [environment ?? ""] : []),
      ...ACTIVEGATE_TOKEN_FIELDS.map((f) => tokenCell(token, f, colors, now)),
    ]),
    { maxWidth: terminalWidth(stdout), bold: colors.bold },
  );
}

/** ActiveGate tokens as JSON, NDJSON, CSV or Markdown (the table is activeGateTokensTable). */
export function activeGateTokensText(
  rows: readonly { environment?: string; token: ActiveGateToken }[],
  format: "json" | "ndjson" | "csv" | "markdown",
  csvGuard: boolean,
  withEnvironment = false,
): string {
  const records = rows.map(({ environment, token }) => (withEnvironment ? { environment, ...token } : token));
  if (format === "json") return `${JSON.stringify(records, null, 2)}\n`;
  if (format === "ndjson") return records.map((r) => `${JSON.stringify(r)}\n`).join("");
  if (format === "csv")
    return (
      csvRow([...(withEnvironment ? ["environment"] : []), ...ACTIVEGATE_TOKEN_FIELDS], csvGuard) +
      rows
        .map(({ environment, token }) =>
          csvRow(
            [
              ...(withEnvironment ? [environment ?? ""] : []),
              ...ACTIVEGATE_TOKEN_FIELDS.map((f) => plainValue(token, f)),
            ],
            csvGuard,
          ),
        )
        .join("")
    );
  return mdTable(
    [...(withEnvironment ? ["Environment"] : []), ...ACTIVEGATE_TOKEN_FIELDS.map((f) => HEADERS[f])],
    rows.map(({ environment, token }) => [
      ...(withEnvironment ? [mdCell(environment ?? "")] : []),
      ...ACTIVEGATE_TOKEN_FIELDS.map((f) =>
        f === "id" ? `\`${token.id ?? ""}\`` : mdCell(plainValue(token, f)),
      ),
    ]),
  );
}
