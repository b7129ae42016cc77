/** `dt-tokens env list`: the environments of the config file. */
import type { Command } from "commander";
import { Option } from "commander";
import type { Run } from "../../cmdutil.js";
import { configPath, type LoadedConfig, loadConfig } from "../../config/file.js";
import type { Context } from "../../context.js";
import { describeEntryCredential } from "../../credentials.js";
import { terminalWidth } from "../../format.js";
import { renderTable } from "../../table.js";

function load(ctx: Context): LoadedConfig {
  return loadConfig(configPath(ctx.io.env));
}

export async function envList(ctx: Context, options: { output: "table" | "json" }): Promise<void> {
  const loaded = load(ctx);
  const { environments, current } = loaded.config;
  const rows = Object.entries(environments).map(([name, entry]) => ({
    name,
    current: name === current,
    url: entry.url,
    ...describeEntryCredential(entry),
    ...(entry.description !== undefined && { description: entry.description }),
  }));
  if (options.output === "json") {
    ctx.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.note(
      `No environments${loaded.exists ? ` in ${loaded.path}` : ` (no config file at ${loaded.path})`}. Add one with: dt-tokens env add <name> --url <url> --api-token-ref env:VAR`,
    );
    return;
  }
  ctx.io.stdout.write(
    renderTable(
      [
        { header: "" },
        { header: "NAME" },
        { header: "URL", minWidth: 30 },
        { header: "CREDENTIAL" },
        { header: "FROM", minWidth: 20, importance: 1 },
      ],
      rows.map((r) => [r.current ? "*" : "", r.name, r.url, r.kind, r.source]),
      { maxWidth: terminalWidth(ctx.io.stdout), bold: ctx.out.bold },
    ).text,
  );
  if (ctx.io.stderr.isTTY) ctx.note(ctx.err.dim(loaded.path));
}

/** Defines `dt-tokens env list`. */
export function registerEnvList(env: Command, run: Run): void {
  env
    .command("list")
    .alias("ls")
    .description("List the environments of the config file (* marks the current one)")
    .addOption(new Option("-o, --output <format>", "output format; default table").choices(["table", "json"]))
    .action(run<{ output?: "table" | "json" }>((ctx, o) => envList(ctx, { output: o.output ?? "table" })));
}
