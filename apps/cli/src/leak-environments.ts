/**
 * The environments `leak` and `scan --verify` ask: --env a,b, --all-environments, or the one
 * environment of every other command. Each gets a client with its own admin credential, made when
 * first needed; a credential that is one of the leaked secrets is never used (authenticating with a
 * leaked secret would overwrite its last-use evidence).
 */
import type { ApiTokensClient } from "@dt-tokens/client";
import type { ActiveGateTokensClient } from "@dt-tokens/client/activegate";
import type { LeakEnvironment } from "@dt-tokens/client/leak";
import {
  apiToken,
  createActiveGateClient,
  createClient,
  requestTimeout,
  selectEnvironment,
} from "./connection.js";
import type { Context } from "./context.js";
import type { Credential } from "./credentials.js";
import { fleetEnvironments } from "./environments.js";
import { UsageError } from "./errors.js";

/** The secrets a credential would send: its token, or its OAuth client's secret. */
const secretsOf = (credential: Credential): string[] =>
  credential.kind === "oauth-client" ? [credential.clientSecret] : [credential.secret];

export interface LeakEnvironmentOptions {
  allEnvironments?: boolean;
}

/** The environments to ask, with the URL each one is at (for the report). */
export function leakEnvironments(
  ctx: Context,
  options: LeakEnvironmentOptions,
  leaked: ReadonlySet<string>,
): (LeakEnvironment & { url: string })[] {
  const warn = (t: string) => ctx.warn(t);
  const fleet = fleetEnvironments(
    { ...ctx.options, allEnvironments: options.allEnvironments ?? false },
    ctx.io,
    warn,
  );
  const targets = fleet ?? [single(ctx)];
  return targets.map((env) => {
    // Clients per environment, its credential resolved and checked once (an exec: command runs once).
    let checked: Promise<Credential> | undefined;
    const credential = () => {
      checked ??= env.credential().then((credential) => {
        if (secretsOf(credential).some((s) => leaked.has(s)))
          throw new UsageError(
            `its credential (${credential.source}) is one of the leaked secrets: it is never used to authenticate, which would overwrite its last-use evidence; give this environment another admin credential`,
          );
        return credential;
      });
      return checked;
    };
    // the CLI's one rule: --timeout, else the environment's own timeout, else the client's default
    const extra = requestTimeout(ctx.options, env);
    let client: Promise<ApiTokensClient> | undefined;
    let gates: Promise<ActiveGateTokensClient> | undefined;
    const apiTokens = () => {
      client ??= credential().then((c) => createClient(env.url, c, ctx.options, ctx.io, extra));
      return client;
    };
    const activeGateTokens = () => {
      gates ??= credential().then((c) => createActiveGateClient(env.url, c, ctx.options, ctx.io, extra));
      return gates;
    };
    return { name: env.name, url: env.url, apiTokens, activeGateTokens };
  });
}

/** The one environment of a command without --env a,b or --all-environments. */
function single(ctx: Context): {
  name: string;
  url: string;
  timeoutMs?: number;
  credential: () => Promise<Credential>;
} {
  const { url, named } = selectEnvironment(ctx.options, ctx.io, (t) => ctx.warn(t));
  if (named) return named;
  return { name: url, url, credential: () => apiToken(ctx.options, ctx.io, ctx.stdin) };
}
