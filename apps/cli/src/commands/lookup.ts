/** `dt-tokens lookup`: the token a secret belongs to. */
import { AuthenticationError, isTokenSecret } from "@dt-tokens/client";
import type { Command } from "commander";
import { examples, outputFormat, outputOption, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { hasEnvCredential } from "../env-credentials.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import type { OutputFormat } from "../format.js";

export async function lookup(ctx: Context, output: OutputFormat): Promise<void> {
  // With --token-stdin the first line is the API token and the second the secret to look up.
  const hasEnvToken = !ctx.options.tokenStdin && hasEnvCredential(ctx.io.env);
  let connection = hasEnvToken || ctx.options.tokenStdin ? await ctx.connect() : undefined;
  const secret = await ctx.stdin.line("Token secret to look up (input hidden): ");
  if (!secret) {
    throw new UsageError(
      "lookup: stdin held no secret; pipe the secret in, e.g. dt-tokens lookup < secret.txt",
      [
        ctx.options.tokenStdin
          ? "hint: with --token-stdin, the API token is the first line and the secret the second"
          : "",
      ].filter(Boolean),
    );
  }
  if (/^dt0c01\./.test(secret) && !isTokenSecret(secret))
    throw new UsageError(
      "lookup: stdin does not hold a token secret: expected dt0c01.<24 characters>.<64 characters> of A-Z and 2-7",
    );
  if (!/^[!-~]+$/.test(secret))
    throw new UsageError("lookup: the secret contains spaces or control characters");
  // Without an API token the secret authenticates itself: "is this token valid, and what is it?"
  connection ??= await ctx.connect({ value: secret, source: "stdin" });
  try {
    ctx.printToken(await connection.client.lookup(secret), output);
  } catch (error) {
    // A 401 then says no to the secret itself: no other credential was used (or worth naming).
    if (error instanceof AuthenticationError && connection.tokenId === publicPart(secret))
      throw new ExitError(describeError(error, ctx.url).message, EXIT.api, [
        `hint: the secret is no valid token of ${ctx.url ?? "the environment"}: unknown, deleted, disabled or expired, or a token of another environment (it was its own credential: no API token was set)`,
      ]);
    throw error;
  }
}

const publicPart = (secret: string) => secret.split(".").slice(0, 2).join(".");

/** Defines `dt-tokens lookup`. */
export function registerLookup(program: Command, run: Run): void {
  program
    .command("lookup")
    .description("Show the token a secret belongs to (the secret is read from stdin)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
The secret is read from stdin (on a terminal: typed without echo). Without DT_API_TOKEN or
--token-stdin the secret authenticates itself, so this also checks that a token is valid.
With --token-stdin, the first line of stdin is the API token and the second the secret.
${examples(`
  $ dt-tokens lookup < log-shipper.token
  $ printenv MY_TOKEN | dt-tokens lookup --output json
  $ dt-tokens lookup            # then paste the secret`)}`,
    )
    .action(run<{ output?: OutputFormat }>((ctx, o) => lookup(ctx, outputFormat(o.output))));
}
