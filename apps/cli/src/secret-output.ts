/**
 * Delivering a new secret: the one moment where a failed write loses something that cannot be
 * recovered. The secret (alone on a line, or as JSON with `-o json`) is written and the write is
 * awaited; when it did not arrive (a full disk, a closed pipe) or the user pressed Ctrl-C, the
 * caller gets the reason and undoes what it made ({@link undoUndelivered} for a new token).
 */
import type { Context } from "./context.js";
import { describeError } from "./describe-error.js";
import { EXIT, ExitError } from "./errors.js";
import { interruption, type Signal, signalStatus } from "./interrupt.js";
import { OutputError, writeConfirmed } from "./output.js";

/** What `create` and `rotate` print on stdout with `-o json`. */
export interface NewTokenJson {
  id: string;
  name: string;
  /** ISO time, or null when the token never expires. */
  expirationDate: string | null;
  /** The secret: shown only this once. */
  token: string;
}

/** The text to print: the secret alone on a line, or a JSON object. */
export function secretText(created: NewTokenJson, format: "secret" | "json", extra: object = {}): string {
  return format === "json" ? `${JSON.stringify({ ...created, ...extra }, null, 2)}\n` : `${created.token}\n`;
}

/** Why a secret was not delivered: an OutputError, or the signal received meanwhile. */
export type Undelivered = { output: OutputError } | { signal: Signal };

/**
 * Writes the secret to stdout and waits until it was handed to the OS. Resolves with undefined when
 * it was delivered, else with why not. A Ctrl-C received before the write counts as not delivered.
 */
export async function deliverSecret(ctx: Context, text: string): Promise<Undelivered | undefined> {
  const before = interruption();
  if (before) return { signal: before };
  try {
    await writeConfirmed(ctx.io.stdout, text);
    return undefined;
  } catch (error) {
    if (error instanceof OutputError) return { output: error };
    throw error;
  }
}

/**
 * A new token whose secret nobody received is useless and dangerous: delete it, then end the
 * command (exit 7 for a failed write, 130 or 143 for a signal). If the delete fails too, name the
 * token so that it can be revoked.
 */
export async function undoUndelivered(
  remove: (id: string) => Promise<void>,
  id: string,
  why: Undelivered,
  deleteCommand = `dt-tokens delete ${id} --yes`,
): Promise<never> {
  const reason =
    "output" in why
      ? `the new secret could not be written to ${why.output.stream}: ${why.output.reason}`
      : "interrupted before the new secret was shown";
  const exitCode = "output" in why ? EXIT.output : signalStatus(why.signal);
  try {
    await remove(id);
  } catch (error) {
    throw new ExitError(
      `${reason}; the token ${id} was created but could not be deleted (${describeError(error).message})`,
      exitCode,
      [`hint: its secret is lost: delete it with \`${deleteCommand}\``],
    );
  }
  throw new ExitError(`${reason}; the token ${id} was deleted again, so nothing was changed`, exitCode);
}
