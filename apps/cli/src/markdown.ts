/**
 * Markdown for CI job summaries (GitHub's $GITHUB_STEP_SUMMARY, GitLab and Azure DevOps render the
 * same tables). Every cell is escaped: a token name is data, never markup, links or HTML.
 */
import { escapeControl } from "@dt-tokens/client/display";

/**
 * A cell's text: Markdown and HTML characters escaped, bare URLs kept from becoming links, line
 * breaks as spaces, other control and bidirectional-override characters made visible (as in every
 * human output).
 */
export function mdCell(text: string): string {
  return (
    escapeControl(text.replace(/[\r\n]+/g, " "))
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*_[\]|~#!()]/g, (c) => `\\${c}`)
      // GFM links bare URLs and www. names by itself: an escaped ':' or '.' stops it.
      .replace(/([a-z][a-z0-9+.-]*):\/\//gi, "$1\\://")
      .replace(/\b(www)\./gi, "$1\\.")
  );
}

/** A Markdown table; `align` marks numeric columns ("r"). */
export function mdTable(
  head: readonly string[],
  rows: readonly string[][],
  align: readonly ("l" | "r")[] = [],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |\n`;
  return (
    line(head) +
    line(head.map((_, i) => (align[i] === "r" ? "---:" : "---"))) +
    rows.map((r) => line(r)).join("")
  );
}
