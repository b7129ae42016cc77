/**
 * Which environment(s) a command talks to: `--env NAME` (or several, for audit and list), the
 * connection variables (DT_ENV_URL and a token, no config file needed), or the config file's
 * current environment, in that order.
 */
import { normalizeEnvironmentUrl } from "@dt-tokens/client";
import { parseDurationMs } from "@dt-tokens/types";
import { closest } from "fastest-levenshtein";
import { configPath, type LoadedConfig, loadConfig } from "./config/file.js";
import { baseDirOf } from "./config/reference.js";
import type { EnvironmentEntry } from "./config/schema.js";
import { type Credential, resolveEntryCredential } from "./credentials.js";
import { UsageError } from "./errors.js";
import type { Io } from "./io.js";

/** An environment of the config file, ready to connect to. */
export interface NamedEnvironment {
  name: string;
  url: string;
  apiBase: string;
  /** Its `timeout` in the config file (each attempt's), when set; --timeout wins over it. */
  timeoutMs?: number;
  /** Resolves its credential (runs exec: commands, reads files); never cached across commands. */
  credential: () => Promise<Credential>;
}

export interface EnvironmentSelection {
  /** --env: one name, or a comma-separated list (audit and list). */
  env?: string;
  /** --all-environments (audit and list). */
  allEnvironments?: boolean;
  /** --env-url and --token-stdin name one environment and one credential: not for a fleet. */
  envUrl?: string;
  tokenStdin?: boolean;
}

export function namedEnvironment(loaded: LoadedConfig, name: string, io: Io, warn: (t: string) => void) {
  const entry: EnvironmentEntry | undefined = loaded.config.environments[name];
  if (!entry) throw unknownEnvironment(loaded, name);
  return {
    name,
    url: entry.url,
    apiBase: normalizeEnvironmentUrl(entry.url),
    // Checked by the schema: a duration above zero.
    ...(entry.timeout !== undefined && { timeoutMs: parseDurationMs(entry.timeout)! }),
    credential: () =>
      resolveEntryCredential(name, entry, { env: io.env, baseDir: baseDirOf(loaded.path), warn }),
  } satisfies NamedEnvironment;
}

function unknownEnvironment(loaded: LoadedConfig, name: string): UsageError {
  const names = Object.keys(loaded.config.environments);
  if (!loaded.exists)
    return new UsageError(`no environment named "${name}": there is no config file at ${loaded.path}`, [
      "hint: add one with `dt-tokens env add <name> --url <url> --api-token-ref env:VAR`",
    ]);
  const hint = names.length > 0 ? closest(name, names) : undefined;
  return new UsageError(`no environment named "${name}" in ${loaded.path}`, [
    names.length > 0
      ? `hint: the environments are ${names.join(", ")}`
      : "hint: the file lists no environments",
    ...(hint ? [`hint: did you mean ${hint}?`] : []),
  ]);
}

/** The names in --env (split at commas), checked to be unique and non-empty. */
export function envNames(value: string): string[] {
  const names = value.split(",").map((n) => n.trim());
  if (names.some((n) => n === ""))
    throw new UsageError(`--env: "${value}" has an empty name; expected NAME or NAME,NAME,...`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`--env: ${dup} is listed twice`);
  return names;
}

/** The config file of this run (read once). */
export function readConfig(io: Io): LoadedConfig {
  return loadConfig(configPath(io.env));
}

/**
 * The environments of a fleet command: --all-environments, or the names in --env. Undefined when
 * the command should run on one environment as before (no --all-environments, at most one name).
 */
export function fleetEnvironments(
  selection: EnvironmentSelection,
  io: Io,
  warn: (t: string) => void,
): NamedEnvironment[] | undefined {
  if (selection.allEnvironments && selection.env !== undefined)
    throw new UsageError("--env and --all-environments exclude each other; give one of them");
  if (!selection.allEnvironments && (selection.env === undefined || envNames(selection.env).length < 2))
    return undefined;
  if (selection.envUrl !== undefined)
    throw new UsageError("--env-url names one environment; with several, each comes from the config file");
  if (selection.tokenStdin)
    throw new UsageError(
      "--token-stdin gives one credential; with several environments, each uses its own from the config file",
    );
  const loaded = readConfig(io);
  const names = selection.allEnvironments
    ? Object.keys(loaded.config.environments)
    : envNames(selection.env!);
  if (names.length === 0)
    throw new UsageError(
      loaded.exists
        ? `--all-environments: ${loaded.path} lists no environments`
        : `--all-environments: there is no config file at ${loaded.path}`,
      ["hint: add environments with `dt-tokens env add <name> --url <url> --api-token-ref env:VAR`"],
    );
  return names.map((n) => namedEnvironment(loaded, n, io, warn));
}
