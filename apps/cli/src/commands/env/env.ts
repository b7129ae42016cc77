/** `dt-tokens env`: the group of the named-environment commands and its help (program.ts adds them). */
import type { Command } from "commander";
import { examples } from "../../cmdutil.js";

/** Defines `dt-tokens env`; returns it for its subcommands. */
export function registerEnv(program: Command): Command {
  return program
    .command("env")
    .description("Named environments: list, add, remove, use (the config file)")
    .addHelpText(
      "after",
      `
The config file is $DT_TOKENS_CONFIG, else $XDG_CONFIG_HOME/dt-tokens/config.yaml, else
~/.config/dt-tokens/config.yaml. It names each environment's URL and where its credential comes
from, never the credential itself:
  env:VAR        an environment variable
  file:PATH      the first line of a file (~/ and paths relative to the config file work)
  exec:COMMAND   the first line a command prints (op read ..., vault kv get ..., pass show ...)

  current: prod
  environments:
    prod:
      url: https://abc12345.live.dynatrace.com
      apiToken: env:DT_PROD_TOKEN
    staging:
      url: https://dynatrace.example.com/e/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718
      apiToken: exec:vault kv get -field=token secret/dynatrace/staging
    platform:
      url: https://abc12345.apps.dynatrace.com
      platformToken: file:~/.config/dt-tokens/platform.token

Every command takes --env NAME; audit and list take --env a,b,c or --all-environments.
${examples(`
  $ dt-tokens env add prod --url https://abc12345.live.dynatrace.com --api-token-ref env:DT_PROD_TOKEN
  $ dt-tokens env add staging --url https://dt.example.com/e/1f2e3d4c --api-token-ref 'exec:pass show dynatrace/staging'
  $ dt-tokens env list
  $ dt-tokens env use staging
  $ dt-tokens --env prod list --limit 5
  $ dt-tokens audit --all-environments --fail-on high`)}`,
    );
}
