/** `dt-tokens update`: rename, enable, disable, change scopes. */
import type { Command } from "commander";
import { collect, examples, outputFormat, outputOption, type Run, refuseContradictions } from "../cmdutil.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { OutputFormat } from "../format.js";
import { write } from "../outcome.js";
import { assignableScopes, idArg, knownScopes, nameArg, splitList } from "../validate.js";

export interface UpdateOptions {
  name?: string;
  enable?: boolean;
  disable?: boolean;
  scopes?: string[];
  addScope?: string[];
  removeScope?: string[];
  output: OutputFormat;
}

export async function update(ctx: Context, rawId: string, options: UpdateOptions): Promise<void> {
  const id = idArg(rawId);
  const replace = options.scopes ? assignableScopes(splitList(options.scopes), "--scopes") : undefined;
  const add = assignableScopes(splitList(options.addScope), "--add-scope");
  const remove = knownScopes(splitList(options.removeScope), "--remove-scope");
  if (replace && (add.length > 0 || remove.length > 0))
    throw new UsageError("--scopes replaces the whole list: use it without --add-scope and --remove-scope");
  if (replace?.length === 0) throw new UsageError("--scopes: a token needs at least one scope");
  const name = options.name === undefined ? undefined : nameArg(options.name, "--name");
  const enabled = options.enable ? true : options.disable ? false : undefined;
  if (name === undefined && enabled === undefined && !replace && add.length === 0 && remove.length === 0) {
    throw new UsageError(
      "nothing to update: give --name, --enable, --disable, --scopes, --add-scope or --remove-scope",
    );
  }
  const { client } = await ctx.connect();
  let scopes = replace;
  if (add.length > 0 || remove.length > 0) {
    // The API replaces the whole list: read it, change it, write it back.
    const current = (await client.get(id)).scopes ?? [];
    for (const s of remove.filter((s) => !current.includes(s)))
      ctx.warn(`the token has no scope ${s}; nothing to remove`);
    const next = [...new Set([...current.filter((s) => !remove.includes(s)), ...add])];
    if (next.length === 0)
      throw new UsageError("--remove-scope would leave the token without scopes; a token needs at least one");
    const changed = next.length !== current.length || next.some((s) => !current.includes(s));
    if (changed) scopes = next as typeof scopes;
  }
  const body = {
    ...(name !== undefined && { name }),
    ...(enabled !== undefined && { enabled }),
    ...(scopes && { scopes }),
  };
  if (Object.keys(body).length === 0) ctx.note(`Token ${id} already has these scopes; nothing changed.`);
  else {
    await write(
      () => client.update(id, body),
      `token ${id} may or may not have been updated`,
      `dt-tokens get ${id}`,
    );
    const what = [
      name !== undefined && `renamed to "${name}"`,
      enabled === true && "enabled",
      enabled === false && "disabled",
      scopes && `scopes set to ${scopes.join(", ")}`,
    ].filter(Boolean);
    ctx.note(`Updated token ${id}: ${what.join("; ")}.`);
  }
  ctx.printToken(await client.get(id), options.output);
}

/** Defines `dt-tokens update`. */
export function registerUpdate(program: Command, run: Run): void {
  const command = program
    .command("update")
    .description("Rename, enable, disable or change the scopes of a token")
    .argument("<id>", "token id")
    .option("--name <name>", "new name")
    .option("--enable", "enable the token")
    .option("--disable", "disable the token (it can be enabled again)")
    .option("--scopes <scopes>", "replace all scopes (repeatable or comma-separated)", collect)
    .option("--add-scope <scope>", "add a scope, keeping the others (repeatable)", collect)
    .option("--remove-scope <scope>", "remove a scope, keeping the others (repeatable)", collect)
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
The API replaces the whole scope list: --add-scope and --remove-scope read the token's scopes,
change them and write them back. The updated token is printed like \`get\` does.
${examples(`
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --disable
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --add-scope metrics.read --remove-scope WriteConfig
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --name grafana-prod --scopes metrics.read,entities.read`)}`,
    )
    .action(
      run<Omit<UpdateOptions, "output"> & { output?: OutputFormat }>((ctx, o, [id]) =>
        update(ctx, id!, { ...o, output: outputFormat(o.output) }),
      ),
    );
  refuseContradictions(command, [["--enable", "--disable"]]);
}
