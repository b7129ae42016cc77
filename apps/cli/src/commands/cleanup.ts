/**
 * `dt-tokens cleanup`: complete or roll back the rotations this machine's journal holds, then
 * delete replacements whose rotation never finished and whose delivery never started (a crash or
 * a kill left them marked). The markers are in Dynatrace, so that part runs anywhere.
 */
import { cleanupRotations } from "@dt-tokens/client";
import { type Command, Option } from "commander";
import { examples, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { EXIT } from "../errors.js";
import { failLine, recover, summarize } from "../rotation-jobs.js";
import { durationOrZeroArg } from "../rotation-targets.js";

interface CleanupOptions {
  olderThan: string;
  dryRun?: boolean;
  output?: "json";
}

export async function cleanupCommand(ctx: Context, o: CleanupOptions): Promise<number> {
  durationOrZeroArg(o.olderThan, "--older-than");
  const connection = await ctx.connect();
  const { client } = connection;
  const recoveryProblems = await recover(ctx, connection, o.dryRun);
  const outcomes = await cleanupRotations(client, { olderThan: o.olderThan, dryRun: o.dryRun });
  for (const { token: t, status, error } of outcomes) {
    const what = `${t.id} "${t.baseName}" (created ${t.creationDate ?? "at an unknown time"} to replace ${t.replaces})`;
    if (status === "done") ctx.note(`deleted ${what}`);
    else if (status === "planned") ctx.note(`would delete ${what}`);
    else if (status === "waiting")
      ctx.note(`left alone: ${what} is younger than ${o.olderThan}; its rotation may still be running`);
    else if (status === "held")
      ctx.note(
        `left alone: ${what}: its delivery had started, so its secret may be in use; the machine that ran the rotation completes or rolls it back (\`dt-tokens cleanup\` there); without that journal, check its sinks, then commit it (dt-tokens update ${t.id} --name <name>) or delete it`,
      );
    else failLine(ctx, `delete ${what}: ${describeError(error).message}`);
  }
  const code = summarize(ctx, outcomes, o, "unfinished rotation", (t) => ({
    id: t.id,
    name: t.baseName,
    replaces: t.replaces,
    creationDate: t.creationDate ?? null,
  }));
  return Math.max(code, recoveryProblems ? EXIT.api : EXIT.ok);
}

/** Defines `dt-tokens cleanup`. */
export function registerCleanup(program: Command, run: Run): void {
  program
    .command("cleanup")
    .description("Delete replacements whose rotation never finished (left by a crash or a kill)")
    .option("--older-than <duration>", "only those created at least this long ago", "1h")
    .option("--dry-run", "print what would be deleted; change nothing")
    .addOption(new Option("-o, --output <format>", "json: the outcomes as JSON on stdout").choices(["json"]))
    .addHelpText(
      "after",
      `
First, every rotation in this machine's journal ($XDG_STATE_HOME/dt-tokens) that was interrupted
(a crash, kill -9, a closed terminal) is completed (its secret delivered again, verified,
committed, the old token retired as planned) or, if its delivery never started, rolled back.
Then, from the markers in Dynatrace: a replacement named "<name> [dt-tokens:rotating:<old id>]"
(nobody has its secret) older than --older-than belongs to a rotation that died and is deleted;
younger ones may belong to a rotation running right now. One named "[dt-tokens:delivering:...]"
may be in use and is never deleted.
${examples(`
  $ dt-tokens cleanup --dry-run
  $ dt-tokens cleanup --older-than 10m`)}`,
    )
    .action(run<CleanupOptions>((ctx, o) => cleanupCommand(ctx, o)));
}
