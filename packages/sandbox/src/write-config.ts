/**
 * --write-config: a dt-tokens config (YAML) for the sandbox's environments, so that
 * `DT_TOKENS_CONFIG=<file> dt-tokens audit --all-environments` works at once. The bootstrap
 * secrets go to 0600 files beside it, referenced as `file:<id>.token`; the config holds none.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Sandbox } from "./sandbox.js";

/** The first line of every config the sandbox writes: only such a file is ever replaced. */
const HEADER = "# Written by dt-tokens-sandbox";

const lstatOrUndefined = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};

/**
 * What an earlier run of the sandbox wrote at `path`: the token files its config names. A file at
 * `path` that the sandbox did not write (a user's own config), or a symlink, is never replaced.
 */
function ownedTokenFiles(path: string): Set<string> {
  const found = lstatOrUndefined(path);
  if (!found) return new Set();
  if (found.isSymbolicLink())
    throw new Error("it is a symbolic link; it is left as it is (choose another path, or remove it first)");
  const text = readFileSync(path, "utf8");
  if (!text.startsWith(HEADER))
    throw new Error(
      "the file exists and was not written by dt-tokens-sandbox; it is left as it is (choose another path, or remove it first)",
    );
  return new Set([...text.matchAll(/apiToken: "file:([^"/]+\.token)"/g)].map((m) => m[1]!));
}

/**
 * A token file beside the config is written only where nothing is, or where the sandbox's own
 * earlier config put one: a user's token file, or a symlink, is never replaced.
 */
function refuseForeignTokenFile(dir: string, name: string, owned: Set<string>): void {
  const found = lstatOrUndefined(join(dir, name));
  if (!found) return;
  if (found.isSymbolicLink())
    throw new Error(`${join(dir, name)} is a symbolic link; it is left as it is (remove it first)`);
  if (!owned.has(name))
    throw new Error(
      `${join(dir, name)} exists and was not written by dt-tokens-sandbox; it is left as it is (choose another directory, or remove it first)`,
    );
}

/** Writes a file atomically (a temporary file, then a rename) with mode 0600. */
function writePrivate(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * Writes the config and the token files; returns what it wrote, for the log line. Throws when no
 * environment's bootstrap token is known (their databases were not empty, so none was generated).
 */
export function writeDtTokensConfig(path: string, sandbox: Sandbox): string {
  const all =
    sandbox.environments.length > 0
      ? sandbox.environments.map((e) => ({ name: e.id, url: e.url, token: e.bootstrapToken }))
      : [{ name: "sandbox", url: sandbox.url, token: sandbox.bootstrapToken }];
  const known = all.filter((e) => e.token !== undefined);
  if (known.length === 0)
    throw new Error(
      "no bootstrap token is known: the databases already held tokens, so none was generated (use a new --db)",
    );
  const owned = ownedTokenFiles(path);
  const dir = dirname(path);
  // Everything is checked before anything is written.
  for (const e of known) refuseForeignTokenFile(dir, `${e.name}.token`, owned);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const e of known) writePrivate(join(dir, `${e.name}.token`), `${e.token}\n`);
  // JSON strings are YAML scalars: no YAML library needed for this shape.
  const lines = [
    `${HEADER} for ${sandbox.url}. The credentials are files beside this one.`,
    `current: ${JSON.stringify(known[0]!.name)}`,
    "environments:",
    ...known.flatMap((e) => [
      `  ${JSON.stringify(e.name)}:`,
      `    url: ${JSON.stringify(e.url)}`,
      `    apiToken: ${JSON.stringify(`file:${e.name}.token`)}`,
    ]),
  ];
  writePrivate(path, `${lines.join("\n")}\n`);
  const skipped = all.length - known.length;
  return `${known.length} ${known.length === 1 ? "environment" : "environments"}, tokens in ${join(dir, "<id>.token")}${skipped > 0 ? `; ${skipped} left out whose bootstrap token is unknown` : ""}`;
}
