/** `dt-tokens create`: a new token, its secret printed once or delivered to --to sinks (new-secret.ts, shared with `ag-tokens create`). */
import { escapeControl } from "@dt-tokens/client/display";
import type { Command } from "commander";
import { collect, examples, type Run, secretOutputOption } from "../cmdutil.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { guarded } from "../interrupt.js";
import { deliverNewSecret, describeExpiry, prepareDelivery } from "../new-secret.js";
import { shellQuote, write } from "../outcome.js";
import { SINK_FORMS } from "../sinks/parse.js";
import { assignableScopes, expiresArg, nameArg, splitList } from "../validate.js";

export interface CreateOptions {
  name: string;
  scope?: string[];
  /** A timeframe, or "never" (the default for create anyway). */
  expires?: string;
  personal?: boolean;
  /** `json`: {id, name, expirationDate, token} on stdout instead of the secret alone. */
  output?: "json";
  /** --to: the sinks the secret goes to instead of stdout (as rotate's). */
  to?: string[];
  sinkTimeout?: string;
}

export async function create(ctx: Context, options: CreateOptions): Promise<number> {
  const name = nameArg(options.name, "--name");
  const scopes = assignableScopes(splitList(options.scope), "--scope");
  if (scopes.length === 0)
    throw new UsageError("--scope: a token needs at least one scope, e.g. --scope metrics.read", [
      "hint: `dt-tokens scopes` lists every scope",
    ]);
  const delivery = await prepareDelivery(ctx, options, name);
  const { client } = await ctx.connect();
  const check = `dt-tokens list --name ${shellQuote(name)}`;
  // From the request until the secret is delivered, Ctrl-C is deferred: the token is deleted again
  // if its secret could not be shown.
  return guarded(
    () => `a token named "${escapeControl(name)}" may have been created; check with: ${check}`,
    async () => {
      const created = await write(
        () =>
          client.create({
            name,
            scopes,
            ...(options.personal && { personalAccessToken: true }),
            ...(options.expires !== undefined &&
              options.expires !== "never" && { expirationDate: options.expires }),
          }),
        `token "${name}" may or may not have been created`,
        check,
      );
      return deliverNewSecret(ctx, {
        delivery,
        output: options.output,
        created: {
          id: created.id,
          name,
          expirationDate: created.expirationDate ?? null,
          token: created.token ?? "",
        },
        remove: (id) => client.delete(id),
        deleteCommand: `dt-tokens delete ${created.id} --yes`,
        summary: `Created token ${created.id} "${escapeControl(name)}" (${describeExpiry(created.expirationDate)})`,
      });
    },
  );
}

/** Defines `dt-tokens create`. */
export function registerCreate(program: Command, run: Run): void {
  program
    .command("create")
    .description("Create a token and print its secret (alone, on stdout)")
    .requiredOption("--name <name>", "name of the token")
    .option("--scope <scope>", "a scope (repeatable or comma-separated; at least one)", collect)
    .option(
      "--expires <time>",
      "expiry: 90d (from now), now+30d, 2030-12-31, 2030-12-31T18:00:00Z or never (default: never)",
      expiresArg,
    )
    .option("--personal", "a personal access token (default: an API token)")
    .option(
      "--to <sink>",
      `where the secret goes instead of stdout: ${SINK_FORMS} (repeatable; {id} is the new id)`,
      collect,
    )
    .option("--sink-timeout <duration>", "how long an exec: sink may take (default 5m)")
    .addOption(secretOutputOption())
    .addHelpText(
      "after",
      `
The secret is printed alone on stdout so it can be piped or saved; it is shown only once.
The new token belongs to the owner of the API token you authenticate with.
${examples(`
  $ dt-tokens create --name log-shipper --scope logs.ingest --expires now+90d > log-shipper.token
  $ dt-tokens create --name ci --scope metrics.read,entities.read --expires 2030-12-31
  $ dt-tokens create --name my-pat --scope apiTokens.read --personal | pbcopy
  $ dt-tokens create --name ci --scope metrics.read --to 'file:/etc/ci/dt.token'
  $ dt-tokens create --name ci --scope metrics.read --to 'exec:vault kv put secret/dt/ci token=-'`)}

With --to, the secret goes only to the sinks, as rotate delivers it: a new file is 0600, an existing
one keeps its owner, group and mode; if a sink fails, the others get their previous content back
and the token is deleted again (exit status 7).`,
    )
    .action(run<CreateOptions>((ctx, o) => create(ctx, o)));
}
