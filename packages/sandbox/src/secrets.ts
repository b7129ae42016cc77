/**
 * Token secrets: `dt0c01.<24 public>.<64 secret>` in the base32 alphabet, from a CSPRNG. The
 * database keeps only the SHA-256 of the whole secret and compares hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const TOKEN_PREFIX = "dt0c01";
const SECRET_PATTERN = /^dt0c01\.([A-Z2-7]{24})\.([A-Z2-7]{64})$/;
const ID_PATTERN = /^dt0c01\.[A-Z2-7]{24}$/;
/** Anything shaped like a sandbox secret, anywhere in a string (for redaction). */
export const SECRET_IN_TEXT = /dt0c01\.([A-Z2-7]{24})\.[A-Z2-7]{64}/g;

/** base32 from random bytes: 256 is a multiple of 32, so `byte & 31` is unbiased. */
function base32(bytes: Uint8Array, start: number, length: number): string {
  let out = "";
  for (let i = start; i < start + length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

/** A new token secret (96 characters) from the CSPRNG. */
export function generateTokenSecret(): string {
  return generateTokenSecrets(1)[0]!;
}

/** `count` new token secrets, drawing the randomness in one call (bulk seeding). */
export function generateTokenSecrets(count: number): string[] {
  const bytes = randomBytes(88 * count);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = `${TOKEN_PREFIX}.${base32(bytes, i * 88, 24)}.${base32(bytes, i * 88 + 24, 64)}`;
  }
  return out;
}

/** The id (`dt0c01.<public>`) of a well-formed secret, or undefined when it is not one. */
export function tokenIdOf(secret: string): string | undefined {
  const match = SECRET_PATTERN.exec(secret);
  return match ? `${TOKEN_PREFIX}.${match[1]}` : undefined;
}

export function isTokenId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function isTokenSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(storedHash: Uint8Array, secret: string): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(storedHash, presented);
}

/** Replaces every secret-shaped substring by its id and a mask. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_all, publicPart: string) => `${TOKEN_PREFIX}.${publicPart}.********`);
}
