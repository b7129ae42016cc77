// Where a secret may go. Every request the client sends carries one (the Authorization header, a
// token in a lookup's body or a delete's path, the client secret in a token request): it goes to
// the origin the caller configured, over https unless that is loopback, and never follows a redirect.
import { isLoopbackUrl } from "./url.js";

/** A URL, or undefined when it is none. */
function parsed(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

/** Where a call's secrets may go: the configured URL's origin, and whether plain http is allowed. @internal */
export interface SecretOrigin {
  url: string;
  allowInsecureHttp: boolean;
}

/**
 * Why a request carrying a secret may not go to `url`, or undefined when it may: it must be the
 * configured origin (scheme, host and port), over https unless the host is loopback or the caller
 * allowed plain http.
 * @internal
 */
export function secretRefusal(origin: SecretOrigin, url: string): string | undefined {
  const target = parsed(url);
  const home = new URL(origin.url).origin;
  if (target?.origin !== home) return `${target?.origin ?? "it"} is not the configured origin ${home}`;
  if (target.protocol !== "https:" && !origin.allowInsecureHttp && !isLoopbackUrl(target))
    return "http:// would carry it in cleartext";
  return undefined;
}

/** Whether a response is a redirect (`redirect: "manual"` hands it back instead of following it; a browser as an opaque one). @internal */
export function isRedirect(response: Response): boolean {
  const { status } = response;
  return response.type === "opaqueredirect" || (status > 299 && status < 400 && status !== 304);
}

/**
 * Why a redirect from `from` to `location` is not followed, or undefined when it may be: never for
 * a request that carries a secret (in a header, its body or its path); for any request, never to
 * another origin or from https to http, and never without a Location.
 * @internal
 */
export function redirectRefusal(
  from: string,
  location: string | null,
  carriesSecret: boolean,
): string | undefined {
  const target = location === null ? undefined : parsed(location, from);
  if (!target) return "it names no valid Location";
  if (from.startsWith("https:") && target.protocol !== "https:") return "it leads from https to http";
  if (new URL(from).origin !== target.origin) return "it leads to another origin";
  if (carriesSecret) return "the request carries a secret";
  return undefined;
}
