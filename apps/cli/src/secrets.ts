/**
 * Values that hold a Dynatrace secret, wherever free text goes (a name, an owner, a URL): an access
 * token (`dt0c01.…`), an ActiveGate token (`dt0g02.…`), a platform token (`dt0s16.…`), an OAuth
 * client secret (`dt0s02.…`), another `dt0<x><nn>.<id>.<secret>` or a JWT, also with its dots
 * URL-encoded or the whole of it base64-encoded. What is a secret is decided in one place,
 * `findSecrets` of @dt-tokens/types, and redaction is the client's `redact`. Such a value is refused
 * before anything is sent, and never repeated: it would end up stored as a name, in a query string
 * or in CI logs.
 */
import { redact } from "@dt-tokens/client";
import { findSecrets, type SecretKind, secretLabel } from "@dt-tokens/types";
import { UsageError } from "./errors.js";

/** The kind of the first secret in `value`, or undefined when it holds none. */
function firstSecret(value: string): { kind: SecretKind; index: number } | undefined {
  return findSecrets(value)[0];
}

export function looksLikeSecret(value: string): boolean {
  return firstSecret(value) !== undefined;
}

/** Where the first secret in `text` starts, or -1. */
export function secretIndex(text: string): number {
  return firstSecret(text)?.index ?? -1;
}

/** Throws a usage error naming `where` (e.g. `--name`) when `value` holds a secret. */
export function refuseSecret(value: string, where: string): void {
  const found = firstSecret(value);
  if (found === undefined) return;
  throw new UsageError(
    `${where}: the value looks like a Dynatrace secret (${found.kind === "unknown" ? "a dt0 secret of a kind not known here" : secretLabel(found.kind)}); it was not used`,
    [
      "hint: secrets are never accepted as arguments; the value may now be in your shell history: revoke it if it is real",
    ],
  );
}

/**
 * The text without `secret` (a rotation's new secret, which need not look like one to `redact`)
 * and with every other secret redacted: for an error message that may quote what was delivered.
 */
export function withoutSecret(text: string, secret: string | undefined): string {
  return redact(secret ? text.split(secret).join("[REDACTED]") : text);
}

/** The text with every secret cut to its prefix and id (`dt0s16.ABCDEFGH.[REDACTED]`), a JWT to `[REDACTED]`. */
export function redactSecrets(text: string): string {
  return redact(text);
}
