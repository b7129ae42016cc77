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

/** What to do about a URL refused because http:// would carry a secret in cleartext (doctor's fix). */
export const HTTP_ONLY_LOOPBACK_FIX =
  "use https:// (plain http:// is accepted only for this machine: localhost, 127.0.0.1, [::1])";

/** The same, as the hint line of any other command. */
export const HTTP_ONLY_LOOPBACK_HINT = `hint: ${HTTP_ONLY_LOOPBACK_FIX}`;

/** A URL refused for cleartext, in the CLI's words: `--env-url: http:// to example.com would carry the credential in cleartext`. */
export function cleartextMessage(source: string, raw: string): string {
  let host = "";
  try {
    host = new URL(raw.trim()).hostname;
  } catch {}
  return `${source}: http:// to ${host || "that host"} would carry the credential in cleartext`;
}
