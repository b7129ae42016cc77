/**
 * Writes whose answer was lost. The client marks an error `outcomeUnknown` when a change was sent
 * and may have been applied (the connection dropped after sending, a timeout, a 5xx). The CLI
 * says exactly that, how to check, and ends with its own exit status (6), so nobody retries a
 * create blindly and ends up with duplicates whose secrets are lost.
 */
import { ApiTokensError, UnexpectedResponseError } from "@dt-tokens/client";
import { unexpectedAnswer } from "./describe-error.js";
import { EXIT, ExitError } from "./errors.js";

/** A word-safe shell quoting of a value for a command the user may copy. */
export const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a write; when the client says its outcome is unknown, throws an ExitError (exit 6) that
 * says what may have happened (`change`, e.g. `token "ci" may have been created`) and the command
 * that shows whether it did (`check`).
 */
export async function write<T>(send: () => Promise<T>, change: string, check: string): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof ApiTokensError && error.outcomeUnknown) {
      const why =
        error.status === undefined || error.status === 0
          ? "the connection was lost before the answer arrived"
          : error.status < 300
            ? // A 2xx is how the API says it applied a change: what came with it is what is missing.
              `the server answered HTTP ${error.status}, as when it applies it, but not with the API's answer${error instanceof UnexpectedResponseError ? ` (${unexpectedAnswer(error)})` : ""}`
            : `the server failed with HTTP ${error.status}, possibly after applying it`;
      throw new ExitError(
        `the outcome is unknown: the request was sent, then ${why}; the ${change}`,
        EXIT.outcomeUnknown,
        [`hint: check before retrying: ${check}`],
      );
    }
    throw error;
  }
}
