/**
 * Aligned tables without borders (like kubectl and gh), measured in terminal columns (display
 * width: CJK and emoji take two, combining marks none) and fitted to the terminal without ever
 * wrapping a row: first each column's short form (a date without its time), then the shrinkable
 * columns are cut with `…` down to their floors, least important first, then whole columns are
 * dropped, least important first; what was dropped is returned so the caller can say so.
 *
 * Every cell is escaped with `escapeControl` before it is measured: text from the API can never
 * move the cursor, recolour the terminal, reorder characters or break a row.
 */
import { escapeControl } from "@dt-tokens/client/display";
import cliTruncate from "cli-truncate";
import stringWidth from "string-width";

/** A cell: its text, optionally a shorter form for narrow terminals and a style (colour). */
export type Cell = string | { text: string; short?: string; style?: (text: string) => string };

export interface Column {
  header: string;
  /**
   * How much the column matters: when the table does not fit, columns are dropped from the lowest
   * importance up. `Infinity` (the default) is never dropped.
   */
  importance?: number;
  /** The column may be cut with `…` down to this many columns; without it, never cut. */
  minWidth?: number;
}

export interface TableLayout {
  /** The rendered lines, each ending with a newline. */
  text: string;
  /** Headers of the columns dropped to fit. */
  dropped: string[];
}

const GAP = 2;

/** Display width of a text (terminal columns). */
export const displayWidth = (text: string): number => stringWidth(text);

/** The text cut to at most `width` columns, ending in `…` when cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  return cliTruncate(text, width, { position: "end", truncationCharacter: "…" });
}

const padTo = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

interface Prepared {
  text: string;
  short: string;
  style: ((text: string) => string) | undefined;
}

function prepare(cell: Cell | undefined): Prepared {
  if (cell === undefined) return { text: "", short: "", style: undefined };
  if (typeof cell === "string") {
    const text = escapeControl(cell);
    return { text, short: text, style: undefined };
  }
  const text = escapeControl(cell.text);
  return { text, short: cell.short === undefined ? text : escapeControl(cell.short), style: cell.style };
}

/**
 * Renders rows under headers, fitted into `maxWidth` columns when given (a terminal); without it
 * (a pipe or a file) every value is shown whole.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  options: { maxWidth?: number | undefined; header?: boolean; bold?: (text: string) => string } = {},
): TableLayout {
  const { maxWidth, header = true, bold = (s: string) => s } = options;
  const cells = rows.map((row) => columns.map((_, i) => prepare(row[i])));
  let shown = columns.map((_, i) => i);
  let useShort = false;
  const natural = (i: number, short: boolean) =>
    Math.max(
      header ? displayWidth(columns[i]!.header) : 0,
      ...cells.map((r) => displayWidth(short ? r[i]!.short : r[i]!.text)),
    );
  const floor = (i: number) => Math.min(natural(i, true), columns[i]!.minWidth ?? Number.POSITIVE_INFINITY);
  const total = (widths: number[]) =>
    widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);

  let widths = shown.map((i) => natural(i, false));
  const dropped: string[] = [];
  if (maxWidth !== undefined && total(widths) > maxWidth) {
    useShort = true;
    // Drop the least important columns while even their floors cannot fit.
    const byImportance = [...shown].sort(
      (a, b) => (columns[a]!.importance ?? Infinity) - (columns[b]!.importance ?? Infinity),
    );
    for (const i of byImportance) {
      if (total(shown.map(floor)) <= maxWidth) break;
      if ((columns[i]!.importance ?? Infinity) === Infinity) break;
      shown = shown.filter((j) => j !== i);
      dropped.push(columns[i]!.header);
    }
    widths = shown.map((i) => natural(i, true));
    // Cut the shrinkable columns, least important first, down to their floors.
    const shrinkOrder = [...shown]
      .filter((i) => columns[i]!.minWidth !== undefined)
      .sort((a, b) => (columns[a]!.importance ?? Infinity) - (columns[b]!.importance ?? Infinity));
    for (const i of shrinkOrder) {
      const over = total(widths) - maxWidth;
      if (over <= 0) break;
      const k = shown.indexOf(i);
      widths[k] = Math.max(floor(i), widths[k]! - over);
    }
  }

  const lines: string[] = [];
  const line = (texts: string[], styles: ((t: string) => string)[] | undefined) => {
    const parts = texts.map((t, k) => {
      const cut = truncateToWidth(t, widths[k]!);
      const padded = k === texts.length - 1 ? cut : padTo(cut, widths[k]!);
      const style = styles?.[k];
      return style ? style(cut) + padded.slice(cut.length) : padded;
    });
    let text = parts.join(" ".repeat(GAP)).trimEnd();
    // A terminal narrower than the floors: cut the line rather than let the terminal wrap it.
    if (maxWidth !== undefined && displayWidth(text) > maxWidth) text = cliTruncate(text, maxWidth);
    lines.push(`${text}\n`);
  };
  if (header)
    line(
      shown.map((i) => columns[i]!.header),
      shown.map(() => bold),
    );
  for (const row of cells)
    line(
      shown.map((i) => (useShort ? row[i]!.short : row[i]!.text)),
      shown.map((i) => row[i]!.style ?? ((s: string) => s)),
    );
  return { text: lines.join(""), dropped };
}
