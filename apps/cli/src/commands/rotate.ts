/**
 * `dt-tokens rotate`: the staged rotation of one token or many (create, deliver to the --to sinks,
 * verify, commit, retire), token by token, or a plan of it (--dry-run).
 */
import {
  type ApiTokensClient,
  type DeliveryTarget,
  type RetireAction,
  type RotateTokenResult,
  RotationError,
  rotateToken,
  sameLifetime,
} from "@dt-tokens/client";
import { type Command, Option } from "commander";
import { collect, examples, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { timerDurationArg } from "../duration.js";
import { EXIT, UsageError } from "../errors.js";
import { guarded } from "../interrupt.js";
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
import { describeSink, makeSink, parseSink, SINK_FORMS, type SinkSpec } from "../sinks/parse.js";
import type { Sink } from "../sinks/sink.js";
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
}

const describeExpiry = (date: string | undefined) => (date ? `expires ${date}` : "never expires");

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
  if (o.overlap !== undefined) durationOrZeroArg(o.overlap, "--overlap");
  const sinkTimeoutMs = timerDurationArg(o.sinkTimeout ?? "5m", "--sink-timeout", ["s", "m", "h"]);
  const wanted = ids.map(idArg);
  const { client } = await ctx.connect();

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

  if (o.dryRun) {
    for (const t of targets) outcomes.push(await plan(ctx, client, t, specs, o));
    finish(ctx, outcomes, o);
    return outcomes.some((x) => x.status === "failed") ? EXIT.api : EXIT.ok;
  }

  // Ctrl-C or SIGTERM: the rotation in flight rolls back, the others are not started.
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop).once("SIGTERM", stop);
  // Guarded: the CLI-wide handler (interrupt.ts) must not exit in the middle of a rotation; a second
  // signal still quits at once.
  const leftBehind = () =>
    "A rotation may be half done: its replacement is named [dt-tokens:rotating:<old id>]; `dt-tokens cleanup` removes it.";
  try {
    await guarded(leftBehind, async () => {
      for (const t of targets) {
        if (controller.signal.aborted) break;
        outcomes.push(await rotateOne(ctx, client, t, specs, o, controller.signal, sinkTimeoutMs));
      }
    });
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop);
  }
  finish(ctx, outcomes, o);
  const done = outcomes.filter((x) => x.status !== "skipped");
  if (done.some((x) => x.status === "failed") || done.length < targets.length) return EXIT.api;
  if (done.some((x) => x.retirement?.status === "failed")) return EXIT.partial;
  return EXIT.ok;
}

function retireWords(o: RotateOptions): string {
  if (o.retire === "keep") return "keep the old token";
  return o.overlap ? `${o.retire} the old token after ${o.overlap}` : `${o.retire} the old token`;
}

/** The sinks checked in order, as the rotation checks them at its stage prepare. */
async function checkSinks(specs: SinkSpec[], token: { id: string; name: string }): Promise<void> {
  for (const spec of specs) await checkSink(spec, { id: token.id, name: token.name });
}

async function plan(
  ctx: Context,
  client: ApiTokensClient,
  t: Target,
  specs: SinkSpec[],
  o: RotateOptions,
): Promise<RotationOutcome> {
  const token = t.name ? t : await client.get(t.id);
  // What the rotation would refuse before creating anything: a disabled token, a sink that cannot work.
  const refusal =
    "enabled" in token && token.enabled === false
      ? { stage: "read", error: "it is disabled: enable it first if it is still in use" }
      : await checkSinks(specs, token).then(
          () => undefined,
          (e: Error) => ({ stage: "prepare", error: e.message }),
        );
  const info = { id: token.id, name: token.name, newId: "{newId}" };
  if (refusal) {
    ctx.io.stderr.write(
      `${ctx.err.red("would fail:")} rotating ${token.id} "${token.name}" would fail at ${refusal.stage}: ${refusal.error}; nothing would be changed\n`,
    );
    return { id: token.id, name: token.name, status: "failed", sinks: [], ...refusal };
  }
  const sinks = specs.map((s) => describeSink(s, info));
  const expiry =
    o.expires === undefined
      ? token.expirationDate
        ? "the old lifetime again"
        : "never expires"
      : o.expires === "never"
        ? "never expires"
        : `expires ${o.expires}`;
  ctx.io.stderr.write(
    `would rotate ${token.id} "${token.name}" (${expiry}), deliver to ${sinks.join(", ")}, verify, ${retireWords(o)}\n`,
  );
  return { id: token.id, name: token.name, status: "planned", sinks };
}

async function rotateOne(
  ctx: Context,
  client: ApiTokensClient,
  t: Target,
  specs: SinkSpec[],
  o: RotateOptions,
  signal: AbortSignal,
  sinkTimeoutMs: number,
): Promise<RotationOutcome> {
  let sinks: Sink[] = [];
  let attempted: Sink[] = [];
  let succeeded: Sink[] = [];
  const deliver = async (secret: string, target: DeliveryTarget) => {
    const info = { id: target.previous.id, newId: target.id, name: target.name };
    sinks = specs.map((s) => makeSink(s, info, ctx.io, { timeoutMs: sinkTimeoutMs }));
    for (const sink of sinks) {
      attempted.push(sink);
      await sink.deliver(secret, signal).catch((e: Error) => {
        throw new Error(`${sink.label}: ${e.message}`);
      });
      succeeded.push(sink);
    }
  };
  // On rollback: files get their previous content back; a command cannot be undone, so say so.
  const undo = async () => {
    const problems: string[] = [];
    for (const sink of [...attempted].reverse())
      await sink.undo?.().catch((e: Error) => problems.push(`${sink.label}: ${e.message}`));
    for (const sink of succeeded.filter((s) => !s.undo))
      problems.push(
        `${sink.label} received the new secret, which is deleted now: put the old one back there`,
      );
    [attempted, succeeded] = [[], []];
    if (problems.length) throw new Error(problems.join("; "));
  };
  try {
    const result = await rotateToken(client, t.id, {
      expirationDate: o.expires === undefined ? sameLifetime : o.expires === "never" ? null : o.expires,
      prepare: (previous) => checkSinks(specs, previous),
      deliver,
      undo,
      retire: { action: o.retire, ...(o.overlap !== undefined && { after: o.overlap }) },
      signal,
    });
    return report(ctx, result, sinks);
  } catch (error) {
    if (!(error instanceof RotationError)) throw error;
    const name = t.name || "";
    ctx.io.stderr.write(`${ctx.err.red("failed:")} ${describeError(error).message}\n`);
    if (!error.rolledBack && error.newTokenId)
      ctx.note(`hint: dt-tokens delete ${error.newTokenId} --yes   (or dt-tokens cleanup --older-than 0s)`);
    return {
      id: t.id,
      name,
      status: "failed",
      sinks: sinks.map((s) => s.label),
      stage: error.stage,
      error: describeError(error).message,
      rolledBack: error.rolledBack,
      ...(error.newTokenId && { newId: error.newTokenId }),
    };
  }
}

function report(ctx: Context, result: RotateTokenResult, sinks: Sink[]): RotationOutcome {
  const { previous, created, retirement } = result;
  const old = previous.id;
  const fate =
    retirement.status === "scheduled"
      ? `old token ${old} stays enabled until ${retirement.at!.toISOString()}, then \`dt-tokens rotate --finish\` will ${retirement.action} it`
      : retirement.status === "kept"
        ? `old token ${old} kept enabled`
        : retirement.status === "done"
          ? `old token ${old} ${retirement.action === "delete" ? "deleted" : "disabled"}`
          : `old token ${old} is still enabled: ${retirement.action} failed: ${describeError(retirement.error).message}`;
  ctx.note(
    `rotated "${result.name}": new token ${created.id} (${describeExpiry(created.expirationDate)}), delivered to ${sinks.map((s) => s.label).join(", ")}, verified; ${fate}`,
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
    .option(
      "--to <sink>",
      "where the new secret goes: file:PATH, dotenv:PATH#KEY, exec:COMMAND or stdout (repeatable)",
      collect,
    )
    .option(
      "--expires <time>",
      "expiry of the new token: now+90d, 2025-12-31, ..., or never (default: the old token's lifetime again)",
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
Stages, for each token: create the replacement (same name and scopes; its name carries
[dt-tokens:rotating:<old id>] until it is committed), deliver the secret to every --to sink,
verify (a lookup authenticated with the new secret reports the expected scopes), commit (the
marker goes), retire the old token. If delivery or verification fails, files get their previous
content back, the new token is deleted and the old one is untouched.

Sinks (in paths and commands, {id} is the old token's id, {newId} the new one's, {name} the name;
in commands each is quoted for the shell, so do not quote them yourself):
  file:PATH          the secret alone in PATH, written atomically, mode 0600
  dotenv:PATH#KEY    sets KEY in a dotenv file; every other line is kept byte for byte
  exec:COMMAND       runs COMMAND with sh, the secret on its stdin only; non-zero exit = failure;
                     stopped (with its children) after --sink-timeout, 5m by default
  stdout             prints the secret (one token only)

--overlap 24h keeps the old token enabled and renames it with the time it may go; run
\`dt-tokens rotate --finish\` later (any machine) to retire it. \`dt-tokens cleanup\` removes
replacements whose rotation never finished (a crash). Batch: one failure does not stop the
others; the exit status is 0 only if all succeeded (4: rotated, but an old token could not be
retired).
${examples(`
  $ dt-tokens rotate dt0c01.ST2EY72KQINMH574WMNVI7YN --to file:/etc/grafana/dt.token
  $ dt-tokens rotate dt0c01.ST2EY72KQINMH574WMNVI7YN --to dotenv:.env#DT_API_TOKEN --overlap 24h
  $ dt-tokens rotate --expiring-within 14d --to 'exec:gh secret set DT_TOKEN_{name}' --dry-run
  $ dt-tokens rotate --name grafana --to 'exec:vault kv put secret/grafana token=-'
  $ dt-tokens rotate --finish`)}`,
    )
    .action(
      run<RotateOptions & { revoke?: RotateOptions["retire"]; finish?: boolean }>((ctx, o, ids) => {
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
