/** `dt-tokens delete`: one token, after a confirmation on a terminal. */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { examples, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import { write } from "../outcome.js";
import { idArg } from "../validate.js";

export async function remove(ctx: Context, rawId: string, options: { yes?: boolean }): Promise<void> {
  const id = idArg(rawId);
  if (!options.yes) {
    if (!ctx.io.stdin.isTTY) {
      throw new UsageError("refusing to delete without confirmation: stdin is not a terminal; pass --yes");
    }
    const { client } = await ctx.connect();
    const token = await client.get(id);
    const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr as NodeJS.WritableStream });
    const answer = await rl
      .question(`Delete token ${id} "${token.name}" (owner ${token.owner})? This cannot be undone. [y/N] `)
      .catch(() => "") // Ctrl-C or end of input: the same as no
      .finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new ExitError("cancelled; nothing was deleted", EXIT.cancelled);
  }
  const { client } = ctx.connection ?? (await ctx.connect());
  await write(() => client.delete(id), `token ${id} may or may not have been deleted`, `dt-tokens get ${id}`);
  ctx.note(`Deleted token ${id}.`);
}

/** Defines `dt-tokens delete`. */
export function registerDelete(program: Command, run: Run): void {
  program
    .command("delete")
    .alias("rm")
    .description("Delete a token (asks for confirmation on a terminal)")
    .argument("<id>", "token id")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens delete dt0c01.ST2EY72KQINMH574WMNVI7YN
  $ dt-tokens delete dt0c01.ST2EY72KQINMH574WMNVI7YN --yes
  $ dt-tokens list --output ndjson | jq -r 'select(.enabled == false) | .id' | xargs -n1 dt-tokens delete --yes`),
    )
    .action(run<{ yes?: boolean }>((ctx, o, [id]) => remove(ctx, id!, o)));
}
