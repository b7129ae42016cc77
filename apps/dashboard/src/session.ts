/**
 * The connection to one environment. The token lives in this object (memory) and, only when the
 * user asks for it, in sessionStorage (gone when the tab closes). Never in localStorage, never in a
 * URL, never in a log line.
 */
import {
  type ApiTokensClient,
  createApiTokensClient,
  type FullApiToken,
  PermissionDeniedError,
} from "@dt-tokens/client";
import type { ActiveGateTokensClient } from "@dt-tokens/client/activegate";

const STORAGE_KEY = "dt-tokens-dashboard.session";

/**
 * Who the page is signed in as, true for each kind of token. A classic API token has a record of its
 * own (from lookup: name, owner, scopes). A platform token has none in this API: only its public id
 * is known, and whether it may change tokens shows only when it tries.
 */
export type Identity =
  | { kind: "api-token"; token: FullApiToken }
  | {
      kind: "platform-token";
      /** The public part `dt0s16.<8 characters>`; the secret part is never kept here. */
      publicId: string;
    };

export interface Session {
  client: ApiTokensClient;
  /** What the user entered, for display. */
  environmentUrl: string;
  /** What the page is signed in with. */
  identity: Identity;
  /** Whether the token is kept in sessionStorage. */
  remember: boolean;
  /** Replaces the secret used for every later request (after rotating the page's own classic token). */
  useSecret(secret: string, self: FullApiToken): void;
  /**
   * The ActiveGate-tokens client for the same environment and token, created on first use: its code
   * (`@dt-tokens/client/activegate`) is a chunk of its own that the page loads only for that view.
   */
  activeGates(): Promise<ActiveGateTokensClient>;
}

/** Cleans a pasted token: surrounding whitespace and an "Api-Token " or "Bearer " prefix are dropped. */
export const cleanSecret = (input: string) => input.trim().replace(/^(?:Api-Token|Bearer)\s+/i, "");

/** The read scope the token needs, by kind. */
export const READ_SCOPE = {
  "api-token": "apiTokens.read",
  "platform-token": "environment-api:api-tokens:read",
};
/** The write scope the token needs to change tokens, by kind. */
export const WRITE_SCOPE = {
  "api-token": "apiTokens.write",
  "platform-token": "environment-api:api-tokens:write",
};

/** The token is valid but cannot list tokens: the page stays on the connect form and says why. */
export class MissingReadScopeError extends Error {
  override name = "MissingReadScopeError";
  constructor(
    readonly kind: Identity["kind"],
    readonly tokenName: string | undefined,
  ) {
    super(`the token lacks ${READ_SCOPE[kind]}`);
  }
}

/**
 * An OAuth credential was pasted: a client secret (`dt0s02.…`), or an access token (a JWT, `eyJ…`)
 * that expires within minutes. The page signs in with tokens that last.
 */
export class OAuthSecretError extends Error {
  override name = "OAuthSecretError";
  constructor(readonly kind: "client-secret" | "access-token") {
    super(
      `an OAuth ${kind === "client-secret" ? "client secret" : "access token"} is not a token to sign in with`,
    );
  }
}

const PLATFORM_TOKEN = /^dt0s16\.[^.]+\./;

/**
 * Connects: checks the URL and token and returns the session. A classic token is checked with a
 * lookup of itself (any valid classic token may call it); a platform token, which lookup does not
 * know, by listing one page of token names. A token that cannot list tokens is refused here, before any dashboard
 * is shown. A platform token goes as `Bearer`, so an environment root maps to the platform prefix.
 */
export async function connect(environmentUrl: string, input: string, remember: boolean): Promise<Session> {
  let secret = cleanSecret(input);
  if (secret.startsWith("dt0s02.")) throw new OAuthSecretError("client-secret");
  if (secret.startsWith("eyJ")) throw new OAuthSecretError("access-token");
  const platform = PLATFORM_TOKEN.test(secret);
  const options = {
    environmentUrl: environmentUrl.trim(),
    token: () => secret,
    ...(platform && { authScheme: "Bearer" as const }),
    timeoutMs: 20_000,
  };
  const client = createApiTokensClient(options);
  let activeGates: Promise<ActiveGateTokensClient> | undefined;
  const identity = platform ? await checkPlatformToken(client, secret) : await checkApiToken(client, secret);
  const session: Session = {
    client,
    environmentUrl: environmentUrl.trim(),
    identity,
    remember,
    useSecret(next, nextSelf) {
      secret = next;
      session.identity = { kind: "api-token", token: nextSelf };
      if (session.remember) save(session.environmentUrl, next);
    },
    activeGates() {
      activeGates ??= import("@dt-tokens/client/activegate").then((m) =>
        m.createActiveGateTokensClient(options),
      );
      // A chunk that failed to load may load on the next try.
      activeGates.catch(() => {
        activeGates = undefined;
      });
      return activeGates;
    },
  };
  if (remember) save(session.environmentUrl, secret);
  else forget();
  return session;
}

async function checkApiToken(client: ApiTokensClient, secret: string): Promise<Identity> {
  const self = await client.lookup(secret);
  if (!self.scopes?.includes("apiTokens.read")) throw new MissingReadScopeError("api-token", self.name);
  return { kind: "api-token", token: self };
}

async function checkPlatformToken(client: ApiTokensClient, secret: string): Promise<Identity> {
  try {
    await client.list({ pageSize: 100, fields: ["name"] });
  } catch (error) {
    if (error instanceof PermissionDeniedError) throw new MissingReadScopeError("platform-token", undefined);
    throw error;
  }
  return { kind: "platform-token", publicId: secret.split(".", 2).join(".") };
}

function save(environmentUrl: string, token: string) {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ environmentUrl, token }));
  } catch {
    // storage disabled: the session simply is not kept
  }
}

/** Removes a remembered session. */
export function forget() {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing was kept
  }
}

/** The session remembered in this tab, if the user asked for it. */
export function remembered(): { environmentUrl: string; token: string } | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return typeof value?.environmentUrl === "string" && typeof value?.token === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the token may call the write operations (disable, enable, rotate, delete): known from a
 * classic token's scopes; a platform token's scopes are not readable, so its writes are offered and a
 * missing environment-api:api-tokens:write is said when one is refused.
 */
export const canWrite = (identity: Identity) =>
  identity.kind === "platform-token" || (identity.token.scopes?.includes("apiTokens.write") ?? false);

/** The id of the page's own token in the list (none for a platform token: it is not an API token). */
export const selfTokenId = (identity: Identity) =>
  identity.kind === "api-token" ? identity.token.id : undefined;
