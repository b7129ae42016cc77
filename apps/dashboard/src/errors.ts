/**
 * Errors from @dt-tokens/client, said in plain words for the person at the screen. The client's
 * own messages are already free of secrets; these add what to do about it.
 */
import {
  AbortError,
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  redact,
  ServerError,
  TimeoutError,
} from "@dt-tokens/client";
import { show } from "./format.js";
import { MissingReadScopeError, OAuthSecretError, READ_SCOPE, WRITE_SCOPE } from "./session.js";

export interface Problem {
  /** One sentence: what happened. */
  title: string;
  /** What to do, and what the server said. */
  detail: string;
}

/** The server's own message from an error, e.g. "Token is disabled." (the client keeps it as `apiMessage`). */
function serverSays(error: ApiTokensError): string {
  return error.apiMessage ? ` The server said: “${show(error.apiMessage)}”` : "";
}

/** This page's origin, for the sandbox flag that allows it. */
const pageOrigin = () => globalThis.location?.origin ?? "<this page's origin>";

const seconds = (ms: number | undefined) =>
  ms === undefined ? "a little while" : `${Math.max(1, Math.ceil(ms / 1000))} seconds`;

/**
 * The client refuses, before sending, a token whose scheme the URL does not take: a platform token
 * (Bearer) for /api/v2, or a classic token (Api-Token) for the platform prefix. Says which to use.
 */
function wrongSchemeFor(error: InvalidInputError): Problem | undefined {
  if (error.problem === "bearer-on-classic") {
    const url = error.url ?? "https://<env-id>.apps.dynatrace.com";
    return {
      title: "A platform token does not work with this URL.",
      detail: `Platform tokens (dt0s16.…) are accepted only by the platform: use ${url}, or the environment URL without /api/v2 (for a dt-tokens sandbox, its root or its platformBase). Classic API tokens (dt0c01.…) are the ones for /api/v2.`,
    };
  }
  if (error.problem !== "api-token-on-platform") return undefined;
  const url = error.url ?? "https://<env-id>.live.dynatrace.com";
  return {
    title: "A classic API token does not work with this URL.",
    detail: `The platform prefix (/platform/classic/environment-api/v2) accepts only platform tokens (dt0s16.…): use ${url} for a classic API token (dt0c01.…).`,
  };
}

/** Turns anything thrown by the client (or the browser) into a plain-words problem. */
export function describeError(error: unknown, what = "The request"): Problem {
  if (error instanceof MissingReadScopeError) {
    const [read, write] = [READ_SCOPE[error.kind], WRITE_SCOPE[error.kind]];
    const which = error.kind === "platform-token" ? "platform token" : "token";
    return {
      title: `The token is missing a permission: it needs the scope ${read}.`,
      detail: `The ${which}${error.tokenName ? ` “${show(error.tokenName)}”` : ""} is valid, but without ${read} it cannot list tokens. Use a ${which} with ${read} (and ${write} to change tokens).`,
    };
  }
  if (error instanceof OAuthSecretError)
    return error.kind === "client-secret"
      ? {
          title: "That is an OAuth client secret, not a token.",
          detail:
            "This page signs in with a classic API token (dt0c01.…) or a platform token (dt0s16.…). OAuth clients are for the CLI and the client library.",
        }
      : {
          title: "That is an OAuth access token, which expires within minutes.",
          detail:
            "This page signs in with a classic API token (dt0c01.…) or a platform token (dt0s16.…), which last; use one of those.",
        };
  if (error instanceof InvalidInputError) {
    const message = error.message;
    const scheme = wrongSchemeFor(error);
    if (scheme) return scheme;
    if (error.param === "environmentUrl")
      return {
        title: "That environment URL is not one Dynatrace uses.",
        detail:
          "Enter the address of your environment, e.g. https://abc12345.live.dynatrace.com, https://host/e/<environment-id> for Managed, or a URL ending in /api/v2.",
      };
    if (error.param === "token" || error.param === "secret")
      return {
        title: "That does not look like an API token.",
        detail:
          "Paste the bare token (a classic API token starts with dt0c01., a platform token with dt0s16.), without quotes or spaces.",
      };
    return { title: "Some input is not valid.", detail: message };
  }
  if (error instanceof AuthenticationError)
    return {
      title: "The environment rejected the token.",
      detail: `It is wrong, disabled or expired, or belongs to another environment. Check that you pasted the whole token.${serverSays(error)}`,
    };
  if (error instanceof PermissionDeniedError) {
    const scopes = error.missingScopes?.length ? error.missingScopes.join(" or ") : "another scope";
    const platform = error.missingScopes?.some((scope) => scope.startsWith("environment-api:"));
    return {
      title: `The token is missing a permission: it needs the scope ${scopes}.`,
      detail: platform
        ? `Use a platform token with ${READ_SCOPE["platform-token"]} to see tokens and ${WRITE_SCOPE["platform-token"]} to change them.${serverSays(error)}`
        : `Use a token with apiTokens.read to see tokens and apiTokens.write to change them. A personal access token can only change tokens of its own owner.${serverSays(error)}`,
    };
  }
  if (error instanceof RateLimitError)
    return {
      title: "The environment is throttling requests (too many at once).",
      detail: `Wait ${seconds(error.retryAfterMs)} and try again.`,
    };
  if (error instanceof NotFoundError)
    return {
      title: "That token no longer exists.",
      detail: `It may have been deleted elsewhere. Reload the list to see the current state.${serverSays(error)}`,
    };
  if (error instanceof BadRequestError)
    return { title: `${what} was refused by the environment.`, detail: serverSays(error).trim() };
  if (error instanceof TimeoutError)
    return {
      title: "The environment did not answer in time.",
      detail: "It may be slow or unreachable from here. Try again in a moment.",
    };
  if (error instanceof ConnectionError)
    return {
      title: "The environment could not be reached.",
      detail: `Check the URL and your network. A browser can only call an environment that allows this page's origin (CORS). A dt-tokens sandbox allows it when started with --cors-origin ${pageOrigin()}; Dynatrace environments do not, so open the dashboard through a same-origin proxy (see the README).`,
    };
  if (error instanceof ServerError)
    return {
      title: "The environment had an internal error.",
      detail: `Try again in a moment.${serverSays(error)}`,
    };
  if (error instanceof AbortError) return { title: `${what} was cancelled.`, detail: "" };
  if (error instanceof ApiTokensError)
    return { title: `${what} failed.`, detail: serverSays(error).trim() || error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { title: `${what} failed unexpectedly.`, detail: redact(message) };
}
