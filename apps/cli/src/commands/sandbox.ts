import type { Command } from "commander";
import type { Io } from "../io.js";

const rename = (text: string) => text.replaceAll("dt-tokens-sandbox", "dt-tokens sandbox");

export const SANDBOX_EXAMPLES = `
Examples:
  # a throwaway sandbox with 300 realistic demo tokens on port 8080; the JSON line it prints
  # holds a generated bootstrapToken (owner admin, apiTokens.read + apiTokens.write)
  $ dt-tokens sandbox --port 8080 --db :memory: --seed-demo 300

  # then, in another shell: point the CLI at it (paste the bootstrapToken at the prompt)
  $ export DT_ENV_URL=http://127.0.0.1:8080
  $ read -rs DT_API_TOKEN && export DT_API_TOKEN
  $ dt-tokens audit

  # a persistent sandbox that throttles and fails now and then
  $ dt-tokens sandbox --db .sandbox/tokens.db --throttle-rps 5 --fault-error-rate 0.1
`;

/** `dt-tokens sandbox`: the dt-tokens-sandbox bin, with the same flags. */
export async function sandbox(args: string[], io: Io): Promise<number> {
  // Loaded only here: the other commands do not need SQLite.
  const { runSandboxCli, SANDBOX_USAGE } = await import("@dt-tokens/sandbox/cli");
  const wrap = (stream: Io["stdout"]) => ({ write: (text: string) => stream.write(rename(text)) });
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout.write(`${rename(SANDBOX_USAGE)}${SANDBOX_EXAMPLES}`);
    return 0;
  }
  return runSandboxCli(args, { env: io.env, stdout: wrap(io.stdout), stderr: wrap(io.stderr) });
}

/** Defines `dt-tokens sandbox`: its flags are passed on as they are; `done` gets the exit status. */
export function registerSandbox(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("sandbox")
    .description("Run a local Dynatrace-compatible API-tokens server (the dt-tokens-sandbox flags)")
    .argument("[flags...]", "flags of dt-tokens-sandbox; see dt-tokens sandbox --help")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (flags: string[]) => done(await sandbox(flags, io)));
}
