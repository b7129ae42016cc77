import { LEGACY_TOKEN_SCOPES, TOKEN_SCOPES } from "@dt-tokens/client";
import type { Command } from "commander";
import { BROAD_WRITE_SCOPES } from "../audit.js";
import { examples, outputFormat, outputOption, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import type { OutputFormat } from "../format.js";
import { csvRow, terminalWidth } from "../format.js";
import { renderTable } from "../table.js";

/** `dt-tokens scopes`: the scopes a token can be given (offline; no connection needed). */
export function scopes(ctx: Context, options: { output: OutputFormat; legacy?: boolean }): void {
  const rows = [
    ...TOKEN_SCOPES.map((s) => ({
      scope: s,
      assignable: true,
      broad: (BROAD_WRITE_SCOPES as readonly string[]).includes(s),
    })),
    ...(options.legacy
      ? LEGACY_TOKEN_SCOPES.map((s) => ({ scope: s as string, assignable: false, broad: false }))
      : []),
  ].sort((a, b) => a.scope.localeCompare(b.scope));
  const out = ctx.io.stdout;
  if (options.output === "json") out.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (options.output === "ndjson") for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
  else if (options.output === "csv") {
    out.write(csvRow(["scope", "assignable", "broad"]));
    for (const r of rows) out.write(csvRow([r.scope, String(r.assignable), String(r.broad)]));
  } else {
    const note = (r: (typeof rows)[number]) =>
      [r.assignable ? "" : "legacy (cannot be assigned)", r.broad ? "broad write (audit: high)" : ""]
        .filter(Boolean)
        .join("; ");
    out.write(
      renderTable(
        [{ header: "SCOPE" }, { header: "NOTE", minWidth: 10 }],
        rows.map((r) => [r.scope, { text: note(r), style: r.broad ? ctx.out.yellow : (s: string) => s }]),
        { maxWidth: terminalWidth(out), bold: ctx.out.bold },
      ).text,
    );
  }
}

/** Defines `dt-tokens scopes`. */
export function registerScopes(program: Command, run: Run): void {
  program
    .command("scopes")
    .description("List the scopes a token can be given (no connection needed)")
    .option("--legacy", "also list legacy scopes, which tokens may carry but cannot be given")
    .addOption(outputOption())
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens scopes
  $ dt-tokens scopes --output json | jq -r '.[].scope' | grep write`),
    )
    .action(
      run<{ output?: OutputFormat; legacy?: boolean }>(async (ctx, o) =>
        scopes(ctx, { ...o, output: outputFormat(o.output) }),
      ),
    );
}
