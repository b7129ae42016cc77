/**
 * `dt-tokens env list | add | remove | use`: the named environments of the config file. Changes
 * are validated against the schema before the file is written (atomically, mode 0600).
 */
import { normalizeEnvironmentUrl, redact } from "@dt-tokens/client";
import { type Document, isMap } from "yaml";
import { copyAliasesInto } from "../config/aliases.js";
import { configPath, type LoadedConfig, loadConfig, updateConfig } from "../config/file.js";
import { isReference, REFERENCE_HELP } from "../config/reference.js";
import { ENVIRONMENT_NAME, NAME_HELP } from "../config/schema.js";
import type { Context } from "../context.js";
import { describeEntryCredential } from "../credentials.js";
import { UsageError } from "../errors.js";
import { terminalWidth } from "../format.js";
import { renderTable } from "../table.js";
import { urlText } from "../url-text.js";

function load(ctx: Context): LoadedConfig {
  return loadConfig(configPath(ctx.io.env));
}

function mustExist(loaded: LoadedConfig, name: string): void {
  if (Object.hasOwn(loaded.config.environments, name)) return;
  const names = Object.keys(loaded.config.environments);
  throw new UsageError(`no environment named "${name}" in ${loaded.path}`, [
    names.length > 0
      ? `hint: the environments are ${names.join(", ")}`
      : "hint: the file lists no environments",
  ]);
}

/** Sets `current`, as the file's first key when it is new. */
function setCurrent(doc: Document, name: string): void {
  if (doc.has("current") || !isMap(doc.contents)) doc.set("current", name);
  else doc.contents.items.unshift(doc.createPair("current", name));
}

export async function envList(ctx: Context, options: { output: "table" | "json" }): Promise<void> {
  const loaded = load(ctx);
  const { environments, current } = loaded.config;
  const rows = Object.entries(environments).map(([name, entry]) => ({
    name,
    current: name === current,
    url: entry.url,
    ...describeEntryCredential(entry),
    ...(entry.description !== undefined && { description: entry.description }),
  }));
  if (options.output === "json") {
    ctx.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.note(
      `No environments${loaded.exists ? ` in ${loaded.path}` : ` (no config file at ${loaded.path})`}. Add one with: dt-tokens env add <name> --url <url> --api-token-ref env:VAR`,
    );
    return;
  }
  ctx.io.stdout.write(
    renderTable(
      [
        { header: "" },
        { header: "NAME" },
        { header: "URL", minWidth: 30 },
        { header: "CREDENTIAL" },
        { header: "FROM", minWidth: 20, importance: 1 },
      ],
      rows.map((r) => [r.current ? "*" : "", r.name, r.url, r.kind, r.source]),
      { maxWidth: terminalWidth(ctx.io.stdout), bold: ctx.out.bold },
    ).text,
  );
  if (ctx.io.stderr.isTTY) ctx.note(ctx.err.dim(loaded.path));
}

export interface EnvAddOptions {
  url: string;
  apiTokenRef?: string;
  platformTokenRef?: string;
  oauthClientId?: string;
  oauthClientSecretRef?: string;
  accountUrn?: string;
  oauthTokenUrl?: string;
  description?: string;
  use?: boolean;
  force?: boolean;
}

/** A reference given on the command line: a literal secret is refused (and never echoed). */
function reference(value: string, flag: string): string {
  if (!isReference(value))
    throw new UsageError(
      `${flag} takes a reference to the secret, never the secret itself: ${REFERENCE_HELP}`,
      [
        "hint: e.g. env:DT_PROD_TOKEN, file:~/.config/dt-tokens/prod.token or exec:op read op://ops/dynatrace/token",
        ...(redact(value) !== value
          ? ["hint: a token secret was given as an argument; it may now be in your shell history"]
          : []),
      ],
    );
  return value;
}

function credentialOf(o: EnvAddOptions): Record<string, unknown> {
  const oauth =
    o.oauthClientId !== undefined ||
    o.oauthClientSecretRef !== undefined ||
    o.accountUrn !== undefined ||
    o.oauthTokenUrl !== undefined;
  const given = [o.apiTokenRef !== undefined, o.platformTokenRef !== undefined, oauth].filter(Boolean).length;
  if (given !== 1)
    throw new UsageError(
      "give exactly one credential: --api-token-ref, --platform-token-ref, or --oauth-client-id with --oauth-client-secret-ref and --account-urn",
    );
  if (o.apiTokenRef !== undefined) return { apiToken: reference(o.apiTokenRef, "--api-token-ref") };
  if (o.platformTokenRef !== undefined)
    return { platformToken: reference(o.platformTokenRef, "--platform-token-ref") };
  if (o.oauthClientId === undefined || o.oauthClientSecretRef === undefined || o.accountUrn === undefined)
    throw new UsageError(
      "an OAuth client needs --oauth-client-id, --oauth-client-secret-ref and --account-urn",
    );
  return {
    oauthClient: {
      clientId: o.oauthClientId,
      clientSecret: reference(o.oauthClientSecretRef, "--oauth-client-secret-ref"),
      accountUrn: o.accountUrn,
      ...(o.oauthTokenUrl !== undefined && { tokenUrl: o.oauthTokenUrl }),
    },
  };
}

export async function envAdd(ctx: Context, name: string, options: EnvAddOptions): Promise<void> {
  if (!ENVIRONMENT_NAME.test(name))
    throw new UsageError(`"${name}" is not a valid environment name: use ${NAME_HELP}`);
  try {
    normalizeEnvironmentUrl(options.url);
  } catch {
    throw new UsageError(
      `--url: "${urlText(options.url)}" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2`,
    );
  }
  const entry = {
    url: options.url,
    ...(options.description !== undefined && { description: options.description }),
    ...credentialOf(options),
  };
  const { path, replacing, becomesCurrent } = await updateConfig(configPath(ctx.io.env), (loaded) => {
    const replacing = Object.hasOwn(loaded.config.environments, name);
    if (replacing && !options.force)
      throw new UsageError(`${loaded.path} already has an environment named "${name}"`, [
        "hint: --force replaces it; `dt-tokens env remove` removes it",
      ]);
    const doc = loaded.document;
    if (!isMap(doc.get("environments"))) doc.set("environments", doc.createNode({}));
    copyAliasesInto(doc, ["environments", name]);
    doc.setIn(["environments", name], doc.createNode(entry));
    const becomesCurrent = options.use || loaded.config.current === undefined;
    if (becomesCurrent) setCurrent(doc, name);
    return { path: loaded.path, replacing, becomesCurrent };
  });
  ctx.note(
    `${replacing ? "Replaced" : "Added"} environment ${name} (${options.url}) in ${path}${becomesCurrent ? "; it is the current environment" : ""}.`,
  );
}

export async function envRemove(ctx: Context, name: string): Promise<void> {
  const { path, wasCurrent } = await updateConfig(configPath(ctx.io.env), (loaded) => {
    mustExist(loaded, name);
    const doc = loaded.document;
    copyAliasesInto(doc, ["environments", name]);
    doc.deleteIn(["environments", name]);
    const wasCurrent = loaded.config.current === name;
    if (wasCurrent) doc.delete("current");
    return { path: loaded.path, wasCurrent };
  });
  ctx.note(
    `Removed environment ${name} from ${path}${wasCurrent ? "; there is no current environment now (dt-tokens env use <name>)" : ""}.`,
  );
}

export async function envUse(ctx: Context, name: string): Promise<void> {
  const url = await updateConfig(configPath(ctx.io.env), (loaded) => {
    mustExist(loaded, name);
    setCurrent(loaded.document, name);
    return loaded.config.environments[name]!.url;
  });
  ctx.note(`The current environment is ${name} (${url}).`);
}
