/**
 * Removes token secrets from a text: every `dt0c01.<public>.<secret>` becomes
 * `dt0c01.<public>.[REDACTED]` (the token id stays readable), every `Api-Token <secret>` becomes
 * `Api-Token [REDACTED]` and every `api-token=<secret>` query parameter is blanked.
 * Use it before you log anything that may hold a secret.
 */
export function redact(text: string): string {
  return text.replace(/(dt0c01\.\w+)\.\w+|(Api-Token |api-token=)[^\s"',&#]+/gi, (_, id, prefix) =>
    id ? `${id}.[REDACTED]` : `${prefix}[REDACTED]`,
  );
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
