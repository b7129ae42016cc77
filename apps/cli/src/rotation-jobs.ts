/**
 * `dt-tokens rotate --finish` (retire old tokens whose overlap has ended), and the summary it shares
 * with `dt-tokens cleanup` (commands/cleanup.ts). Both read their work from the markers in
 * Dynatrace, so they run anywhere: in cron, in CI, on another machine than the rotation.
 */
import { finishRetirements, type MaintenanceOutcome, type PendingRetirement } from "@dt-tokens/client";
import type { Context } from "./context.js";
import { describeError } from "./describe-error.js";
import { EXIT } from "./errors.js";

export async function finishCommand(ctx: Context, o: { dryRun?: boolean; output?: "json" }): Promise<number> {
  const { client } = await ctx.connect();
  const outcomes = await finishRetirements(client, { dryRun: o.dryRun });
  const verb = (t: PendingRetirement) => (t.action === "delete" ? "deleted" : "disabled");
  for (const { token: t, status, error } of outcomes) {
    const what = `${t.id} "${t.baseName}"`;
    if (status === "done") ctx.note(`${verb(t)} ${what} (its overlap ended ${t.at.toISOString()})`);
    else if (status === "planned")
      ctx.note(`would ${t.action} ${what} (its overlap ended ${t.at.toISOString()})`);
    else if (status === "waiting")
      ctx.note(`waiting: ${what} will be ${verb(t)} after ${t.at.toISOString()}`);
    else
      ctx.io.stderr.write(`${ctx.err.red("failed:")} ${t.action} ${what}: ${describeError(error).message}\n`);
  }
  return summarize(ctx, outcomes, o, "token waiting for retirement", (t) => ({
    id: t.id,
    name: t.baseName,
    action: t.action,
    at: t.at.toISOString(),
  }));
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
