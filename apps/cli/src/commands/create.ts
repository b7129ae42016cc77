/** `dt-tokens create`: a new token, its secret printed once. */
import { escapeControl, formatDate, formatRelative } from "@dt-tokens/client/display";
import type { Command } from "commander";
import { collect, examples, type Run, secretOutputOption } from "../cmdutil.js";
import type { Context } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { guarded } from "../interrupt.js";
import { shellQuote, write } from "../outcome.js";
import { deliverSecret, secretText, undoUndelivered } from "../secret-output.js";
import { assignableScopes, expiresArg, nameArg, splitList } from "../validate.js";

const describeExpiry = (date: string | undefined) =>
  date ? `expires ${formatDate(date)}, ${formatRelative(date, Date.now())}` : "never expires";

/** The once-only warning on stderr, after the secret was delivered. */
function warnOnce(ctx: Context, summary: string): void {
  ctx.note(summary);
  ctx.warn(
    "the secret above is shown only once and cannot be retrieved again: store it now (e.g. in a secret manager)",
  );
}

export interface CreateOptions {
  name: string;
  scope?: string[];
  /** A timeframe, or "never" (the default for create anyway). */
  expires?: string;
  personal?: boolean;
  /** `json`: {id, name, expirationDate, token} on stdout instead of the secret alone. */
  output?: "json";
}

export async function create(ctx: Context, options: CreateOptions): Promise<number> {
  const name = nameArg(options.name, "--name");
  const scopes = assignableScopes(splitList(options.scope), "--scope");
  if (scopes.length === 0)
    throw new UsageError("--scope: a token needs at least one scope, e.g. --scope metrics.read", [
      "hint: `dt-tokens scopes` lists every scope",
    ]);
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
      const result = {
        id: created.id,
        name,
        expirationDate: created.expirationDate ?? null,
        token: created.token ?? "",
      };
      const undelivered = await deliverSecret(ctx, secretText(result, options.output ?? "secret"));
      if (undelivered) return undoUndelivered(client, created.id, undelivered);
      warnOnce(ctx, `Created token ${created.id} "${name}" (${describeExpiry(created.expirationDate)}).`);
      return EXIT.ok;
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
      "expiry: now+30d, 2025-12-31, 2025-12-31T18:00:00Z or never (default: never)",
      expiresArg,
    )
    .option("--personal", "a personal access token (default: an API token)")
    .addOption(secretOutputOption())
    .addHelpText(
      "after",
      `
The secret is printed alone on stdout so it can be piped or saved; it is shown only once.
The new token belongs to the owner of the API token you authenticate with.
${examples(`
  $ dt-tokens create --name log-shipper --scope logs.ingest --expires now+90d > log-shipper.token
  $ dt-tokens create --name ci --scope metrics.read,entities.read --expires 2025-12-31
  $ dt-tokens create --name my-pat --scope apiTokens.read --personal | pbcopy`)}`,
    )
    .action(run<CreateOptions>((ctx, o) => create(ctx, o)));
}
