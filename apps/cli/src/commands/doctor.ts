/**
 * `dt-tokens doctor`: checks, in order, what every command needs — the environment URL, a
 * credential, a scheme that fits the URL, the environment answering, the credential accepted, its
 * read and write scopes — and says in plain words what to fix. It changes nothing (see
 * doctor/scope-probes.ts). One exit status per outcome; never a secret in its output.
 */
import {
  type ApiTokensClient,
  ApiTokensError,
  AuthenticationError,
  ConnectionError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  TimeoutError,
  UnexpectedResponseError,
} from "@dt-tokens/client";
import { formatDate, formatRelative, isExpired, isExpiring } from "@dt-tokens/client/display";
import { API_TOKENS_SCOPES, isLoopbackHost } from "@dt-tokens/types";
import { type Command, Option } from "commander";
import { examples, type Run } from "../cmdutil.js";
import { apiToken, createClient, requestTimeout, selectEnvironment, URL_VARS } from "../connection.js";
import type { Context } from "../context.js";
import { checkCredential } from "../credential-check.js";
import type { Credential } from "../credentials.js";
import { describeError, unexpectedAnswer } from "../describe-error.js";
import { describeNetworkProblem, wentElsewhere } from "../doctor/network.js";
import { oauthRefusal, ssoRefused } from "../doctor/oauth.js";
import { type DoctorCheck, DoctorOutput } from "../doctor/report.js";
import {
  classicScopes,
  PROBE_TOKEN_ID,
  platformScopes,
  type ScopeFindings,
  type ScopeState,
} from "../doctor/scope-probes.js";
import {
  API_TOKEN_VARS,
  hasEnvCredential,
  OAUTH_VARS,
  PLATFORM_TOKEN_VAR,
  SSO_TOKEN_URL_VAR,
} from "../env-credentials.js";
import {
  apiBaseFor,
  checkEnvironmentUrl,
  describeKind,
  otherHost,
  PLATFORM_PREFIX,
  type UrlKind,
} from "../environment-url.js";
import { EXIT } from "../errors.js";
import { redactSecrets } from "../secrets.js";

export interface DoctorOptions {
  output?: "table" | "json";
  /** A missing write scope is a warning, not a failure (for tokens meant for list, get and audit). */
  readOnly?: boolean;
}

const PLATFORM_SCOPES = API_TOKENS_SCOPES.platform;
const CLASSIC_SCOPES = API_TOKENS_SCOPES.classic;

/** A usage-type error (config file, variables, references) as a failed check's detail and fix. */
function problem(error: unknown): { detail: string; fix?: string } {
  const { message, details } = describeError(error);
  const hints = details.filter((d) => d.startsWith("hint: ")).map((d) => d.slice("hint: ".length));
  const lines = details.filter((d) => d.startsWith("  ")).map((d) => d.trim());
  return {
    detail: redactSecrets([message, ...lines].join("; ")),
    ...(hints.length > 0 && { fix: redactSecrets(hints.join("; ")) }),
  };
}

export async function doctor(ctx: Context, options: DoctorOptions): Promise<number> {
  // Each check is printed as it finishes (a table); JSON comes whole at the end.
  const checks = new DoctorOutput(ctx, options.output === "json");
  const finish = (exit: number) => checks.finish(exit);
  const { options: globals, io } = ctx;

  // 1. The environment URL: --env-url or the variables, else --env / the config file's current one.
  let url: string | undefined;
  let hostname = "";
  let environmentName: string | undefined;
  let namedCredential: (() => Promise<Credential>) | undefined;
  let namedTimeoutMs: number | undefined;
  let urlFailed = false;
  let urlKind: UrlKind | undefined;
  let fromConfig = false;
  try {
    const fromVar = URL_VARS.find((v) => io.env[v]?.trim());
    const direct = globals.env === undefined && (globals.envUrl?.trim() || fromVar);
    const raw = direct ? (globals.envUrl?.trim() ? globals.envUrl : io.env[fromVar!]!) : undefined;
    const source = globals.envUrl?.trim() ? "--env-url" : (fromVar ?? "");
    let input: { raw: string; source: string };
    if (raw !== undefined) input = { raw, source };
    else {
      fromConfig = true;
      const selected = selectEnvironment(globals, io, (text) => ctx.warn(text));
      environmentName = selected.named?.name;
      namedCredential = selected.named?.credential;
      namedTimeoutMs = selected.named?.timeoutMs;
      input = { raw: selected.url, source: `environment ${environmentName}'s url` };
    }
    const checked = checkEnvironmentUrl(input.raw, input.source);
    if (!checked.ok) {
      checks.push({ check: "url", status: "fail", detail: checked.detail, fix: checked.fix });
      urlFailed = true;
    } else {
      url = checked.url;
      hostname = checked.hostname;
      urlKind = checked.kind;
      const named = environmentName ? `environment ${environmentName}: ` : "";
      checks.push(
        checked.warning
          ? { check: "url", status: "warn", detail: checked.warning.detail, fix: checked.warning.fix }
          : { check: "url", status: "ok", detail: `${named}${checked.url} → ${describeKind(checked.kind)}` },
      );
    }
  } catch (error) {
    checks.push({ check: "url", status: "fail", ...problem(error) });
    urlFailed = true;
  }

  // 2. A credential, and of which kind (checked even when the URL failed: both are local).
  let credential: Credential | undefined;
  if (!(urlFailed && fromConfig)) {
    try {
      credential =
        namedCredential && !globals.tokenStdin
          ? await namedCredential()
          : await apiToken(globals, io, ctx.stdin);
      const checked = checkCredential(
        credential,
        namedCredential && !globals.tokenStdin ? environmentName : undefined,
      );
      let found: DoctorCheck = checked.ok
        ? { check: "credential", status: "ok", detail: checked.detail }
        : { check: "credential", status: "fail", detail: checked.detail, fix: checked.fix };
      if (!checked.ok) credential = undefined;
      else if (credential.kind === "oauth-client" && credential.tokenUrl !== undefined) {
        const insecure = insecureTokenUrl(credential.tokenUrl);
        if (insecure) {
          found = { check: "credential", status: "fail", ...insecure };
          credential = undefined;
        }
      }
      checks.push(found);
    } catch (error) {
      const none = !namedCredential && !globals.tokenStdin && !hasEnvCredential(io.env);
      checks.push({
        check: "credential",
        status: "fail",
        ...(none ? noCredential(urlKind) : problem(error)),
      });
    }
  }
  if (url === undefined || credential === undefined) return finish(EXIT.usage);

  // 3. The scheme fits the URL: Api-Token only on /api/v2, Bearer only on the platform prefix.
  const platformCredential = credential.kind !== "api-token";
  const apiBase = apiBaseFor(url, platformCredential);
  const platformBase = apiBase.endsWith(PLATFORM_PREFIX);
  if (platformCredential && !platformBase) {
    const apps = otherHost(hostname, "apps") ?? "https://<env-id>.apps.dynatrace.com";
    checks.push({
      check: "scheme",
      status: "fail",
      detail: `a ${credential.kind === "oauth-client" ? "OAuth client" : "platform token"} is sent as "Bearer", which ${apiBase} (the classic /api/v2) refuses`,
      fix: `use the platform URL ${apps}, or a classic API token (DT_API_TOKEN, dt0c01.…) for this URL`,
    });
    return finish(EXIT.usage);
  }
  if (!platformCredential && platformBase) {
    const live = otherHost(hostname, "live") ?? "https://<env-id>.live.dynatrace.com";
    checks.push({
      check: "scheme",
      status: "fail",
      detail: `a classic API token is sent as "Api-Token", which ${apiBase} (the platform) refuses`,
      fix: `use ${live} (or your Managed https://<host>/e/<env-id>) for a classic token, or a platform token (DT_PLATFORM_TOKEN) or an OAuth client (DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN) for the platform`,
    });
    return finish(EXIT.usage);
  }
  let client: ApiTokensClient;
  try {
    // Doctor answers fast: 10 s per attempt unless --timeout or the environment's timeout says otherwise.
    client = createClient(url, credential, globals, io, {
      maxRetries: 1,
      ...requestTimeout(globals, { timeoutMs: namedTimeoutMs }, 10_000),
    });
  } catch (error) {
    checks.push({ check: "scheme", status: "fail", ...problem(error) });
    return finish(EXIT.usage);
  }
  checks.push({
    check: "scheme",
    status: "ok",
    detail: `"${platformCredential ? "Bearer" : "Api-Token"}" to ${client.baseUrl} (${platformBase ? "the platform" : "the classic /api/v2"})`,
  });

  // 4-7. Reachable, accepted, scopes: one lookup (classic) or a list and the write probe (platform).
  let findings: ScopeFindings;
  try {
    findings =
      credential.kind === "api-token"
        ? await classicScopes(client, credential.secret)
        : await platformScopes(client);
  } catch (error) {
    const failed = networkFailure(error, credential, client.baseUrl);
    if (!failed) throw error;
    checks.push(...failed.checks);
    return finish(failed.exit);
  }
  checks.push({
    check: "reachable",
    status: "ok",
    detail: `${new URL(client.baseUrl).host} answered${credential.kind === "oauth-client" ? ", and so did the SSO token endpoint" : ""}`,
  });
  checks.push(accepted(credential, findings));
  const names = platformCredential ? PLATFORM_SCOPES : CLASSIC_SCOPES;
  const read = scopeCheck("read", findings.read, names.read, credential, false);
  const write = scopeCheck("write", findings.write, names.write, credential, options.readOnly === true);
  checks.push(read, write);
  return finish(read.status === "fail" || write.status === "fail" ? EXIT.missingScope : EXIT.ok);
}

/** No credential at all: what to set, for the kind of URL given. */
function noCredential(kind: UrlKind | undefined): { detail: string; fix: string } {
  const detail = `no credential is set (${[...API_TOKEN_VARS, PLATFORM_TOKEN_VAR, OAUTH_VARS.join(" + ")].join(", ")}, or --token-stdin)`;
  if (kind === "platform" || kind === "platform-base")
    return {
      detail,
      fix: `for the platform, a platform token: read -rs ${PLATFORM_TOKEN_VAR} && export ${PLATFORM_TOKEN_VAR} (create it in Account Management → Identity & access management → Platform tokens, with ${PLATFORM_SCOPES.read} and ${PLATFORM_SCOPES.write}); or an OAuth client in ${OAUTH_VARS.join(" + ")}`,
    };
  if (kind === "saas" || kind === "managed" || kind === "api-base")
    return {
      detail,
      fix: `a classic API token: read -rs DT_API_TOKEN && export DT_API_TOKEN (create it in Dynatrace: Access tokens → Generate new token, with ${CLASSIC_SCOPES.read} and ${CLASSIC_SCOPES.write}); never as an argument`,
    };
  return {
    detail,
    fix: `DT_API_TOKEN for a classic API token (dt0c01.…, /api/v2), or ${PLATFORM_TOKEN_VAR} or an OAuth client (${OAUTH_VARS.join(" + ")}) for the platform; e.g. read -rs DT_API_TOKEN && export DT_API_TOKEN, never as an argument`,
  };
}

/** DT_SSO_TOKEN_URL: https, or http only to this machine (the client secret goes there). */
function insecureTokenUrl(tokenUrl: string): { detail: string; fix: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(tokenUrl);
  } catch {
    return {
      detail: `${SSO_TOKEN_URL_VAR} is not a URL`,
      fix: `unset ${SSO_TOKEN_URL_VAR} to use Dynatrace SSO`,
    };
  }
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname)))
    return undefined;
  return {
    detail: `${SSO_TOKEN_URL_VAR} uses ${parsed.protocol}// to ${parsed.hostname}: the client secret would travel in cleartext`,
    fix: `use https:// (http only for this machine), or unset ${SSO_TOKEN_URL_VAR} to use Dynatrace SSO`,
  };
}

function accepted(credential: Credential, findings: ScopeFindings): DoctorCheck {
  if (credential.kind === "oauth-client")
    return {
      check: "accepted",
      status: "ok",
      detail: "SSO issued an access token, and the environment accepted it",
    };
  const expires = findings.self?.expirationDate;
  const now = Date.now();
  // "Expiring" is the rule audit and the dashboard use (within EXPIRING_WITHIN_DAYS).
  if (expires && (isExpiring(expires, now) || isExpired(expires, now)))
    return {
      check: "accepted",
      status: "warn",
      detail: `accepted, but it expires ${formatDate(expires)} (${formatRelative(expires, now)})`,
      fix: "replace it before then: dt-tokens rotate <its id> --to …, or create a new one",
    };
  const id = findings.self?.id ? ` as ${findings.self.id}` : "";
  return {
    check: "accepted",
    status: "ok",
    detail: `the environment accepted it${id}${expires ? `; it expires ${formatDate(expires)}` : ""}`,
  };
}

/** What a scope is needed for, and where to grant it. */
function scopeCheck(
  which: "read" | "write",
  found: ScopeState,
  scope: string,
  credential: Credential,
  optional: boolean,
): DoctorCheck {
  const needs = which === "read" ? "list, get and audit" : "create, update, delete and rotate";
  if (found.state === "present") return { check: which, status: "ok", detail: `${scope} (${needs})` };
  if (found.state === "unknown")
    return {
      check: which,
      status: "warn",
      detail: `could not tell: ${found.reason}`,
      fix: `make sure it has ${scope}`,
    };
  const fix =
    credential.kind === "api-token"
      ? `add ${scope} to the token: in Dynatrace, Access tokens → the token → edit its scopes (or create a new token with apiTokens.read and apiTokens.write)`
      : credential.kind === "platform-token"
        ? `grant ${scope} to the platform token in Account Management (Identity & access management → Platform tokens: create one with environment-api:api-tokens:read and environment-api:api-tokens:write); its user also needs a policy that allows them`
        : `grant ${scope} to the OAuth client in Account Management (Identity & access management → OAuth clients); its service user also needs a policy that allows it`;
  return {
    check: which,
    status: optional ? "warn" : "fail",
    detail: `missing ${scope}: ${needs} will fail${optional ? " (--read-only: not needed)" : ""}`,
    fix,
  };
}

/** The checks and exit status of an error of the network phase, or undefined for an unexpected one. */
function networkFailure(
  error: unknown,
  credential: Credential,
  apiBase: string,
): { exit: number; checks: DoctorCheck[] } | undefined {
  const host = new URL(apiBase).host;
  const reachable: DoctorCheck = { check: "reachable", status: "ok", detail: `${host} answered` };
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    const sso =
      credential.kind === "oauth-client" &&
      error.request?.url !== undefined &&
      !error.request.url.startsWith(apiBase);
    const found = describeNetworkProblem(error, sso ? "the SSO token endpoint" : "the environment", apiBase);
    return { exit: EXIT.unreachable, checks: [{ check: "reachable", status: "fail", ...found }] };
  }
  // The SSO token endpoint answered, but not with a token nor a refusal (a login page, a redirect,
  // a 404, a throttle, a 5xx): the environment was not asked; the check names who answered.
  if (
    credential.kind === "oauth-client" &&
    error instanceof ApiTokensError &&
    wentElsewhere(error, apiBase) &&
    !(error instanceof OAuthError && ssoRefused(error))
  ) {
    const { message } = describeError(error, apiBase);
    const noApiThere = error instanceof UnexpectedResponseError || error instanceof OAuthError;
    return {
      exit: noApiThere ? EXIT.unreachable : EXIT.api,
      checks: [
        {
          check: "reachable",
          status: "fail",
          detail: message,
          fix: firstHint(error, apiBase) ?? "SSO has a problem: try again later",
        },
      ],
    };
  }
  if (error instanceof UnexpectedResponseError)
    return {
      exit: EXIT.unreachable,
      checks: [
        {
          check: "reachable",
          status: "fail",
          detail: `${host} answered, but not as the API-tokens API does (${unexpectedAnswer(error)})`,
          fix: "check the URL; a proxy, a login page or another service answers there",
        },
      ],
    };
  if (error instanceof NotFoundError)
    return {
      exit: EXIT.unreachable,
      checks: [
        {
          check: "reachable",
          status: "fail",
          detail: `${host} answered 404: there is no API-tokens API at ${apiBase}`,
          fix: "check the URL's path (for Managed, the environment id in /e/<env-id>)",
        },
      ],
    };
  if (error instanceof OAuthError)
    return {
      exit: oauthExit(error),
      // The environment answered when it refused SSO's access token: it was reached.
      checks: [
        ...(wentElsewhere(error, apiBase) ? [] : [reachable]),
        { check: "accepted", status: "fail", ...oauthRefusal(error, apiBase) },
      ],
    };
  if (error instanceof AuthenticationError)
    return {
      exit: EXIT.refused,
      checks: [reachable, { check: "accepted", status: "fail", ...refusedFix(error, credential) }],
    };
  if (error instanceof PermissionDeniedError)
    return {
      exit: EXIT.missingScope,
      checks: [
        reachable,
        { check: "accepted", status: "ok", detail: "the environment accepted it" },
        {
          check: "read",
          status: "fail",
          detail: `the environment answered 403: ${error.apiMessage ?? error.message}`,
          fix: `grant ${error.missingScopes.join(" or ") || "the scopes this API needs"}`,
        },
      ],
    };
  if (error instanceof ApiTokensError && error.status !== undefined)
    return {
      exit: EXIT.api,
      checks: [
        reachable,
        {
          check: "accepted",
          status: "fail",
          detail: `the environment answered HTTP ${error.status}${error.apiMessage ? `: ${error.apiMessage}` : ""}`,
          fix:
            error.status === 429
              ? // The wait it asked for, worded once (describeError's hint).
                (firstHint(error, apiBase) ?? "the environment is throttling requests; try again in a moment")
              : "the environment has a problem: try again later; if it persists, contact your Dynatrace administrator",
        },
      ],
    };
  return undefined;
}

function refusedFix(error: AuthenticationError, credential: Credential): { detail: string; fix: string } {
  const said = error.apiMessage ? `: ${error.apiMessage}` : "";
  const detail = `the environment refused it (HTTP 401${said})`;
  if (credential.kind === "api-token")
    return {
      detail,
      fix: "the token is unknown here, disabled or expired, or belongs to another environment: check the URL, or create a token in Dynatrace (Access tokens → Generate new token) with apiTokens.read and apiTokens.write",
    };
  if (credential.kind === "platform-token")
    return {
      detail,
      fix: "the platform token is unknown, disabled or expired, or belongs to another account: create one in Account Management (Identity & access management → Platform tokens) with environment-api:api-tokens:read and environment-api:api-tokens:write",
    };
  return {
    detail,
    fix: "the environment refused the access token SSO issued: check that DT_ACCOUNT_URN is the account this environment belongs to",
  };
}

/** describeError's first hint for an error, without its "hint: " prefix: a check's fix, worded once. */
function firstHint(error: unknown, apiBase: string): string | undefined {
  return describeError(error, apiBase)
    .details.find((d) => d.startsWith("hint: "))
    ?.slice("hint: ".length);
}

function oauthExit(error: OAuthError): number {
  return error.oauthError === "invalid_scope" ? EXIT.missingScope : EXIT.refused;
}

/** Defines `dt-tokens doctor`. */
export function registerDoctor(program: Command, run: Run): void {
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
    .action(
      run<DoctorOptions>((ctx, o) => doctor(ctx, { output: o.output ?? "table", readOnly: o.readOnly })),
    );
}
