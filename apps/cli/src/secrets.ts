/**
 * Values that look like a Dynatrace secret, wherever free text goes (a name, an owner, a URL): a
 * classic access token (`dt0c01.…`), a platform token (`dt0s16.…`), an OAuth client secret
 * (`dt0s02.…`) or any other `dt0<x><nn>.<id>.<secret>`. Such a value is refused before anything is
 * sent, and never repeated: it would end up stored as a name, in a query string or in CI logs.
 */
import { redact } from "@dt-tokens/client";
import { UsageError } from "./errors.js";

/** Three dot-separated parts: the prefix (dt0c01, dt0s16, dt0s02, ...), a public id and a secret. */
const SECRET_SHAPE = /dt0[a-z]\d\d\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}/i;

export function looksLikeSecret(value: string): boolean {
  return SECRET_SHAPE.test(value);
}

/** Where the first secret-looking value in `text` starts, or -1. */
export function secretIndex(text: string): number {
  return text.search(SECRET_SHAPE);
}

/** Throws a usage error naming `where` (e.g. `--name`) when `value` looks like a secret. */
export function refuseSecret(value: string, where: string): void {
  if (!looksLikeSecret(value)) return;
  throw new UsageError(
    `${where}: the value looks like a Dynatrace secret (an access token dt0c01…, a platform token dt0s16… or an OAuth client secret dt0s02…); it was not used`,
    [
      "hint: secrets are never accepted as arguments; the value may now be in your shell history: revoke it if it is real",
    ],
  );
}

const SECRETS = new RegExp(SECRET_SHAPE.source, "gi");

/** The text with every secret-looking value cut to its prefix and id: `dt0s16.ABCD.[REDACTED]`. */
export function redactSecrets(text: string): string {
  return redact(text).replace(SECRETS, (m) => `${m.split(".").slice(0, 2).join(".")}.[REDACTED]`);
}
