/**
 * The connection to one environment. The token lives in this object (memory) and, only when the
 * user asks for it, in sessionStorage (gone when the tab closes). Never in localStorage, never in a
 * URL, never in a log line.
 */
import {
  type ApiToken,
  type ApiTokensClient,
  createApiTokensClient,
  type FullApiToken,
} from "@dt-tokens/client";

const STORAGE_KEY = "dt-tokens-dashboard.session";

export interface Session {
  client: ApiTokensClient;
  /** What the user entered, for display. */
  environmentUrl: string;
  /** The token the page is signed in with (from lookup). */
  self: FullApiToken;
  /** Whether the token is kept in sessionStorage. */
  remember: boolean;
  /** Replaces the secret used for every later request (after rotating the page's own token). */
  useSecret(secret: string, self: FullApiToken): void;
}

/** Cleans a pasted token: surrounding whitespace and an "Api-Token " prefix are dropped. */
export const cleanSecret = (input: string) => input.trim().replace(/^Api-Token\s+/i, "");

/** The token is valid but cannot list tokens: the page stays on the connect form and says why. */
export class MissingReadScopeError extends Error {
  override name = "MissingReadScopeError";
  constructor(readonly tokenName: string | undefined) {
    super("the token lacks apiTokens.read");
  }
}

/**
 * Connects: checks the URL and token (lookup, which any valid token may call) and returns the
 * session. A token without `apiTokens.read` is refused here, before any dashboard is shown.
 */
export async function connect(environmentUrl: string, input: string, remember: boolean): Promise<Session> {
  let secret = cleanSecret(input);
  const client = createApiTokensClient({
    environmentUrl: environmentUrl.trim(),
    token: () => secret,
    timeoutMs: 20_000,
  });
  const self = await client.lookup(secret);
  if (!self.scopes?.includes("apiTokens.read")) throw new MissingReadScopeError(self.name);
  const session: Session = {
    client,
    environmentUrl: environmentUrl.trim(),
    self,
    remember,
    useSecret(next, nextSelf) {
      secret = next;
      session.self = nextSelf;
      if (session.remember) save(session.environmentUrl, next);
    },
  };
  if (remember) save(session.environmentUrl, secret);
  else forget();
  return session;
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

/** Whether a token may call the write operations (disable, enable, rotate, delete). */
export const canWrite = (self: ApiToken) => self.scopes?.includes("apiTokens.write") ?? false;
