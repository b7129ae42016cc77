/** `dt-tokens ag-tokens delete`: one ActiveGate token, after a confirmation on a terminal. */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { examples, type Run } from "../../cmdutil.js";
import type { Context } from "../../context.js";
import { EXIT, ExitError, UsageError } from "../../errors.js";
import { write } from "../../outcome.js";
import { activeGateIdArg } from "../../validate.js";

export async function deleteActiveGateToken(
  ctx: Context,
  rawId: string,
  options: { yes?: boolean },
): Promise<void> {
  const id = activeGateIdArg(rawId);
  if (!options.yes && !ctx.io.stdin.isTTY)
    throw new UsageError("refusing to delete without confirmation: stdin is not a terminal; pass --yes");
  const { client } = await ctx.connectActiveGate();
  if (!options.yes) {
    const token = await client.get(id);
    const users = (await client.activeGates()).filter((g) => g.activeGateTokens?.some((t) => t.id === id));
    const warning =
      users.length > 0
        ? ` ${users.map((g) => g.hostname ?? g.id).join(", ")} use${users.length === 1 ? "s" : ""} it and will lose its connection once token enforcement is on.`
        : "";
    const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr as NodeJS.WritableStream });
    const answer = await rl
      .question(
        `Delete ActiveGate token ${id} "${token.name}" (owner ${token.owner})?${warning} This cannot be undone. [y/N] `,
      )
      .catch(() => "")
      .finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new ExitError("cancelled; nothing was deleted", EXIT.cancelled);
  }
  await write(
    () => client.delete(id),
    `ActiveGate token ${id} may or may not have been deleted`,
    `dt-tokens ag-tokens get ${id}`,
  );
  ctx.note(`Deleted ActiveGate token ${id}.`);
}

/** Defines `dt-tokens ag-tokens delete`. */
export function registerActiveGateDelete(group: Command, run: Run): void {
  group
    .command("delete")
    .alias("rm")
    .description("Delete an ActiveGate token (asks for confirmation on a terminal; they cannot be disabled)")
    .argument("<id>", "ActiveGate token id (dt0g02.<8 characters>)")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens ag-tokens delete dt0g02.ABCDEFGH
  $ dt-tokens ag-tokens delete dt0g02.ABCDEFGH --yes`),
    )
    .action(run<{ yes?: boolean }>((ctx, o, [id]) => deleteActiveGateToken(ctx, id!, o)));
}
