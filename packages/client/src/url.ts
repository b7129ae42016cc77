import { expected, fail } from "./invalid-input.js";

// An environment URL: an origin (scheme and host, no user info), then one of
//   - nothing (a SaaS root),
//   - `/e/<env-id>` (Managed or ActiveGate),
//   - any path ending in `/api/v2` or `/platform/classic/environment-api/v2` (a full API base),
// then optional trailing slashes. No query, no fragment, no backslash (URL parsers read it as `/`, so
// `https://evil.example\.live.dynatrace.com` would look like a Dynatrace host and go to evil.example).
const ENVIRONMENT_URL =
  /^(?<origin>https?:\/\/[^/?#\s@\\]+)(?:(?<environmentPath>\/e\/[^/?#\s\\]+)|(?<apiBase>[^?#\s@\\]*?(?:\/api|\/platform\/classic\/environment-api)\/v2))?\/*$/i;

const ACCEPTED_FORMS =
  "https://<env-id>.live.dynatrace.com, https://<env-id>.apps.dynatrace.com, https://<host>/e/<env-id> or an …/api/v2 URL";

/** The API-tokens API under Dynatrace's platform (Bearer only). */
export const PLATFORM_PREFIX = "/platform/classic/environment-api/v2";
// Hosts of Dynatrace's platform (3rd generation SaaS) and of the classic SaaS environment.
const PLATFORM_HOST = /\.apps\.dynatrace(?:labs)?\.com(?::\d+)?$/i;
const CLASSIC_HOST = /\.live\.dynatrace(?:labs)?\.com(?::\d+)?$/i;

/**
 * Normalises an environment URL to its API base, or throws saying what was wrong and which forms are
 * accepted: `https://<env-id>.apps.dynatrace.com` to the platform prefix
 * (`/platform/classic/environment-api/v2`), `https://<env-id>.live.dynatrace.com` and Managed
 * `https://<host>/e/<env-id>` to `/api/v2`; a full API base stays as it is. Another host's root goes
 * to the platform prefix when `platformCredential` is set (a platform token or an OAuth client),
 * else to `/api/v2`.
 */
export function normalizeEnvironmentUrl(environmentUrl: string, platformCredential = false): string {
  const input = String(environmentUrl).trim();
  const groups = ENVIRONMENT_URL.exec(input)?.groups;
  if (!groups) return expected("environmentUrl", ACCEPTED_FORMS, withoutUserInfo(input));
  const origin = parsedOrigin(groups.origin ?? "", input);
  const { environmentPath, apiBase } = groups;
  if (apiBase !== undefined) return `${origin}${apiBase}`;
  if (environmentPath !== undefined) return `${origin}${environmentPath}/api/v2`;
  const platform = PLATFORM_HOST.test(origin) || (platformCredential && !CLASSIC_HOST.test(origin));
  return `${origin}${platform ? PLATFORM_PREFIX : "/api/v2"}`;
}

/**
 * The origin as fetch will read it (`http://127.1` is `http://127.0.0.1`, a host in capitals is in
 * lower case), so that what the client checks and shows is where requests go; an InvalidInputError
 * for a host no URL can have (`https://ex%ample.com`, a port above 65535).
 */
function parsedOrigin(origin: string, input: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return expected("environmentUrl", `a valid host in ${ACCEPTED_FORMS}`, input);
  }
}

/** The input as an error may show it: user info (`https://user:password@…`) is never echoed. */
function withoutUserInfo(input: string): string {
  return input.replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, "$1<user info>@");
}

// This machine, as `URL` spells a hostname: 127.0.0.0/8, `[::1]` and `localhost`. Not subdomains of
// localhost (`app.localhost`): Node asks DNS for those, and a DNS server may answer any address.
const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * Refuses an `http://` API base for a host that is not loopback, unless the caller opted in: the token
 * would travel in cleartext. @internal
 */
export function checkTransportSecurity(
  baseUrl: string,
  allowInsecureHttp: boolean,
  param = "environmentUrl",
  secret = "the token",
): void {
  const { protocol, hostname } = new URL(baseUrl);
  if (protocol === "https:" || allowInsecureHttp || LOOPBACK.test(hostname)) return;
  fail(
    `${param}: http:// would send ${secret} in cleartext to ${hostname}; use https://, or set ` +
      "allowInsecureHttp: true (loopback hosts such as 127.0.0.1, ::1 and localhost may always use http)",
  );
}
