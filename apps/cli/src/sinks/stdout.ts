/** `stdout`: the secret alone on standard output, only when asked for. */
import type { Stream } from "../io.js";
import { writeConfirmed } from "../output.js";
import type { Sink } from "./sink.js";

export function stdoutSink(stdout: Stream): Sink {
  return {
    label: "stdout",
    // What was printed cannot be printed to the same reader again, nor taken back.
    replayable: false,
    place: async () => ({ kind: "stdout" }),
    // Delivered only once the OS took the write: a full disk or a closed pipe fails the delivery.
    deliver: (secret) => writeConfirmed(stdout, `${secret}\n`),
  };
}
