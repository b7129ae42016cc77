/** `dt-tokens ag-tokens list`: ActiveGate tokens of one environment or a fleet. */
import { ACTIVEGATE_TOKENS_PAGE_SIZE, type ActiveGateToken } from "@dt-tokens/client/activegate";
import type { Command } from "commander";
import { activeGateTokensTable, activeGateTokensText } from "../../activegate-format.js";
import {
  addFleetOptions,
  examples,
  FLEET_HELP,
  type FleetFlags,
  type Run,
  reportOutputOption,
} from "../../cmdutil.js";
import type { Context } from "../../context.js";
import { fleetEnvironments } from "../../environments.js";
import { EXIT, ExitError } from "../../errors.js";
import { runActiveGateFleet } from "../../fleet/activegate.js";
import type { OutputFormat } from "../../format.js";
import { noteDropped } from "../../token-fetch.js";
import { intArg } from "../../validate.js";
import { plural } from "../../words.js";

export interface ActiveGateListOptions extends FleetFlags {
  pageSize?: number;
  output: OutputFormat | "markdown";
}

export async function listActiveGateTokens(ctx: Context, options: ActiveGateListOptions): Promise<number> {
  const params = options.pageSize !== undefined ? { pageSize: options.pageSize } : {};
  const fleet = fleetEnvironments(
    { ...ctx.options, allEnvironments: options.allEnvironments ?? false },
    ctx.io,
    (t) => ctx.warn(t),
  );
  let rows: { environment?: string; token: ActiveGateToken }[];
  if (fleet) {
    const reports = await runActiveGateFleet(ctx, fleet, options, "Listing", async (client, signal) => {
      const tokens: ActiveGateToken[] = [];
      for await (const t of client.listAll(params, { signal })) tokens.push(t);
      return tokens;
    });
    rows = reports.flatMap((r) =>
      r.status === "ok" ? r.result.map((token) => ({ environment: r.name, token })) : [],
    );
    write(ctx, options, rows, true);
    for (const r of reports)
      ctx.note(
        r.status === "ok"
          ? `${r.name}: ${plural(r.result.length, "ActiveGate token")}`
          : `${r.name}: failed: ${r.reason}`,
        r.status === "ok" ? undefined : ctx.err.red,
      );
    const failed = reports.filter((r) => r.status === "failed").length;
    if (failed === reports.length)
      throw new ExitError(`no environment could be listed (${failed} failed)`, EXIT.api);
    if (failed > 0)
      throw new ExitError(
        `${failed} of ${reports.length} environments could not be listed; the output covers the other ${reports.length - failed}`,
        EXIT.partial,
      );
    return EXIT.ok;
  }
  const { client } = await ctx.connectActiveGate();
  rows = [];
  for await (const token of client.listAll(params)) rows.push({ token });
  write(ctx, options, rows, false);
  if (options.output === "table" && ctx.io.stderr.isTTY)
    ctx.note(plural(rows.length, "ActiveGate token"), ctx.err.dim);
  return EXIT.ok;
}

function write(
  ctx: Context,
  options: ActiveGateListOptions,
  rows: { environment?: string; token: ActiveGateToken }[],
  withEnvironment: boolean,
): void {
  if (options.output !== "table") {
    ctx.io.stdout.write(activeGateTokensText(rows, options.output, ctx.options.csvGuard, withEnvironment));
    return;
  }
  if (rows.length === 0) {
    ctx.note("No ActiveGate tokens.");
    return;
  }
  const table = activeGateTokensTable(rows, ctx.out, ctx.io.stdout, withEnvironment);
  ctx.io.stdout.write(table.text);
  noteDropped(ctx, table.dropped);
}

/** Defines `dt-tokens ag-tokens list`. */
export function registerActiveGateList(group: Command, run: Run): void {
  const command = group
    .command("list")
    .alias("ls")
    .description("List ActiveGate tokens (every page)")
    .option(
      "--page-size <n>",
      `tokens per request, ${ACTIVEGATE_TOKENS_PAGE_SIZE.minimum} to ${ACTIVEGATE_TOKENS_PAGE_SIZE.maximum} (default ${ACTIVEGATE_TOKENS_PAGE_SIZE.default})`,
      (v) =>
        intArg(v, "--page-size", ACTIVEGATE_TOKENS_PAGE_SIZE.minimum, ACTIVEGATE_TOKENS_PAGE_SIZE.maximum),
    )
    .addOption(reportOutputOption());
  addFleetOptions(command)
    .addHelpText(
      "after",
      `
Columns: id, name, type (ENVIRONMENT or CLUSTER), owner, seed, created, last used, expires.
${FLEET_HELP}
${examples(`
  $ dt-tokens ag-tokens list
  $ dt-tokens ag-tokens list --output csv > activegate-tokens.csv
  $ dt-tokens ag-tokens list --all-environments --output ndjson | jq -r 'select(.seedToken) | .id'`)}`,
    )
    .action(
      run<Omit<ActiveGateListOptions, "output"> & { output?: ActiveGateListOptions["output"] }>((ctx, o) =>
        listActiveGateTokens(ctx, { ...o, output: o.output ?? "table" }),
      ),
    );
}
