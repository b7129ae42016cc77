/**
 * `dt-tokens rotate --finish` (retire old tokens whose overlap has ended), and what it shares with
 * `dt-tokens cleanup` (commands/cleanup.ts): both first complete or roll back the rotations this
 * machine's journal holds (a crash, a kill, a closed terminal), then do their work from the
 * markers in Dynatrace, so they also run elsewhere: in cron, in CI, on another machine.
 */
import { finishRetirements, type MaintenanceOutcome, type PendingRetirement } from "@dt-tokens/client";
import { escapeControl, formatDate } from "@dt-tokens/client/display";
import type { Connection } from "./connection.js";
import type { Context } from "./context.js";
import { describeError } from "./describe-error.js";
import { EXIT } from "./errors.js";
import { recoverActiveGateRotations } from "./rotation/activegate-token.js";
import { recoverRotations } from "./rotation/api-token.js";
import type { Recoveries, Recovery } from "./rotation/recovery.js";

/** A failure line on stderr, control characters (of token names) escaped. */
export const failLine = (ctx: Context, text: string) =>
  ctx.io.stderr.write(`${ctx.err.red("failed:")} ${escapeControl(text)}\n`);

/**
 * The journal's rotations, completed or rolled back; their lines on stderr. Returns how many
 * failed, need someone (a sink that may hold a deleted secret) or could not be read.
 */
export async function recover(ctx: Context, connection: Connection, dryRun?: boolean): Promise<number> {
  const api = await recoverRotations(ctx.io, connection.client, connection.url, { dryRun });
  // ActiveGate-token rotations too; their client (and its scopes) only when one is there.
  const ag = await recoverActiveGateRotations(
    ctx.io,
    async () => connection.activeGateClient(),
    connection.url,
    { dryRun },
  );
  return reportRecoveries(ctx, api) + reportRecoveries(ctx, ag);
}

/**
 * The lines of a recovery on stderr; returns how many journals failed, need someone or could not
 * be read (each a reason for exit status 1).
 */
export function reportRecoveries(ctx: Context, { recoveries, unreadable, exposed }: Recoveries): number {
  for (const u of unreadable)
    failLine(
      ctx,
      `the rotation journal ${u.path} cannot be read: ${u.error}; it was left as it is (it may hold a new token's secret and each sink's previous content): look at it yourself`,
    );
  for (const e of exposed)
    ctx.warn(
      `the rotation journal ${e.path} was readable by other users (mode 0${e.mode.toString(8)}; now 0600): the new secret it holds may have been read; rotate that token again once this recovery is done`,
    );
  const bad: Recovery[] = [];
  for (const r of recoveries) {
    const what = `the interrupted rotation of ${r.oldId} "${r.name}"`;
    if (r.status === "completed" || r.status === "rolled back") ctx.note(`${r.status} ${what}: ${r.detail}`);
    else if (r.status === "planned") ctx.note(`${what}: ${r.detail}`);
    else if (r.status === "failed") failLine(ctx, `recovering ${what}: ${r.detail}`);
    else ctx.note(`left alone: ${what}: ${r.detail}`);
    for (const p of r.problems) ctx.warn(p);
    if (r.problems.length || r.status === "failed") bad.push(r);
  }
  return bad.length + unreadable.length;
}

export async function finishCommand(ctx: Context, o: { dryRun?: boolean; output?: "json" }): Promise<number> {
  const connection = await ctx.connect();
  const { client } = connection;
  const recoveryProblems = await recover(ctx, connection, o.dryRun);
  const outcomes = await finishRetirements(client, { dryRun: o.dryRun });
  const verb = (t: PendingRetirement) => (t.action === "delete" ? "deleted" : "disabled");
  for (const { token: t, status, error } of outcomes) {
    const what = `${t.id} "${t.baseName}"`;
    if (status === "done") ctx.note(`${verb(t)} ${what} (its overlap ended ${formatDate(t.at)})`);
    else if (status === "planned")
      ctx.note(`would ${t.action} ${what} (its overlap ended ${formatDate(t.at)})`);
    else if (status === "waiting") ctx.note(`waiting: ${what} will be ${verb(t)} after ${formatDate(t.at)}`);
    else failLine(ctx, `${t.action} ${what}: ${describeError(error).message}`);
  }
  const code = summarize(ctx, outcomes, o, "token waiting for retirement", (t) => ({
    id: t.id,
    name: t.baseName,
    action: t.action,
    at: t.at.toISOString(),
  }));
  return Math.max(code, recoveryProblems ? EXIT.api : EXIT.ok);
}

/** The outcomes: a note when there were none, JSON on stdout with --output json; the exit status. */
export function summarize<T>(
  ctx: Context,
  outcomes: MaintenanceOutcome<T>[],
  o: { output?: "json" },
  noun: string,
  fields: (token: T) => Record<string, unknown>,
): number {
  if (outcomes.length === 0) ctx.note(`No ${noun} found.`);
  if (o.output === "json")
    ctx.io.stdout.write(
      `${JSON.stringify(
        outcomes.map(({ token, status, error }) => ({
          ...fields(token),
          status,
          ...(error && { error: describeError(error).message }),
        })),
        null,
        2,
      )}\n`,
    );
  return outcomes.some((x) => x.status === "failed") ? EXIT.api : EXIT.ok;
}
