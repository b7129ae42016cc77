/** `dt-tokens env use`: which environment is the current one. */
import type { Command } from "commander";
import type { Run } from "../../cmdutil.js";
import { mustExist, setCurrent } from "../../config/edit.js";
import { configPath, updateConfig } from "../../config/file.js";
import type { Context } from "../../context.js";

export async function envUse(ctx: Context, name: string): Promise<void> {
  const url = await updateConfig(configPath(ctx.io.env), (loaded) => {
    mustExist(loaded, name);
    setCurrent(loaded.document, name);
    return loaded.config.environments[name]!.url;
  });
  ctx.note(`The current environment is ${name} (${url}).`);
}

/** Defines `dt-tokens env use`. */
export function registerEnvUse(env: Command, run: Run): void {
  env
    .command("use")
    .description("Make an environment the current one (used when no --env, --env-url or DT_ENV_URL is given)")
    .argument("<name>", "its name")
    .action(run((ctx, _o, [name]) => envUse(ctx, name!)));
}
