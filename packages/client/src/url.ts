// Every URL the client accepts (the environment URL, the OAuth token endpoint) passes one check,
// checkUrl: what fetch will read is what the client names in its messages, and a secret goes there
// over https (http only to this machine, unless the caller opted in).
import { hostKind, isLoopbackHost, PLATFORM_API_PREFIX } from "@dt-tokens/types";
import { invalidInput } from "./invalid-input.js";

/** The options that take a URL. */
export type UrlParam = "environmentUrl" | "oauth.tokenUrl";

/**
 * What checkUrl answers: the URL as requests will use it (for `environmentUrl` its API base), or
 * what is wrong with it (`reason`) and what to do (`suggestion`), never echoing user info.
 */
export type UrlCheck =
  | { ok: true; param: UrlParam; url: string }
  | { ok: false; param: UrlParam; problem: UrlProblem; reason: string; suggestion: string };

/**
 * What is wrong with a refused URL, to switch on (the reason and suggestion are words for a
 * library's caller: an app words its own from this).
 */
export type UrlProblem =
  | "scheme"
  | "whitespace"
  | "backslash"
  | "user-info"
  | "query"
  | "host"
  | "path"
  | "cleartext";

/** How checkUrl reads a URL. */
export interface UrlCheckOptions {
  /** Accept `http://` to a host that is not loopback (default false). */
  allowInsecureHttp?: boolean | undefined;
  /** For `environmentUrl`: the credential is a platform one, so another host's root maps to the platform prefix. */
  platformCredential?: boolean | undefined;
}

/** The API-tokens API under Dynatrace's platform (Bearer only). */
export const PLATFORM_PREFIX = PLATFORM_API_PREFIX;

const ACCEPTED: Record<UrlParam, string> = {
  environmentUrl:
    "https://<env-id>.live.dynatrace.com, https://<env-id>.apps.dynatrace.com, https://<host>/e/<env-id> or an …/api/v2 URL",
  "oauth.tokenUrl": "an https:// URL such as https://sso.dynatrace.com/sso/oauth2/token",
};
const SECRET: Record<UrlParam, string> = {
  environmentUrl: "the token",
  "oauth.tokenUrl": "the client secret",
};

// The path of an environment URL (after the origin): nothing (a SaaS root), `/e/<env-id>` (Managed
// or ActiveGate), or any path ending in `/api/v2` or `/platform/classic/environment-api/v2` (a full
// API base); then optional trailing slashes.
const ENVIRONMENT_PATH =
  /^(?:(?<environmentPath>\/e\/[^/]+)|(?<apiBase>.*?(?:\/api|\/platform\/classic\/environment-api)\/v2))?\/*$/i;
/**
 * Whether a URL's host is this machine (127.0.0.0/8, `[::1]`, `localhost`; not `*.localhost`), as
 * fetch reads it: @dt-tokens/types' isLoopbackHost, the one rule. @internal
 */
export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}

/**
 * Checks a URL the client is given, without throwing. Refused, for every URL: anything but
 * `http(s)://`, a slash where the host belongs (`https:///host`), whitespace, a backslash (URL parsers read it as `/`, so
 * `https://evil.example\.live.dynatrace.com` goes to evil.example), user info (`user:password@`),
 * a query or fragment, a host no URL can have, and `http://` to a host that is not loopback unless
 * `allowInsecureHttp`. An environment URL must also have one of the accepted paths; its answer is
 * its API base (see normalizeEnvironmentUrl). The host is kept as fetch reads it (`http://127.1` is
 * `http://127.0.0.1`).
 */
export function checkUrl(param: UrlParam, input: unknown, options: UrlCheckOptions = {}): UrlCheck {
  const text = String(input ?? "").trim();
  const accepted = ACCEPTED[param];
  const refuse = (problem: UrlProblem, reason: string, suggestion = `use ${accepted}`): UrlCheck => ({
    ok: false,
    param,
    problem,
    reason,
    suggestion,
  });
  const shown = JSON.stringify(text.replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, "$1<user info>@"));
  if (!/^https?:\/\/./i.test(text)) return refuse("scheme", `${shown} is not an http(s) URL`);
  // `https:///host` and `https:////host`: URL parsers skip the extra slashes, and no host follows `//`.
  if (/^[^/]+\/\/\//.test(text))
    return refuse("host", `${shown} has a slash where its host belongs (after //)`);
  if (/[\s\\]/.test(text)) {
    return refuse(
      /\\/.test(text) ? "backslash" : "whitespace",
      `${shown} holds ${/\\/.test(text) ? "a backslash (fetch reads it as /: the request would go to another host)" : "whitespace"}`,
    );
  }
  if (/^[^/]+\/\/[^/?#]*@/.test(text)) {
    return refuse(
      "user-info",
      `${shown} holds user info (user:password@)`,
      `remove it: credentials are given as ${param === "environmentUrl" ? "token or oauth" : "oauth.clientId and oauth.clientSecret"}, never in the URL`,
    );
  }
  if (/[?#]/.test(text)) return refuse("query", `${shown} has a query or fragment`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("host", `${shown} has a host no URL can have`);
  }
  const { origin } = url;
  let checked = url.href;
  if (param === "environmentUrl") {
    const groups = ENVIRONMENT_PATH.exec(text.slice(/^[^/]+\/\/[^/]+/.exec(text)![0].length))?.groups;
    if (!groups) return refuse("path", `${shown} has a path that is not an environment's`);
    const { environmentPath, apiBase } = groups;
    // Hosts of Dynatrace's platform (3rd generation SaaS) and of the classic SaaS environment.
    const host = hostKind(url.hostname);
    const platform = host === "platform" || (options.platformCredential === true && host !== "saas");
    checked =
      apiBase !== undefined
        ? `${origin}${apiBase}`
        : environmentPath !== undefined
          ? `${origin}${environmentPath}/api/v2`
          : `${origin}${platform ? PLATFORM_PREFIX : "/api/v2"}`;
  }
  if (url.protocol === "http:" && !options.allowInsecureHttp && !isLoopbackUrl(url)) {
    return refuse(
      "cleartext",
      `http:// would send ${SECRET[param]} in cleartext to ${url.hostname}`,
      "use https://, or set allowInsecureHttp: true (loopback hosts such as 127.0.0.1, ::1 and localhost may always use http)",
    );
  }
  return { ok: true, param, url: checked };
}

/** checkUrl's answer, or an InvalidInputError saying what was wrong and what to do. @internal */
export function checkedUrl(param: UrlParam, input: unknown, options?: UrlCheckOptions): string {
  const answer = checkUrl(param, input, options);
  if (answer.ok) return answer.url;
  const { problem, reason, suggestion } = answer;
  return invalidInput({ param, problem, reason, suggestion });
}

/**
 * Normalises an environment URL to its API base, or throws an InvalidInputError saying what was
 * wrong and which forms are accepted: `https://<env-id>.apps.dynatrace.com` to the platform prefix
 * (`/platform/classic/environment-api/v2`), `https://<env-id>.live.dynatrace.com` and Managed
 * `https://<host>/e/<env-id>` to `/api/v2`; a full API base stays as it is. Another host's root goes
 * to the platform prefix when `platformCredential` is set (a platform token or an OAuth client),
 * else to `/api/v2`. Any host may use `http://` here; the client itself refuses it for hosts that
 * are not loopback (see checkUrl).
 */
export function normalizeEnvironmentUrl(environmentUrl: string, platformCredential = false): string {
  return checkedUrl("environmentUrl", environmentUrl, { allowInsecureHttp: true, platformCredential });
}
