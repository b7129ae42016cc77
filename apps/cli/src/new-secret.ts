/**
 * A new token's secret, printed once or delivered to --to sinks: what `dt-tokens create` and
 * `dt-tokens ag-tokens create` share (below the commands, which import no command).
 */
import { formatDate, formatRelative } from "@dt-tokens/client/display";
import type { Context } from "./context.js";
import { describeError } from "./describe-error.js";
import { timerDurationArg } from "./duration.js";
import { EXIT, ExitError, UsageError } from "./errors.js";
import { writeConfirmed } from "./output.js";
import { deliverSecret, type NewTokenJson, secretText, undoUndelivered } from "./secret-output.js";
import { type SinkDelivery, sinkDelivery } from "./sinks/deliver.js";
import { parseSink } from "./sinks/parse.js";

/** "expires 2026-12-07 12:00 UTC, in 3 days", or "never expires": a new token's expiry in the summary line. */
export const describeExpiry = (date: string | undefined) =>
  date ? `expires ${formatDate(date)}, ${formatRelative(date, Date.now())}` : "never expires";

/** The once-only warning on stderr, after the secret was delivered. */
function warnOnce(ctx: Context, summary: string): void {
  ctx.note(summary);
  ctx.warn(
    "the secret above is shown only once and cannot be retrieved again: store it now (e.g. in a secret manager)",
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
