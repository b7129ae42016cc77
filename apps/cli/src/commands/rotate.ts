/**
 * `dt-tokens rotate`: the staged rotation of one token or many (create, deliver to the --to sinks,
 * verify, commit, retire), token by token, or a plan of it (--dry-run).
 */
import {
  type ApiTokensClient,
  ApiTokensError,
  checkRotatable,
  type DeliveryTarget,
  type FullApiToken,
  MAX_OVERLAP,
  NotFoundError,
  parseDuration,
  type RetireAction,
  type RotateTokenResult,
  RotationError,
  rotateToken,
  sameLifetime,
} from "@dt-tokens/client";
import { escapeControl, formatDate } from "@dt-tokens/client/display";
import { type Command, Option } from "commander";
import { collect, examples, type Run } from "../cmdutil.js";
import type { Connection } from "../connection.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { timerDurationArg } from "../duration.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import { guarded, type Signal, signalStatus } from "../interrupt.js";
import { OutputError } from "../output.js";
import { type ApiTokenRotation, JOURNAL_KIND, lockRotation, rotationKey } from "../rotation/api-token.js";
import { Journal } from "../rotation/journal.js";
import { type JournalSink, restoreSinks, sinksFor } from "../rotation/journal-sinks.js";
import { LockedError } from "../rotation/lock.js";
import { crashPoint } from "../rotation/test-hooks.js";
import { finishCommand } from "../rotation-jobs.js";
import {
  durationOrZeroArg,
  expiringWithinMs,
  hasSelector,
  selectTargets,
  type Target,
  type TargetSelection,
} from "../rotation-targets.js";
import { checkSink } from "../sinks/check.js";
import { describeSink, parseSink, SINK_FORMS, type SinkSpec } from "../sinks/parse.js";
import { CONFLICT_HINT, describeConflict, findSinkConflict } from "../sinks/place.js";
import { expiresArg, idArg } from "../validate.js";

export interface RotateOptions extends TargetSelection {
  to?: string[];
  /** A timeframe, or "never"; not given: the old token's lifetime again. */
  expires?: string;
  retire: RetireAction | "keep";
  overlap?: string;
  /** How long an exec: sink may run (a duration; default 5m). */
  sinkTimeout?: string;
  dryRun?: boolean;
  output?: "json";
}

/** One token's outcome, as printed with -o json (never a secret). */
export interface RotationOutcome {
  id: string;
  name: string;
  status: "rotated" | "failed" | "skipped" | "planned";
  newId?: string;
  expirationDate?: string | null;
  sinks: string[];
  retirement?: { action: string; status: string; at?: string; error?: string };
  stage?: string;
  error?: string;
  rolledBack?: boolean;
  /** Sinks that may hold the secret of a deleted token, or could not be put back. */
  sinkProblems?: string[];
}

const describeExpiry = (date: string | undefined) => (date ? `expires ${formatDate(date)}` : "never expires");

export async function rotate(ctx: Context, ids: string[], o: RotateOptions): Promise<number> {
  const specs = (o.to ?? []).map(parseSink);
  if (specs.length === 0)
    throw new UsageError("rotate: say where the new secret goes with --to", [
      `hint: --to takes ${SINK_FORMS} (repeatable); stdout prints it`,
    ]);
  if (ids.length > 0 && hasSelector(o))
    throw new UsageError("rotate: give token ids or selector options (--owner, --scope, ...), not both");
  if (ids.length === 0 && !hasSelector(o))
    throw new UsageError(
      "rotate: which tokens? give token ids, or select them (--expiring-within 14d, --owner, --scope, --name)",
    );
  if (o.overlap !== undefined && o.retire === "keep")
    throw new UsageError("--overlap retires the old token later: it does not go with --retire keep");
  if (specs.some((s) => s.kind === "stdout") && o.output === "json")
    throw new UsageError("--to stdout and --output json both write to stdout: choose one");
  expiringWithinMs(o.expiringWithin);
  const overlapMs = o.overlap === undefined ? undefined : overlapArg(o.overlap);
  const sinkTimeoutMs = timerDurationArg(o.sinkTimeout ?? "5m", "--sink-timeout");
  const wanted = ids.map(idArg);
  const twice = wanted.find((id, i) => wanted.indexOf(id) !== i);
  if (twice) throw new UsageError(`rotate: the token ${twice} is given twice`);
  const connection = await ctx.connect();
  const { client } = connection;

  let targets: Target[];
  const outcomes: RotationOutcome[] = [];
  if (wanted.length > 0) targets = wanted.map((id) => ({ id, name: "" }));
  else {
    const found = await selectTargets(client, o);
    targets = found.targets;
    for (const { target, reason } of found.skipped) {
      ctx.note(`skipped ${target.id} "${target.name}": ${reason}`);
      outcomes.push({ id: target.id, name: target.name, status: "skipped", sinks: [], error: reason });
    }
    if (targets.length === 0) ctx.note("No token to rotate.");
  }
  if (targets.length > 1 && specs.some((s) => s.kind === "stdout"))
    throw new UsageError(`--to stdout takes one token, and ${targets.length} are selected`, [
      "hint: give each its own place, e.g. --to 'file:tokens/{name}.token' or --to 'exec:./store.sh {name}'",
    ]);

  // The checks of the real run, for --dry-run too: each token, then the whole plan's sinks.
  const checked: Checked[] = [];
  for (const t of targets) checked.push(await preflight(client, t, specs));
  const ready = checked.filter((c): c is Checked & { token: FullApiToken } => !c.refusal && !!c.token);
  const conflict = await findSinkConflict(
    specs,
    ready.map(({ token }) => ({ title: `${token.id} "${token.name}"`, id: token.id, name: token.name })),
  );
  if (conflict) throw new ExitError(describeConflict(conflict), EXIT.usage, [CONFLICT_HINT]);
  await warnOwnerChange(
    ctx,
    connection,
    ready.map((c) => c.token),
  );

  const refuse = (c: Checked): RotationOutcome => {
    const { id, name } = c.token ?? c.target;
    const [verb, passive] = o.dryRun ? ["would fail", "would be"] : ["failed", "was"];
    failLine(
      ctx,
      `${verb}: rotating ${id}${name ? ` "${escapeControl(name)}"` : ""} ${verb} at ${c.refusal!.stage}: ${c.refusal!.error}; nothing ${passive} changed`,
    );
    return { id, name, status: "failed", sinks: [], ...c.refusal };
  };
  if (o.dryRun) {
    for (const c of checked) outcomes.push(c.refusal || !c.token ? refuse(c) : plan(ctx, c.token, specs, o));
    finish(ctx, outcomes, o);
    return outcomes.some((x) => x.status === "failed") ? EXIT.api : EXIT.ok;
  }
  for (const c of checked) if (c.refusal) outcomes.push(refuse(c));

  // Ctrl-C, SIGTERM or SIGHUP: the rotation in flight rolls back, the others are not started.
  const controller = new AbortController();
  let signal: Signal | undefined;
  const stops = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((name) => {
    const stop = () => {
      signal ??= name;
      controller.abort();
    };
    process.once(name, stop);
    return () => process.off(name, stop);
  });
  // Guarded: the CLI-wide handler (interrupt.ts) must not exit in the middle of a rotation; a second
  // signal still quits at once, and the journal lets `dt-tokens cleanup` finish what it left.
  const leftBehind = () =>
    "A rotation may be half done: `dt-tokens cleanup` completes or rolls it back (its journal is on this machine).";
  // The CLI's own token last: once it is retired, the CLI's credential no longer works.
  const order = [...ready].sort(
    (a, b) => Number(a.token.id === connection.tokenId) - Number(b.token.id === connection.tokenId),
  );
  const exits: number[] = [];
  try {
    await guarded(leftBehind, async () => {
      for (const { token } of order) {
        if (controller.signal.aborted) break;
        const { outcome, exit } = await rotateOne(ctx, connection, token, specs, o, {
          signal: controller.signal,
          sinkTimeoutMs,
          overlapMs,
        });
        outcomes.push(outcome);
        exits.push(exit);
      }
    });
  } finally {
    for (const off of stops) off();
  }
  finish(ctx, outcomes, o);
  if (signal) return signalStatus(signal);
  for (const code of [EXIT.outcomeUnknown, EXIT.output, EXIT.api]) if (exits.includes(code)) return code;
  if (checked.some((c) => c.refusal) || exits.length < ready.length) return EXIT.api;
  if (outcomes.some((x) => x.retirement?.status === "failed")) return EXIT.partial;
  return EXIT.ok;
}

/** --overlap: a duration (0s: at the next --finish), at most MAX_OVERLAP. */
function overlapArg(value: string): number {
  const ms = durationOrZeroArg(value, "--overlap");
  if (ms > parseDuration(MAX_OVERLAP))
    throw new UsageError(`--overlap: "${value}" is longer than the longest overlap, ${MAX_OVERLAP}`);
  return ms;
}

/** A failure line on stderr (a command's output may follow on lines of its own), control characters escaped. */
function failLine(ctx: Context, text: string): void {
  const [word, ...rest] = text.split(": ");
  const lines = rest.join(": ").split("\n").map(escapeControl).join("\n");
  ctx.io.stderr.write(`${ctx.err.red(`${word}:`)} ${lines}\n`);
}

interface Checked {
  target: Target;
  token?: FullApiToken;
  refusal?: { stage: string; error: string };
}

/** What the rotation of one token would refuse before creating anything (the real run checks the same). */
async function preflight(client: ApiTokensClient, target: Target, specs: SinkSpec[]): Promise<Checked> {
  let token: FullApiToken;
  try {
    token = await client.get(target.id);
  } catch (error) {
    if (!(error instanceof NotFoundError || error instanceof ApiTokensError)) throw error;
    return { target, refusal: { stage: "read", error: describeError(error).message } };
  }
  const refusal = await checkRotatable(client, token).then(
    () =>
      checkSinks(specs, token).then(
        () => undefined,
        (e: Error) => ({ stage: "prepare", error: e.message }),
      ),
    (e: Error) => ({
      stage: "read",
      error: e instanceof ApiTokensError ? describeError(e).message : e.message,
    }),
  );
  return { target, token, ...(refusal && { refusal }) };
}

/**
 * Dynatrace creates a token under the user who creates it: rotating another user's token (a
 * personal one too) changes its owner. Said before anything is created.
 */
async function warnOwnerChange(ctx: Context, connection: Connection, tokens: FullApiToken[]): Promise<void> {
  if (!connection.tokenId || tokens.length === 0) return;
  const me = await connection.client.get(connection.tokenId).then(
    (t) => t.owner,
    () => undefined,
  );
  if (!me) return;
  for (const t of tokens)
    if (t.owner && t.owner !== me)
      ctx.warn(
        `${t.id} "${t.name}" belongs to ${t.owner}; its replacement will belong to ${me} (the user of this CLI's token)${t.personalAccessToken ? ", and a personal access token stays personal to its new owner" : ""}`,
      );
}

function retireWords(o: RotateOptions): string {
  if (o.retire === "keep") return "keep the old token";
  return o.overlap ? `${o.retire} the old token after ${o.overlap}` : `${o.retire} the old token`;
}

/** The sinks checked in order, as the rotation checks them at its stage prepare. */
async function checkSinks(specs: SinkSpec[], token: { id: string; name: string }): Promise<void> {
  for (const spec of specs) await checkSink(spec, { id: token.id, name: token.name });
}

function plan(ctx: Context, token: FullApiToken, specs: SinkSpec[], o: RotateOptions): RotationOutcome {
  const info = { id: token.id, name: token.name, newId: "{newId}" };
  const sinks = specs.map((s) => describeSink(s, info));
  const expiry =
    o.expires === undefined
      ? token.expirationDate
        ? "the old lifetime again"
        : "never expires"
      : o.expires === "never"
        ? "never expires"
        : `expires ${o.expires}`;
  ctx.note(
    `would rotate ${token.id} "${token.name}" (${expiry}), deliver to ${sinks.join(", ")}, verify, ${retireWords(o)}`,
  );
  return { id: token.id, name: token.name, status: "planned", sinks };
}

async function rotateOne(
  ctx: Context,
  connection: Connection,
  token: FullApiToken,
  specs: SinkSpec[],
  o: RotateOptions,
  run: { signal: AbortSignal; sinkTimeoutMs: number; overlapMs?: number },
): Promise<{ outcome: RotationOutcome; exit: number }> {
  const { client, url } = connection;
  const failed = (stage: string, message: string, extra: Partial<RotationOutcome> = {}) => ({
    id: token.id,
    name: token.name,
    status: "failed" as const,
    sinks: [],
    stage,
    error: message,
    ...extra,
  });
  let held: Awaited<ReturnType<typeof lockRotation>>;
  try {
    held = await lockRotation(ctx.io, url, token.id);
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    failLine(
      ctx,
      `failed: rotating ${token.id} "${token.name}" refused: ${error.message}; nothing was changed`,
    );
    return { outcome: failed("read", error.message), exit: EXIT.api };
  }
  const at = run.overlapMs === undefined ? undefined : new Date(Date.now() + run.overlapMs);
  const retireWithNewToken = connection.tokenId === token.id;
  let journal: Journal<ApiTokenRotation> | undefined;
  let journalSinks: JournalSink[] = [];
  const attempted = new Set<string>();
  let outputFailed = false;
  const save = async (patch: Partial<ApiTokenRotation>) =>
    journal?.save({ ...journal.record.data, ...patch });

  const deliver = async (secret: string, target: DeliveryTarget) => {
    const info = { id: target.previous.id, newId: target.id, name: target.name };
    const made = await sinksFor(ctx.io, specs, info, run.sinkTimeoutMs);
    const { sinks } = made;
    journalSinks = made.journalSinks;
    // On disk before the first write: the secret and every sink's previous content.
    await save({ stage: "delivering", newId: target.id, secret, sinks: journalSinks });
    for (const sink of sinks) {
      attempted.add(sink.label);
      await sink.deliver(secret, run.signal).catch((e: Error) => {
        if (e instanceof OutputError) outputFailed = true;
        throw new Error(`${sink.label}: ${e.message}`);
      });
      crashPoint("delivered-one");
    }
  };
  // On rollback: files get their previous content back; a command that may hold the secret is named.
  let sinkProblems: string[] = [];
  const undo = async () => {
    sinkProblems = await restoreSinks(journalSinks, attempted);
    attempted.clear();
    if (sinkProblems.length) throw new Error(sinkProblems.join("; "));
  };
  try {
    const result = await rotateToken(client, token.id, {
      expirationDate: o.expires === undefined ? sameLifetime : o.expires === "never" ? null : o.expires,
      prepare: async (previous) => {
        await checkSinks(specs, previous);
        journal = await Journal.begin<ApiTokenRotation>(
          ctx.io.env,
          JOURNAL_KIND,
          rotationKey(url, token.id),
          {
            stage: "prepared",
            environment: url,
            oldId: previous.id,
            oldName: previous.name,
            finalName: previous.name,
            scopes: previous.scopes ?? [],
            retire: { action: o.retire, ...(at && { at: at.toISOString() }) },
            retireWithNewToken,
            sinkTimeoutMs: run.sinkTimeoutMs,
            sinks: [],
          },
        );
      },
      onStage: async (stage) => {
        if (stage === "deliver") crashPoint("created");
        if (stage === "verify") crashPoint("delivered");
        if (stage === "commit") {
          await save({ stage: "verified" });
          crashPoint("verified");
        }
        if (stage === "retire") {
          await save({ stage: "committed" });
          crashPoint("committed");
        }
      },
      deliver,
      undo,
      retire: { action: o.retire, ...(at && { after: at }) },
      retireWithNewToken,
      signal: run.signal,
    });
    crashPoint("retired");
    await journal?.remove();
    return { outcome: report(ctx, result, journalSinks), exit: EXIT.ok };
  } catch (error) {
    if (!(error instanceof RotationError)) throw error;
    // Rolled back (or nothing created): the journal has nothing left to do. Otherwise it stays for cleanup.
    if (error.rolledBack) await journal?.remove();
    const message = describeError(error).message;
    failLine(ctx, `failed: ${message}`);
    if (!error.rolledBack && error.newTokenId)
      ctx.note(`hint: dt-tokens cleanup   (completes or rolls back this rotation from its journal)`);
    const unknown = error.cause instanceof ApiTokensError && error.cause.outcomeUnknown;
    return {
      outcome: failed(error.stage, message, {
        sinks: journalSinks.map((s) => s.label),
        rolledBack: error.rolledBack,
        ...(error.newTokenId && { newId: error.newTokenId }),
        ...(sinkProblems.length && { sinkProblems }),
      }),
      exit: unknown ? EXIT.outcomeUnknown : outputFailed ? EXIT.output : EXIT.api,
    };
  } finally {
    await held.release();
  }
}

function report(ctx: Context, result: RotateTokenResult, sinks: JournalSink[]): RotationOutcome {
  const { previous, created, retirement } = result;
  const old = previous.id;
  const fate =
    retirement.status === "scheduled"
      ? `old token ${old} stays enabled until ${formatDate(retirement.at!)}, then \`dt-tokens rotate --finish\` will ${retirement.action} it`
      : retirement.status === "kept"
        ? `old token ${old} kept enabled`
        : retirement.status === "done"
          ? `old token ${old} ${retirement.action === "delete" ? "deleted" : "disabled"}`
          : `old token ${old} is still enabled: ${retirement.action} failed: ${describeError(retirement.error).message}`;
  ctx.note(
    `rotated "${result.name}": new token ${created.id} (${describeExpiry(created.expirationDate)}), delivered to ${sinks.map((s) => s.label).join(", ")}; verified: the new secret authenticates as ${created.id}, enabled, with the scopes of ${old}; ${fate}`,
  );
  if (retirement.status === "failed")
    ctx.note(`hint: retire it yourself: dt-tokens update ${old} --disable  (or dt-tokens delete ${old})`);
  return {
    id: old,
    name: result.name,
    status: "rotated",
    newId: created.id,
    expirationDate: created.expirationDate ?? null,
    sinks: sinks.map((s) => s.label),
    retirement: {
      action: retirement.action,
      status: retirement.status,
      ...(retirement.at && { at: retirement.at.toISOString() }),
      ...(retirement.error && { error: describeError(retirement.error).message }),
    },
  };
}

function finish(ctx: Context, outcomes: RotationOutcome[], o: RotateOptions): void {
  const acted = outcomes.filter((x) => x.status !== "skipped");
  if (!o.dryRun && acted.length > 1) {
    const ok = acted.filter((x) => x.status === "rotated").length;
    ctx.note(`${ok} of ${acted.length} rotations succeeded.`);
  }
  if (o.output === "json") ctx.io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
}

/** Defines `dt-tokens rotate`. */
export function registerRotate(program: Command, run: Run): void {
  program
    .command("rotate")
    .description(
      "Replace tokens safely: create, deliver the new secret (--to), verify it, then retire the old token",
    )
    .argument("[ids...]", "ids of the tokens to replace (or select them with the options below)")
    .option("--to <sink>", `where the new secret goes: ${SINK_FORMS} (repeatable)`, collect)
    .option(
      "--expires <time>",
      "expiry of the new token: 90d, now+90d, 2030-12-31, ..., or never (default: the old token's lifetime again)",
      expiresArg,
    )
    .addOption(
      new Option("--retire <mode>", "what to do with the old token")
        .choices(["disable", "delete", "keep"])
        .default("disable"),
    )
    .addOption(new Option("--revoke <mode>").choices(["disable", "delete", "keep"]).hideHelp())
    .option(
      "--overlap <duration>",
      "keep the old token working this long first (24h, 7d), marked in Dynatrace",
    )
    .option(
      "--expiring-within <duration>",
      "select the tokens that expire within this time (14d), not those expired already",
    )
    .option("--owner <owner>", "select the tokens of this owner")
    .option("--scope <scope>", "select the tokens with this scope (repeatable: any of them)", collect)
    .option("--personal", "select personal access tokens only")
    .option("--no-personal", "select API tokens only")
    .option("--name <name>", "select the tokens with exactly this name")
    .option(
      "--sink-timeout <duration>",
      "stop an exec: sink that runs longer than this and roll back (30s, 5m, 1h)",
      "5m",
    )
    .option("--dry-run", "print the plan and check every sink; change nothing")
    .option("--finish", "retire the old tokens whose overlap has ended (run later, from cron or CI)")
    .addOption(new Option("-o, --output <format>", "json: the outcomes as JSON on stdout").choices(["json"]))
    .addHelpText(
      "after",
      `
Stages, for each token: check (the whole plan first: no two tokens may share a sink), create
the replacement (same name and scopes; its name carries [dt-tokens:rotating:<old id>], then
[dt-tokens:delivering:<old id>], until it is committed), deliver the secret to every --to sink,
verify (a lookup authenticated with the new secret reports the expected scopes), commit (the
marker goes), retire the old token. If delivery or verification fails, files get their previous
content back, the new token is deleted and the old one is untouched. A journal in
$XDG_STATE_HOME/dt-tokens (0600) is written before each stage: after a crash, \`dt-tokens cleanup\`
(or \`rotate --finish\`) completes or rolls back the rotation.

Sinks (in paths and commands, {id} is the old token's id, {newId} the new one's, {name} the name;
in commands each is quoted for the shell, so do not quote them yourself):
  file:PATH          the secret alone in PATH, written atomically; an existing file keeps its
                     owner, group and mode (a new one is 0600), a symlink stays a symlink
  dotenv:PATH#KEY    sets KEY in a dotenv file; every other line is kept byte for byte
  properties:PATH#KEY
                     sets KEY in a Java properties file (an ActiveGate's authorization.properties,
                     key authToken) as java.util.Properties reads it; every other byte is kept
  exec:COMMAND       runs COMMAND with sh, the secret on its stdin only; delivered when it read
                     stdin to the end and exited 0; stopped (with its children) after
                     --sink-timeout, 5m by default, and when the CLI dies
  stdout             prints the secret (one token only); a failed write rolls back (exit 7)

--overlap 24h (at most 366d) keeps the old token enabled and renames it with the time it may go;
run \`dt-tokens rotate --finish\` later (any machine) to retire it. Batch: one failure does not
stop the others; the exit status is 0 only if all succeeded (4: rotated, but an old token could
not be retired; 130/143/129: interrupted by SIGINT/SIGTERM/SIGHUP, the rotation in flight rolled
back).
${examples(`
  $ dt-tokens rotate dt0c01.ST2EY72KQINMH574WMNVI7YN --to file:/etc/grafana/dt.token
  $ dt-tokens rotate dt0c01.ST2EY72KQINMH574WMNVI7YN --to dotenv:.env#DT_API_TOKEN --overlap 24h
  $ dt-tokens rotate --expiring-within 14d --to 'exec:gh secret set DT_TOKEN_{name}' --dry-run
  $ dt-tokens rotate --name grafana --to 'exec:vault kv put secret/grafana token=-'
  $ dt-tokens rotate --finish`)}`,
    )
    .action(
      run<RotateOptions & { revoke?: RotateOptions["retire"]; finish?: boolean }>((ctx, o, ids) => {
        // One word (issue 24): --revoke is the deprecated name of --retire.
        if (o.revoke !== undefined) ctx.warn("--revoke is deprecated: it is now --retire (the same modes)");
        const options = { ...o, retire: o.revoke ?? o.retire };
        if (!o.finish) return rotate(ctx, ids, options);
        const extra =
          ids.length > 0 ||
          [o.to, o.expires, o.overlap, o.expiringWithin, o.owner, o.scope, o.personal, o.name, o.revoke].some(
            (v) => v !== undefined,
          );
        if (extra)
          throw new UsageError(
            "--finish retires what earlier rotations marked: it takes only --dry-run and --output",
          );
        return finishCommand(ctx, o);
      }),
    );
}
