/**
 * `dt-tokens-sandbox --db FILE --revoke-oauth-client <client id>`: revokes an OAuth client in the
 * database file of a sandbox, running or not, and exits. A running sandbox on that file reads the
 * client at every request, so from then on it refuses the client's access tokens (401,
 * `invalid_token`) and its grants (`invalid_client`), as Dynatrace does once a client is deleted
 * in Account Management. Nothing else in the file changes.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { PlatformStore } from "./platform-store.js";
import { TokenStore } from "./store.js";

/** An OAuth client id: `dt0s02.<8 characters>` (the secret's first two parts). */
export const OAUTH_CLIENT_ID = /^dt0s02\.[A-Z2-7]{8}$/;

/** What revoking did: revoked, or why not. */
export type RevokeOutcome = "revoked" | "unknown-client" | "no-database" | "not-a-sandbox-database";

/** Whether a file is a sandbox database with OAuth clients (read-only look: nothing is migrated or written). */
function holdsOAuthClients(database: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(database, { readonly: true, fileMustExist: true });
    return (
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'oauth_clients'").get() !==
      undefined
    );
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/**
 * Revokes the OAuth client `clientId` in the database file `database`. Never creates the file, and
 * never touches a file that is not a sandbox database.
 */
export function revokeOAuthClient(database: string, clientId: string): RevokeOutcome {
  if (!existsSync(database)) return "no-database";
  if (!holdsOAuthClients(database)) return "not-a-sandbox-database";
  const store = new TokenStore(database);
  try {
    return new PlatformStore(store).setOAuthClientEnabled(clientId, false) ? "revoked" : "unknown-client";
  } finally {
    store.close();
  }
}
