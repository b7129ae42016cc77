import type { ApiToken, SelectorInput } from "@dt-tokens/client";
import cliProgress from "cli-progress";
import type { Context } from "../context.js";
import { fleetEnvironments, type NamedEnvironment } from "../environments.js";
import { EXIT, ExitError } from "../errors.js";
import { runFleet } from "../fleet/run.js";
import {
  csvValue,
  FIELD_HEADERS,
  type OutputFormat,
  TokenWriter,
  terminalWidth,
  tokenCells,
  tokenColumns,
  tokensTable,
} from "../format.js";
import { mdCell, mdTable } from "../markdown.js";
import { renderTable } from "../table.js";
import { checkWindow, type Field, fieldsArg, knownScopes, type SortArg, splitList } from "../validate.js";
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

export function selectorOf(options: { owner?: string; scope?: string[]; personal?: boolean }) {
  const selector: SelectorInput = {};
  if (options.owner !== undefined) selector.owner = options.owner;
  if (options.personal !== undefined) selector.personalAccessToken = options.personal;
  const scopes = knownScopes(splitList(options.scope), "--scope");
  if (scopes.length > 0) selector.scopes = scopes as SelectorInput["scopes"];
  return selector;
}

/**
 * Fetches every page (or up to `limit` tokens), with a progress bar on stderr when it is a terminal
 * and there is more than one page. `each` gets the tokens as they arrive.
 */
export async function fetchTokens(
  ctx: Context,
  params: Parameters<import("@dt-tokens/client").ApiTokensClient["listAll"]>[0],
  limit: number | undefined,
  each: (token: ApiToken) => void,
  label = "Fetching tokens",
  keep: (token: ApiToken) => boolean = () => true,
): Promise<{ seen: number; total: number }> {
  const { client } = await ctx.connect();
  let seen = 0;
  let fetched = 0;
  let total = 0;
  let bar: cliProgress.SingleBar | undefined;
  try {
    for await (const page of client.listAll(params).pages()) {
      if (fetched === 0) {
        total = page.totalCount;
        const goal = Math.min(total, limit ?? total);
        if (ctx.io.stderr.isTTY && page.nextPageKey && goal > page.apiTokens.length) {
          bar = new cliProgress.SingleBar(
            {
              stream: ctx.io.stderr as NodeJS.WriteStream,
              format: `${label} [{bar}] {value}/{total}`,
              barsize: 30,
              clearOnComplete: true,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(goal, 0);
        }
      }
      for (const token of page.apiTokens) {
        if (limit !== undefined && seen >= limit) break;
        fetched++;
        if (!keep(token)) continue;
        each(token);
        seen++;
      }
      bar?.update(fetched);
      if (limit !== undefined && seen >= limit) break;
    }
  } finally {
    bar?.stop();
  }
  return { seen, total };
}

/** Tokens as a Markdown table (a CI job summary); `environment` adds that column first. */
function markdownTokens(
  rows: { environment?: string; token: ApiToken }[],
  fields: readonly Field[],
  withEnvironment: boolean,
): string {
  return mdTable(
    [...(withEnvironment ? ["Environment"] : []), ...fields.map((f) => FIELD_HEADERS[f])],
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
  noteDropped(ctx, table.dropped);
  if (ctx.io.stderr.isTTY)
    ctx.note(
      seen < total && wanted === undefined
        ? `${seen} of ${plural(total, "token")} (--limit)`
        : plural(seen, "token"),
      ctx.err.dim,
    );
  return EXIT.ok;
}

/** Says on stderr which columns a table left out to fit the terminal. */
export function noteDropped(ctx: Context, dropped: readonly string[]): void {
  if (dropped.length > 0)
    ctx.note(
      `${plural(dropped.length, "column")} hidden to fit the terminal (${dropped.join(", ")}); widen it, choose --fields, or use -o json`,
      ctx.err.dim,
    );
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
    noteDropped(ctx, table.dropped);
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
