/** `dt-tokens ag-tokens get`: one ActiveGate token's metadata. */
import type { Command } from "commander";
import { activeGateTokensTable, activeGateTokensText } from "../../activegate-format.js";
import { examples, outputFormat, outputOption, type Run } from "../../cmdutil.js";
import type { Context } from "../../context.js";
import type { OutputFormat } from "../../format.js";
import { activeGateIdArg } from "../../validate.js";

export async function getActiveGateToken(ctx: Context, rawId: string, output: OutputFormat): Promise<void> {
  const id = activeGateIdArg(rawId);
  const { client } = await ctx.connectActiveGate();
  const token = await client.get(id);
  if (output === "json") ctx.io.stdout.write(`${JSON.stringify(token, null, 2)}\n`);
  else if (output === "table")
    ctx.io.stdout.write(activeGateTokensTable([{ token }], ctx.out, ctx.io.stdout).text);
  else ctx.io.stdout.write(activeGateTokensText([{ token }], output, ctx.options.csvGuard));
}

/** Defines `dt-tokens ag-tokens get`. */
export function registerActiveGateGet(group: Command, run: Run): void {
  group
    .command("get")
    .description("Show one ActiveGate token's metadata")
    .argument("<id>", "ActiveGate token id (dt0g02.<8 characters>)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens ag-tokens get dt0g02.ABCDEFGH
  $ dt-tokens ag-tokens get dt0g02.ABCDEFGH --output json | jq .expirationDate`),
    )
    .action(
      run<{ output?: OutputFormat }>((ctx, o, [id]) => getActiveGateToken(ctx, id!, outputFormat(o.output))),
    );
}
