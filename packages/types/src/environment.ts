/**
 * Facts about Dynatrace environments that every package needs and none may decide again: the two
 * API prefixes and the scopes each one asks for, which hosts are Dynatrace's (classic SaaS,
 * platform) or this machine, and the account URN of an OAuth client. Hand-written, beside the
 * generated types; no `node:` imports, so it runs in a browser too.
 */

/** The classic API-tokens API: `Authorization: Api-Token` only. */
export const CLASSIC_API_PREFIX = "/api/v2";
/** The same API under Dynatrace's platform: `Authorization: Bearer` only (platform tokens, OAuth). */
export const PLATFORM_API_PREFIX = "/platform/classic/environment-api/v2";

/** The two dialects of the API-tokens API: the classic one and the platform one. */
export type ApiDialect = "classic" | "platform";

/**
 * The scopes a credential needs to read and to change API tokens, per dialect: a classic API token
 * gets `apiTokens.*`, a platform token or an OAuth client `environment-api:api-tokens:*`.
 */
export const API_TOKENS_SCOPES = {
  classic: { read: "apiTokens.read", write: "apiTokens.write" },
  platform: { read: "environment-api:api-tokens:read", write: "environment-api:api-tokens:write" },
} as const satisfies Record<ApiDialect, { read: string; write: string }>;

/** The platform's scopes for reading and changing API tokens (`API_TOKENS_SCOPES.platform` as a list). */
export const PLATFORM_API_TOKENS_SCOPES = [
  "environment-api:api-tokens:read",
  "environment-api:api-tokens:write",
] as const satisfies readonly [
  typeof API_TOKENS_SCOPES.platform.read,
  typeof API_TOKENS_SCOPES.platform.write,
];

/** The platform scope that stands for a classic scope (`apiTokens.read` → `environment-api:api-tokens:read`). */
export function platformScopeFor(classicScope: string): string | undefined {
  if (classicScope === API_TOKENS_SCOPES.classic.read) return API_TOKENS_SCOPES.platform.read;
  if (classicScope === API_TOKENS_SCOPES.classic.write) return API_TOKENS_SCOPES.platform.write;
  return undefined;
}

/**
 * What a host is: `platform` (`<env-id>.apps.dynatrace.com`), `saas` (the classic
 * `<env-id>.live.dynatrace.com`; `dynatracelabs.com` too), `loopback` (this machine) or `other`
 * (Managed, an ActiveGate, a proxy, a sandbox on another machine).
 */
export type HostKind = "platform" | "saas" | "loopback" | "other";

/** A hostname as `URL` spells it (`new URL(…).hostname`): lower case, IPv6 in brackets, no port. */
const PLATFORM_HOST = /\.apps\.dynatrace(?:labs)?\.com$/;
const SAAS_HOST = /\.live\.dynatrace(?:labs)?\.com$/;
/**
 * This machine: 127.0.0.0/8, `[::1]` and `localhost`. Not subdomains of localhost
 * (`app.localhost`): Node asks DNS for those, and a DNS server may answer any address.
 */
const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * Whether a hostname (as `URL` spells it: lower case, no port) is this machine: 127.0.0.0/8,
 * `[::1]`, `localhost`; never `*.localhost` and not `localhost.` (DNS resolves those).
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname);
}

/** What a hostname is (see {@link HostKind}). */
export function hostKind(hostname: string): HostKind {
  const host = String(hostname).toLowerCase();
  if (LOOPBACK_HOST.test(host)) return "loopback";
  if (PLATFORM_HOST.test(host)) return "platform";
  if (SAAS_HOST.test(host)) return "saas";
  return "other";
}

/**
 * The same SaaS environment on the other host (`<id>.live.` ⇄ `<id>.apps.`) as an origin
 * (`https://<id>.apps.dynatrace.com`), when the host says which environment it is.
 */
export function otherDynatraceHost(hostname: string, to: "live" | "apps"): string | undefined {
  const m = /^([^.]+)\.(?:live|apps)\.(dynatrace(?:labs)?\.com)$/.exec(hostname.toLowerCase());
  return m ? `https://${m[1]}.${to}.${m[2]}` : undefined;
}

/** How an account URN is written, for messages. */
export const ACCOUNT_URN_FORM = "urn:dtaccount:<account-uuid>";

/**
 * An OAuth client's account: `urn:dtaccount:` and the account's id (a UUID at Dynatrace; any
 * printable characters without spaces are accepted, as SSO decides what exists).
 */
const ACCOUNT_URN = /^urn:dtaccount:[!-~]+$/;

/** Whether a value is an account URN (`urn:dtaccount:<account-uuid>`). */
export function isAccountUrn(value: unknown): value is string {
  return typeof value === "string" && ACCOUNT_URN.test(value);
}
