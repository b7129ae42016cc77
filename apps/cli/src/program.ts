/**
 * The `dt-tokens` command line: the global options and help, and the commands wired in (each one
 * defines its options, help and typed parsing next to its logic in commands/). `main(argv, io)`
 * resolves with the exit status and never throws.
 */
import { escapeControl } from "@dt-tokens/client/display";
import { Command, CommanderError, Option } from "commander";
import { type Action, examples, negationPairs, type Run, refuseContradictions } from "./cmdutil.js";
import { registerActiveGateTokens } from "./commands/activegate-tokens/activegate-tokens.js";
import { registerActiveGateAudit } from "./commands/activegate-tokens/audit.js";
import { registerActiveGateCreate } from "./commands/activegate-tokens/create.js";
import { registerActiveGateDelete } from "./commands/activegate-tokens/delete.js";
import { registerActiveGateGet } from "./commands/activegate-tokens/get.js";
import { registerActiveGateList } from "./commands/activegate-tokens/list.js";
import { registerActiveGateRotate } from "./commands/activegate-tokens/rotate.js";
import { registerAudit } from "./commands/audit.js";
import { registerCleanup } from "./commands/cleanup.js";
import { registerCreate } from "./commands/create.js";
import { registerDelete } from "./commands/delete.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerEnvAdd } from "./commands/env/add.js";
import { registerEnv } from "./commands/env/env.js";
import { registerEnvList } from "./commands/env/list.js";
import { registerEnvRemove } from "./commands/env/remove.js";
import { registerEnvUse } from "./commands/env/use.js";
import { registerGet } from "./commands/get.js";
import { registerLeak } from "./commands/leak.js";
import { registerList } from "./commands/list.js";
import { registerLookup } from "./commands/lookup.js";
import { registerRotate } from "./commands/rotate.js";
import { registerSandbox } from "./commands/sandbox.js";
import { registerScan } from "./commands/scan.js";
import { registerScopes } from "./commands/scopes.js";
import { registerUpdate } from "./commands/update.js";
import type { GlobalOptions } from "./connection.js";
import { Context } from "./context.js";
import { describeError } from "./describe-error.js";
import { timerDurationArg } from "./duration.js";
import { EXIT, EXIT_STATUSES, UsageError } from "./errors.js";
import { handleSignals } from "./interrupt.js";
import { colorsFor, type Io } from "./io.js";
import type { OutputWatch } from "./output.js";
import { redactSecrets, refuseSecret } from "./secrets.js";
import { versionText } from "./version.js";

const GLOBAL_HELP = `
Connection:
  --env NAME picks an environment of the config file (dt-tokens env --help); without it,
  --env-url or DT_ENV_URL with a token below; without those, the config file's current one.
  The environment URL comes from --env-url, DT_ENV_URL or DYNATRACE_ENV_URL:
    https://<env-id>.live.dynatrace.com            SaaS
    https://<host>/e/<env-id>                      Managed or ActiveGate
    https://<env-id>.apps.dynatrace.com/platform/classic/environment-api/v2
  The credential comes from DT_API_TOKEN or DYNATRACE_API_TOKEN (a classic token), DT_PLATFORM_TOKEN
  (a platform token), DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN (an OAuth client; optional
  DT_SSO_TOKEN_URL), or stdin with --token-stdin; one kind at a time, never from an argument.
  A classic token needs apiTokens.read (list, get, audit) and apiTokens.write (create, update,
  delete, rotate); a platform token or OAuth client environment-api:api-tokens:read and :write.

Exit statuses:
${EXIT_STATUSES.map((s) => `  ${String(s.code).padEnd(3)}  ${s.meaning}`).join("\n")}
${examples(`
  $ export DT_ENV_URL=https://abc12345.live.dynatrace.com
  $ read -rs DT_API_TOKEN && export DT_API_TOKEN      # paste the token; it stays out of history
  $ dt-tokens doctor                                   # checks the setup and says what to fix
  $ dt-tokens list --owner alice@example.com --sort -lastUsedDate
  $ dt-tokens audit --fail-on high
  $ dt-tokens rotate dt0c01.ST2EY72KQINMH574WMNVI7YN --expires now+90d --to file:new-token.txt
`)}`;

/** Builds the program; `done` receives the exit status of the command that ran. */
export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command("dt-tokens");
  const errColors = () => colorsFor(io.stderr, io.env, !process.argv.includes("--no-color"));
  program
    .description("Manage and audit Dynatrace API tokens.")
    .version(versionText, "-V, --version")
    .option("--env <name>", "an environment of the config file (see `dt-tokens env`)")
    .option("--env-url <url>", "environment URL (default: $DT_ENV_URL or $DYNATRACE_ENV_URL)")
    .option("--token-stdin", "read the API token from the first line of stdin instead of $DT_API_TOKEN")
    .option("--no-color", "no colours (also: NO_COLOR=1; colours are only used on a terminal anyway)")
    .option("--debug", "show requests (redacted) and stack traces")
    .option(
      "--timeout <duration>",
      "how long each attempt waits for an answer, e.g. 10s, 2m (default: the environment's timeout in the config file, else 30s; doctor 10s); a request is tried up to 3 times",
      (v) => {
        timerDurationArg(v, "--timeout"); // refused here if it is not a duration; kept as given
        return v;
      },
    )
    .option(
      "--show-retries",
      "a line on stderr per retry (which attempt, the wait, the time budget) even when stderr is not a terminal (on a terminal: always)",
    )
    .option(
      "--no-csv-guard",
      "CSV: leave cells starting with = + - @ tab or CR as they are (by default they get a leading ' so spreadsheets do not run them)",
    )
    .addOption(new Option("--token <secret>").hideHelp())
    .addOption(new Option("--api-token <secret>").hideHelp())
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // commander's own errors quote what was typed (an unknown option, a bad choice): redacted,
      // like every usage error, so that a secret typed by mistake is not echoed.
      outputError: (s, write) =>
        write(
          redactSecrets(s)
            .split("\n")
            .map(escapeControl)
            .join("\n")
            .replace(/^error:/, errColors().red("error:")),
        ),
    })
    .addHelpText("after", GLOBAL_HELP);

  program.hook("preAction", (_root, action) => {
    const o = action.optsWithGlobals();
    if (o.token !== undefined || o.apiToken !== undefined) {
      throw new UsageError(
        "tokens are never accepted as arguments: shell history and the process list would show them",
        [
          "hint: set DT_API_TOKEN (or DYNATRACE_API_TOKEN) or DT_PLATFORM_TOKEN, or pipe the token in with --token-stdin",
        ],
      );
    }
    // Every free-text option: a secret pasted into the wrong place is refused, never sent or echoed.
    // (`--*-ref` options hold references, env:/file:/exec:, and refuse secrets with their own message.)
    for (const [key, value] of Object.entries(o)) {
      if (key.endsWith("Ref")) continue;
      for (const item of Array.isArray(value) ? value : [value])
        if (typeof item === "string")
          refuseSecret(item, `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    }
  });

  /** Runs a command with a Context; errors become messages and exit statuses. */
  const run: Run =
    <O>(action: Action<O>) =>
    async (...commanderArgs: unknown[]) => {
      const command = commanderArgs.at(-1) as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      const ctx = new Context(io, globals);
      // Ctrl-C ends with one line and status 130 (not for `sandbox`, which stops its server itself).
      handleSignals((text) => io.stderr.write(text));
      try {
        done((await action(ctx, command.opts() as O, command.args)) ?? EXIT.ok);
      } catch (error) {
        done(report(io, ctx, error));
      }
    };

  // Each command defines its options, help and parsing in commands/ (commands/env/ for `env`).
  registerDoctor(program, run);
  registerList(program, run);
  registerGet(program, run);
  registerCreate(program, run);
  registerUpdate(program, run);
  registerDelete(program, run);
  registerLookup(program, run);
  registerRotate(program, run);
  registerCleanup(program, run);
  registerAudit(program, run);
  registerScan(program, run);
  registerLeak(program, run);
  registerScopes(program, run);
  const agTokens = registerActiveGateTokens(program);
  registerActiveGateList(agTokens, run);
  registerActiveGateGet(agTokens, run);
  registerActiveGateCreate(agTokens, run);
  registerActiveGateRotate(agTokens, run);
  registerActiveGateDelete(agTokens, run);
  registerActiveGateAudit(agTokens, run);
  const env = registerEnv(program);
  registerEnvList(env, run);
  registerEnvAdd(env, run);
  registerEnvRemove(env, run);
  registerEnvUse(env, run);
  registerSandbox(program, io, done);

  // `--personal --no-personal` and the like: refused, as a command's own contradictory pairs are.
  const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
  for (const command of everyCommand(program)) refuseContradictions(command, negationPairs(command));

  return program;
}

/** Prints an error (one line, then details; control characters escaped) and returns its exit status. */
function report(io: Io, ctx: Context, error: unknown): number {
  const { exitCode, message, details } = describeError(error, ctx.url);
  io.stderr.write(`${ctx.err.red("error:")} ${escapeControl(message)}\n`);
  for (const line of details) io.stderr.write(`${escapeControl(line)}\n`);
  if (ctx.options.debug && error instanceof Error && error.stack)
    // The stack's first line is the message, with what the server said: escaped as the rest is.
    io.stderr.write(`${redactSecrets(error.stack).split("\n").map(escapeControl).join("\n")}\n`);
  return exitCode;
}

export function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/**
 * Runs the CLI; resolves with the exit status. `output` (bin.ts) reports write errors of stdout
 * and stderr: a failed write ends with one line and status 7.
 */
export async function main(
  argv: readonly string[],
  io: Io = defaultIo(),
  output?: OutputWatch,
): Promise<number> {
  const code = await runProgram(argv, io);
  if (!output) return code;
  await output.flush();
  const failure = output.failure();
  // EPIPE: the reader quit (`| head`); EXIT.output: the command reported its own failed write.
  if (!failure || failure.code === "EPIPE" || code === EXIT.output) return code;
  if (failure.stream === "stdout")
    io.stderr.write(`${colorsFor(io.stderr, io.env, true).red("error:")} ${failure.message}\n`);
  return code === EXIT.ok ? EXIT.output : code;
}

async function runProgram(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (["commander.helpDisplayed", "commander.version"].includes(error.code)) return EXIT.ok;
      // No command: the help went to stderr; that is a usage error, not a success.
      if (error.code === "commander.help") return EXIT.usage;
      if (error.code === "commander.executeSubCommandAsync") return EXIT.api;
      return EXIT.usage;
    }
    // Errors thrown while parsing options (our validators) and by the preAction hook.
    const ctx = new Context(io, {
      color: !argv.includes("--no-color"),
      debug: argv.includes("--debug"),
      csvGuard: !argv.includes("--no-csv-guard"),
    });
    return report(io, ctx, error);
  }
}
