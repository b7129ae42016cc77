/**
 * `dt-tokens cleanup`: delete replacements whose rotation never finished (a crash or a kill left
 * them marked). It reads its work from the markers in Dynatrace, so it runs anywhere.
 */
import { cleanupRotations } from "@dt-tokens/client";
import { type Command, Option } from "commander";
import { examples, type Run } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { summarize } from "../rotation-jobs.js";
import { durationOrZeroArg } from "../rotation-targets.js";

interface CleanupOptions {
  olderThan: string;
  dryRun?: boolean;
  output?: "json";
}

export async function cleanupCommand(ctx: Context, o: CleanupOptions): Promise<number> {
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
A rotation names its replacement "<name> [dt-tokens:rotating:<old id>]" until the new secret is
delivered and verified. A replacement still carrying that marker after --older-than belongs to a
rotation that died; younger ones may belong to a rotation running right now and are left alone.
The old tokens were never touched by those rotations.
${examples(`
  $ dt-tokens cleanup --dry-run
  $ dt-tokens cleanup --older-than 10m`)}`,
    )
    .action(run<CleanupOptions>((ctx, o) => cleanupCommand(ctx, o)));
}
