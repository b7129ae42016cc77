/** `stdout`: the secret alone on standard output, only when asked for. */
import type { Stream } from "../io.js";
import type { Sink } from "./sink.js";

export function stdoutSink(stdout: Stream): Sink {
  return {
    label: "stdout",
    async deliver(secret) {
      stdout.write(`${secret}\n`);
    },
    // Nothing to put back: on a rollback, the report says the printed secret was deleted.
    async undo() {},
  };
}
