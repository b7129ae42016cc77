/**
 * The `dt-tokens` command line: commander for parsing and help, one function per command.
 * `main(argv, io)` resolves with the exit status and never throws.
 */
import { LIST_PAGE_SIZE } from "@dt-tokens/client";
import { EXPIRING_WITHIN_DAYS, escapeControl } from "@dt-tokens/client/display";
import { Command, CommanderError, Option } from "commander";
import { SEVERITIES } from "./audit.js";
import { auditCommand } from "./commands/audit.js";
import { doctor } from "./commands/doctor.js";
import { envAdd, envList, envRemove, envUse } from "./commands/env.js";
import { list } from "./commands/list.js";
import { rotate } from "./commands/rotate.js";
import { cleanupCommand, finishCommand } from "./commands/rotation-jobs.js";
import { sandbox } from "./commands/sandbox.js";
import { scopes } from "./commands/scopes.js";
import { create, get, lookup, remove, update } from "./commands/tokens.js";
import type { GlobalOptions } from "./connection.js";
import { Context, outputFormat } from "./context.js";
import { PROBE_TOKEN_ID } from "./doctor/scope-probes.js";
import { durationArg, timerDurationArg } from "./duration.js";
import { describeError, EXIT, EXIT_STATUSES, UsageError } from "./errors.js";
import { OUTPUT_FORMATS } from "./format.js";
import { handleSignals } from "./interrupt.js";
import { colorsFor, type Io } from "./io.js";
import type { OutputWatch } from "./output.js";
import { redactSecrets, refuseSecret } from "./secrets.js";
import { checksArg, expiresArg, intArg, SORT_KEYS, sortArg, timeArg } from "./validate.js";
import { versionText } from "./version.js";

// biome-ignore lint/suspicious/noExplicitAny: commander passes its parsed arguments and options untyped
type Action = (ctx: Context, ...args: any[]) => Promise<number | undefined> | Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const examples = (lines: string) => `\nExamples:\n${lines.replace(/^\n/, "").replace(/\s+$/, "")}\n`;

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

function outputOption(): Option {
  return new Option("-o, --output <format>", "output format; default table").choices(OUTPUT_FORMATS);
}

/** list and audit: every format, and Markdown for a CI job summary. */
function reportOutputOption(): Option {
  return new Option("-o, --output <format>", "output format; default table").choices([
    ...OUTPUT_FORMATS,
    "markdown",
  ]);
}

/** list and audit: several environments at once. */
function addFleetOptions(command: Command): Command {
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
      (v) => timerDurationArg(v, "--deadline", ["s", "m", "h"]),
    );
}

const FLEET_HELP = `
Several environments: --env a,b,c or --all-environments (the config file, see dt-tokens env).
They run --concurrency at a time, each with its own credential, rate limits and --deadline; a
429 waits the Retry-After the environment asks for while its deadline allows. One environment
that is down, refuses the credential or throttles past its deadline does not stop the others:
the summary on stderr (and the JSON report) names it with the reason, and the exit status is 4
(partial). Rows carry an ENVIRONMENT column (environment field in JSON, NDJSON and CSV).`;

/** -o of create and rotate: the secret alone (default) or a JSON object with it. */
function secretOutputOption(): Option {
  return new Option(
    "-o, --output <format>",
    "json: print {id, name, expirationDate, token} instead of the secret alone",
  ).choices(["json"]);
}

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
  const run =
    (fn: Action) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      const ctx = new Context(io, globals);
      // Ctrl-C ends with one line and status 130 (not for `sandbox`, which stops its server itself).
      handleSignals((text) => io.stderr.write(text));
      try {
        done((await fn(ctx, ...args.slice(0, -1))) ?? EXIT.ok);
      } catch (error) {
        done(report(io, ctx, error));
      }
    };

  program
    .command("doctor")
    .description("Check the connection: URL, credential, scheme, reachability, the credential's scopes")
    .option("--read-only", "a missing write scope is a warning, not a failure (tokens for list and audit)")
    .addOption(new Option("-o, --output <format>", "output format; default table").choices(["table", "json"]))
    .addHelpText(
      "after",
      `
Checks, in order (the URL and the credential both; after them, the first failure stops the
rest, which show as not checked):
  environment URL      its form; https (http only to this machine); which API it maps to:
                       *.apps.dynatrace.com the platform (/platform/classic/environment-api/v2),
                       *.live.dynatrace.com and Managed /e/<env-id> the classic /api/v2
  credential           one is set (see dt-tokens --help), and of which kind; never its secret
  scheme fits the URL  a classic token (Api-Token) on /api/v2, a platform token or OAuth
                       client (Bearer) on the platform
  reachable            DNS, connection, TLS, timeout; an API-tokens API at that URL
  credential accepted  not refused (401), and for an OAuth client, SSO issued an access token
  read scope           apiTokens.read, or environment-api:api-tokens:read on the platform
  write scope          apiTokens.write, or environment-api:api-tokens:write on the platform

It changes nothing. A classic token looks itself up. A platform credential cannot, so doctor
lists one page of tokens (read) and updates a token id that does not exist
(${PROBE_TOKEN_ID}) with nothing: 404 means the write scope is there, 403
that it is missing.

Exit statuses: 0 ready (warnings allowed), 2 the URL or credential is not set right, 8 not
reachable, 9 the credential was refused, 10 a scope is missing, 1 the environment answered
with another error.
${examples(`
  $ dt-tokens doctor
  $ dt-tokens --env prod doctor --output json | jq '.checks[] | select(.status != "ok")'
  $ DT_ENV_URL=https://abc12345.apps.dynatrace.com dt-tokens doctor   # with DT_PLATFORM_TOKEN set
  $ dt-tokens doctor --read-only      # a token meant for list and audit only`)}`,
    )
    .action(run((ctx, o) => doctor(ctx, { output: o.output ?? "table", readOnly: o.readOnly })));

  const listCommand = program
    .command("list")
    .alias("ls")
    .description("List tokens (every page, unless --limit), newest first")
    .option("--owner <owner>", "only tokens of this owner (case-sensitive)")
    .option("--name <name>", "only tokens with exactly this name (case-sensitive)")
    .option(
      "--scope <scope>",
      "only tokens with this scope (repeatable or comma-separated: any of them)",
      collect,
    )
    .option("--personal", "only personal access tokens")
    .option("--no-personal", "only API tokens (not personal access tokens)")
    .option("--used-from <time>", "only tokens last used at or after this time", (v) =>
      timeArg(v, "--used-from", "past"),
    )
    .option("--used-to <time>", "only tokens last used at or before this time (default now)", (v) =>
      timeArg(v, "--used-to", "past"),
    )
    .option("--sort <key>", `${SORT_KEYS.join(", ")}; - for descending (default -creationDate)`, sortArg)
    .option(
      "--fields <fields>",
      "columns: a,b replaces the default set, +a adds, -a removes (id is always shown)",
    )
    .option(
      "--page-size <n>",
      `tokens per request, ${LIST_PAGE_SIZE.minimum} to ${LIST_PAGE_SIZE.maximum} (default ${LIST_PAGE_SIZE.default})`,
      (v) => intArg(v, "--page-size", LIST_PAGE_SIZE.minimum, LIST_PAGE_SIZE.maximum),
    )
    .option("--limit <n>", "stop after n tokens (per environment)", (v) => intArg(v, "--limit", 1))
    .addOption(reportOutputOption());
  addFleetOptions(listCommand)
    .addHelpText(
      "after",
      `
Default columns: id, name, owner, personalAccessToken, enabled, lastUsedDate, expirationDate.
Other fields: creationDate, modifiedDate, lastUsedIpAddress, scopes, additionalMetadata.
Times: 2025-01-31, 2025-01-31T13:45:00Z, epoch milliseconds, or relative now-90d, now-1w/w.
With more than one page, a progress bar shows on stderr when it is a terminal.
${FLEET_HELP}
${examples(`
  $ dt-tokens list
  $ dt-tokens list --owner alice@example.com --personal --sort -lastUsedDate
  $ dt-tokens list --scope apiTokens.write --scope settings.write --fields +scopes
  $ dt-tokens list --used-to now-90d --no-personal --output csv > stale.csv
  $ dt-tokens list --fields name,owner,expirationDate --sort expirationDate --limit 20
  $ dt-tokens list --output ndjson | jq -r 'select(.enabled == false) | .id'
  $ dt-tokens list --all-environments --owner ci-pipeline --output csv > ci-tokens.csv
`)}`,
    )
    .action(run((ctx, o) => list(ctx, { ...o, output: outputFormat(o.output) })));

  program
    .command("get")
    .description("Show one token's metadata")
    .argument("<id>", "token id (dt0c01.<24 characters>)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens get dt0c01.ST2EY72KQINMH574WMNVI7YN
  $ dt-tokens get dt0c01.ST2EY72KQINMH574WMNVI7YN --output json | jq .scopes`),
    )
    .action(run((ctx, id, o) => get(ctx, id, outputFormat(o.output))));

  program
    .command("create")
    .description("Create a token and print its secret (alone, on stdout)")
    .requiredOption("--name <name>", "name of the token")
    .option("--scope <scope>", "a scope (repeatable or comma-separated; at least one)", collect)
    .option(
      "--expires <time>",
      "expiry: now+30d, 2025-12-31, 2025-12-31T18:00:00Z or never (default: never)",
      expiresArg,
    )
    .option("--personal", "a personal access token (default: an API token)")
    .addOption(secretOutputOption())
    .addHelpText(
      "after",
      `
The secret is printed alone on stdout so it can be piped or saved; it is shown only once.
The new token belongs to the owner of the API token you authenticate with.
${examples(`
  $ dt-tokens create --name log-shipper --scope logs.ingest --expires now+90d > log-shipper.token
  $ dt-tokens create --name ci --scope metrics.read,entities.read --expires 2025-12-31
  $ dt-tokens create --name my-pat --scope apiTokens.read --personal | pbcopy`)}`,
    )
    .action(run((ctx, o) => create(ctx, o)));

  program
    .command("update")
    .description("Rename, enable, disable or change the scopes of a token")
    .argument("<id>", "token id")
    .option("--name <name>", "new name")
    .addOption(new Option("--enable", "enable the token").conflicts("disable"))
    .addOption(new Option("--disable", "disable the token (it can be enabled again)"))
    .option("--scopes <scopes>", "replace all scopes (repeatable or comma-separated)", collect)
    .option("--add-scope <scope>", "add a scope, keeping the others (repeatable)", collect)
    .option("--remove-scope <scope>", "remove a scope, keeping the others (repeatable)", collect)
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
The API replaces the whole scope list: --add-scope and --remove-scope read the token's scopes,
change them and write them back. The updated token is printed like \`get\` does.
${examples(`
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --disable
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --add-scope metrics.read --remove-scope WriteConfig
  $ dt-tokens update dt0c01.ST2EY72KQINMH574WMNVI7YN --name grafana-prod --scopes metrics.read,entities.read`)}`,
    )
    .action(run((ctx, id, o) => update(ctx, id, { ...o, output: outputFormat(o.output) })));

  program
    .command("delete")
    .alias("rm")
    .description("Delete a token (asks for confirmation on a terminal)")
    .argument("<id>", "token id")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens delete dt0c01.ST2EY72KQINMH574WMNVI7YN
  $ dt-tokens delete dt0c01.ST2EY72KQINMH574WMNVI7YN --yes
  $ dt-tokens list --output ndjson | jq -r 'select(.enabled == false) | .id' | xargs -n1 dt-tokens delete --yes`),
    )
    .action(run((ctx, id, o) => remove(ctx, id, o)));

  program
    .command("lookup")
    .description("Show the token a secret belongs to (the secret is read from stdin)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
The secret is read from stdin (on a terminal: typed without echo). Without DT_API_TOKEN or
--token-stdin the secret authenticates itself, so this also checks that a token is valid.
With --token-stdin, the first line of stdin is the API token and the second the secret.
${examples(`
  $ dt-tokens lookup < log-shipper.token
  $ printenv MY_TOKEN | dt-tokens lookup --output json
  $ dt-tokens lookup            # then paste the secret`)}`,
    )
    .action(run((ctx, o) => lookup(ctx, outputFormat(o.output))));

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
      run((ctx, ids: string[], o) => {
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
    .action(run((ctx, o) => cleanupCommand(ctx, o)));

  const auditCommandDef = program
    .command("audit")
    .description("Find risky tokens: unused, expired, expiring, disabled, personal, broad, duplicated")
    .option("--owner <owner>", "only tokens of this owner")
    .option("--scope <scope>", "only tokens with this scope (repeatable: any of them)", collect)
    .option("--personal", "only personal access tokens")
    .option("--no-personal", "only API tokens")
    .option(
      "--unused-for <duration>",
      "flag tokens not used for longer than this, e.g. 90d (default 90d)",
      (v) => durationArg(v, "--unused-for", ["h", "d", "w"]),
    )
    .option(
      "--expiring-within <duration>",
      `flag tokens that expire within this, e.g. 14d, 2w (default ${EXPIRING_WITHIN_DAYS}d)`,
      (v) => durationArg(v, "--expiring-within", ["h", "d", "w"]),
    )
    .option("--max-unused-days <days>", "the same as --unused-for, in days", (v) =>
      intArg(v, "--max-unused-days", 1),
    )
    .option("--expiring-within-days <days>", "the same as --expiring-within, in days", (v) =>
      intArg(v, "--expiring-within-days", 0),
    )
    .option(
      "--check <checks>",
      "only these checks (comma-separated or repeatable; see below)",
      (v, prev: string[] = []) => [...prev, ...checksArg(v)],
    )
    .addOption(
      new Option(
        "--fail-on <severity>",
        "exit with status 3 if a finding is at or above this severity (across all environments)",
      ).choices(SEVERITIES),
    )
    .addOption(
      new Option("--min-severity <severity>", "show only findings at or above this severity").choices(
        SEVERITIES,
      ),
    )
    .option(
      "--page-size <n>",
      `tokens per request, ${LIST_PAGE_SIZE.minimum} to ${LIST_PAGE_SIZE.maximum}`,
      (v) => intArg(v, "--page-size", LIST_PAGE_SIZE.minimum, LIST_PAGE_SIZE.maximum),
    )
    .addOption(reportOutputOption());
  addFleetOptions(auditCommandDef)
    .addHelpText(
      "after",
      `
Checks (severity):
  broad-write-scope (high)  apiTokens.write, settings.write, WriteConfig, credentialVault.write,
                            TenantTokenManagement, tenantTokenRotation.write,
                            activeGateTokenManagement.write or DataPrivacy
  never-used (medium)       never used, created longer than --unused-for ago (low if newer)
  unused (medium)           last used longer than --unused-for ago
  expiring (medium)         expires within --expiring-within
  expired (low)             expired (it can be deleted)
  disabled (low)            disabled
  personal (low)            a personal access token
  duplicate-name (low)      another token has the same name
The summary goes to stderr; --fail-on makes a pipeline step fail (exit status 3).
--output markdown writes a report for a CI job summary (totals, then the findings).
${FLEET_HELP}
${examples(`
  $ dt-tokens audit
  $ dt-tokens audit --min-severity medium --unused-for 30d
  $ dt-tokens audit --fail-on high --output json > audit.json
  $ dt-tokens audit --all-environments --check expiring --expiring-within 14d --fail-on medium
  $ dt-tokens audit --all-environments --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ dt-tokens audit --env prod,staging --owner ci-pipeline --output csv`)}`,
    )
    .action(run((ctx, o) => auditCommand(ctx, { ...o, output: o.output ?? "table" })));

  program
    .command("scopes")
    .description("List the scopes a token can be given (no connection needed)")
    .option("--legacy", "also list legacy scopes, which tokens may carry but cannot be given")
    .addOption(outputOption())
    .addHelpText(
      "after",
      examples(`
  $ dt-tokens scopes
  $ dt-tokens scopes --output json | jq -r '.[].scope' | grep write`),
    )
    .action(run(async (ctx, o) => scopes(ctx, { ...o, output: outputFormat(o.output) })));

  const env = program
    .command("env")
    .description("Named environments: list, add, remove, use (the config file)")
    .addHelpText(
      "after",
      `
The config file is $DT_TOKENS_CONFIG, else $XDG_CONFIG_HOME/dt-tokens/config.yaml, else
~/.config/dt-tokens/config.yaml. It names each environment's URL and where its credential comes
from, never the credential itself:
  env:VAR        an environment variable
  file:PATH      the first line of a file (~/ and paths relative to the config file work)
  exec:COMMAND   the first line a command prints (op read ..., vault kv get ..., pass show ...)

  current: prod
  environments:
    prod:
      url: https://abc12345.live.dynatrace.com
      apiToken: env:DT_PROD_TOKEN
    staging:
      url: https://dynatrace.example.com/e/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718
      apiToken: exec:vault kv get -field=token secret/dynatrace/staging
    platform:
      url: https://abc12345.apps.dynatrace.com
      platformToken: file:~/.config/dt-tokens/platform.token

Every command takes --env NAME; audit and list take --env a,b,c or --all-environments.
${examples(`
  $ dt-tokens env add prod --url https://abc12345.live.dynatrace.com --api-token-ref env:DT_PROD_TOKEN
  $ dt-tokens env add staging --url https://dt.example.com/e/1f2e3d4c --api-token-ref 'exec:pass show dynatrace/staging'
  $ dt-tokens env list
  $ dt-tokens env use staging
  $ dt-tokens --env prod list --limit 5
  $ dt-tokens audit --all-environments --fail-on high`)}`,
    );

  env
    .command("list")
    .alias("ls")
    .description("List the environments of the config file (* marks the current one)")
    .addOption(new Option("-o, --output <format>", "output format; default table").choices(["table", "json"]))
    .action(run((ctx, o) => envList(ctx, { output: o.output ?? "table" })));

  env
    .command("add")
    .description("Add an environment: its URL and a reference to its credential")
    .argument("<name>", "a name for --env (letters, digits, '.', '_', '-')")
    .requiredOption("--url <url>", "the environment URL")
    .option("--api-token-ref <ref>", "where the API token comes from: env:VAR, file:PATH or exec:COMMAND")
    .option(
      "--platform-token-ref <ref>",
      "where a platform token comes from: env:VAR, file:PATH or exec:COMMAND",
    )
    .option("--oauth-client-id <id>", "an OAuth client's id (dt0s02.…; not a secret)")
    .option("--oauth-client-secret-ref <ref>", "where the OAuth client's secret comes from")
    .option("--account-urn <urn>", "the OAuth client's account (urn:dtaccount:<uuid>)")
    .option(
      "--oauth-token-url <url>",
      "the OAuth client's SSO token endpoint, when not Dynatrace SSO (e.g. the sandbox's tokenUrl)",
    )
    .option("--description <text>", "a line of text shown by env list --output json")
    .option("--use", "make it the current environment (the first one added always is)")
    .option("--force", "replace an environment of the same name")
    .action(run((ctx, name, o) => envAdd(ctx, name, o)));

  env
    .command("remove")
    .alias("rm")
    .description("Remove an environment from the config file")
    .argument("<name>", "its name")
    .action(run((ctx, name) => envRemove(ctx, name)));

  env
    .command("use")
    .description("Make an environment the current one (used when no --env, --env-url or DT_ENV_URL is given)")
    .argument("<name>", "its name")
    .action(run((ctx, name) => envUse(ctx, name)));

  program
    .command("sandbox")
    .description("Run a local Dynatrace-compatible API-tokens server (the dt-tokens-sandbox flags)")
    .argument("[flags...]", "flags of dt-tokens-sandbox; see dt-tokens sandbox --help")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (flags: string[]) => done(await sandbox(flags, io)));

  return program;
}

/** Prints an error (one line, then details; control characters escaped) and returns its exit status. */
function report(io: Io, ctx: Context, error: unknown): number {
  const { exitCode, message, details } = describeError(error, ctx.connection?.url);
  io.stderr.write(`${ctx.err.red("error:")} ${escapeControl(message)}\n`);
  for (const line of details) io.stderr.write(`${escapeControl(line)}\n`);
  if (ctx.options.debug && error instanceof Error && error.stack)
    io.stderr.write(`${redactSecrets(error.stack)}\n`);
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
