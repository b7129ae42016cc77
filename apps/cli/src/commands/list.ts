import { type ApiToken, LIST_PAGE_SIZE } from "@dt-tokens/client";
import type { Command } from "commander";
import { addFleetOptions, collect, examples, FLEET_HELP, type Run, reportOutputOption } from "../cmdutil.js";
import type { Context } from "../context.js";
import { fleetEnvironments, type NamedEnvironment } from "../environments.js";
import { EXIT, ExitError } from "../errors.js";
import { runFleet } from "../fleet/run.js";
import {
  csvValue,
  fieldHeader,
  type OutputFormat,
  TokenWriter,
  terminalWidth,
  tokenCells,
  tokenColumns,
  tokensTable,
} from "../format.js";
import { mdCell, mdTable } from "../markdown.js";
import { renderTable } from "../table.js";
import { fetchTokens, noteDropped, selectorOf } from "../token-fetch.js";
import {
  checkWindow,
  type Field,
  fieldsArg,
  intArg,
  SORT_KEYS,
  type SortArg,
  sortArg,
  timeArg,
} from "../validate.js";
import { plural } from "../words.js";

export const LIST_FIELDS: Field[] = [
  "id",
  "name",
  "owner",
  "personalAccessToken",
  "enabled",
  "lastUsedDate",
  "expirationDate",
];

export interface ListOptions {
  owner?: string;
  /** Only tokens with exactly this name (filtered here: the API has no name selector). */
  name?: string;
  scope?: string[];
  personal?: boolean;
  usedFrom?: string;
  usedTo?: string;
  sort?: SortArg;
  fields?: string;
  pageSize?: number;
  limit?: number;
  output: OutputFormat | "markdown";
  allEnvironments?: boolean;
  concurrency: number;
  /** --deadline in ms (default DEFAULT_DEADLINE_MS). */
  deadline?: number;
}

/** Tokens as a Markdown table (a CI job summary); `environment` adds that column first. */
function markdownTokens(
  rows: { environment?: string; token: ApiToken }[],
  fields: readonly Field[],
  withEnvironment: boolean,
): string {
  return mdTable(
    [...(withEnvironment ? ["Environment"] : []), ...fields.map((f) => fieldHeader(f))],
    rows.map(({ environment, token }) => [
      ...(withEnvironment ? [mdCell(environment ?? "")] : []),
      ...fields.map((f) => (f === "id" ? `\`${token.id ?? ""}\`` : mdCell(csvValue(token, f)))),
    ]),
  );
}

export async function list(ctx: Context, options: ListOptions): Promise<number> {
  const fields = options.fields ? fieldsArg(options.fields, LIST_FIELDS) : LIST_FIELDS;
  checkWindow(options.usedFrom, options.usedTo);
  const params = {
    selector: selectorOf(options),
    fields,
    ...(options.usedFrom !== undefined && { from: options.usedFrom }),
    ...(options.usedTo !== undefined && { to: options.usedTo }),
    ...(options.sort !== undefined && { sort: options.sort }),
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
  };
  const fleet = fleetEnvironments(
    { ...ctx.options, allEnvironments: options.allEnvironments ?? false },
    ctx.io,
    (t) => ctx.warn(t),
  );
  if (fleet) return listFleet(ctx, options, fleet, fields, params);
  const format = options.output;
  const rows: ApiToken[] = [];
  const writer =
    format === "table" || format === "markdown"
      ? undefined
      : new TokenWriter(ctx.io.stdout, format, fields, ctx.options.csvGuard);
  const wanted = options.name;
  const { seen, total } = await fetchTokens(
    ctx,
    // --name filters here, so the name must be fetched even when it is not shown.
    wanted === undefined || fields.includes("name") ? params : { ...params, fields: [...fields, "name"] },
    options.limit,
    (token) => (writer ? writer.write(token) : rows.push(token)),
    "Fetching tokens",
    wanted === undefined ? undefined : (token) => token.name === wanted,
  );
  writer?.end();
  if (format === "markdown")
    ctx.io.stdout.write(
      markdownTokens(
        rows.map((token) => ({ token })),
        fields,
        false,
      ),
    );
  if (format !== "table") return EXIT.ok;
  if (rows.length === 0) {
    ctx.note("No tokens match.");
    return EXIT.ok;
  }
  const table = tokensTable(rows, fields, ctx.out, ctx.io.stdout);
  ctx.io.stdout.write(table.text);
  noteDropped(ctx, table.dropped, { withFields: true });
  if (ctx.io.stderr.isTTY)
    ctx.note(
      seen < total && wanted === undefined
        ? `${seen} of ${plural(total, "token")} (--limit)`
        : plural(seen, "token"),
      ctx.err.dim,
    );
  return EXIT.ok;
}

/**
 * `list` over several environments at once. JSON, NDJSON and CSV are written as pages arrive (the
 * rows of different environments interleave; each carries its environment); the table and Markdown
 * list them environment by environment. `--limit` applies to each environment.
 */
async function listFleet(
  ctx: Context,
  options: ListOptions,
  fleet: NamedEnvironment[],
  fields: Field[],
  params: Parameters<import("@dt-tokens/client").ApiTokensClient["listAll"]>[0] & object,
): Promise<number> {
  const format = options.output;
  const streamed = format === "json" || format === "ndjson" || format === "csv";
  const writer = streamed
    ? new TokenWriter(ctx.io.stdout, format, ["environment" as Field, ...fields], ctx.options.csvGuard)
    : undefined;
  const kept = new Map<string, ApiToken[]>(fleet.map((e) => [e.name, []]));
  // --name filters here, as for one environment, so the name is fetched even when it is not shown.
  const wanted = options.name;
  const fetched =
    wanted === undefined || fields.includes("name")
      ? params
      : { ...params, fields: [...fields, "name" as Field] };
  let reports: Awaited<ReturnType<typeof runFleet<number>>>;
  try {
    reports = await runFleet(
      fleet,
      { concurrency: options.concurrency, deadlineMs: options.deadline, label: "Listing" },
      ctx.options,
      ctx.io,
      async (env, pages) => {
        let seen = 0;
        for await (const page of pages(fetched)) {
          for (const token of page.apiTokens) {
            if (options.limit !== undefined && seen >= options.limit) break;
            if (wanted !== undefined && token.name !== wanted) continue;
            if (writer) writer.write({ environment: env.name, ...token } as ApiToken);
            else kept.get(env.name)!.push(token);
            seen++;
          }
          if (options.limit !== undefined && seen >= options.limit) break;
        }
        return seen;
      },
    );
  } finally {
    writer?.end();
  }
  const rows = reports.flatMap((r) =>
    (kept.get(r.name) ?? []).map((token) => ({ environment: r.name, token })),
  );
  if (format === "markdown") ctx.io.stdout.write(markdownTokens(rows, fields, true));
  else if (format === "table" && rows.length > 0) {
    const now = Date.now();
    const table = renderTable(
      [{ header: "ENVIRONMENT", minWidth: 12 }, ...tokenColumns(fields)],
      rows.map(({ environment, token }) => [environment, ...tokenCells(token, fields, ctx.out, now)]),
      { maxWidth: terminalWidth(ctx.io.stdout), bold: ctx.out.bold },
    );
    ctx.io.stdout.write(table.text);
    noteDropped(ctx, table.dropped, { withFields: true });
  }
  const ok = reports.filter((r) => r.status === "ok");
  const summary = reports.map((r) =>
    r.status === "ok"
      ? [r.name, String(r.result), "ok"]
      : [r.name, "-", { text: `failed: ${r.reason}`, style: ctx.err.red }],
  );
  const total = ok.reduce((n, r) => n + (r.status === "ok" ? r.result : 0), 0);
  summary.push([
    { text: "fleet", style: ctx.err.bold },
    String(total),
    `${ok.length} of ${reports.length} listed`,
  ]);
  ctx.io.stderr.write(
    renderTable(
      [{ header: "ENVIRONMENT" }, { header: "TOKENS" }, { header: "STATUS", minWidth: 20 }],
      summary,
      {
        maxWidth: terminalWidth(ctx.io.stderr),
        bold: ctx.err.bold,
      },
    ).text,
  );
  const failed = reports.length - ok.length;
  if (ok.length === 0) throw new ExitError(`no environment could be listed (${failed} failed)`, EXIT.api);
  if (failed > 0)
    throw new ExitError(
      `${failed} of ${reports.length} environments could not be listed; the output covers the other ${ok.length}`,
      EXIT.partial,
    );
  return EXIT.ok;
}

/** Defines `dt-tokens list`. */
export function registerList(program: Command, run: Run): void {
  const listCommand = program
    .command("list")
    .alias("ls")
    .description("List tokens (every page, unless --limit), newest first")
    .option("--owner <owner>", "only tokens of this owner (case-sensitive)")
    .option("--name <name>", "only tokens with exactly this name (case-sensitive)")
    .option(
      "--scope <scope>",
      "only tokens with this scope (repeatable or comma-separated: any of them)",
      collect,
    )
    .option("--personal", "only personal access tokens")
    .option("--no-personal", "only API tokens (not personal access tokens)")
    .option("--used-from <time>", "only tokens last used at or after this time", (v) =>
      timeArg(v, "--used-from", "past"),
    )
    .option("--used-to <time>", "only tokens last used at or before this time (default now)", (v) =>
      timeArg(v, "--used-to", "past"),
    )
    .option("--sort <key>", `${SORT_KEYS.join(", ")}; - for descending (default -creationDate)`, sortArg)
    .option(
      "--fields <fields>",
      "columns: a,b replaces the default set, +a adds, -a removes (id is always shown)",
    )
    .option(
      "--page-size <n>",
      `tokens per request, ${LIST_PAGE_SIZE.minimum} to ${LIST_PAGE_SIZE.maximum} (default ${LIST_PAGE_SIZE.default})`,
      (v) => intArg(v, "--page-size", LIST_PAGE_SIZE.minimum, LIST_PAGE_SIZE.maximum),
    )
    .option("--limit <n>", "stop after n tokens (per environment)", (v) => intArg(v, "--limit", 1))
    .addOption(reportOutputOption());
  addFleetOptions(listCommand)
    .addHelpText(
      "after",
      `
Default columns: id, name, owner, personalAccessToken, enabled, lastUsedDate, expirationDate.
Other fields: creationDate, modifiedDate, lastUsedIpAddress, scopes, additionalMetadata.
Times: 2025-01-31, 2025-01-31T13:45:00Z, epoch milliseconds, or relative now-90d, now-1w/w.
With more than one page, a progress bar shows on stderr when it is a terminal.
${FLEET_HELP}
${examples(`
  $ dt-tokens list
  $ dt-tokens list --owner alice@example.com --personal --sort -lastUsedDate
  $ dt-tokens list --scope apiTokens.write --scope settings.write --fields +scopes
  $ dt-tokens list --used-to now-90d --no-personal --output csv > stale.csv
  $ dt-tokens list --fields name,owner,expirationDate --sort expirationDate --limit 20
  $ dt-tokens list --output ndjson | jq -r 'select(.enabled == false) | .id'
  $ dt-tokens list --all-environments --owner ci-pipeline --output csv > ci-tokens.csv
`)}`,
    )
    .action(
      run<Omit<ListOptions, "output"> & { output?: ListOptions["output"] }>((ctx, o) =>
        list(ctx, { ...o, output: o.output ?? "table" }),
      ),
    );
}
