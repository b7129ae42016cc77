// Which Authorization scheme a secret is sent with, and which API prefix takes it. Dynatrace's own
// tools choose by prefix: `Api-Token` for classic tokens (`dt0c01.`), `Bearer` otherwise. The
// classic API (`/api/v2`) takes only `Api-Token`; the platform prefix
// (`/platform/classic/environment-api/v2`) takes only `Bearer`.
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
function otherHost(baseUrl: string, to: "live" | "apps"): string | undefined {
  const host = /^https?:\/\/([^/]+)/.exec(baseUrl)?.[1] ?? "";
  const m = /^([^.]+)\.(?:live|apps)\.(dynatrace(?:labs)?\.com)(:\d+)?$/i.exec(host);
  return m ? `https://${m[1]}.${to}.${m[2]}` : undefined;
}

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

/**
 * Throws an InvalidInputError when the scheme does not fit the API base (nothing is sent), saying
 * which URL or credential to use instead. @internal
 */
export function checkSchemeFitsBase(scheme: AuthScheme, baseUrl: string, what: string): void {
  const platform = isPlatformBase(baseUrl);
  if (scheme === "Bearer" && !platform) {
    const apps = otherHost(baseUrl, "apps");
    fail(
      `${what} is sent as "Authorization: Bearer", which ${baseUrl} (the classic /api/v2) refuses: ` +
        `use the platform URL ${apps ?? "https://<env-id>.apps.dynatrace.com"} (API base …${PLATFORM_PREFIX}), ` +
        `or a classic API token (dt0c01.…) for /api/v2`,
    );
  }
  if (scheme === "Api-Token" && platform) {
    const live = otherHost(baseUrl, "live");
    fail(
      `${what} is sent as "Authorization: Api-Token", which ${baseUrl} (the platform prefix) refuses: ` +
        `use ${live ?? "https://<env-id>.live.dynatrace.com"} (API base …/api/v2) for a classic API token, ` +
        `or a platform token (dt0s16.…) or an OAuth client for the platform`,
    );
  }
}
