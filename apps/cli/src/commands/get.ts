/** `dt-tokens get`: one token's metadata. */
import type { Command } from "commander";
import { examples, outputFormat, outputOption, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import type { OutputFormat } from "../format.js";
import { idArg } from "../validate.js";

export async function get(ctx: Context, rawId: string, output: OutputFormat): Promise<void> {
  const id = idArg(rawId);
  const { client } = await ctx.connect();
  ctx.printToken(await client.get(id), output);
}

/** Defines `dt-tokens get`. */
export function registerGet(program: Command, run: Run): void {
  program
    .command("get")
    .description("Show one token's metadata")
    .argument("<id>", "token id (dt0c01.<24 characters>)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens get dt0c01.ST2EY72KQINMH574WMNVI7YN
  $ dt-tokens get dt0c01.ST2EY72KQINMH574WMNVI7YN --output json | jq .scopes`),
    )
    .action(run<{ output?: OutputFormat }>((ctx, o, [id]) => get(ctx, id!, outputFormat(o.output))));
}
