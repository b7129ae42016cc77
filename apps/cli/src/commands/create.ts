/** `dt-tokens create`: a new token, its secret printed once or delivered to --to sinks (also for `ag-tokens create`). */
import { escapeControl, formatDate, formatRelative } from "@dt-tokens/client/display";
import type { Command } from "commander";
import { collect, examples, type Run, secretOutputOption } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { timerDurationArg } from "../duration.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import { guarded } from "../interrupt.js";
import { shellQuote, write } from "../outcome.js";
import { writeConfirmed } from "../output.js";
import { deliverSecret, type NewTokenJson, secretText, undoUndelivered } from "../secret-output.js";
import { type SinkDelivery, sinkDelivery } from "../sinks/deliver.js";
import { parseSink, SINK_FORMS } from "../sinks/parse.js";
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

/**
 * The --to sinks of a create (any kind of token), checked before anything is created ({id} and
 * {newId} are the new token's id), or undefined when the secret goes to stdout. --sink-timeout
 * needs --to; --to stdout and -o json would both write to stdout.
 */
export async function prepareDelivery(
  ctx: Context,
  options: { to?: string[]; sinkTimeout?: string; output?: "json" },
  name: string,
): Promise<SinkDelivery | undefined> {
  const specs = (options.to ?? []).map(parseSink);
  if (options.sinkTimeout !== undefined && specs.length === 0)
    throw new UsageError("--sink-timeout goes with --to");
  if (specs.some((s) => s.kind === "stdout") && options.output === "json")
    throw new UsageError("--to stdout and --output json both write to stdout: choose one");
  if (specs.length === 0) return undefined;
  const delivery = sinkDelivery(specs, ctx.io, {
    timeoutMs: timerDurationArg(options.sinkTimeout ?? "5m", "--sink-timeout"),
  });
  await delivery.prepare({ id: "newId", name }).catch((error: Error) => {
    throw new UsageError(`--to ${error.message}`);
  });
  return delivery;
}

/**
 * A new token's secret delivered: to the --to sinks (on failure every sink gets its previous
 * content back and the token is deleted again, exit 7), or alone on stdout (or as JSON with -o
 * json; a write that fails or a Ctrl-C first deletes the token again). `created` may carry more
 * fields for the JSON (an ActiveGate token's type); never the secret once it went to sinks.
 */
export async function deliverNewSecret(
  ctx: Context,
  o: {
    delivery: SinkDelivery | undefined;
    output: "json" | undefined;
    created: NewTokenJson & Record<string, unknown>;
    remove: (id: string) => Promise<void>;
    deleteCommand: string;
    /** `Created token <id> "<name>" (expires ...)`, escaped. */
    summary: string;
  },
): Promise<number> {
  const { delivery, created } = o;
  if (delivery) {
    await deliverToSinks(delivery, created, o.remove, o.deleteCommand);
    const { token: _secret, ...record } = created;
    if (o.output === "json")
      await writeConfirmed(
        ctx.io.stdout,
        `${JSON.stringify({ ...record, sinks: delivery.labels() }, null, 2)}\n`,
      );
    ctx.note(`${o.summary}; its secret went to ${delivery.labels().join(", ")}.`);
    return EXIT.ok;
  }
  const undelivered = await deliverSecret(ctx, secretText(created, o.output ?? "secret"));
  if (undelivered) return undoUndelivered(o.remove, created.id, undelivered, o.deleteCommand);
  warnOnce(ctx, `${o.summary}.`);
  return EXIT.ok;
}

/**
 * Delivers the new secret to every --to sink, in order. When one fails, every sink attempted gets
 * its previous content back and the token is deleted again (exit status 7): a token whose secret
 * nobody holds is never left behind.
 */
async function deliverToSinks(
  delivery: SinkDelivery,
  created: { id: string; name: string; token: string },
  remove: (id: string) => Promise<void>,
  deleteCommand: string,
): Promise<void> {
  try {
    await delivery.deliver(created.token, {
      id: created.id,
      name: created.name,
      previous: { id: created.id },
    });
    return;
  } catch (error) {
    const problems: string[] = [];
    await delivery.undo().catch((e: Error) => problems.push(e.message));
    const deleted = await remove(created.id).then(
      () => true,
      (e: unknown) => {
        problems.push(`the token ${created.id} could not be deleted (${describeError(e).message})`);
        return false;
      },
    );
    throw new ExitError(
      `the new secret could not be delivered: ${(error as Error).message}; ${deleted ? `the token ${created.id} was deleted again` : "its secret is lost"}${problems.length ? `; ${problems.join("; ")}` : ""}`,
      EXIT.output,
      deleted ? [] : [`hint: delete it with \`${deleteCommand}\``],
    );
  }
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
