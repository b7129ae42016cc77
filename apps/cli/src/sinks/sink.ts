/**
 * A place a new secret is delivered to (`--to`). The interface is not tied to API tokens: any
 * rotation (an ActiveGate token, a new kind of sink) delivers through it, keeps its snapshots in
 * the rotation journal (rotation/journal.ts) and checks its `place` against the others'.
 */
import type { FileBefore } from "./before.js";

export interface Sink {
  /** What it is, safe to print (never the secret): `file:/etc/app/token`, `exec:gh secret set X`. */
  readonly label: string;
  /**
   * Where the secret lands, for the one-sink-one-token check: two sinks of one plan must not share
   * a place. A file's real path (links followed), a dotenv file's and its key, a command's text.
   */
  place(): Promise<SinkPlace>;
  /**
   * What the place holds now, to put back on rollback: kept in the journal before the delivery
   * starts, so that a rollback after a crash can restore it. Absent for a place nothing can be
   * put back into (a command, stdout).
   */
  snapshot?(): Promise<FileBefore>;
  /** Writes the secret; resolves only once the write is confirmed; throws when it could not, or when `signal` aborts. */
  deliver(secret: string, signal?: AbortSignal): Promise<void>;
  /**
   * Whether a recovery may deliver the same secret again (a file can be rewritten, a command run
   * again; what was printed on stdout cannot be printed to the same reader).
   */
  readonly replayable: boolean;
}

/**
 * A sink's place: `file` (with `key` for one key in a dotenv-like file: two keys of one file are
 * different places, the whole file and one of its keys are the same; `inode`, `dev:ino` of an
 * existing file, makes two hard links one place), `command` (its text with runs of white space
 * made one space, as sh splits it), or `stdout`.
 */
export type SinkPlace =
  | { kind: "file"; path: string; key?: string; inode?: string }
  | { kind: "command"; text: string }
  | { kind: "stdout" };

/** Whether two places are the same place. */
export function samePlace(a: SinkPlace, b: SinkPlace): boolean {
  if (a.kind === "file" && b.kind === "file")
    return (
      (a.path === b.path || (a.inode !== undefined && a.inode === b.inode)) &&
      (a.key === undefined || b.key === undefined || a.key === b.key)
    );
  if (a.kind === "command" && b.kind === "command") return commandWords(a.text) === commandWords(b.text);
  return a.kind === "stdout" && b.kind === "stdout";
}

/**
 * A command's text as sh splits it into words, near enough: `gh  secret set X` and `gh secret set X`
 * are one command. Spaces inside quotes count as one too, which can only refuse a plan, never let
 * two targets share a command.
 */
const commandWords = (text: string) => text.trim().split(/\s+/).join(" ");

/** What a sink's path or command may refer to: `{id}` (the token being rotated), `{newId}`, `{name}`. */
export interface SinkTokenInfo {
  id: string;
  newId?: string;
  name: string;
}
