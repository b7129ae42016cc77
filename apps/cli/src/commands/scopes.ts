import { LEGACY_TOKEN_SCOPES, TOKEN_SCOPES } from "@dt-tokens/client";
import { BROAD_WRITE_SCOPES } from "../audit.js";
import type { Context } from "../context.js";
import type { OutputFormat } from "../format.js";
import { csvRow, renderTable } from "../format.js";

/** `dt-tokens scopes`: the scopes a token can be given (offline; no connection needed). */
export function scopes(ctx: Context, options: { output: OutputFormat; legacy?: boolean }): void {
  const rows = [
    ...TOKEN_SCOPES.map((s) => ({ scope: s, assignable: true, broad: BROAD_WRITE_SCOPES.includes(s) })),
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
    out.write(
      renderTable(
        rows.map((r) => [
          r.scope,
          [
            r.assignable ? "" : "legacy (cannot be assigned)",
            r.broad ? ctx.out.yellow("broad write (audit: high)") : "",
          ]
            .filter(Boolean)
            .join("; "),
        ]),
        { head: ["SCOPE", "NOTE"], colors: ctx.out },
      ),
    );
  }
}
