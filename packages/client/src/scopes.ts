import { TOKEN_SCOPES, type TokenScope } from "@dt-tokens/types";
import { InvalidInputError } from "./errors.js";

/** Whether `value` is a scope that can be assigned to a token (one of `TOKEN_SCOPES`). */
export function isTokenScope(value: unknown): value is TokenScope {
  return (TOKEN_SCOPES as readonly unknown[]).includes(value);
}

/**
 * Checks scopes given by a person (CLI flags, a form) before create or update, and returns them
 * typed. Throws an InvalidInputError that names every unknown scope and suggests a close match
 * (same name in another case). The client itself does not call this: Dynatrace adds scopes
 * without a version bump, so it sends what you give it and lets the server decide.
 */
export function validateScopes(scopes: readonly string[]): TokenScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0)
    throw new InvalidInputError('scopes: expected a non-empty array of scope names, e.g. ["metrics.read"]');
  const unknown = scopes.filter((s) => !isTokenScope(s));
  if (unknown.length) {
    const hint = (s: string) => {
      const match = TOKEN_SCOPES.find((k) => k.toLowerCase() === String(s).toLowerCase());
      return match ? `"${s}" (did you mean "${match}"?)` : `"${s}"`;
    };
    throw new InvalidInputError(
      `scopes: unknown ${unknown.length === 1 ? "scope" : "scopes"} ${unknown.map(hint).join(", ")}; assignable scopes are listed in TOKEN_SCOPES (e.g. apiTokens.read, metrics.read)`,
    );
  }
  return [...scopes] as TokenScope[];
}
