/** The streams and environment a command runs with, and colour decisions. */
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;
export type Env = Record<string, string | undefined>;

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Stream;
  stderr: Stream;
  stdin: NodeJS.ReadStream;
  env: Env;
}

/**
 * Colour only on a terminal, never with NO_COLOR (any non-empty value, see no-color.org), never
 * with TERM=dumb or --no-color.
 */
export function useColor(stream: Stream, env: Env, flag: boolean): boolean {
  return flag && stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

export function colorsFor(stream: Stream, env: Env, flag: boolean): Colors {
  return pc.createColors(useColor(stream, env, flag));
}
