/** `dt-tokens env add`: an environment's URL and a reference to its credential. */
import { checkUrl, redact } from "@dt-tokens/client";
import type { Command } from "commander";
import { isMap } from "yaml";
import type { Run } from "../../cmdutil.js";
import { copyAliasesInto } from "../../config/aliases.js";
import { setCurrent } from "../../config/edit.js";
import { configPath, updateConfig } from "../../config/file.js";
import { isReference, REFERENCE_HELP } from "../../config/reference.js";
import { ENVIRONMENT_NAME, NAME_HELP } from "../../config/schema.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { cleartextMessage, HTTP_ONLY_LOOPBACK_HINT, urlText } from "../../url-text.js";

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
  // The client's rule (checkUrl), as DT_ENV_URL, doctor and the config file's schema apply it.
  const answer = checkUrl("environmentUrl", options.url);
  if (!answer.ok && answer.problem === "cleartext")
    throw new UsageError(cleartextMessage("--url", options.url), [HTTP_ONLY_LOOPBACK_HINT]);
  if (!answer.ok)
    throw new UsageError(
      `--url: "${urlText(options.url)}" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2`,
    );
  const entry = {
    url: options.url,
    ...(options.description !== undefined && { description: options.description }),
    // The global --timeout (checked when parsed), kept as given: this environment's own.
    ...(ctx.options.timeout !== undefined && { timeout: ctx.options.timeout }),
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

/** Defines `dt-tokens env add`. */
export function registerEnvAdd(env: Command, run: Run): void {
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
    .addHelpText(
      "after",
      "\nWith --timeout DURATION (e.g. 2m), that is kept as the environment's timeout: how long each attempt\nwaits for an answer from it (default 30s); a --timeout given to a later command wins over it.\n",
    )
    .action(run<EnvAddOptions>((ctx, o, [name]) => envAdd(ctx, name!, o)));
}
