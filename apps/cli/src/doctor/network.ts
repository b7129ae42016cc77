/**
 * A connection or timeout error in plain words: what failed (DNS, nothing listening, TLS, no
 * answer) and what to do about it, from the client's fields: `reason` (the network error's code) and
 * `request.url` (where it went).
 */
import {
  type ApiTokensError,
  type ConnectionError,
  DEFAULT_TOKEN_URL,
  TimeoutError,
} from "@dt-tokens/client";
import { CLASSIC_API_PREFIX, hostKind, PLATFORM_API_PREFIX } from "@dt-tokens/types";
import { SSO_TOKEN_URL_VAR } from "../env-credentials.js";

export interface NetworkProblem {
  detail: string;
  fix: string;
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH/;

/** Where the failed request went: "sso.dynatrace.com" or "abc.live.dynatrace.com:8443". */
function hostOf(error: ConnectionError | TimeoutError): string {
  const url = error.request?.url;
  if (!url) return "the environment";
  try {
    return new URL(url).host;
  } catch {
    return "the environment";
  }
}

/**
 * Whether a failed request went elsewhere than the environment's API: with an OAuth client, to the
 * SSO token endpoint (the only other URL the client calls), on another host or on the
 * environment's own (the sandbox's `/sso/oauth2/token`, an SSO behind the same proxy), where it
 * is not under an API prefix.
 */
export function wentElsewhere(error: ApiTokensError, environmentUrl: string): boolean {
  if (error.request?.url === undefined) return false;
  try {
    const to = new URL(error.request.url);
    if (to.origin !== new URL(environmentUrl).origin) return true;
    const underApi = (prefix: string) => to.pathname.endsWith(prefix) || to.pathname.includes(`${prefix}/`);
    return !underApi(CLASSIC_API_PREFIX) && !underApi(PLATFORM_API_PREFIX);
  } catch {
    return false;
  }
}

/**
 * The remedy when the SSO token endpoint could not be reached and no token URL was given: the
 * client then asks Dynatrace SaaS's SSO, which an environment elsewhere (Managed, a sandbox on this
 * machine) does not use. Undefined when a token URL was given (the usual remedies apply).
 */
function defaultSsoFix(error: ConnectionError | TimeoutError, environmentUrl?: string): string | undefined {
  if (error.request?.url !== DEFAULT_TOKEN_URL) return undefined;
  const sso = new URL(DEFAULT_TOKEN_URL).host;
  const setIt = `set ${SSO_TOKEN_URL_VAR} (oauthClient.tokenUrl in the config file) to its token endpoint`;
  let environment: URL | undefined;
  try {
    environment = environmentUrl === undefined ? undefined : new URL(environmentUrl);
  } catch {}
  const kind = environment && hostKind(environment.hostname);
  if (kind === "saas" || kind === "platform")
    return `${sso} is the SSO of Dynatrace SaaS: check your network connection, proxy and firewall`;
  const asked = `no token URL was given, so the OAuth client asked ${sso}, the SSO of Dynatrace SaaS`;
  if (environment && kind === "loopback")
    return `${asked}, but ${environment.host} is this machine: ${setIt}, e.g. ${environment.origin}/sso/oauth2/token (the sandbox's tokenUrl)`;
  if (environment) return `${asked}, but ${environment.host} is not a SaaS environment: ${setIt}`;
  return `${asked}: for a Managed environment or the sandbox, ${setIt}; for SaaS, check your network connection`;
}

/**
 * What failed and what to do. `environmentUrl` (when known) tells whether Dynatrace SaaS's SSO was
 * the right place to ask for an OAuth token.
 */
export function describeNetworkProblem(
  error: ConnectionError | TimeoutError,
  what: "the environment" | "the SSO token endpoint",
  environmentUrl?: string,
): NetworkProblem {
  const found = networkProblem(error, what);
  const fix = what === "the SSO token endpoint" ? defaultSsoFix(error, environmentUrl) : undefined;
  return fix === undefined ? found : { ...found, fix };
}

function networkProblem(
  error: ConnectionError | TimeoutError,
  what: "the environment" | "the SSO token endpoint",
): NetworkProblem {
  const host = hostOf(error);
  const where = `${what} (${host})`;
  if (error instanceof TimeoutError)
    return {
      detail: `no answer from ${where} in time`,
      fix: "check that the host is right and reachable from here (a firewall may drop the connection silently)",
    };
  // The client's field: the network error's code, or "bad port" (absent when the OAuth code did not load).
  const code = error.reason ?? "";
  if (code === "bad port")
    return {
      detail: `${host}: Node.js refuses to connect to this port (it is on fetch's list of blocked ports)`,
      fix: "check the port in the URL",
    };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return {
      detail: `the name ${host.replace(/:\d+$/, "")} does not resolve (DNS)`,
      fix:
        what === "the SSO token endpoint"
          ? `check the host name of the token URL (${SSO_TOKEN_URL_VAR} or oauthClient.tokenUrl in the config file) for typos`
          : "check the host name for typos; SaaS environments are <env-id>.live.dynatrace.com or <env-id>.apps.dynatrace.com",
    };
  if (code === "ECONNREFUSED")
    return {
      detail: `nothing accepts connections at ${host} (connection refused)`,
      fix: "check the port and that the server is running",
    };
  if (TLS_CODES.test(code))
    return {
      detail: `the TLS handshake with ${host} failed (${code}): its certificate is not trusted here or is not for this name`,
      fix: "for a Managed environment with its own CA, point NODE_EXTRA_CA_CERTS at the CA's PEM file; otherwise check the host name",
    };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET")
    return {
      detail: `${where} closed the connection (${code})`,
      fix: "check that the URL points at Dynatrace and that no firewall cuts the connection",
    };
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH")
    return {
      detail: `no route to ${host} (${code})`,
      fix: "check your network connection and VPN",
    };
  return {
    detail: `could not connect to ${where}: ${code || error.message}`,
    fix: "check the URL and your network connection",
  };
}
