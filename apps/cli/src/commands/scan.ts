/**
 * `dt-tokens scan [PATH ...]`: finds Dynatrace secrets in files, directories and stdin and says
 * where (file:line:column), of which kind and id, never the secret; exit status 3 when one is found,
 * so it gates a pipeline. `--verify` asks the environments by id whether each one exists and is
 * enabled; `--emit-secrets` hands them on to `dt-tokens leak` through a pipe.
 */
import { fstatSync } from "node:fs";
import { locateActiveGateToken, locateById } from "@dt-tokens/client/leak";
import { type SecretKind, secretHome, secretLabel } from "@dt-tokens/types";
import { type Command, Option } from "commander";
import { addFleetOptions, examples, type Run, refuseContradictions } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { EXIT, UsageError } from "../errors.js";
import { csvRow, terminalWidth } from "../format.js";
import { leakEnvironments } from "../leak-environments.js";
import { type Finding, scanPaths, type WalkReport } from "../secret-input.js";
import { redactSecrets } from "../secrets.js";
import { type Cell, type Column, renderTable } from "../table.js";
import { plural } from "../words.js";

export const SECRET_KINDS: readonly SecretKind[] = [
  "api-token",
  "activegate-token",
  "platform-token",
  "oauth-client-secret",
  "jwt",
  "unknown",
];

export interface ScanFlags {
  kind?: SecretKind[];
  verify?: boolean;
  emitSecrets?: boolean;
  allEnvironments?: boolean;
  concurrency: number;
  output?: "table" | "json" | "ndjson" | "csv";
}

/** What --verify learnt about a finding's id in each environment. */
interface Verification {
  environment: string;
  status: "enabled" | "disabled" | "absent" | "failed";
  name?: string;
  reason?: string;
}

type Reported = Finding & { verified?: Verification[] };

/** The `--kind` value: kinds, comma-separated or repeated. */
export function kindsArg(value: string, previous: SecretKind[] = []): SecretKind[] {
  const kinds = value.split(",").map((k) => k.trim());
  const bad = kinds.find((k) => !SECRET_KINDS.includes(k as SecretKind));
  if (bad !== undefined)
    throw new UsageError(`--kind: "${bad}" is not a kind of secret; expected ${SECRET_KINDS.join(", ")}`);
  return [...previous, ...(kinds as SecretKind[])];
}

/** Whether stdout is a pipe or a socket (not a terminal, not a file): where --emit-secrets may write. */
function stdoutIsPipe(ctx: Context): boolean {
  const fd = (ctx.io.stdout as { fd?: unknown }).fd;
  if (typeof fd !== "number" || ctx.io.stdout.isTTY) return false;
  try {
    const info = fstatSync(fd);
    return info.isFIFO() || info.isSocket();
  } catch {
    return false;
  }
}

export async function scan(ctx: Context, paths: string[], flags: ScanFlags): Promise<number> {
  if (paths.length === 0)
    throw new UsageError("scan: give the files or directories to scan, or - for stdin", [
      "hint: dt-tokens scan .   or   git log -p | dt-tokens scan -",
    ]);
  if (paths.filter((p) => p === "-").length > 1) throw new UsageError("scan: - (stdin) can be given once");
  if (flags.emitSecrets) {
    if (flags.output !== undefined && flags.output !== "ndjson")
      throw new UsageError("--emit-secrets writes NDJSON for `dt-tokens leak`; it takes no --output");
    if (!stdoutIsPipe(ctx))
      throw new UsageError(
        "--emit-secrets writes the secrets themselves, so only into a pipe (| dt-tokens leak), never to a terminal or a file",
        ["hint: dt-tokens scan . --emit-secrets | dt-tokens leak --report-only"],
      );
  }
  const found: Reported[] = [];
  const report = await scanPaths(paths, ctx.io.stdin, (f) => found.push(f), flags.kind);
  for (const s of report.skipped)
    if (s.why === "unreadable" || s.why === "missing")
      ctx.warn(redactSecrets(`${s.path}: not scanned: ${s.detail}`));
  if (flags.emitSecrets) {
    for (const f of found) ctx.io.stdout.write(`${JSON.stringify({ ...f, secret: f.secret })}\n`);
  } else {
    if (flags.verify && found.length > 0) await verify(ctx, flags, found);
    write(ctx, flags.output ?? "table", found);
  }
  summary(ctx, report, found);
  if (found.length > 0) return EXIT.findings;
  return report.skipped.some((s) => s.why === "unreadable" || s.why === "missing") ? EXIT.partial : EXIT.ok;
}

/**
 * Asks the environments, by id only, whether each found API token or ActiveGate token exists and is
 * enabled (an ActiveGate token cannot be disabled: it is enabled while it exists).
 */
async function verify(ctx: Context, flags: ScanFlags, found: Reported[]): Promise<void> {
  const environments = leakEnvironments(
    ctx,
    { allEnvironments: flags.allEnvironments ?? false },
    new Set(found.map((f) => f.secret)),
  );
  const url = new Map(environments.map((e) => [e.name, e.url]));
  const failed = (environment: string, error: unknown): Verification => ({
    environment,
    status: "failed",
    reason: describeError(error, url.get(environment)).message,
  });
  const idsOf = (kind: SecretKind) => [
    ...new Set(found.flatMap((f) => (f.kind === kind && f.id ? [f.id] : []))),
  ];
  const answers = new Map<string, Verification[]>();
  for (const id of idsOf("api-token")) {
    const forId = await locateById(id, environments, { concurrency: flags.concurrency });
    answers.set(
      id,
      forId.map((a): Verification => {
        if (a.status === "present")
          return {
            environment: a.environment,
            status: a.token.enabled === false ? "disabled" : "enabled",
            ...(a.token.name !== undefined && { name: a.token.name }),
          };
        if (a.status === "absent") return { environment: a.environment, status: "absent" };
        return failed(a.environment, a.error);
      }),
    );
  }
  for (const id of idsOf("activegate-token")) {
    const location = await locateActiveGateToken(id, environments, { concurrency: flags.concurrency });
    answers.set(
      id,
      location.answers.map((a): Verification => {
        if (a.status === "found")
          return { environment: a.environment, status: "enabled", name: a.token.name };
        if (a.status === "absent") return { environment: a.environment, status: "absent" };
        return failed(a.environment, a.error);
      }),
    );
  }
  for (const f of found) {
    const forId = f.id ? answers.get(f.id) : undefined;
    if (forId) f.verified = forId;
  }
}

/** One line about what --verify found for a finding. */
function verifiedText(f: Reported): string {
  if (!f.verified)
    return f.kind === "api-token" || f.kind === "activegate-token"
      ? ""
      : secretHome(f.kind) === "account"
        ? "Account Management"
        : "not checked";
  const present = f.verified.filter((v) => v.status === "enabled" || v.status === "disabled");
  const failed = f.verified.filter((v) => v.status === "failed");
  const parts = present.map((v) => `${v.status} in ${v.environment}`);
  if (present.length === 0)
    parts.push(`not found in ${plural(f.verified.length - failed.length, "environment")}`);
  if (failed.length > 0) parts.push(`${failed.map((v) => v.environment).join(", ")}: could not ask`);
  return parts.join("; ");
}

const location = (f: Finding) => `${f.file}:${f.line}:${f.column}`;
const context = (f: Finding) =>
  [f.commit ? `commit ${f.commit.slice(0, 12)}` : "", f.diffFile ?? ""].filter(Boolean).join(" ");

function write(ctx: Context, format: NonNullable<ScanFlags["output"]>, found: readonly Reported[]): void {
  const { stdout } = ctx.io;
  if (format === "json") stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else if (format === "ndjson") for (const f of found) stdout.write(`${JSON.stringify(f)}\n`);
  else if (format === "csv") {
    const guard = ctx.options.csvGuard;
    stdout.write(
      csvRow(["file", "line", "column", "kind", "id", "commit", "diffFile", "verified", "encoding"], guard) +
        found
          .map((f) =>
            csvRow(
              [
                f.file,
                String(f.line),
                String(f.column),
                f.kind,
                f.id ?? "",
                f.commit ?? "",
                f.diffFile ?? "",
                verifiedText(f),
                f.encoding ?? "",
              ],
              guard,
            ),
          )
          .join(""),
    );
  } else if (found.length > 0) {
    const withContext = found.some((f) => context(f) !== "");
    const withVerified = found.some((f) => f.verified !== undefined);
    const columns: Column[] = [
      { header: "LOCATION" },
      { header: "KIND" },
      { header: "ID" },
      ...(withContext ? [{ header: "IN", minWidth: 12, importance: 1 }] : []),
      ...(withVerified ? [{ header: "VERIFIED", minWidth: 16 }] : []),
    ];
    const rows = found.map((f): Cell[] => [
      location(f),
      { text: f.encoding ? `${f.kind} (${f.encoding})` : f.kind, style: ctx.out.yellow },
      f.id ?? "(a JWT has no id)",
      ...(withContext ? [context(f)] : []),
      ...(withVerified ? [verifiedText(f)] : []),
    ]);
    stdout.write(renderTable(columns, rows, { maxWidth: terminalWidth(stdout), bold: ctx.out.bold }).text);
  }
}

function summary(ctx: Context, report: WalkReport, found: readonly Finding[]): void {
  const skipped = new Map<string, number>();
  for (const s of report.skipped) skipped.set(s.why, (skipped.get(s.why) ?? 0) + 1);
  const skippedText =
    report.skipped.length > 0
      ? ` (skipped: ${[...skipped].map(([why, n]) => `${n} ${why}`).join(", ")})`
      : "";
  const kinds = new Map<SecretKind, number>();
  for (const f of found) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const kindsText =
    found.length > 0 ? `: ${[...kinds].map(([k, n]) => `${n} ${secretLabel(k)}`).join(", ")}` : "";
  ctx.note(
    `Scanned ${plural(report.files, "file")}${skippedText}; ${plural(found.length, "secret")} found${kindsText}.`,
  );
  if (found.length > 0)
    ctx.note(
      "Treat them as leaked: dt-tokens leak locates and disables them (see dt-tokens leak --help).",
      ctx.err.dim,
    );
}

/** Defines `dt-tokens scan`. */
export function registerScan(program: Command, run: Run): void {
  const command = program
    .command("scan")
    .description(
      "Find Dynatrace secrets in files, directories or stdin (where, kind and id; never the secret)",
    )
    .argument("[paths...]", "files and directories (walked recursively); - for stdin")
    .option(
      "--kind <kinds>",
      `only these kinds (comma-separated or repeatable): ${SECRET_KINDS.join(", ")}`,
      kindsArg,
    )
    .option(
      "--verify",
      "ask the environments (by id, with their admin credential) whether each API token or ActiveGate token exists and is enabled",
    )
    .option(
      "--emit-secrets",
      "write NDJSON with the secrets themselves, for `| dt-tokens leak` (into a pipe only)",
    )
    .addOption(
      new Option("-o, --output <format>", "output format; default table").choices([
        "table",
        "json",
        "ndjson",
        "csv",
      ]),
    );
  addFleetOptions(command)
    .addHelpText(
      "after",
      `
Finds every Dynatrace secret: API tokens and personal access tokens (dt0c01), ActiveGate tokens
(dt0g02), platform tokens (dt0s16), OAuth client secrets (dt0s02 and related dt0s0N), other dt0
prefixes (unknown) and JWTs (OAuth access tokens), also as a diff or log shows them: after a + or
-, quoted, in JSON, URL-encoded (%2E), glued to other characters, and base64-encoded (a Kubernetes
secret's data:, standard or URL-safe base64 on one line; the KIND column says "(base64)"). Prints
file:line:column, the kind and the id (<prefix>.<public part>), never the secret nor its base64.

Directories are walked recursively; symbolic links inside them are not followed, .git is left
out (scan history with git log -p | dt-tokens scan -) and binary files (a NUL byte in the first
8000) are skipped; UTF-16LE or UTF-16BE with its byte order mark (PowerShell's >), in a file or
on stdin, is read as text. Files and stdin are read line by line, so size does not matter. In a
diff or git log -p, each finding also names its commit and file (IN column; commit and diffFile
in JSON).

Exit statuses: 0 nothing found; 3 secrets found; 4 nothing found, but a path could not be read;
2 bad usage.

--verify asks the environments (--env a,b, --all-environments, or the current one) by id only,
never sending the secret, whether each API token or ActiveGate token exists there and is enabled
(an ActiveGate token cannot be disabled; reading it needs activeGateTokenManagement.read).
--emit-secrets writes one JSON object per secret, with the secret, for dt-tokens leak; it
refuses to write to a terminal or a file, only into a pipe.
${examples(`
  $ dt-tokens scan .                                   # a pipeline gate: exit status 3 on a find
  $ git log -p | dt-tokens scan -                      # the whole history, with commit and file
  $ git diff --cached | dt-tokens scan -               # a pre-commit hook
  $ dt-tokens scan build.log -o json
  $ dt-tokens scan deploy/ --verify --all-environments
  $ dt-tokens scan ci-logs/ --emit-secrets | dt-tokens leak --all-environments`)}`,
    )
    .action(run<ScanFlags>((ctx, flags, paths) => scan(ctx, paths, flags)));
  refuseContradictions(command, [["--emit-secrets", "--verify"]]);
}
