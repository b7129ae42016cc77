/**
 * What the CLI prints about an error, and its exit status. Everything goes through `describeError`,
 * which never shows a stack trace unless --debug is given and redacts any token secret.
 */
import {
  ApiTokensError,
  AuthenticationError,
  ConnectionError,
  InvalidInputError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  redact,
  TimeoutError,
  UnexpectedResponseError,
} from "@dt-tokens/client";
import { ConfigError } from "./config/file.js";
import { CredentialSourceError } from "./config/reference.js";
import { describeNetworkProblem, wentElsewhere } from "./doctor/network.js";
import { oauthRefusal, ssoRefused } from "./doctor/oauth.js";
import { SSO_TOKEN_URL_VAR } from "./env-credentials.js";
import { EXIT, ExitError, UsageError } from "./errors.js";
import { OutputError } from "./output.js";
import { minutesAndSeconds, seconds } from "./retry-display.js";
import { redactSecrets } from "./secrets.js";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The first line for an error the environment answered: Dynatrace's message (the client keeps it,
 * redacted, in `apiMessage`; the constraint violations are printed one per line) and the status;
 * without an ErrorEnvelope (a proxy's page, an empty body), the status alone.
 */
function answeredLine(error: ApiTokensError, status: number, environment: string | undefined): string {
  const http = `HTTP ${status}${REASONS[status] ? ` ${REASONS[status]}` : ""}`;
  if (error.apiMessage) return `${error.apiMessage} (${http})`;
  return `${whoAnswered(error, environment)} answered ${http}, with no message`;
}

/** Whether an error's request went to the SSO token endpoint (with an OAuth client) rather than the environment. */
const toSso = (error: ApiTokensError, environment: string | undefined) =>
  environment !== undefined && wentElsewhere(error, environment);

/** Who answered: "the SSO token endpoint (sso.example.com)" when the request went there, else "the environment". */
export function whoAnswered(error: ApiTokensError, environment: string | undefined): string {
  return toSso(error, environment)
    ? `the SSO token endpoint (${new URL(error.request!.url).host})`
    : "the environment";
}

/** What an unexpected answer was, from the error's fields: "200 with text/html", "a redirect (302) to https://…, not followed". */
export function unexpectedAnswer(error: UnexpectedResponseError): string {
  if (error instanceof RedirectError)
    return `a redirect${error.status ? ` (${error.status})` : ""}${error.location ? ` to ${error.location}` : ""}, not followed`;
  return `${error.status ?? "an answer"} with ${error.headers?.["content-type"] ?? "no content type"}`;
}

/** The hint when something other than an OAuth token endpoint answered at the token URL. */
const TOKEN_URL_HINT = `hint: check ${SSO_TOKEN_URL_VAR} (oauthClient.tokenUrl in the config file): a proxy, a login page or another service answers there; nothing was changed`;

/**
 * A usage error's lines with any token secret redacted: a secret typed where a scope, a field or a
 * time belongs must not be echoed back (stderr ends up in CI logs). Adds a hint when one was.
 */
function redactUsage(message: string, hints: readonly string[]): Described {
  const redacted = redactSecrets(message);
  return {
    exitCode: EXIT.usage,
    message: redacted,
    details: [
      ...hints.map(redactSecrets),
      ...(redacted !== message
        ? ["hint: a token secret was given as an argument; it may now be in your shell history"]
        : []),
      "nothing was sent.",
    ],
  };
}

/**
 * What a 404 means depends on what was asked (the request's path, never the server's words): a
 * token by its id, a secret by lookup, or a list or create, where only the environment (its id in
 * the URL) can be missing.
 */
function notFoundHint(error: NotFoundError, environment: string | undefined): string {
  const path = error.request ? new URL(error.request.url).pathname : "";
  const at = environment ?? "the environment";
  if (/\/apiTokens\/lookup$/.test(path))
    return `no token of ${at} has this secret: it was deleted, or it is a token of another environment`;
  const token = /\/(apiTokens|activeGateTokens)\/[^/]+$/.exec(path);
  if (token) {
    const list = token[1] === "apiTokens" ? "dt-tokens list" : "dt-tokens ag-tokens list";
    return `\`${list}\` shows the ids of existing tokens (a 404 there too means the environment id in the URL is wrong)`;
  }
  return `no environment answers at ${at}: check the environment id in the URL (--env-url, DT_ENV_URL or the config file)`;
}

export interface Described {
  exitCode: number;
  /** The first line (without the "error: " prefix). */
  message: string;
  /** Further lines: constraint violations (indented) and hints. */
  details: string[];
}

/** What to print for an error, and the exit status. */
export function describeError(error: unknown, environment?: string): Described {
  const described = describeByKind(error, environment);
  // A change that was sent and may have been applied: never "nothing was changed", never exit 1.
  if (error instanceof ApiTokensError && error.outcomeUnknown) {
    return {
      exitCode: EXIT.outcomeUnknown,
      message: `the outcome is unknown: ${described.message}`,
      details: [
        ...described.details.filter((d) => !d.includes("nothing was changed") && !d.startsWith("warning:")),
        "warning: the change may have been applied anyway; check with `dt-tokens list` before retrying",
      ],
    };
  }
  return described;
}

function describeByKind(error: unknown, environment?: string): Described {
  if (error instanceof OutputError) return { exitCode: EXIT.output, message: error.message, details: [] };
  if (error instanceof UsageError) return redactUsage(error.message, error.hints);
  if (error instanceof ExitError)
    return { exitCode: error.exitCode, message: error.message, details: error.hints };
  if (error instanceof InvalidInputError) return redactUsage(error.message, []);
  if (error instanceof ConfigError)
    return {
      exitCode: EXIT.usage,
      message: `${error.path} is not a valid dt-tokens config`,
      details: error.problems.map(
        (p) => `  ${error.path}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ""}${p.message}`,
      ),
    };
  if (error instanceof CredentialSourceError)
    return { exitCode: EXIT.usage, message: redactSecrets(error.message), details: [] };
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    // With an OAuth client, the SSO token endpoint is asked first: name it when it was the one.
    const sso = environment !== undefined && wentElsewhere(error, environment);
    const where = sso
      ? `the SSO token endpoint (${new URL(error.request!.url).host})`
      : (environment ?? "the environment");
    return {
      exitCode: EXIT.api,
      message:
        error instanceof TimeoutError
          ? `no answer from ${where}: ${timeoutWords(error)}`
          : // The network error's code (or "bad port"); without one (the OAuth code did not load), the message.
            `could not connect to ${where}: ${error.reason ?? error.message}`,
      details: [
        sso
          ? `hint: ${describeNetworkProblem(error, "the SSO token endpoint", environment).fix}; nothing was changed`
          : "hint: check --env-url (or DT_ENV_URL) and your network; nothing was changed",
        ...(error instanceof TimeoutError
          ? [
              "hint: --timeout (or the environment's timeout in the config file) sets how long each attempt waits",
            ]
          : []),
      ],
    };
  }
  // An answer that is not the API's (a redirect, HTML where JSON belongs): the client's own sentence
  // says what came back and what to check.
  if (error instanceof UnexpectedResponseError)
    return toSso(error, environment)
      ? {
          exitCode: EXIT.api,
          message: `${whoAnswered(error, environment)} answered, but not as an OAuth token endpoint does (${unexpectedAnswer(error)})`,
          details: [TOKEN_URL_HINT],
        }
      : { exitCode: EXIT.api, message: redact(error.message), details: [] };
  // A 404, 403, 405 … without an OAuth error code: no token endpoint there, not a refusal.
  if (error instanceof OAuthError && !ssoRefused(error) && error.status !== undefined)
    return {
      exitCode: EXIT.api,
      message: answeredLine(error, error.status, environment),
      details: [TOKEN_URL_HINT],
    };
  if (error instanceof OAuthError) {
    const { detail, fix } = oauthRefusal(error, environment);
    return { exitCode: EXIT.api, message: detail, details: [`hint: ${fix}`] };
  }
  if (error instanceof ApiTokensError && error.status !== undefined) {
    const status = error.status;
    const details = error.constraintViolations.map(
      (v) => `  ${v.path ? `${v.path}: ` : ""}${v.message ?? "invalid"}`,
    );
    if (error instanceof AuthenticationError)
      details.push(
        "hint: the credential (DT_API_TOKEN, DT_PLATFORM_TOKEN, the OAuth client or --token-stdin) is unknown, disabled or expired, or belongs to another environment",
      );
    if (error instanceof PermissionDeniedError && error.missingScopes.length > 0)
      details.push(`hint: the API token needs the scope ${error.missingScopes.join(" or ")}`);
    if (error instanceof NotFoundError) details.push(`hint: ${notFoundHint(error, environment)}`);
    if (error instanceof RateLimitError)
      details.push(
        `hint: ${whoAnswered(error, environment)} is throttling requests; try again ${error.retryAfterMs === undefined ? "in a moment" : `in ${minutesAndSeconds(error.retryAfterMs)}, as it asked`}`,
      );
    return {
      exitCode: EXIT.api,
      message: answeredLine(error, status, environment),
      details,
    };
  }
  if (error instanceof ApiTokensError)
    return { exitCode: EXIT.api, message: redact(error.message), details: [] };
  return {
    exitCode: EXIT.api,
    message: `unexpected error: ${redact(String((error as Error)?.message ?? error))}`,
    details: ["hint: run again with --debug for details"],
  };
}

/**
 * How long a timeout waited, from the client's fields: "3 attempts of 30 s each, 1 min 31 s in
 * all", or "its deadline of 10 s passed" when the call's deadline ended it.
 */
function timeoutWords(error: TimeoutError): string {
  const { attempts, timeoutMs, elapsedMs, deadlineMs } = error;
  if (deadlineMs !== undefined) return `its deadline of ${seconds(deadlineMs)} passed`;
  if (attempts === undefined || timeoutMs === undefined || elapsedMs === undefined) return "it timed out";
  const tries =
    attempts === 1
      ? `1 attempt of ${seconds(timeoutMs)}`
      : `${attempts} attempts of ${seconds(timeoutMs)} each`;
  return `${tries}, ${minutesAndSeconds(elapsedMs)} in all`;
}
