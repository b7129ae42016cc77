/**
 * Reading tokens for a command: the selector of --owner, --scope and --personal, every page with a
 * progress bar, and the note about columns a table left out (list, audit, rotate's selection).
 */
import type { ApiToken, ApiTokensClient, SelectorInput } from "@dt-tokens/client";
import cliProgress from "cli-progress";
import type { Context } from "./context.js";
import { knownScopes, splitList } from "./validate.js";
import { plural } from "./words.js";

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
  params: Parameters<ApiTokensClient["listAll"]>[0],
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

/**
 * Says on stderr which columns a table left out to fit the terminal, and what brings them back:
 * `withFields` for a command that has a --fields option (the hint names only options it has).
 */
export function noteDropped(
  ctx: Context,
  dropped: readonly string[],
  { withFields = false }: { withFields?: boolean } = {},
): void {
  if (dropped.length > 0)
    ctx.note(
      `${plural(dropped.length, "column")} hidden to fit the terminal (${dropped.join(", ")}); ${withFields ? "widen it, choose --fields, or use -o json" : "widen it or use -o json"}`,
      ctx.err.dim,
    );
}
