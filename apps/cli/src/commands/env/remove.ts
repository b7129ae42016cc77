/** `dt-tokens env remove`: an environment out of the config file. */
import type { Command } from "commander";
import type { Run } from "../../cmdutil.js";
import { copyAliasesInto } from "../../config/aliases.js";
import { mustExist } from "../../config/edit.js";
import { configPath, updateConfig } from "../../config/file.js";
import type { Context } from "../../context.js";

export async function envRemove(ctx: Context, name: string): Promise<void> {
  const { path, wasCurrent } = await updateConfig(configPath(ctx.io.env), (loaded) => {
    mustExist(loaded, name);
    const doc = loaded.document;
    copyAliasesInto(doc, ["environments", name]);
    doc.deleteIn(["environments", name]);
    const wasCurrent = loaded.config.current === name;
    if (wasCurrent) doc.delete("current");
    return { path: loaded.path, wasCurrent };
  });
  ctx.note(
    `Removed environment ${name} from ${path}${wasCurrent ? "; there is no current environment now (dt-tokens env use <name>)" : ""}.`,
  );
}

/** Defines `dt-tokens env remove`. */
export function registerEnvRemove(env: Command, run: Run): void {
  env
    .command("remove")
    .alias("rm")
    .description("Remove an environment from the config file")
    .argument("<name>", "its name")
    .action(run((ctx, _o, [name]) => envRemove(ctx, name!)));
}
