// Checks of caller input that throw an InvalidInputError saying what was wrong and what is accepted.
// Internal: the public builders and the client use them.
import { type InputDetails, InvalidInputError } from "./errors.js";

/** Throws an InvalidInputError with this message. */
export function fail(message: string): never {
  throw new InvalidInputError(message);
}

/** Throws an InvalidInputError: "<param>: <reason>; <suggestion>", with those as its fields. */
export function invalidInput(details: InputDetails & { param: string; reason: string }): never {
  const { param, reason, suggestion } = details;
  throw new InvalidInputError(`${param}: ${reason}${suggestion ? `; ${suggestion}` : ""}`, details);
}

/** Throws an InvalidInputError: "<param>: expected <what>, got <value>" (the value only when given). */
export function expected(param: string, what: string, ...got: unknown[]): never {
  const shown = got.length ? `, got ${describe(got[0])}` : "";
  const reason = `expected ${what}${shown}`;
  throw new InvalidInputError(`${param}: ${reason}`, { param, problem: "expected", reason });
}

// JSON, except for what JSON cannot show: Infinity, NaN, functions.
function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** A secret (or id) as it may be sent: any printable ASCII, no whitespace, not empty. */
export function checkSecret(value: unknown, param: string): string {
  if (typeof value === "string" && /^[!-~]+$/.test(value)) return value;
  return expected(param, 'the bare secret, no "Api-Token " or whitespace');
}

/** A token id or secret for a path segment: as checkSecret, and never `.` or `..`. */
export function checkId(value: unknown): string {
  const id = checkSecret(value, "id");
  if (id === "." || id === "..") return expected("id", "a token id or secret");
  return id;
}
