/**
 * The config file: where it is, reading it (YAML, validated against the schema, errors naming the
 * line and the field) and changing it (under a lock, comments kept, atomically, mode 0600).
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import * as v from "valibot";
import { Document, isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { redactSecrets, secretIndex } from "../secrets.js";
import { type Config, configSchema, SECRET_NEVER } from "./schema.js";

export const CONFIG_VAR = "DT_TOKENS_CONFIG";

/** $DT_TOKENS_CONFIG, else $XDG_CONFIG_HOME/dt-tokens/config.yaml, else ~/.config/dt-tokens/config.yaml. */
export function configPath(env: Record<string, string | undefined>): string {
  if (env[CONFIG_VAR]?.trim()) return env[CONFIG_VAR].trim();
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "dt-tokens", "config.yaml");
}

/** One problem in the config file, at a line and column (1-based) of a field. */
export interface ConfigProblem {
  line: number;
  column: number;
  /** The field, as a dotted path (`environments.prod.apiToken`); empty for the whole file. */
  field: string;
  message: string;
}

/** The config file is not valid; every problem is listed. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly path: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${path} is not a valid dt-tokens config:\n${problems
        .map((p) => `  ${path}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ""}${p.message}`)
        .join("\n")}`,
    );
  }
}

export interface LoadedConfig {
  path: string;
  /** False when there is no file (an empty config). */
  exists: boolean;
  config: Config;
  /** The YAML document, to change and write back with its comments. */
  document: Document;
}

/** Reads and validates the config file; a missing file is an empty config. Throws ConfigError. */
export function loadConfig(path: string): LoadedConfig {
  if (!existsSync(path)) {
    return { path, exists: false, config: { environments: {} }, document: new Document({}) };
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [
      { line: 1, column: 1, field: "", message: `cannot read it (${(error as NodeJS.ErrnoException).code})` },
    ]);
  }
  refuseWritableByOthers(path);
  return { path, exists: true, ...parseConfig(text, path) };
}

/**
 * A config file anyone can change is refused: it names the commands dt-tokens runs (`exec:`) and
 * where credentials are sent, so another user could run code as you or collect your tokens.
 */
function refuseWritableByOthers(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o002) === 0) return;
  throw new ConfigError(path, [
    {
      line: 1,
      column: 1,
      field: "",
      message: `any user can change it (mode ${mode.toString(8).padStart(4, "0")}), and it names the commands dt-tokens runs (exec:) and where credentials are sent; restrict it with: chmod o-w '${path}'`,
    },
  ]);
}

/** Parses and validates config text; `path` is only used in messages. */
export function parseConfig(text: string, path: string): { config: Config; document: Document } {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    // Environment names as written: `123:` or `0x1F:` is the name "123" or "0x1F", not a number
    // (which `env remove 123` would not find, and `env add 123` would add beside).
    stringKeys: true,
    // `<<: *base` (YAML 1.1 merge keys) to share fields between environments.
    merge: true,
  });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  // A secret anywhere in the file (a comment, a description, a name) is refused, not only in the
  // credential fields the schema checks: the file is copied, shared and committed whole.
  const secrets = secretsIn(text);
  if (document.errors.length > 0) {
    // yaml's own messages quote the source line, which may hold a secret: only the first sentence.
    throw new ConfigError(
      path,
      withSecrets(
        document.errors.map((e) => ({
          ...at(e.pos[0]),
          field: "",
          message: redactSecrets(e.message.split(/ at line \d+/)[0]!.trim()),
        })),
        secrets,
      ),
    );
  }
  let data: unknown;
  try {
    data = document.toJS() ?? {};
  } catch (error) {
    // Aliases that expand past yaml's limit (a "billion laughs" file) and the like.
    throw new ConfigError(path, [
      { line: 1, column: 1, field: "", message: redactSecrets((error as Error).message) },
    ]);
  }
  const result = v.safeParse(configSchema, data);
  if (result.success && secrets.length === 0) return { config: result.output, document };
  throw new ConfigError(
    path,
    withSecrets(
      (result.issues ?? []).map((issue) => {
        const keys = (issue.path ?? []).map((p) => p.key as string | number);
        const keyIsTheProblem = issue.type === "strict_object" || issue.path?.at(-1)?.origin === "key";
        return {
          ...at(offsetOf(document, keys, keyIsTheProblem)),
          field: redactSecrets(keys.join(".")),
          message: redactSecrets(issue.message),
        };
      }),
      secrets,
    ),
  );
}

const SECRET_IN_FILE = `${SECRET_NEVER} (not in a comment, a name or a description either); remove it, and reference credentials instead: env:VAR, file:PATH or exec:COMMAND`;

/** Every line holding a secret-looking value, at its column. */
function secretsIn(text: string): ConfigProblem[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    const index = secretIndex(line);
    return index < 0 ? [] : [{ line: i + 1, column: index + 1, field: "", message: SECRET_IN_FILE }];
  });
}

/** The problems, and the secrets on lines where none is reported yet, in the order of the file. */
function withSecrets(problems: ConfigProblem[], secrets: ConfigProblem[]): ConfigProblem[] {
  const lines = new Set(problems.filter((p) => p.message.startsWith(SECRET_NEVER)).map((p) => p.line));
  const more = secrets.filter((s) => !lines.has(s.line));
  return more.length === 0 ? problems : [...problems, ...more].sort((a, b) => a.line - b.line);
}

/**
 * Where a field is in the file: its value, or its key when the key itself is the problem (an
 * unknown field, a bad environment name) or the value is a map; else the nearest enclosing field.
 */
function offsetOf(document: Document, keys: (string | number)[], keyIsTheProblem: boolean): number {
  for (let n = keys.length; n > 0; n--) {
    const parent = document.getIn(keys.slice(0, n - 1), true) as Node | undefined;
    if (!isMap(parent)) continue;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === keys[n - 1]);
    if (!pair) continue;
    // A problem with a whole map (an environment) is shown at its key, like one with the key itself.
    const atKey = (keyIsTheProblem && n === keys.length) || isMap(pair.value) || !pair.value;
    const node = (atKey ? pair.key : pair.value) as Node | null;
    if (node?.range) return node.range[0];
  }
  return (document.contents as Node | null)?.range?.[0] ?? 0;
}

/**
 * Changes the config file: reads it, lets `change` edit its document, then validates and writes
 * it, all under a lock, so two `dt-tokens env add` at once both land (the second reads what the
 * first wrote). A symlinked config file stays a symlink: its target is what is locked and written.
 */
export async function updateConfig<T>(path: string, change: (loaded: LoadedConfig) => T): Promise<T> {
  const target = realTarget(path);
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      retries: { retries: 100, minTimeout: 20, maxTimeout: 200 },
    });
  } catch (error) {
    throw new ConfigError(path, [
      {
        line: 1,
        column: 1,
        field: "",
        message: `cannot lock it to change it (${(error as NodeJS.ErrnoException).code}); another dt-tokens may be changing it: try again`,
      },
    ]);
  }
  try {
    const loaded = { ...loadConfig(target), path };
    const result = change(loaded);
    saveConfig(target, loaded.document, path);
    return result;
  } finally {
    await release();
  }
}

/**
 * The file a config path names: the end of its chain of symlinks (a dangling one too, whose
 * target is then created), else the path itself.
 */
function realTarget(path: string): string {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!lstatSync(target).isSymbolicLink()) return target;
    } catch {
      return target;
    }
    target = resolve(dirname(target), readlinkSync(target));
  }
  return target;
}

/**
 * Validates a changed document and writes it: to a temporary file beside it (mode 0600), then
 * renamed over the old one, so a crash never leaves half a file. Throws ConfigError (naming
 * `shownPath`) if invalid.
 */
function saveConfig(path: string, document: Document, shownPath: string): Config {
  const text = document.toString();
  const { config } = parseConfig(text, shownPath);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return config;
}
