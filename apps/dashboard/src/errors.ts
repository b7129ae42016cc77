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
import { MissingReadScopeError } from "./session.js";

export interface Problem {
  /** One sentence: what happened. */
  title: string;
  /** What to do, and what the server said. */
  detail: string;
}

/** The server's own message from an error, e.g. "Token is disabled." (without method, URL and status). */
function serverSays(error: ApiTokensError): string {
  const said = /failed with \d+: (.*)$/s.exec(error.message)?.[1];
  return said ? ` The server said: “${show(said)}”` : "";
}

/** This page's origin, for the sandbox flag that allows it. */
const pageOrigin = () => globalThis.location?.origin ?? "<this page's origin>";

const seconds = (ms: number | undefined) =>
  ms === undefined ? "a little while" : `${Math.max(1, Math.ceil(ms / 1000))} seconds`;

/** Turns anything thrown by the client (or the browser) into a plain-words problem. */
export function describeError(error: unknown, what = "The request"): Problem {
  if (error instanceof MissingReadScopeError)
    return {
      title: "The token is missing a permission: it needs the scope apiTokens.read.",
      detail: `The token${error.tokenName ? ` “${show(error.tokenName)}”` : ""} is valid, but without apiTokens.read it cannot list tokens. Use a token with apiTokens.read (and apiTokens.write to change tokens).`,
    };
  if (error instanceof InvalidInputError) {
    const message = error.message;
    if (message.startsWith("environmentUrl"))
      return {
        title: "That environment URL is not one Dynatrace uses.",
        detail:
          "Enter the address of your environment, e.g. https://abc12345.live.dynatrace.com, https://host/e/<environment-id> for Managed, or a URL ending in /api/v2.",
      };
    if (/^(token|secret)\b/.test(message))
      return {
        title: "That does not look like an API token.",
        detail:
          "Paste the bare token (it usually starts with dt0c01.), without “Api-Token ”, quotes or spaces.",
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
    return {
      title: `The token is missing a permission: it needs the scope ${scopes}.`,
      detail: `Use a token with apiTokens.read to see tokens and apiTokens.write to change them. A personal access token can only change tokens of its own owner.${serverSays(error)}`,
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
