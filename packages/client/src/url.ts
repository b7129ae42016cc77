import { expected, fail } from "./invalid-input.js";

// An environment URL: an origin (scheme and host, no user info), then one of
//   - nothing (a SaaS root),
//   - `/e/<env-id>` (Managed or ActiveGate),
//   - any path ending in `/api/v2` or `/platform/classic/environment-api/v2` (a full API base),
// then optional trailing slashes. No query, no fragment.
const ENVIRONMENT_URL =
  /^(?<origin>https?:\/\/[^/?#\s@]+)(?:(?<environmentPath>\/e\/[^/?#\s]+)|(?<apiBase>[^?#\s@]*?(?:\/api|\/platform\/classic\/environment-api)\/v2))?\/*$/i;

const ACCEPTED_FORMS = "https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id> or an …/api/v2 URL";

/**
 * Normalises an environment URL to its API base (`.../api/v2` or the platform prefix), or throws
 * saying what was wrong and which forms are accepted.
 */
export function normalizeEnvironmentUrl(environmentUrl: string): string {
  const input = String(environmentUrl).trim();
  const groups = ENVIRONMENT_URL.exec(input)?.groups;
  if (!groups) return expected("environmentUrl", ACCEPTED_FORMS, input);
  const { origin, environmentPath = "", apiBase } = groups;
  return apiBase === undefined ? `${origin}${environmentPath}/api/v2` : `${origin}${apiBase}`;
}

// This machine, as `URL` spells a hostname: 127.0.0.0/8, `[::1]`, `localhost` and its subdomains.
const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|(.+\.)?localhost)$/i;

/**
 * Refuses an `http://` API base for a host that is not loopback, unless the caller opted in: the token
 * would travel in cleartext. @internal
 */
export function checkTransportSecurity(baseUrl: string, allowInsecureHttp: boolean): void {
  const { protocol, hostname } = new URL(baseUrl);
  if (protocol === "https:" || allowInsecureHttp || LOOPBACK.test(hostname)) return;
  fail(
    `environmentUrl: http:// would send the token in cleartext to ${hostname}; use https://, or set ` +
      "allowInsecureHttp: true (loopback hosts such as 127.0.0.1, ::1 and localhost may always use http)",
  );
}
