/**
 * Token secrets: `dt0c01.<24 public>.<64 secret>` in the base32 alphabet, from a CSPRNG. The
 * database keeps only the SHA-256 of the whole secret and compares hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const TOKEN_PREFIX = "dt0c01";
/**
 * The one definition of the token shapes; every other pattern is built from these two sources.
 * A token id: `dt0c01.<24 public characters>`; the secret part: 64 more characters.
 */
export const TOKEN_ID_SOURCE = `${TOKEN_PREFIX}\\.[A-Z2-7]{24}`;
const SECRET_PART_SOURCE = "[A-Z2-7]{64}";
const SECRET_PATTERN = new RegExp(`^(${TOKEN_ID_SOURCE})\\.${SECRET_PART_SOURCE}$`);
const ID_PATTERN = new RegExp(`^${TOKEN_ID_SOURCE}$`);
/** A token id followed by a dot and at least 8 secret-alphabet characters: a (possibly cut) secret. */
const SECRET_IN_TEXT = new RegExp(`(${TOKEN_ID_SOURCE})\\.[A-Z2-7]{8,}`, "g");

const CODES = Buffer.from(ALPHABET, "latin1");

/** A new token secret (96 characters) from the CSPRNG. */
export function generateTokenSecret(): string {
  return generateTokenSecrets(1)[0]!;
}

/**
 * `count` new token secrets, drawing the randomness in one call (bulk seeding). Each random byte
 * becomes one base32 character: 256 is a multiple of 32, so `byte & 31` is unbiased.
 */
export function generateTokenSecrets(count: number): string[] {
  const bytes = randomBytes(88 * count);
  for (let i = 0; i < bytes.length; i++) bytes[i] = CODES[bytes[i]! & 31]!;
  const text = bytes.toString("latin1");
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * 88;
    out[i] = `${TOKEN_PREFIX}.${text.slice(at, at + 24)}.${text.slice(at + 24, at + 88)}`;
  }
  return out;
}

/** The id (`dt0c01.<public>`) of a well-formed secret, or undefined when it is not one. */
export function tokenIdOf(secret: string): string | undefined {
  return SECRET_PATTERN.exec(secret)?.[1];
}

export function isTokenId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(storedHash: Uint8Array, secret: string): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(storedHash, presented);
}

/** Replaces every secret-shaped substring (also a cut one) by its id and a mask. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, "$1.********");
}
