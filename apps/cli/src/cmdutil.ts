/**
 * What command modules share to define themselves (as gh's cmdutil): the runner program.ts hands
 * each command, and the options and help texts more than one command has. Command modules
 * (commands/) import this; nothing here imports a command.
 */
import { type Command, Option } from "commander";
import type { Context } from "./context.js";
import { timerDurationArg } from "./duration.js";
import { UsageError } from "./errors.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./format.js";
import { intArg } from "./validate.js";

/**
 * A command's work: the context, its options as commander parsed them (typed by the command that
 * declared them) and its positional arguments. Resolves with the exit status (nothing: 0).
 */
export type Action<O> = (
  ctx: Context,
  options: O,
  args: string[],
) => Promise<number | undefined> | Promise<void>;

/** Wraps an action for commander: builds the Context, turns errors into messages and exit statuses. */
export type Run = <O>(action: Action<O>) => (...commanderArgs: unknown[]) => Promise<void>;

/** Options that may be given more than once: `--scope a --scope b`. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The "Examples:" section of a command's help. */
export const examples = (lines: string) => `\nExamples:\n${lines.replace(/^\n/, "").replace(/\s+$/, "")}\n`;

/**
 * The one rule for flags that contradict each other: given together on the command line, they are
 * a usage error (exit 2) naming both, whatever their order, instead of the last one silently
 * winning. A command names its own pairs (`["--enable", "--disable"]`); program.ts adds every
 * `--x` with its `--no-x` (`negationPairs`) for every command.
 */
export function refuseContradictions(command: Command, pairs: readonly (readonly [string, string])[]): void {
  const flags = new Set(command.options.map((o) => o.long));
  const given = new Set<string>();
  for (const [a, b] of pairs) {
    for (const [flag, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!flags.has(flag)) throw new Error(`refuseContradictions: ${command.name()} has no option ${flag}`);
      // commander emits option:<name> for each flag typed (not for defaults or environment variables).
      command.on(`option:${flag.slice(2)}`, () => {
        if (given.has(other))
          throw new UsageError(`${other} and ${flag} exclude each other; give one of them`);
        given.add(flag);
      });
    }
  }
}

/** A command's `--x`/`--no-x` pairs (`--personal` and `--no-personal`). */
export function negationPairs(command: Command): [string, string][] {
  const flags = new Set(command.options.map((o) => o.long));
  return command.options.flatMap((o): [string, string][] => {
    const positive = o.negate && o.long ? `--${o.long.slice("--no-".length)}` : undefined;
    return positive && flags.has(positive) ? [[positive, o.long!]] : [];
  });
}

/** The output format: --output, else a table. */
export function outputFormat(value: string | undefined): OutputFormat {
  return (value ?? "table") as OutputFormat;
}

/** -o of get, update, lookup and scopes. */
export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format; default table").choices(OUTPUT_FORMATS);
}

/** list and audit: every format, and Markdown for a CI job summary. */
export function reportOutputOption(): Option {
  return new Option("-o, --output <format>", "output format; default table").choices([
    ...OUTPUT_FORMATS,
    "markdown",
  ]);
}

/** -o of create and rotate: the secret alone (default) or a JSON object with it. */
export function secretOutputOption(fields = "id, name, expirationDate, token"): Option {
  return new Option("-o, --output <format>", `json: print {${fields}} instead of the secret alone`).choices([
    "json",
  ]);
}

/** The options addFleetOptions declares, as commander parses them. */
export interface FleetFlags {
  allEnvironments?: boolean;
  concurrency: number;
  /** --deadline in ms. */
  deadline?: number;
}

/** list and audit: several environments at once. */
export function addFleetOptions(command: Command): Command {
  return command
    .option("--all-environments", "every environment of the config file (or --env a,b,c for some)")
    .option(
      "--concurrency <n>",
      "environments at once, with --all-environments or --env a,b,c",
      (v) => intArg(v, "--concurrency", 1, 64),
      4,
    )
    .option(
      "--deadline <duration>",
      "time each environment gets, waits for throttling included, e.g. 90s, 10m (default 5m)",
      (v) => timerDurationArg(v, "--deadline"),
    );
}

export const FLEET_HELP = `
Several environments: --env a,b,c or --all-environments (the config file, see dt-tokens env).
They run --concurrency at a time, each with its own credential, rate limits and --deadline; a
429 waits the Retry-After the environment asks for while its deadline allows. One environment
that is down, refuses the credential or throttles past its deadline does not stop the others:
the summary on stderr (and the JSON report) names it with the reason, and the exit status is 4
(partial). Rows carry an ENVIRONMENT column (environment field in JSON, NDJSON and CSV).`;
