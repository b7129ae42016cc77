import type { ApiToken } from "@dt-tokens/client";
import { audit, type Finding, rank, SEVERITIES, type Severity } from "../audit.js";
import type { Context } from "../context.js";
import { EXIT, ExitError } from "../errors.js";
import { csvRow, type OutputFormat, renderTable } from "../format.js";
import type { Colors } from "../io.js";
import { fetchTokens, selectorOf } from "./list.js";

export interface AuditCommandOptions {
  owner?: string;
  scope?: string[];
  personal?: boolean;
  maxUnusedDays: number;
  expiringWithinDays: number;
  failOn?: Severity;
  minSeverity?: Severity;
  pageSize?: number;
  output: OutputFormat;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const COLUMNS = ["severity", "check", "id", "name", "owner", "detail"] as const;

const paint = (c: Colors, s: Severity) => (s === "high" ? c.red(s) : s === "medium" ? c.yellow(s) : c.dim(s));

export async function auditCommand(ctx: Context, options: AuditCommandOptions): Promise<number> {
  const selector = selectorOf(options);
  const tokens: ApiToken[] = [];
  await fetchTokens(
    ctx,
    {
      selector,
      fields: [
        "name",
        "owner",
        "enabled",
        "personalAccessToken",
        "creationDate",
        "lastUsedDate",
        "expirationDate",
        "scopes",
      ],
      ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
    },
    undefined,
    (t) => tokens.push(t),
    "Auditing tokens",
  );
  const all = audit(tokens, options);
  const min = options.minSeverity ? rank(options.minSeverity) : 0;
  const shown = all.filter((f) => rank(f.severity) >= min);
  const { stdout } = ctx.io;
  const format = options.output;
  if (format === "json") stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  else if (format === "ndjson") for (const f of shown) stdout.write(`${JSON.stringify(f)}\n`);
  else if (format === "csv") {
    stdout.write(csvRow(COLUMNS));
    for (const f of shown) stdout.write(csvRow(COLUMNS.map((k) => f[k])));
  } else if (shown.length > 0) {
    stdout.write(
      renderTable(
        shown.map((f: Finding) => [paint(ctx.out, f.severity), f.check, f.id, f.name, f.owner, f.detail]),
        {
          head: COLUMNS.map((c) => c.toUpperCase()),
          shrinkable: [
            [4, 12],
            [3, 18],
            [5, 30],
          ],
          maxWidth: stdout.isTTY ? stdout.columns : undefined,
          colors: ctx.out,
        },
      ),
    );
  }
  const count = (s: Severity) => all.filter((f) => f.severity === s).length;
  const flagged = new Set(all.map((f) => f.id)).size;
  ctx.note(
    `Audited ${plural(tokens.length, "token")}: ${plural(all.length, "finding")} on ${plural(flagged, "token")} (${SEVERITIES.slice()
      .reverse()
      .map((s) => `${count(s)} ${paint(ctx.err, s)}`)
      .join(
        ", ",
      )})${shown.length < all.length ? `; ${shown.length} shown (--min-severity ${options.minSeverity})` : ""}.`,
  );
  if (options.failOn) {
    const failing = all.filter((f) => rank(f.severity) >= rank(options.failOn!)).length;
    if (failing > 0)
      throw new ExitError(
        `${failing} ${failing === 1 ? "finding" : "findings"} at or above ${options.failOn} (--fail-on ${options.failOn})`,
        EXIT.findings,
      );
  }
  return EXIT.ok;
}
