/**
 * What the scan tests share: `dt-tokens scan` run without an environment, the rows its json and
 * ndjson output hold, and text encoded as a Windows tool writes it (UTF-16 with its byte order mark).
 */
import { run } from "./helpers.js";

/** Runs `dt-tokens scan ...args` (no environment), `stdin` written to it. */
export const scan = (args: string[], stdin?: string | Buffer) =>
  run(undefined, ["scan", ...args], { ...(stdin !== undefined && { stdin }) });

/** One finding in scan's json or ndjson output. */
export interface ScanRow {
  file: string;
  line: number;
  column: number;
  kind: string;
  id: string | null;
  commit?: string;
  diffFile?: string;
  verified?: { environment: string; status: string }[];
  encoding?: string;
}

/** `text` in UTF-16LE with its byte order mark, as PowerShell's `>` writes it. */
export const utf16le = (text: string) =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);

/** `text` in UTF-16BE with its byte order mark. */
export const utf16be = (text: string) => {
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
};
