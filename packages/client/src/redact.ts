// The Dynatrace secrets and JWTs in a text are those @dt-tokens/types finds (formats.ts, the one home
// of their shapes): `<prefix>.<public part>.<private part>` with the dots also as `%2E`, `%252E` or
// `\u002e`, and JWTs.
import { secretPattern } from "@dt-tokens/types";

// Secrets after a scheme, parameter or JSON key: `Api-Token x`, `Bearer x`, `api-token=x`,
// `client_secret=x`, `access_token=x`, `"access_token":"x"`, `"client_secret": "x"`.
const LABELLED_SECRET =
  /((?:Api-Token|Bearer) +|(?:api-token|client_secret|access_token)=|"(?:client_secret|access_token|clientSecret|accessToken)" *: *")[^\s"',&#]+/gi;
// HTTP Basic credentials: `Basic base64(user:password)`; replaced when they decode to `user:password`
// (so that prose such as "Basic authentication" stays readable).
const BASIC_CREDENTIALS = /(\bBasic +)([\w+/-]+={0,2})/gi;
// A run of base64 or base64url long enough to hold a secret (a secret encoded alone): it is decoded,
// and from the secret on replaced when what it decodes to holds one. The run may start before the
// encoding does (a URL path `/api/v2/apiTokens/<base64>`, `id-<base64url>`: `/`, `-` and letters
// are base64 characters too).
const BASE64_RUN = /[\w+/-]{24,}={0,2}/g;

/**
 * The plain forms: a Dynatrace secret keeps its `<prefix>.<public part>.` (its id, as written), a JWT
 * and a labelled secret become `[REDACTED]`.
 */
function redactPlain(text: string): string {
  return text
    .replace(secretPattern(), (secret, _prefix, _publicPart, privatePart?: string) =>
      privatePart ? `${secret.slice(0, -privatePart.length)}[REDACTED]` : "[REDACTED]",
    )
    .replace(LABELLED_SECRET, "$1[REDACTED]");
}

/** What a base64 (or base64url) run decodes to, or "" when it is not base64. */
function decodeBase64(run: string): string {
  const standard = run.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  try {
    return atob(standard.slice(0, standard.length - (standard.length % 4 === 1 ? 1 : 0)));
  } catch {
    return "";
  }
}

/**
 * Where the secret in a base64 run starts (in whole groups of four characters), or -1 when it holds
 * none. The run is decoded from each of its first four characters (one is in step with the encoding);
 * what comes before the secret (a URL path, the secret's public id) stays readable.
 */
function encodedSecretAt(run: string): number {
  for (let start = 0; start < 4; start++) {
    const decoded = decodeBase64(run.slice(start));
    const redacted = redactPlain(decoded);
    if (redacted === decoded) continue;
    let same = 0;
    while (decoded[same] === redacted[same]) same++;
    // Three decoded bytes are four characters of base64.
    return start + Math.floor(same / 3) * 4;
  }
  return -1;
}

/**
 * Removes secrets from a text: every `dt0c01.<public>.<secret>` (also `dt0s16.` platform tokens and
 * `dt0s02.` OAuth client secrets) becomes `<prefix>.<public>.[REDACTED]` (the id stays readable); the
 * value after `Api-Token `, `Bearer `, `Basic `, `api-token=`, `client_secret=` or `access_token=`
 * (also as JSON keys) and every JWT access token become `[REDACTED]`. Dots may be written `%2E` or
 * `\u002e`; a base64 text that decodes to a secret becomes `[REDACTED]` too. Use it before you log
 * anything that may hold a secret.
 */
export function redact(text: string): string {
  return redactPlain(text)
    .replace(BASIC_CREDENTIALS, (basic, label: string, run: string) =>
      decodeBase64(run).includes(":") ? `${label}[REDACTED]` : basic,
    )
    .replace(BASE64_RUN, (run) => {
      const at = encodedSecretAt(run);
      return at < 0 ? run : `${run.slice(0, at)}[REDACTED]`;
    });
}

// How deep a value is walked. Deeper parts are left out (undefined), never kept unchecked (so a
// cycle ends too).
const MAX_DEPTH = 8;

/** What of an object is walked: its own fields; for an Error also its message, name, cause and (AggregateError) errors. */
function partsOf(value: object): Record<string, unknown> {
  if (!(value instanceof Error)) return { ...value };
  const { message, name, cause, errors } = value as Error & { errors?: unknown };
  return { ...value, message, name, cause, errors };
}

/**
 * A copy of a value (an error body, a caller's abort reason) with every string in it redacted, an
 * Error copied as an Error. Walks the value itself instead of its serialized form, so no text,
 * however it is quoted, can break it.
 * @internal
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy = (value instanceof Error ? new Error(redact(value.message)) : {}) as Record<string, unknown>;
  for (const [key, part] of Object.entries(partsOf(value)))
    if (part !== undefined) copy[key] = redactValue(part, depth + 1);
  return copy;
}

/** Whether a string anywhere in the value holds a secret; a value too deep to check counts as one. */
function holdsSecret(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return redact(value) !== value;
  if (value === null || typeof value !== "object") return false;
  return depth > MAX_DEPTH || Object.values(partsOf(value)).some((part) => holdsSecret(part, depth + 1));
}

/**
 * The `cause` to keep on an error: the original value (a caller's abort reason, a network error)
 * when nothing in it holds a secret (its message, fields, own cause, nested values), so
 * `error.cause === reason` still holds; otherwise a redacted copy.
 * @internal
 */
export function redactCause(cause: unknown): unknown {
  return holdsSecret(cause) ? redactValue(cause) : cause;
}
