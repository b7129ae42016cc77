/**
 * `dt-tokens rotate --finish` (retire old tokens whose overlap has ended) and `dt-tokens cleanup`
 * (remove replacements whose rotation never finished). Both read their work from the markers in
 * Dynatrace, so they run anywhere: in cron, in CI, on another machine than the rotation.
 */
import {
  cleanupRotations,
  finishRetirements,
  type MaintenanceOutcome,
  type PendingRetirement,
} from "@dt-tokens/client";
import type { Context } from "../context.js";
import { describeError, EXIT } from "../errors.js";
import { durationOrZeroArg } from "../rotation-targets.js";

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

export async function cleanupCommand(
  ctx: Context,
  o: { olderThan: string; dryRun?: boolean; output?: "json" },
): Promise<number> {
  durationOrZeroArg(o.olderThan, "--older-than");
  const { client } = await ctx.connect();
  const outcomes = await cleanupRotations(client, { olderThan: o.olderThan, dryRun: o.dryRun });
  for (const { token: t, status, error } of outcomes) {
    const what = `${t.id} "${t.baseName}" (created ${t.creationDate ?? "at an unknown time"} to replace ${t.replaces})`;
    if (status === "done") ctx.note(`deleted ${what}`);
    else if (status === "planned") ctx.note(`would delete ${what}`);
    else if (status === "waiting")
      ctx.note(`left alone: ${what} is younger than ${o.olderThan}; its rotation may still be running`);
    else ctx.io.stderr.write(`${ctx.err.red("failed:")} delete ${what}: ${describeError(error).message}\n`);
  }
  return summarize(ctx, outcomes, o, "unfinished rotation", (t) => ({
    id: t.id,
    name: t.baseName,
    replaces: t.replaces,
    creationDate: t.creationDate ?? null,
  }));
}

function summarize<T>(
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
