/**
 * A URL as it may be shown in a message: without the user name and password of
 * `https://user:pw@host` and without its query or fragment (either may carry a secret), with any
 * token secret redacted. Works on text that is not a valid URL too.
 */
import { redact } from "@dt-tokens/client";

export function urlText(raw: string): string {
  const text = raw
    .trim()
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1…@")
    .replace(/[?#].*$/s, (rest) => `${rest[0]}…`);
  return redact(text);
}
