// Which Authorization scheme a secret is sent with, and which API prefix takes it. Dynatrace's own
// tools choose by prefix: `Api-Token` for classic tokens (`dt0c01.`), `Bearer` otherwise. The
// classic API (`/api/v2`) takes only `Api-Token`; the platform prefix
// (`/platform/classic/environment-api/v2`) takes only `Bearer`.
import { otherDynatraceHost } from "@dt-tokens/types";
import { InvalidInputError } from "./errors.js";
import { fail } from "./invalid-input.js";
import { PLATFORM_PREFIX } from "./url.js";

/** `Api-Token` (classic API tokens) or `Bearer` (platform tokens, OAuth access tokens). */
export type AuthScheme = "Api-Token" | "Bearer";

/** Whether an API base is the platform prefix (Bearer) rather than `/api/v2` (Api-Token). @internal */
export function isPlatformBase(baseUrl: string): boolean {
  return baseUrl.endsWith(PLATFORM_PREFIX);
}

/** Secrets that are certainly platform credentials: platform tokens, OAuth secrets, JWT access tokens. */
const PLATFORM_SECRET = /^(?:dt0s\d\d\.|eyJ)/;

/** Whether a secret is certainly a platform credential (sent as Bearer whatever the URL). @internal */
export function isPlatformSecret(secret: unknown): boolean {
  return typeof secret === "string" && PLATFORM_SECRET.test(secret);
}

/**
 * The scheme for a secret: the explicit one when given; `Api-Token` for `dt0c01.`; `Bearer` for
 * platform tokens and access tokens; an opaque (legacy) secret takes the scheme of the API base.
 * @internal
 */
export function schemeFor(secret: string, baseUrl: string, explicit: AuthScheme | undefined): AuthScheme {
  if (explicit !== undefined) return explicit;
  if (secret.startsWith("dt0c01.")) return "Api-Token";
  if (PLATFORM_SECRET.test(secret)) return "Bearer";
  return isPlatformBase(baseUrl) ? "Bearer" : "Api-Token";
}

/** Checks the `authScheme` option. @internal */
export function checkScheme(value: unknown): AuthScheme | undefined {
  if (value === undefined || value === "Api-Token" || value === "Bearer") return value;
  return fail(`authScheme: expected "Api-Token" or "Bearer", got ${JSON.stringify(value)}`);
}

/** The same environment on the other host (`<id>.live.` ⇄ `<id>.apps.`), when the host says which. */
const otherHost = (baseUrl: string, to: "live" | "apps") =>
  otherDynatraceHost(/^https?:\/\/([^/]+)/.exec(baseUrl)?.[1] ?? "", to);

/**
 * The classic API base (`/api/v2`, which takes `Api-Token`) of the environment an API base belongs
 * to: the base itself when it is classic; for the platform prefix, `https://<env-id>.live.…/api/v2`
 * on a Dynatrace SaaS host, else the same origin and path with `/api/v2` (a sandbox, a proxy).
 * @internal
 */
export function classicApiBase(baseUrl: string): string {
  if (!isPlatformBase(baseUrl)) return baseUrl;
  const live = otherHost(baseUrl, "live");
  return live ? `${live}/api/v2` : `${baseUrl.slice(0, -PLATFORM_PREFIX.length)}/api/v2`;
}

/** The error of checkSchemeFitsBase: its message says the reason, then what to use. */
function schemeMismatch(details: {
  problem: string;
  reason: string;
  suggestion: string;
  url: string;
}): never {
  throw new InvalidInputError(`${details.reason}: ${details.suggestion}`, {
    param: "environmentUrl",
    ...details,
  });
}

/**
 * Throws an InvalidInputError when the scheme does not fit the API base (nothing is sent), saying
 * which URL or credential to use instead. @internal
 */
export function checkSchemeFitsBase(scheme: AuthScheme, baseUrl: string, what: string): void {
  const platform = isPlatformBase(baseUrl);
  // problem: the scheme the credential is sent with; suggestion: the environment URL to use instead.
  if (scheme === "Bearer" && !platform) {
    const apps = otherHost(baseUrl, "apps") ?? "https://<env-id>.apps.dynatrace.com";
    schemeMismatch({
      problem: "bearer-on-classic",
      reason: `${what} is sent as "Authorization: Bearer", which ${baseUrl} (the classic /api/v2) refuses`,
      suggestion: `use the platform URL ${apps} (API base …${PLATFORM_PREFIX}), or a classic API token (dt0c01.…) for /api/v2`,
      url: apps,
    });
  }
  if (scheme === "Api-Token" && platform) {
    const live = otherHost(baseUrl, "live") ?? "https://<env-id>.live.dynatrace.com";
    schemeMismatch({
      problem: "api-token-on-platform",
      reason: `${what} is sent as "Authorization: Api-Token", which ${baseUrl} (the platform prefix) refuses`,
      suggestion: `use ${live} (API base …/api/v2) for a classic API token, or a platform token (dt0s16.…) or an OAuth client for the platform`,
      url: live,
    });
  }
}
