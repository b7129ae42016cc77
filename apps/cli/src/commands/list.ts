import type { ApiToken, SelectorInput } from "@dt-tokens/client";
import cliProgress from "cli-progress";
import type { Context } from "../context.js";
import { type OutputFormat, TokenWriter, tokensTable } from "../format.js";
import { type Field, fieldsArg, knownScopes, type SortArg, splitList } from "../validate.js";

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
  scope?: string[];
  personal?: boolean;
  usedFrom?: string;
  usedTo?: string;
  sort?: SortArg;
  fields?: string;
  pageSize?: number;
  limit?: number;
  output: OutputFormat;
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
): Promise<{ seen: number; total: number }> {
  const { client } = await ctx.connect();
  let seen = 0;
  let total = 0;
  let bar: cliProgress.SingleBar | undefined;
  try {
    for await (const page of client.listAll(params).pages()) {
      if (seen === 0) {
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
        each(token);
        seen++;
      }
      bar?.update(seen);
      if (limit !== undefined && seen >= limit) break;
    }
  } finally {
    bar?.stop();
  }
  return { seen, total };
}

export async function list(ctx: Context, options: ListOptions): Promise<void> {
  const fields = options.fields ? fieldsArg(options.fields, LIST_FIELDS) : LIST_FIELDS;
  const params = {
    selector: selectorOf(options),
    fields,
    ...(options.usedFrom !== undefined && { from: options.usedFrom }),
    ...(options.usedTo !== undefined && { to: options.usedTo }),
    ...(options.sort !== undefined && { sort: options.sort }),
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
  };
  const format = options.output;
  const rows: ApiToken[] = [];
  const writer = format === "table" ? undefined : new TokenWriter(ctx.io.stdout, format, fields);
  const { seen, total } = await fetchTokens(ctx, params, options.limit, (token) =>
    writer ? writer.write(token) : rows.push(token),
  );
  writer?.end();
  if (format !== "table") return;
  if (rows.length === 0) {
    ctx.note("No tokens match.");
    return;
  }
  ctx.io.stdout.write(tokensTable(rows, fields, ctx.out, ctx.io.stdout));
  if (ctx.io.stderr.isTTY)
    ctx.note(ctx.err.dim(seen < total ? `${seen} of ${total} tokens (--limit)` : `${seen} tokens`));
}
