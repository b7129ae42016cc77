/**
 * `dt-tokens ag-tokens rotate <id> --to SINK`: the rotation of one ActiveGate token (create the
 * replacement, deliver, wait until the ActiveGates report it VALID, delete the old one; roll back
 * on failure), under the lock and journal of rotation/activegate-token.ts. `--finish` completes
 * or rolls back what a crash left.
 */
import { sameLifetime } from "@dt-tokens/client";
import type { ActiveGate, ActiveGateToken, ActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { escapeControl, formatDate } from "@dt-tokens/client/display";
import { ACTIVEGATE_TOKEN_MAX_LIFETIME_MS } from "@dt-tokens/types";
import { type Command, Option } from "commander";
import { collect, examples, type Run } from "../../cmdutil.js";
import type { Context } from "../../context.js";
import { describeError } from "../../describe-error.js";
import { timerDurationArg } from "../../duration.js";
import { EXIT, ExitError, UsageError } from "../../errors.js";
import { guarded, type Signal, signalStatus } from "../../interrupt.js";
import { write } from "../../outcome.js";
import {
  type ActiveGateTokenRotation,
  beginJournal,
  type GateRef,
  gateTitle,
  keptReplacement,
  lockActiveGateRotation,
  recoverActiveGateRotations,
  reportsWorking,
  retireOld,
  rollBack,
  rollbackText,
  statesOf,
  usersOf,
} from "../../rotation/activegate-token.js";
import { sinksFor } from "../../rotation/journal-sinks.js";
import { LockedError } from "../../rotation/lock.js";
import { crashPoint } from "../../rotation/test-hooks.js";
import { failLine, reportRecoveries } from "../../rotation-jobs.js";
import { withoutSecret } from "../../secrets.js";
import { checkSink } from "../../sinks/check.js";
import { describeSink, parseSink, SINK_FORMS } from "../../sinks/parse.js";
import { CONFLICT_HINT, describeConflict, findSinkConflict } from "../../sinks/place.js";
import { activeGateExpiresArg, activeGateIdArg } from "../../validate.js";

export interface ActiveGateRotateOptions {
  to?: string[];
  activegate?: string[];
  verifyTimeout: string;
  expires?: string;
  sinkTimeout: string;
  output?: "json";
  finish?: boolean;
  dryRun?: boolean;
}

/** How often GET /activeGates is asked while waiting. */
const POLL_MS = 2_000;
/** How often a "still waiting" line is written. */
const PROGRESS_MS = 30_000;

/** One rotation's outcome, as printed with -o json (never a secret). */
interface Outcome {
  id: string;
  name: string;
  status: "rotated" | "failed";
  newId?: string;
  expirationDate?: string | null;
  sinks: string[];
  activeGates: { id: string; hostname: string; tokenId?: string; state: string }[];
  oldToken?: "deleted" | "kept";
  stage?: string;
  error?: string;
  rolledBack?: boolean;
  sinkProblems?: string[];
}

/** The replacement's expiry: --expires, else the old token's lifetime again (at most 2 years), or never as before. */
function replacementExpiry(token: ActiveGateToken, expires: string | undefined): string | null {
  if (expires === "never") return null;
  if (expires !== undefined) return expires;
  const same = sameLifetime({
    ...(token.creationDate && { creationDate: token.creationDate }),
    ...(token.expirationDate && { expirationDate: token.expirationDate }),
  });
  if (!same) return null;
  const latest = Date.now() + ACTIVEGATE_TOKEN_MAX_LIFETIME_MS - 86_400_000;
  return new Date(Math.min(same.getTime(), latest)).toISOString();
}

/** The ActiveGates named by --activegate (id or hostname, exactly), or an error naming those that exist. */
function namedGates(gates: ActiveGate[], names: string[]): GateRef[] {
  return names.map((name) => {
    const found = gates.filter((g) => g.id === name || g.hostname === name);
    if (found.length !== 1)
      throw new ExitError(
        found.length === 0
          ? `--activegate ${JSON.stringify(name)}: no ActiveGate has that id or hostname; nothing was changed`
          : `--activegate ${JSON.stringify(name)}: ${found.length} ActiveGates have that hostname: give the id; nothing was changed`,
        EXIT.usage,
        [
          `hint: the ActiveGates: ${
            gates
              .slice(0, 20)
              .map((g) => `${g.hostname} (${g.id})`)
              .join(", ") || "none"
          }`,
        ],
      );
    return { id: found[0]!.id ?? "", hostname: found[0]!.hostname ?? "" };
  });
}

export async function rotateActiveGateToken(
  ctx: Context,
  rawId: string | undefined,
  o: ActiveGateRotateOptions,
): Promise<number> {
  if (o.finish) {
    if (rawId !== undefined || o.to || o.activegate || o.expires)
      throw new UsageError(
        "--finish completes or rolls back interrupted rotations: it takes no id, --to, --activegate or --expires",
      );
    return finish(ctx, o);
  }
  if (rawId === undefined)
    throw new UsageError("ag-tokens rotate: which token? give its id (dt0g02.<8 characters>)");
  const id = activeGateIdArg(rawId);
  const specs = (o.to ?? []).map(parseSink);
  if (specs.length === 0)
    throw new UsageError("ag-tokens rotate: say where the new secret goes with --to", [
      `hint: --to takes ${SINK_FORMS} (repeatable), e.g. --to 'properties:/var/lib/dynatrace/gateway/config/authorization.properties#authToken'`,
    ]);
  if (specs.some((s) => s.kind === "stdout") && o.output === "json")
    throw new UsageError("--to stdout and --output json both write to stdout: choose one");
  const verifyTimeoutMs = timerDurationArg(o.verifyTimeout, "--verify-timeout");
  const sinkTimeoutMs = timerDurationArg(o.sinkTimeout, "--sink-timeout");
  const { client, url } = await ctx.connectActiveGate();

  // The checks, before anything is created.
  const token = await client.get(id);
  const name = token.name ?? "";
  const gates = await client.activeGates();
  const wanted: GateRef[] = usersOf(gates, id).map((g) => ({ id: g.id ?? "", hostname: g.hostname ?? "" }));
  for (const g of namedGates(gates, o.activegate ?? []))
    if (!wanted.some((w) => w.id === g.id)) wanted.push(g);
  if (wanted.length === 0)
    throw new ExitError(
      `no ActiveGate uses ${id} "${escapeControl(name)}": nothing would show that the new token works; nothing was changed`,
      EXIT.usage,
      [
        "hint: name the ActiveGate that will use the new token with --activegate ID|HOST, or delete the token if nothing needs it",
      ],
    );
  for (const spec of specs)
    await checkSink(spec, { id, name }).catch((e: Error) => {
      throw new UsageError(`--to ${e.message}`);
    });
  const conflict = await findSinkConflict(specs, [{ title: `${id} "${name}"`, id, name }]);
  if (conflict) throw new ExitError(describeConflict(conflict), EXIT.usage, [CONFLICT_HINT]);
  const expirationDate = replacementExpiry(token, o.expires);
  if (o.dryRun) {
    ctx.note(
      `would rotate ${id} "${escapeControl(name)}" (${expirationDate ? `expires ${formatDate(expirationDate)}` : "never expires"}), deliver to ${specs.map((s) => describeSink(s, { id, name, newId: "{newId}" })).join(", ")}, wait up to ${o.verifyTimeout} for ${wanted.map(gateTitle).join(", ")} to report the new token VALID, then delete ${id}`,
    );
    return EXIT.ok;
  }

  let held: Awaited<ReturnType<typeof lockActiveGateRotation>>;
  try {
    held = await lockActiveGateRotation(ctx.io, url, id);
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    failLine(ctx, `rotating ${id} "${name}" refused: ${error.message}; nothing was changed`);
    return EXIT.api;
  }
  // Ctrl-C, SIGTERM or SIGHUP: the rotation rolls back (a second signal quits at once; the journal stays for cleanup).
  const controller = new AbortController();
  let signal: Signal | undefined;
  const stops = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => {
    const stop = () => {
      signal ??= s;
      controller.abort();
    };
    process.once(s, stop);
    return () => process.off(s, stop);
  });
  try {
    const { outcome, exit } = await guarded(
      () =>
        "The rotation may be half done: `dt-tokens ag-tokens rotate --finish` (or `dt-tokens cleanup`) completes or rolls it back (its journal is on this machine).",
      () =>
        run(ctx, client, {
          record: {
            stage: "prepared",
            environment: url,
            oldId: id,
            name,
            type: token.activeGateType === "CLUSTER" ? "CLUSTER" : "ENVIRONMENT",
            seed: token.seedToken ?? false,
            expirationDate,
            gates: wanted,
            sinkTimeoutMs,
            sinks: [],
          },
          specs,
          verifyTimeoutMs,
          signal: controller.signal,
        }),
    );
    if (o.output === "json") ctx.io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return signal && outcome.status === "failed" ? signalStatus(signal) : exit;
  } finally {
    for (const off of stops) off();
    await held.release();
  }
}

async function run(
  ctx: Context,
  client: ActiveGateTokensClient,
  plan: {
    record: ActiveGateTokenRotation;
    specs: ReturnType<typeof parseSink>[];
    verifyTimeoutMs: number;
    signal: AbortSignal;
  },
): Promise<{ outcome: Outcome; exit: number }> {
  let r = plan.record;
  const { oldId, name } = r;
  const journal = await beginJournal(ctx.io, r);
  const attempted = new Set<string>();
  const base = { id: oldId, name, sinks: [] as string[], activeGates: [] as Outcome["activeGates"] };
  const failed = (stage: string, message: string, extra: Partial<Outcome> = {}): Outcome => ({
    ...base,
    status: "failed",
    stage,
    error: message,
    ...extra,
  });

  let created: { id: string; token: string; expirationDate?: string };
  try {
    const answer = await write(
      () =>
        client.create(
          {
            name,
            activeGateType: r.type,
            ...(r.seed && { seedToken: true }),
            ...(r.expirationDate && { expirationDate: r.expirationDate }),
          },
          // Not aborted by a signal: a create cut off after it was sent would leave a token whose
          // secret nobody has; it finishes, and the signal rolls the rotation back after it.
        ),
      `ActiveGate token "${name}" (the replacement of ${oldId}) may or may not have been created`,
      "dt-tokens ag-tokens rotate --finish   (deletes it if it was)",
    );
    created = {
      id: answer.id,
      token: answer.token ?? "",
      ...(answer.expirationDate && { expirationDate: answer.expirationDate }),
    };
  } catch (error) {
    if (error instanceof ExitError) throw error; // outcome unknown: the journal stays for --finish
    await journal.remove();
    const message = describeError(error).message;
    failLine(ctx, `rotating ${oldId} "${name}" failed at create: ${message}; nothing was changed`);
    return { outcome: failed("create", message), exit: EXIT.api };
  }
  crashPoint("created");

  // From here every failure rolls back: the sinks get their previous content, the replacement goes.
  const undo = async (
    stage: string,
    why: string,
    exit: number,
  ): Promise<{ outcome: Outcome; exit: number }> => {
    const rolled = await rollBack(client, r, attempted);
    const { problems } = rolled;
    await journal.remove();
    const kept = keptReplacement(rolled);
    failLine(
      ctx,
      `rotating ${oldId} "${name}" failed at ${stage}: ${why}; ${kept ? "" : "rolled back: "}${rollbackText(rolled, created.id, oldId)}`,
    );
    for (const p of problems) ctx.warn(p);
    return {
      outcome: failed(stage, why, {
        newId: created.id,
        sinks: r.sinks.map((s) => s.label),
        rolledBack: !kept,
        ...(problems.length && { sinkProblems: problems }),
      }),
      exit: kept ? EXIT.partial : exit,
    };
  };

  // Deliver: the secret and every sink's previous content on disk first.
  const info = { id: oldId, newId: created.id, name };
  let made: Awaited<ReturnType<typeof sinksFor>>;
  try {
    made = await sinksFor(ctx.io, plan.specs, info, r.sinkTimeoutMs);
  } catch (error) {
    // A sink's previous content could not be read (it changed since the check): nothing was written.
    r = { ...r, newId: created.id };
    return undo("deliver", (error as Error).message, EXIT.output);
  }
  const { sinks, journalSinks } = made;
  r = { ...r, stage: "delivering", newId: created.id, secret: created.token, sinks: journalSinks };
  await journal.save(r);
  for (const sink of sinks) {
    attempted.add(sink.label);
    try {
      await sink.deliver(created.token, plan.signal);
    } catch (error) {
      const message = `${sink.label}: ${withoutSecret((error as Error).message, created.token)}`;
      return undo("deliver", message, EXIT.output);
    }
    crashPoint("delivered-one");
  }
  crashPoint("delivered");
  ctx.note(`delivered ${created.id} to ${sinks.map((s) => s.label).join(", ")}`);

  // Verify: every ActiveGate that used the old token reports the new one VALID.
  const verified = await waitForGates(ctx, client, r, plan.verifyTimeoutMs, plan.signal).catch(
    (error: unknown) => ({ error }),
  );
  if ("error" in verified)
    return undo(
      "verify",
      plan.signal.aborted ? "interrupted" : describeError(verified.error).message,
      EXIT.api,
    );
  if (verified.waiting.length > 0)
    return undo(
      "verify",
      plan.signal.aborted
        ? `interrupted while waiting for ${verified.waiting.map(gateTitle).join(", ")}`
        : `${verified.waiting.map((s) => `${gateTitle(s)} ${describeState(s)}`).join("; ")} after ${Math.round(plan.verifyTimeoutMs / 1000)} s (--verify-timeout)`,
      EXIT.notVerified,
    );
  r = { ...r, stage: "verified" };
  await journal.save(r);
  crashPoint("verified");

  // Retire: the old token goes, unless an ActiveGate still connects with it.
  const retired = await retireOld(client, r).catch((error: unknown) => ({ error }));
  const states = verified.states.map(({ id, hostname, tokenId, state }) => ({
    id,
    hostname,
    ...(tokenId && { tokenId }),
    state,
  }));
  const done: Outcome = {
    ...base,
    status: "rotated",
    newId: created.id,
    expirationDate: created.expirationDate ?? null,
    sinks: sinks.map((s) => s.label),
    activeGates: states,
  };
  const verifiedText = `rotated ${oldId} "${escapeControl(name)}": new token ${created.id} (${created.expirationDate ? `expires ${formatDate(created.expirationDate)}` : "never expires"}), delivered to ${done.sinks.join(", ")}; verified: ${verified.states.map(gateTitle).join(", ")} ${verified.states.length === 1 ? "reports" : "report"} it VALID`;
  if ("error" in retired) {
    // The journal stays at verified: --finish deletes the old token later.
    failLine(ctx, `${verifiedText}; deleting ${oldId} failed: ${describeError(retired.error).message}`);
    ctx.note("hint: dt-tokens ag-tokens rotate --finish   (deletes it from the journal)");
    return { outcome: { ...done, oldToken: "kept" }, exit: EXIT.partial };
  }
  await journal.remove();
  if (retired.status === "kept") {
    ctx.warn(
      `${verifiedText}; ${oldId} is kept: ${retired.users.map(gateTitle).join(", ")} still ${retired.users.length === 1 ? "uses" : "use"} it (rotate again, or --activegate to wait for them too)`,
    );
    return { outcome: { ...done, oldToken: "kept" }, exit: EXIT.partial };
  }
  ctx.note(`${verifiedText}; old token ${oldId} deleted`);
  return { outcome: { ...done, oldToken: "deleted" }, exit: EXIT.ok };
}

const describeState = (s: { tokenId?: string; state: string; offline: boolean }) =>
  s.state === "GONE"
    ? "is no longer listed"
    : `still reports ${s.tokenId ?? "no token"} ${s.state}${s.offline ? " (offline)" : ""}`;

/**
 * Asks GET /activeGates every POLL_MS until every wanted ActiveGate reports the new token VALID,
 * the timeout passes or the signal aborts; progress on stderr (what changed, and a line every
 * PROGRESS_MS). Resolves with the last states and those still waiting.
 */
async function waitForGates(
  ctx: Context,
  client: ActiveGateTokensClient,
  r: ActiveGateTokenRotation,
  timeoutMs: number,
  signal: AbortSignal,
) {
  const newId = r.newId!;
  const start = Date.now();
  const seconds = () => `${Math.round((Date.now() - start) / 1000)} s`;
  ctx.note(
    `verifying: waiting up to ${Math.round(timeoutMs / 1000)} s (--verify-timeout) for ${r.gates.map(gateTitle).join(", ")} to report ${newId} VALID (restart the ActiveGate if it does not read its new token by itself)`,
  );
  const last = new Map<string, string>();
  let lastProgress = Date.now();
  for (;;) {
    const states = statesOf(await client.activeGates({}, { signal }), r.gates, [newId, r.oldId]);
    for (const s of states) {
      const now = reportsWorking(s, newId) ? `reports ${newId} ${s.state}` : describeState(s);
      if (last.get(s.id) !== now) {
        ctx.note(`  ${gateTitle(s)} ${now} (${seconds()})`);
        last.set(s.id, now);
      }
    }
    const waiting = states.filter((s) => !reportsWorking(s, newId));
    if (waiting.length === 0 || signal.aborted || Date.now() - start >= timeoutMs) return { states, waiting };
    if (Date.now() - lastProgress >= PROGRESS_MS) {
      ctx.note(
        `  still waiting for ${waiting.map(gateTitle).join(", ")} (${seconds()} of ${Math.round(timeoutMs / 1000)} s)`,
      );
      lastProgress = Date.now();
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(POLL_MS, Math.max(0, timeoutMs - (Date.now() - start))));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** `--finish`: completes or rolls back the interrupted ActiveGate-token rotations of this environment. */
async function finish(ctx: Context, o: { dryRun?: boolean; output?: "json" }): Promise<number> {
  const { client, url } = await ctx.connectActiveGate();
  const result = await recoverActiveGateRotations(ctx.io, async () => client, url, { dryRun: o.dryRun });
  const bad = reportRecoveries(ctx, result);
  if (result.recoveries.length === 0) ctx.note("No interrupted ActiveGate-token rotation found.");
  if (o.output === "json") ctx.io.stdout.write(`${JSON.stringify(result.recoveries, null, 2)}\n`);
  return bad ? EXIT.api : EXIT.ok;
}

/** Defines `dt-tokens ag-tokens rotate`. */
export function registerActiveGateRotate(group: Command, run: Run): void {
  group
    .command("rotate")
    .description(
      "Replace an ActiveGate token: create, deliver (--to), wait until its ActiveGates report the new one VALID, delete the old",
    )
    .argument("[id]", "ActiveGate token id (dt0g02.<8 characters>)")
    .option("--to <sink>", `where the new secret goes: ${SINK_FORMS} (repeatable)`, collect)
    .option(
      "--activegate <id|host>",
      "also wait for this ActiveGate (id or hostname; repeatable); those using the token are always waited for",
      collect,
    )
    .option("--verify-timeout <duration>", "how long to wait for the ActiveGates (30s, 10m, 1h)", "10m")
    .option(
      "--expires <time>",
      "expiry of the new token, at most 2 years ahead: now+1y, a date, or never (default: the old token's lifetime again)",
      (v) => activeGateExpiresArg(v),
    )
    .option("--sink-timeout <duration>", "stop an exec: sink that runs longer than this and roll back", "5m")
    .option("--dry-run", "check everything and print the plan; change nothing")
    .option(
      "--finish",
      "complete or roll back rotations a crash or a kill interrupted (this machine's journal)",
    )
    .addOption(new Option("-o, --output <format>", "json: the outcome as JSON on stdout").choices(["json"]))
    .addHelpText(
      "after",
      `
Stages: check (the token, its ActiveGates, every sink; one sink per token), create the replacement
(same name, type and seed flag; expiry: the old lifetime again, at most 2 years, or --expires),
deliver its secret to every --to sink, verify (GET /activeGates every 2 s until every ActiveGate
that used the old token, and each --activegate, reports the new token VALID; progress on stderr),
then delete the old token (kept, exit 4, if an ActiveGate still uses it). If delivery fails or the
ActiveGates do not report the new token within --verify-timeout, the sinks get their previous
content back and the replacement is deleted (kept, with the old token, if an ActiveGate already
uses it, or if the ActiveGates cannot be read then). A journal in $XDG_STATE_HOME/dt-tokens (0600) is written before each stage: after a
crash, \`dt-tokens ag-tokens rotate --finish\` or \`dt-tokens cleanup\` completes or rolls it back.

Exit statuses: 0 rotated; 7 delivery failed (rolled back); 13 not verified in time (rolled back);
4 partial (the old token or the replacement kept, see the message); 2 bad input or a plan refused
(nothing changed); 1 an API error or another rotation of the token in flight; 6 the create's
answer was lost (run --finish); 130/143/129 interrupted (rolled back).
${examples(`
  $ dt-tokens ag-tokens rotate dt0g02.ABCDEFGH \\
      --to 'properties:/var/lib/dynatrace/gateway/config/authorization.properties#authToken'
  $ dt-tokens ag-tokens rotate dt0g02.ABCDEFGH --to 'exec:kubectl create secret generic ag-token --from-file=token=/dev/stdin --dry-run=client -o yaml | kubectl apply -f -' --verify-timeout 15m
  $ dt-tokens ag-tokens rotate --finish`)}`,
    )
    .action(run<ActiveGateRotateOptions>((ctx, o, [id]) => rotateActiveGateToken(ctx, id, o)));
}
