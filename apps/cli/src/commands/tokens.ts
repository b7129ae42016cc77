/** get, create, update, delete and lookup. */

import { createInterface } from "node:readline/promises";
import { isTokenSecret } from "@dt-tokens/client";
import { escapeControl, formatDate, formatRelative } from "@dt-tokens/client/display";
import type { Context } from "../context.js";
import { hasEnvCredential } from "../env-credentials.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import type { OutputFormat } from "../format.js";
import { guarded } from "../interrupt.js";
import { shellQuote, write } from "../outcome.js";
import { deliverSecret, secretText, undoUndelivered } from "../secret-output.js";
import { assignableScopes, idArg, knownScopes, nameArg, splitList } from "../validate.js";

export async function get(ctx: Context, rawId: string, output: OutputFormat): Promise<void> {
  const id = idArg(rawId);
  const { client } = await ctx.connect();
  ctx.printToken(await client.get(id), output);
}

const describeExpiry = (date: string | undefined) =>
  date ? `expires ${formatDate(date)}, ${formatRelative(date, Date.now())}` : "never expires";

/** The once-only warning on stderr, after the secret was delivered. */
function warnOnce(ctx: Context, summary: string): void {
  ctx.note(summary);
  ctx.warn(
    "the secret above is shown only once and cannot be retrieved again: store it now (e.g. in a secret manager)",
  );
}

export interface CreateOptions {
  name: string;
  scope?: string[];
  /** A timeframe, or "never" (the default for create anyway). */
  expires?: string;
  personal?: boolean;
  /** `json`: {id, name, expirationDate, token} on stdout instead of the secret alone. */
  output?: "json";
}

export async function create(ctx: Context, options: CreateOptions): Promise<number> {
  const name = nameArg(options.name, "--name");
  const scopes = assignableScopes(splitList(options.scope), "--scope");
  if (scopes.length === 0)
    throw new UsageError("--scope: a token needs at least one scope, e.g. --scope metrics.read", [
      "hint: `dt-tokens scopes` lists every scope",
    ]);
  const { client } = await ctx.connect();
  const check = `dt-tokens list --name ${shellQuote(name)}`;
  // From the request until the secret is delivered, Ctrl-C is deferred: the token is deleted again
  // if its secret could not be shown.
  return guarded(
    () => `a token named "${escapeControl(name)}" may have been created; check with: ${check}`,
    async () => {
      const created = await write(
        () =>
          client.create({
            name,
            scopes,
            ...(options.personal && { personalAccessToken: true }),
            ...(options.expires !== undefined &&
              options.expires !== "never" && { expirationDate: options.expires }),
          }),
        `token "${name}" may or may not have been created`,
        check,
      );
      const result = {
        id: created.id,
        name,
        expirationDate: created.expirationDate ?? null,
        token: created.token ?? "",
      };
      const undelivered = await deliverSecret(ctx, secretText(result, options.output ?? "secret"));
      if (undelivered) return undoUndelivered(client, created.id, undelivered);
      warnOnce(ctx, `Created token ${created.id} "${name}" (${describeExpiry(created.expirationDate)}).`);
      return EXIT.ok;
    },
  );
}

export interface UpdateOptions {
  name?: string;
  enable?: boolean;
  disable?: boolean;
  scopes?: string[];
  addScope?: string[];
  removeScope?: string[];
  output: OutputFormat;
}

export async function update(ctx: Context, rawId: string, options: UpdateOptions): Promise<void> {
  const id = idArg(rawId);
  const replace = options.scopes ? assignableScopes(splitList(options.scopes), "--scopes") : undefined;
  const add = assignableScopes(splitList(options.addScope), "--add-scope");
  const remove = knownScopes(splitList(options.removeScope), "--remove-scope");
  if (replace && (add.length > 0 || remove.length > 0))
    throw new UsageError("--scopes replaces the whole list: use it without --add-scope and --remove-scope");
  if (replace?.length === 0) throw new UsageError("--scopes: a token needs at least one scope");
  const name = options.name === undefined ? undefined : nameArg(options.name, "--name");
  const enabled = options.enable ? true : options.disable ? false : undefined;
  if (name === undefined && enabled === undefined && !replace && add.length === 0 && remove.length === 0) {
    throw new UsageError(
      "nothing to update: give --name, --enable, --disable, --scopes, --add-scope or --remove-scope",
    );
  }
  const { client } = await ctx.connect();
  let scopes = replace;
  if (add.length > 0 || remove.length > 0) {
    // The API replaces the whole list: read it, change it, write it back.
    const current = (await client.get(id)).scopes ?? [];
    for (const s of remove.filter((s) => !current.includes(s)))
      ctx.warn(`the token has no scope ${s}; nothing to remove`);
    const next = [...new Set([...current.filter((s) => !remove.includes(s)), ...add])];
    if (next.length === 0)
      throw new UsageError("--remove-scope would leave the token without scopes; a token needs at least one");
    const changed = next.length !== current.length || next.some((s) => !current.includes(s));
    if (changed) scopes = next as typeof scopes;
  }
  const body = {
    ...(name !== undefined && { name }),
    ...(enabled !== undefined && { enabled }),
    ...(scopes && { scopes }),
  };
  if (Object.keys(body).length === 0) ctx.note(`Token ${id} already has these scopes; nothing changed.`);
  else {
    await write(
      () => client.update(id, body),
      `token ${id} may or may not have been updated`,
      `dt-tokens get ${id}`,
    );
    const what = [
      name !== undefined && `renamed to "${name}"`,
      enabled === true && "enabled",
      enabled === false && "disabled",
      scopes && `scopes set to ${scopes.join(", ")}`,
    ].filter(Boolean);
    ctx.note(`Updated token ${id}: ${what.join("; ")}.`);
  }
  ctx.printToken(await client.get(id), options.output);
}

export async function remove(ctx: Context, rawId: string, options: { yes?: boolean }): Promise<void> {
  const id = idArg(rawId);
  if (!options.yes) {
    if (!ctx.io.stdin.isTTY) {
      throw new UsageError("refusing to delete without confirmation: stdin is not a terminal; pass --yes");
    }
    const { client } = await ctx.connect();
    const token = await client.get(id);
    const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr as NodeJS.WritableStream });
    const answer = await rl
      .question(`Delete token ${id} "${token.name}" (owner ${token.owner})? This cannot be undone. [y/N] `)
      .catch(() => "") // Ctrl-C or end of input: the same as no
      .finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new ExitError("cancelled; nothing was deleted", EXIT.cancelled);
  }
  const { client } = ctx.connection ?? (await ctx.connect());
  await write(() => client.delete(id), `token ${id} may or may not have been deleted`, `dt-tokens get ${id}`);
  ctx.note(`Deleted token ${id}.`);
}

export async function lookup(ctx: Context, output: OutputFormat): Promise<void> {
  // With --token-stdin the first line is the API token and the second the secret to look up.
  const hasEnvToken = !ctx.options.tokenStdin && hasEnvCredential(ctx.io.env);
  let connection = hasEnvToken || ctx.options.tokenStdin ? await ctx.connect() : undefined;
  const secret = await ctx.stdin.line("Token secret to look up (input hidden): ");
  if (!secret) {
    throw new UsageError(
      "lookup: stdin held no secret; pipe the secret in, e.g. dt-tokens lookup < secret.txt",
      [
        ctx.options.tokenStdin
          ? "hint: with --token-stdin, the API token is the first line and the secret the second"
          : "",
      ].filter(Boolean),
    );
  }
  if (/^dt0c01\./.test(secret) && !isTokenSecret(secret))
    throw new UsageError(
      "lookup: stdin does not hold a token secret: expected dt0c01.<24 characters>.<64 characters> of A-Z and 2-7",
    );
  if (!/^[!-~]+$/.test(secret))
    throw new UsageError("lookup: the secret contains spaces or control characters");
  // Without an API token the secret authenticates itself: "is this token valid, and what is it?"
  connection ??= await ctx.connect({ value: secret, source: "stdin" });
  ctx.printToken(await connection.client.lookup(secret), output);
}
