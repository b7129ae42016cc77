/**
 * Platform tokens and OAuth clients in the sandbox's SQLite database (tables from the second
 * migration in store.ts): each has an owner (a user's email, or an OAuth client's service user)
 * and platform scopes; secrets are kept only as SHA-256 hashes.
 */
import type Database from "better-sqlite3";
import {
  generateOAuthClient,
  generatePlatformToken,
  isPlatformScope,
  oauthClientIdOf,
  platformTokenIdOf,
} from "./platform-secrets.js";
import { hashSecret } from "./secrets.js";
import type { TokenStore } from "./store.js";

/** The platform scopes of the API-tokens API. */
export const PLATFORM_SCOPES = [
  "environment-api:api-tokens:read",
  "environment-api:api-tokens:write",
] as const;

/** One row of platform_tokens or oauth_clients (oauth_clients has no expiry). Dates are epoch ms. */
export interface PlatformCredentialRow {
  id: string;
  secret_hash: Buffer;
  name: string;
  owner: string;
  scopes: string;
  enabled: number;
  creation_ms: number;
  expiration_ms?: number | null;
  /** oauth_clients: when the client was last revoked (its earlier access tokens stay refused). */
  revoked_ms?: number | null;
}

/** A platform token to create; the secret is generated unless given. */
export interface NewPlatformToken {
  /** The user the token belongs to (an email in Dynatrace). */
  owner: string;
  /** Platform scopes, e.g. `environment-api:api-tokens:read`. */
  scopes: readonly string[];
  name?: string;
  /** Epoch ms; absent: never expires. */
  expiresAt?: number | null;
  enabled?: boolean;
  /** `dt0s16.<8>.<64>`; generated when absent. */
  token?: string;
}

/** An OAuth client to create; the id and secret are generated unless a secret is given. */
export interface NewOAuthClient {
  /** The service user the client acts as: tokens it creates are owned by it. */
  owner: string;
  scopes: readonly string[];
  name?: string;
  enabled?: boolean;
  /** `dt0s02.<8>.<64>`; generated when absent (the client id is its first two parts). */
  clientSecret?: string;
}

function checkScopes(scopes: readonly string[]): string {
  const bad = scopes.filter((s) => typeof s !== "string" || !isPlatformScope(s));
  if (bad.length > 0) {
    throw new TypeError(
      `Not platform scopes: ${bad.map((s) => JSON.stringify(s)).join(", ")}. Platform scopes look like ${PLATFORM_SCOPES.join(" or ")}.`,
    );
  }
  return JSON.stringify([...new Set(scopes)]);
}

function checkOwner(owner: string): string {
  if (typeof owner !== "string" || owner.trim() === "")
    throw new TypeError("owner must be a non-empty string.");
  return owner;
}

export class PlatformStore {
  private readonly db: Database.Database;
  private readonly statements;
  readonly accessTokenKey: Buffer;
  /** The account access tokens are issued for: `urn:dtaccount:<uuid>`. */
  readonly accountUrn: string;

  constructor(store: TokenStore) {
    this.db = store.db;
    const meta = this.db.prepare<[string], { value: Buffer | string }>(
      "SELECT value FROM meta WHERE key = ?",
    );
    this.accessTokenKey = meta.get("accessTokenKey")!.value as Buffer;
    this.accountUrn = `urn:dtaccount:${String(meta.get("accountUuid")!.value)}`;
    this.statements = {
      token: this.db.prepare<[string], PlatformCredentialRow>("SELECT * FROM platform_tokens WHERE id = ?"),
      client: this.db.prepare<[string], PlatformCredentialRow>("SELECT * FROM oauth_clients WHERE id = ?"),
      upsertToken: this.db.prepare<PlatformCredentialRow>(
        `INSERT INTO platform_tokens (id, secret_hash, name, owner, scopes, enabled, creation_ms, expiration_ms)
         VALUES (@id, @secret_hash, @name, @owner, @scopes, @enabled, @creation_ms, @expiration_ms)
         ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name,
           owner = excluded.owner, scopes = excluded.scopes, enabled = excluded.enabled,
           expiration_ms = excluded.expiration_ms`,
      ),
      upsertClient: this.db.prepare<PlatformCredentialRow>(
        `INSERT INTO oauth_clients (id, secret_hash, name, owner, scopes, enabled, creation_ms)
         VALUES (@id, @secret_hash, @name, @owner, @scopes, @enabled, @creation_ms)
         ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name,
           owner = excluded.owner, scopes = excluded.scopes, enabled = excluded.enabled`,
      ),
      setTokenEnabled: this.db.prepare<[number, string]>(
        "UPDATE platform_tokens SET enabled = ? WHERE id = ?",
      ),
      setClientEnabled: this.db.prepare<[number, number, number, string]>(
        "UPDATE oauth_clients SET enabled = ?, revoked_ms = CASE WHEN ? = 0 THEN ? ELSE revoked_ms END WHERE id = ?",
      ),
      count: this.db.prepare<[], { n: number }>(
        "SELECT (SELECT count(*) FROM platform_tokens) + (SELECT count(*) FROM oauth_clients) AS n",
      ),
    };
  }

  findPlatformToken(id: string): PlatformCredentialRow | undefined {
    return this.statements.token.get(id);
  }

  findOAuthClient(id: string): PlatformCredentialRow | undefined {
    return this.statements.client.get(id);
  }

  /** How many platform tokens and OAuth clients exist. */
  count(): number {
    return this.statements.count.get()!.n;
  }

  /** Creates (or, for a given secret that exists, replaces) a platform token; returns its id and secret. */
  putPlatformToken(input: NewPlatformToken, now: number): { id: string; token: string } {
    const token = input.token ?? generatePlatformToken();
    const id = platformTokenIdOf(token);
    if (id === undefined) {
      throw new TypeError(
        "A platform token must look like dt0s16.<8 characters>.<64 characters>, characters A-Z and 2-7.",
      );
    }
    this.statements.upsertToken.run({
      id,
      secret_hash: hashSecret(token),
      name: input.name ?? "platform token",
      owner: checkOwner(input.owner),
      scopes: checkScopes(input.scopes),
      enabled: input.enabled === false ? 0 : 1,
      creation_ms: now,
      expiration_ms: input.expiresAt ?? null,
    });
    return { id, token };
  }

  /** Creates (or, for a given secret that exists, replaces) an OAuth client; returns its id and secret. */
  putOAuthClient(input: NewOAuthClient, now: number): { clientId: string; clientSecret: string } {
    const generated = input.clientSecret === undefined ? generateOAuthClient() : undefined;
    const clientSecret = input.clientSecret ?? generated!.clientSecret;
    const clientId = oauthClientIdOf(clientSecret);
    if (clientId === undefined) {
      throw new TypeError(
        "An OAuth client secret must look like dt0s02.<8 characters>.<64 characters>, characters A-Z and 2-7.",
      );
    }
    this.statements.upsertClient.run({
      id: clientId,
      secret_hash: hashSecret(clientSecret),
      name: input.name ?? "oauth client",
      owner: checkOwner(input.owner),
      scopes: checkScopes(input.scopes),
      enabled: input.enabled === false ? 0 : 1,
      creation_ms: now,
    });
    return { clientId, clientSecret };
  }

  /** Enables or disables a platform token; false when there is none with this id. */
  setPlatformTokenEnabled(id: string, enabled: boolean): boolean {
    return this.statements.setTokenEnabled.run(enabled ? 1 : 0, id).changes > 0;
  }

  /**
   * Enables or disables (revokes) an OAuth client and so every access token it holds; false when
   * unknown. The access tokens issued before a revocation stay refused when the client is enabled
   * again: it needs new ones.
   */
  setOAuthClientEnabled(id: string, enabled: boolean, now: number = Date.now()): boolean {
    const flag = enabled ? 1 : 0;
    return this.statements.setClientEnabled.run(flag, flag, now, id).changes > 0;
  }
}
