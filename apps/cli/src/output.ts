/**
 * Writing to stdout and stderr when the other end may be gone: a disk that is full, a file that
 * was closed, a reader that quit. Every write error ends the command with one clear line and exit
 * status 7 (never a stack trace), except EPIPE on an ordinary write: `dt-tokens list | head` is not
 * an error. A write that must arrive (a new secret) is awaited with {@link writeConfirmed}, so its
 * caller can undo what it made when it did not.
 */
import type { Stream } from "./io.js";

/** Writing to stdout or stderr failed. */
export class OutputError extends Error {
  override name = "OutputError";
  constructor(
    readonly stream: "stdout" | "stderr",
    readonly code: string | undefined,
  ) {
    super(`could not write to ${stream}: ${describeCode(code)}`);
  }

  /** Why, in words: "no space left on the device (ENOSPC)". */
  get reason(): string {
    return describeCode(this.code);
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EPIPE: "the reading end was closed",
  EBADF: "it is closed",
  EIO: "an input/output error",
  EDQUOT: "the disk quota is exceeded",
  EFBIG: "the file is too large",
  EAGAIN: "the output is not ready",
};

function describeCode(code: string | undefined): string {
  return code ? `${REASONS[code] ?? "an error"} (${code})` : "an unknown error";
}

type Emitter = Stream & {
  on?: (event: "error", listener: (error: NodeJS.ErrnoException) => void) => unknown;
  write(text: string, callback?: (error?: Error | null) => void): unknown;
};

/** What `watchOutput` saw. */
export interface OutputWatch {
  /** The first write error (EPIPE included), if any. */
  readonly failure: () => OutputError | undefined;
  /** Awaits every write queued so far, so that late errors are seen. */
  readonly flush: () => Promise<void>;
}

/**
 * Watches the writes of stdout and stderr: errors are recorded instead of crashing the process.
 * `onPipeClosed` runs on EPIPE (the reader quit), unless a confirmed write is in progress.
 */
export function watchOutput(
  streams: { stdout: Stream; stderr: Stream },
  onPipeClosed: () => void,
): OutputWatch {
  let failure: OutputError | undefined;
  for (const name of ["stdout", "stderr"] as const) {
    const stream = streams[name] as Emitter;
    stream.on?.("error", (error) => {
      failure ??= new OutputError(name, error.code);
      if (error.code === "EPIPE" && confirming === 0) onPipeClosed();
    });
  }
  return {
    failure: () => failure,
    flush: async () => {
      // stdout and stderr write synchronously to files and pipes on Linux; their errors are
      // emitted on a later tick. Wait for those, and for anything still queued (a terminal).
      for (const name of ["stdout", "stderr"] as const) {
        const stream = streams[name] as Emitter & { writableLength?: number };
        if ((stream.writableLength ?? 0) > 0) await writeConfirmed(stream, "", name).catch(() => {});
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

let confirming = 0;

/** Writes `text` and resolves once it was handed to the OS, or rejects with an OutputError. */
export function writeConfirmed(
  stream: Stream,
  text: string,
  name: "stdout" | "stderr" = "stdout",
): Promise<void> {
  confirming++;
  return new Promise<void>((resolve, reject) => {
    try {
      (stream as Emitter).write(text, (error) => {
        if (error) reject(new OutputError(name, (error as NodeJS.ErrnoException).code));
        else resolve();
      });
    } catch (error) {
      reject(new OutputError(name, (error as NodeJS.ErrnoException).code));
    }
  }).finally(() => {
    confirming--;
  });
}
