/**
 * Finding secrets in what `scan` and `leak` read: files, directories and stdin, streamed line by
 * line (bounded memory, however large the input), with the finder of `@dt-tokens/types`. A diff or
 * `git log -p` is followed as it goes, so a finding also says which commit and file it was in.
 */

import type { Dirent } from "node:fs";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { findSecrets, type SecretKind, type SecretMatch } from "@dt-tokens/types";
import { redactSecrets } from "./secrets.js";

/** A secret found in an input: where (1-based line and column), its kind and id; `secret` not enumerable. */
export interface Finding {
  /** The path as given or walked to; `-` for stdin. */
  file: string;
  line: number;
  column: number;
  kind: SecretKind;
  /** `<prefix>.<public part>`; null for a JWT. */
  id: string | null;
  /** `base64`: the input holds it base64-encoded (line and column are the base64's); else absent. */
  encoding?: "base64";
  /** In a diff or `git log -p`: the commit (last `commit <sha>` line before it) and the file (`+++ b/…`). */
  commit?: string;
  diffFile?: string;
  readonly secret: string;
}

/** A line is kept whole up to this many characters; a longer one is scanned in overlapping pieces. */
const MAX_LINE = 1 << 20;
/** How much of a piece is scanned again with the next one: more than the longest `dt0` secret as written. */
const OVERLAP = 512;
/** Bytes looked at to tell a binary file (a NUL among them), as git does. */
const BINARY_SNIFF = 8000;

const COMMIT_LINE = /^commit ([0-9a-f]{7,64})\b/;
const DIFF_FILE_LINE = /^\+\+\+ (?:b\/)?([^\t]*)/;

/** The encoding of a text by its first bytes: UTF-16 with its byte order mark, else UTF-8. */
function encodingOf(head: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/** Whether bytes start with a UTF-16 byte order mark (such text is full of NUL bytes, yet not binary). */
export function isUtf16(head: Uint8Array): boolean {
  return encodingOf(head) !== "utf-8";
}

/**
 * Text from the bytes of an input, chunk by chunk: UTF-8, or UTF-16LE or UTF-16BE when it starts
 * with that byte order mark (what Windows PowerShell's `>` and Notepad's "Unicode" write); the mark
 * is dropped (a UTF-8 one too). A character split between chunks is kept whole.
 */
export class TextInput {
  #decoder: TextDecoder | undefined;
  #head: Uint8Array = new Uint8Array(0);

  /** The text of the next bytes ("" while there are too few to tell the encoding). */
  write(chunk: Uint8Array): string {
    if (this.#decoder) return this.#decoder.decode(chunk, { stream: true });
    this.#head = Buffer.concat([this.#head, chunk]);
    return this.#head.length < 3 ? "" : this.#start();
  }

  /** The input ended: the rest of the text. */
  end(): string {
    const rest = this.#decoder ? "" : this.#start();
    return rest + this.#decoder!.decode();
  }

  #start(): string {
    this.#decoder = new TextDecoder(encodingOf(this.#head));
    const head = this.#head;
    this.#head = new Uint8Array(0);
    return this.#decoder.decode(head, { stream: true });
  }
}

/** All of an input's bytes as text (see TextInput). */
export function decodeText(bytes: Uint8Array): string {
  const input = new TextInput();
  return input.write(bytes) + input.end();
}

/** Follows a text line by line and reports each secret found, with diff context. */
export class LineScanner {
  #carry = "";
  #line = 1;
  #columnOffset = 0;
  #commit: string | undefined;
  #diffFile: string | undefined;
  #input = new TextInput();

  constructor(
    private readonly file: string,
    private readonly onFinding: (finding: Finding) => void,
    private readonly kinds?: readonly SecretKind[],
  ) {}

  /** Takes the next bytes (or text) of the input. */
  push(chunk: Buffer | string): void {
    // the carry holds no newline: look for one only in what is new (a long line arriving in many
    // chunks was searched again from its start for each chunk)
    const searchFrom = this.#carry.length;
    this.#carry += typeof chunk === "string" ? chunk : this.#input.write(chunk);
    let start = 0;
    for (let nl = this.#carry.indexOf("\n", searchFrom); nl !== -1; nl = this.#carry.indexOf("\n", start)) {
      this.#scanLine(this.#carry.slice(start, nl), Number.POSITIVE_INFINITY);
      this.#line++;
      this.#columnOffset = 0;
      start = nl + 1;
    }
    this.#carry = this.#carry.slice(start);
    if (this.#carry.length > MAX_LINE) {
      // A huge line: scan what is there, report what starts before the overlap, keep the overlap.
      const cut = this.#carry.length - OVERLAP;
      this.#scanLine(this.#carry, cut);
      this.#carry = this.#carry.slice(cut);
      this.#columnOffset += cut;
    }
  }

  /** The input ended: scans the last line. */
  end(): void {
    this.#carry += this.#input.end();
    if (this.#carry !== "") this.#scanLine(this.#carry, Number.POSITIVE_INFINITY);
    this.#carry = "";
  }

  #scanLine(text: string, reportBefore: number): void {
    if (this.#columnOffset === 0) this.#followDiff(text);
    for (const match of findSecrets(text, this.kinds ? { kinds: this.kinds } : {})) {
      if (match.index >= reportBefore) break;
      this.onFinding(this.#finding(match));
    }
  }

  #followDiff(line: string): void {
    const commit = COMMIT_LINE.exec(line);
    if (commit) {
      this.#commit = commit[1];
      this.#diffFile = undefined;
      return;
    }
    const file = DIFF_FILE_LINE.exec(line);
    if (file) this.#diffFile = file[1]!.replace(/\r$/, "");
  }

  #finding(match: SecretMatch): Finding {
    // A path (a file's name, a diff's `+++ b/…`) comes from the input too and may hold a secret.
    const finding = {
      file: redactSecrets(this.file),
      line: this.#line,
      column: this.#columnOffset + match.column,
      kind: match.kind,
      id: match.id ?? null,
      ...(match.encoding !== undefined && { encoding: match.encoding }),
      ...(this.#commit !== undefined && { commit: this.#commit }),
      ...(this.#diffFile !== undefined && { diffFile: redactSecrets(this.#diffFile) }),
    };
    Object.defineProperty(finding, "secret", { value: match.secret, enumerable: false });
    return finding as Finding;
  }
}

/** Scans a stream (stdin, a pipe, a file's contents) to its end. */
export async function scanStream(
  stream: AsyncIterable<Buffer | string>,
  file: string,
  onFinding: (finding: Finding) => void,
  kinds?: readonly SecretKind[],
): Promise<void> {
  const scanner = new LineScanner(file, onFinding, kinds);
  for await (const chunk of stream) scanner.push(chunk);
  scanner.end();
}

/** Why a path was not scanned. */
export type Skip = "binary" | "symlink" | "special" | "unreadable" | "missing";

export interface WalkReport {
  files: number;
  skipped: { path: string; why: Skip; detail?: string }[];
}

/** Directories never walked into: git's object store (compressed, and its history is `git log -p`'s job). */
const SKIP_DIRECTORIES = new Set([".git"]);

/** Whether a file is binary: a NUL in its first bytes. Reads them with the stream's first chunk. */
function isBinary(chunk: Buffer): boolean {
  return chunk.subarray(0, BINARY_SNIFF).includes(0);
}

/** What scanning one file found: reported in the order the files were walked (see Scans). */
interface FileResult {
  findings: Finding[];
  skipped?: WalkReport["skipped"][number];
}

/** Scans one file (a regular file, or a pipe named on the command line). */
async function scanFile(path: string, kinds: readonly SecretKind[] | undefined): Promise<FileResult> {
  const findings: Finding[] = [];
  let scanner: LineScanner | undefined;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      if (scanner === undefined) {
        if (!isUtf16(chunk) && isBinary(chunk)) return { findings, skipped: { path, why: "binary" } };
        scanner = new LineScanner(path, (f) => findings.push(f), kinds);
      }
      scanner.push(chunk);
    }
  } catch (error) {
    return { findings: [], skipped: { path, why: "unreadable", detail: reasonOf(error) } };
  }
  scanner?.end();
  return { findings };
}

/** Files scanned at once: waiting for one file's open and reads one at a time was most of the time. */
const FILES_AT_ONCE = 8;

/**
 * Scans files FILES_AT_ONCE at a time and reports each file's findings (and the file's count or
 * skip) in the order the files were added, so the output does not depend on which read ended first.
 */
class Scans {
  #pending: Promise<FileResult>[] = [];
  constructor(
    private readonly report: WalkReport,
    private readonly onFinding: (finding: Finding) => void,
    private readonly kinds: readonly SecretKind[] | undefined,
  ) {}

  async add(path: string): Promise<void> {
    this.#pending.push(scanFile(path, this.kinds));
    if (this.#pending.length >= FILES_AT_ONCE) await this.#reportOldest();
  }

  /** Something other than a file's scan, reported in its place among them. */
  async skip(skipped: WalkReport["skipped"][number]): Promise<void> {
    this.#pending.push(Promise.resolve({ findings: [], skipped }));
    if (this.#pending.length >= FILES_AT_ONCE) await this.#reportOldest();
  }

  async drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#reportOldest();
  }

  async #reportOldest(): Promise<void> {
    const result = await this.#pending.shift()!;
    for (const f of result.findings) this.onFinding(f);
    if (result.skipped) this.report.skipped.push(result.skipped);
    else this.report.files++;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "a directory";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Walks a directory (not following symbolic links inside it) and scans its regular files. */
async function walk(dir: string, scans: Scans): Promise<void> {
  let entries: Dirent[];
  try {
    // the entries' types come with them: no lstat per entry
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    await scans.skip({ path: dir, why: "unreadable", detail: reasonOf(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) await scans.skip({ path, why: "symlink" });
    else if (entry.isDirectory()) {
      if (!SKIP_DIRECTORIES.has(entry.name)) await walk(path, scans);
    } else if (entry.isFile()) await scans.add(path);
    else await scans.skip({ path, why: "special" });
  }
}

/**
 * Scans the paths given on a command line: `-` is stdin; a directory is walked recursively
 * (symbolic links inside it are not followed, `.git` is left out); a path named explicitly is
 * followed if it is a link, and may be a pipe (`<(command)`). Binary files are skipped.
 */
export async function scanPaths(
  paths: readonly string[],
  stdin: AsyncIterable<Buffer | string>,
  onFinding: (finding: Finding) => void,
  kinds?: readonly SecretKind[],
): Promise<WalkReport> {
  const report: WalkReport = { files: 0, skipped: [] };
  const scans = new Scans(report, onFinding, kinds);
  for (const path of paths) {
    if (path === "-") {
      await scans.drain();
      await scanStream(stdin, "-", onFinding, kinds);
      report.files++;
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable";
      await scans.skip({ path, why, detail: reasonOf(error) });
      continue;
    }
    if (info.isDirectory()) await walk(path, scans);
    else if (info.isFile()) await scans.add(path);
    else if (info.isFIFO() || info.isCharacterDevice()) {
      // a pipe (<(command)) is read alone: another reader must not wait on it
      await scans.drain();
      await scans.add(path);
      await scans.drain();
    } else await scans.skip({ path, why: "special" });
  }
  await scans.drain();
  return report;
}
