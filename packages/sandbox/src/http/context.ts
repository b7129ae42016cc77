/** What every request handler may see: the sandbox's state, and per request the caller. */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { Faults } from "../faults.js";
import type { RequestLogEntry } from "../logger.js";
import type { PageCache } from "../page-cache.js";
import type { PlatformStore } from "../platform-store.js";
import type { TokenStore } from "../store.js";
import type { Throttle } from "../throttle.js";

/** The mutable state behind a running sandbox (throttle and faults can change while it runs). */
export interface AppState {
  /** The tokens of the default environment (`/api/v2`, the platform prefix). */
  store: TokenStore;
  /**
   * The environments by id (`/e/{environmentId}/api/v2`): the hosted ones, and the default one
   * under its own id (unless a hosted one has that id).
   */
  environments: ReadonlyMap<string, TokenStore>;
  now: () => number;
  /** Per authenticated caller. */
  throttle: Throttle | undefined;
  /** Failed authentications per client address; on whenever `throttle` is. */
  failedAuths: Throttle | undefined;
  faults: Faults | undefined;
  log: ((entry: RequestLogEntry) => void) | undefined;
  corsOrigins: readonly string[] | "*" | undefined;
  /** Platform tokens and OAuth clients (the platform prefix and the SSO endpoint). */
  platform: PlatformStore;
  /** `expires_in` of the access tokens the SSO endpoint issues. */
  accessTokenTtlSeconds: number;
  /** Serialized list pages of every environment (page-cache.ts); undefined: every page is computed. */
  listPages: PageCache | undefined;
}

/**
 * Who is calling, with which scopes: all that handlers learn from authentication, whatever the
 * scheme. A scheme that authenticates something other than an API token leaves `tokenSeq` unset.
 */
export interface Caller {
  /** What authenticated: an API token (`Api-Token`), or a platform token or OAuth client (`Bearer`). */
  kind: "api-token" | "platform-token" | "oauth-client";
  /** Names the caller in logs and keys its throttle bucket (the token id for an API token). */
  id: string;
  /** The owner that tokens created by this caller get; ownership rules compare with it. */
  owner: string;
  /** A personal access token may modify only tokens of its own owner. */
  personal: boolean;
  /** API-token scopes (`apiTokens.read`) for an API token, platform scopes (`environment-api:api-tokens:read`) otherwise. */
  scopes: ReadonlySet<string>;
  /** The row of the API token used, when the credential is one ("not the calling token" rules). */
  tokenSeq?: number;
}

export type Env = {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The environment's token store, chosen per request by the API prefix. */
    store: TokenStore;
    caller: Caller;
    /** The request's JSON object body, once `jsonBody` has read it. */
    body: Record<string, unknown>;
    event: RequestLogEntry["event"];
  };
};

export type Ctx = Context<Env>;
