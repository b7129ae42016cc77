/**
 * `dt-tokens ag-tokens create`: a new ActiveGate token, its secret printed once or delivered to the
 * --to sinks exactly as `dt-tokens create` delivers an API token's (commands/create.ts).
 */
import type { ActiveGateTokenType } from "@dt-tokens/client/activegate";
import { escapeControl } from "@dt-tokens/client/display";
import { type Command, Option } from "commander";
import { collect, examples, type Run, secretOutputOption } from "../../cmdutil.js";
import type { Context } from "../../context.js";
import { guarded } from "../../interrupt.js";
import { deliverNewSecret, describeExpiry, prepareDelivery } from "../../new-secret.js";
import { write } from "../../outcome.js";
import { SINK_FORMS } from "../../sinks/parse.js";
import { activeGateExpiresArg, nameArg } from "../../validate.js";

export const ACTIVEGATE_TYPES = ["ENVIRONMENT", "CLUSTER"] as const;

export interface ActiveGateCreateOptions {
  name: string;
  type: ActiveGateTokenType;
  /** A time (now+90d, a date), or "never". */
  expires?: string;
  seed?: boolean;
  output?: "json";
  to?: string[];
  sinkTimeout?: string;
}

export async function createActiveGateToken(ctx: Context, options: ActiveGateCreateOptions): Promise<number> {
  const name = nameArg(options.name, "--name");
  const delivery = await prepareDelivery(ctx, options, name);
  const { client } = await ctx.connectActiveGate();
  const check = "dt-tokens ag-tokens list";
  return guarded(
    () => `an ActiveGate token named "${escapeControl(name)}" may have been created; check with: ${check}`,
    async () => {
      const created = await write(
        () =>
          client.create({
            name,
            activeGateType: options.type,
            ...(options.seed && { seedToken: true }),
            ...(options.expires !== undefined &&
              options.expires !== "never" && { expirationDate: options.expires }),
          }),
        `ActiveGate token "${name}" may or may not have been created`,
        check,
      );
      return deliverNewSecret(ctx, {
        delivery,
        output: options.output,
        created: {
          id: created.id,
          name,
          activeGateType: options.type,
          seedToken: options.seed ?? false,
          expirationDate: created.expirationDate ?? null,
          token: created.token ?? "",
        },
        remove: (id) => client.delete(id),
        deleteCommand: `dt-tokens ag-tokens delete ${created.id} --yes`,
        summary: `Created ${options.type} ActiveGate token ${created.id} "${escapeControl(name)}"${options.seed ? " (a seed token)" : ""} (${describeExpiry(created.expirationDate)})`,
      });
    },
  );
}

/** Defines `dt-tokens ag-tokens create`. */
export function registerActiveGateCreate(group: Command, run: Run): void {
  group
    .command("create")
    .description("Create an ActiveGate token and print its secret (alone, on stdout) or deliver it (--to)")
    .requiredOption("--name <name>", "name of the token")
    .addOption(
      new Option("--type <type>", "the kind of ActiveGate it is for")
        .choices(ACTIVEGATE_TYPES)
        .default("ENVIRONMENT"),
    )
    .option(
      "--expires <time>",
      "expiry, at most 2 years ahead: now+90d, 2026-12-31, 2026-12-31T18:00:00Z or never (default: never)",
      (v) => activeGateExpiresArg(v),
    )
    .option("--seed", "a seed token (for installers; delete it when they are done)")
    .option(
      "--to <sink>",
      `where the secret goes instead of stdout: ${SINK_FORMS} (repeatable; {id} is the new id)`,
      collect,
    )
    .option("--sink-timeout <duration>", "how long an exec: sink may take (default 5m)")
    .addOption(secretOutputOption("id, name, activeGateType, seedToken, expirationDate, token"))
    .addHelpText(
      "after",
      `
The secret is printed alone on stdout so it can be piped or saved; it is shown only once. With
--to, it goes only to the sinks, as \`dt-tokens create --to\` delivers it: every sink is checked
before anything is created, a new file is 0600, an existing one keeps its owner, group and mode;
if a sink fails, the others get their previous content back and the token is deleted again (exit
status 7). -o json prints {id, name, activeGateType, seedToken, expirationDate, token} (with --to:
sinks instead of token). Needs activeGateTokenManagement.create or .write (platform:
environment-api:activegate-tokens:create). One environment: the default one, or --env NAME.
${examples(`
  $ dt-tokens ag-tokens create --name ag-prod-03 --expires now+1y \\
      --to 'properties:/var/lib/dynatrace/gateway/config/authorization.properties#authToken'
  $ dt-tokens ag-tokens create --name dmz --type CLUSTER --expires now+90d --to file:/etc/ag/token
  $ dt-tokens ag-tokens create --name installer --seed --expires now+1d -o json`)}`,
    )
    .action(run<ActiveGateCreateOptions>((ctx, o) => createActiveGateToken(ctx, o)));
}
