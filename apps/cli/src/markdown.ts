/**
 * Markdown for CI job summaries (GitHub's $GITHUB_STEP_SUMMARY, GitLab and Azure DevOps render the
 * same tables). Every cell is escaped: a token name is data, never markup, links or HTML.
 */

/** A cell's text: Markdown and HTML characters escaped, line breaks as spaces. */
export function mdCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~#!()]/g, (c) => `\\${c}`);
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
