/**
 * A connection or timeout error in plain words: what failed (DNS, nothing listening, TLS, no
 * answer) and what to do about it. The client's messages end in the network error's code.
 */
import { type ConnectionError, TimeoutError } from "@dt-tokens/client";

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

export function describeNetworkProblem(
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
  const reason = /failed: (.+?)(?: \(|$)/.exec(error.message)?.[1] ?? "";
  const code = reason.split(" ")[0] ?? "";
  if (reason === "bad port")
    return {
      detail: `${host}: Node.js refuses to connect to this port (it is on fetch's list of blocked ports)`,
      fix: "check the port in the URL",
    };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return {
      detail: `the name ${host.replace(/:\d+$/, "")} does not resolve (DNS)`,
      fix: "check the host name for typos; SaaS environments are <env-id>.live.dynatrace.com or <env-id>.apps.dynatrace.com",
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
    detail: `could not connect to ${where}${reason ? `: ${reason}` : ""}`,
    fix: "check the URL and your network connection",
  };
}
