/**
 * Platform credentials as Dynatrace shapes them: platform tokens `dt0s16.<8>.<64>`, OAuth client ids
 * `dt0s02.<8>` with secrets `dt0s02.<8>.<64>` (the secret's middle part is the client id's), all in
 * the base32 alphabet from the CSPRNG. Only SHA-256 hashes are stored (see secrets.ts).
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const PLATFORM_TOKEN_PREFIX = "dt0s16";
export const OAUTH_CLIENT_PREFIX = "dt0s02";

const PLATFORM_TOKEN = /^dt0s16\.([A-Z2-7]{8})\.[A-Z2-7]{64}$/;
const OAUTH_CLIENT_ID = /^dt0s02\.[A-Z2-7]{8}$/;
const OAUTH_CLIENT_SECRET = /^dt0s02\.([A-Z2-7]{8})\.[A-Z2-7]{64}$/;
const PLATFORM_SCOPE = /^[a-z][a-z0-9-]*(?::[a-z0-9-]+)+$/;

/** `length` characters of the base32 alphabet: `byte & 31` is unbiased because 256 is a multiple of 32. */
function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return out;
}

export function generatePlatformToken(): string {
  return `${PLATFORM_TOKEN_PREFIX}.${randomBase32(8)}.${randomBase32(64)}`;
}

export function generateOAuthClient(): { clientId: string; clientSecret: string } {
  const publicPart = randomBase32(8);
  return {
    clientId: `${OAUTH_CLIENT_PREFIX}.${publicPart}`,
    clientSecret: `${OAUTH_CLIENT_PREFIX}.${publicPart}.${randomBase32(64)}`,
  };
}

/** The id (`dt0s16.<8>`) of a well-formed platform token, or undefined. */
export function platformTokenIdOf(secret: string): string | undefined {
  const match = PLATFORM_TOKEN.exec(secret);
  return match ? `${PLATFORM_TOKEN_PREFIX}.${match[1]}` : undefined;
}

/** The client id (`dt0s02.<8>`) a well-formed OAuth client secret belongs to, or undefined. */
export function oauthClientIdOf(secret: string): string | undefined {
  const match = OAUTH_CLIENT_SECRET.exec(secret);
  return match ? `${OAUTH_CLIENT_PREFIX}.${match[1]}` : undefined;
}

export function isOAuthClientId(value: string): boolean {
  return OAUTH_CLIENT_ID.test(value);
}

/** A platform scope such as `environment-api:api-tokens:read`. */
export function isPlatformScope(value: string): boolean {
  return PLATFORM_SCOPE.test(value);
}

/** Masks platform tokens, OAuth client secrets and access tokens anywhere in a text. */
export function redactPlatformSecrets(text: string): string {
  return text
    .replace(/\b(dt0s(?:16|02)\.[A-Z2-7]{8})\.[A-Z2-7]{8,}/g, "$1.********")
    .replace(/\beyJ[\w-]*\.[\w-]+\.[\w-]+/g, "********");
}
