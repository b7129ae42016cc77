/** The database schema, as versioned migrations (PRAGMA user_version). */
import { ACTIVEGATE_MIGRATION } from "./activegates.js";
import { MAX_DATE_MS, MIN_DATE_MS } from "./time.js";

const DATE_COLUMNS = ["creation_ms", "expiration_ms", "last_used_ms", "modified_ms"];

/** Each entry upgrades the schema by one version (PRAGMA user_version). Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE tokens (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     secret_hash BLOB NOT NULL,
     name TEXT NOT NULL,
     owner TEXT NOT NULL,
     personal INTEGER NOT NULL CHECK (personal IN (0, 1)),
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     scopes TEXT NOT NULL,
     creation_ms INTEGER NOT NULL,
     expiration_ms INTEGER,
     last_used_ms INTEGER,
     last_used_ip TEXT,
     modified_ms INTEGER,
     metadata TEXT
   );
   CREATE INDEX tokens_creation ON tokens (creation_ms, seq);
   CREATE INDEX tokens_owner ON tokens (owner);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
   INSERT INTO meta (key, value) VALUES ('pageKeySecret', randomblob(32));`,
  // 2: the queries behind page keys live here, so that keys stay small whatever the query; dates an
  // older sandbox let past year 9999 (or before year 0) are clamped to what the API can represent.
  `CREATE TABLE page_queries (hash BLOB PRIMARY KEY, query TEXT NOT NULL, stored_ms INTEGER NOT NULL)
     WITHOUT ROWID;
   CREATE INDEX page_queries_stored ON page_queries (stored_ms);
   ${DATE_COLUMNS.map(
     (c) => `UPDATE tokens SET ${c} = MIN(MAX(${c}, ${MIN_DATE_MS}), ${MAX_DATE_MS})
       WHERE ${c} > ${MAX_DATE_MS} OR ${c} < ${MIN_DATE_MS};`,
   ).join("\n")}`,
  // 3: platform authentication: platform tokens and OAuth clients (secrets as hashes), the key that
  // signs OAuth access tokens, and the account the SSO endpoint issues them for.
  `CREATE TABLE platform_tokens (
     id TEXT PRIMARY KEY,
     secret_hash BLOB NOT NULL,
     name TEXT NOT NULL,
     owner TEXT NOT NULL,
     scopes TEXT NOT NULL,
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     creation_ms INTEGER NOT NULL,
     expiration_ms INTEGER
   );
   CREATE TABLE oauth_clients (
     id TEXT PRIMARY KEY,
     secret_hash BLOB NOT NULL,
     name TEXT NOT NULL,
     owner TEXT NOT NULL,
     scopes TEXT NOT NULL,
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     creation_ms INTEGER NOT NULL
   );
   INSERT INTO meta (key, value) VALUES ('accessTokenKey', randomblob(32));
   INSERT INTO meta (key, value) VALUES ('accountUuid',
     lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
     || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)
     || '-' || lower(hex(randomblob(6))));`,
  // 4: the default list (newest first, default fields) read from one index without touching the
  // table: it holds the sort key, the tie-breaker and the default fields' columns. It replaces
  // tokens_creation, its prefix.
  `CREATE INDEX tokens_creation_listing ON tokens (creation_ms, seq, id, name, enabled, owner);
   DROP INDEX tokens_creation;`,
  // 5: the environment's own id (8 hex digits, as a SaaS id is 8 characters): served under
  // /e/<id>/api/v2 and nowhere else, so that a client building a wrong Managed URL fails here too.
  `INSERT INTO meta (key, value) VALUES ('environmentId', lower(hex(randomblob(4))));`,
  // 6: page keys carry their query (pagekey.ts): nothing to keep for them any more.
  `DROP TABLE page_queries;`,
  // 7: when an OAuth client was last revoked: access tokens issued before it stay refused after
  // the client is enabled again.
  `ALTER TABLE oauth_clients ADD COLUMN revoked_ms INTEGER;`,
  // 8: ActiveGate tokens (secrets as hashes), the simulated ActiveGates that use them, and the
  // token enforcement status.
  ACTIVEGATE_MIGRATION,
];
