// Secrets with a public part: API tokens `dt0c01.<id>.<secret>`, platform tokens `dt0s16.<id>.<secret>`,
// OAuth client secrets `dt0s02.<id>.<secret>`. The `<prefix>.<id>` part stays readable.
const STRUCTURED_SECRET = /(dt0[a-z]\d\d\.\w+)\.\w+/gi;
// Secrets after a scheme, parameter or JSON key: `Api-Token x`, `Bearer x`, `api-token=x`,
// `client_secret=x`, `access_token=x`, `"access_token":"x"`, `"client_secret": "x"`.
const LABELLED_SECRET =
  /((?:Api-Token|Bearer) +|(?:api-token|client_secret|access_token)=|"(?:client_secret|access_token|clientSecret|accessToken)" *: *")[^\s"',&#]+/gi;
// JSON Web Tokens (OAuth access tokens): header.payload.signature, base64url.
const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]+/g;

/**
 * Removes secrets from a text: every `dt0c01.<public>.<secret>` (also `dt0s16.` platform tokens and
 * `dt0s02.` OAuth client secrets) becomes `<prefix>.<public>.[REDACTED]` (the id stays readable); the
 * value after `Api-Token `, `Bearer `, `api-token=`, `client_secret=` or `access_token=` (also as JSON
 * keys) and every JWT access token become `[REDACTED]`. Use it before you log anything that may hold
 * a secret.
 */
export function redact(text: string): string {
  return text
    .replace(STRUCTURED_SECRET, "$1.[REDACTED]")
    .replace(LABELLED_SECRET, "$1[REDACTED]")
    .replace(JWT, "[REDACTED]");
}

/**
 * A copy of a JSON-like value (what an error body holds) with every string redacted. Walks the value
 * itself instead of its serialized form, so no text, however it is quoted, can break it.
 * @internal
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, depth + 1);
  return copy;
}

/**
 * The `cause` to keep on an error: the original value (a caller's abort reason, a network error)
 * when its message holds no secret, so `error.cause === reason` still holds; otherwise an Error
 * with the same name and the message redacted.
 * @internal
 */
export function redactCause(cause: unknown): unknown {
  if (!(cause instanceof Error)) return redactValue(cause);
  const message = redact(cause.message);
  if (message === cause.message) return cause;
  const copy = new Error(message);
  copy.name = cause.name;
  return copy;
}
