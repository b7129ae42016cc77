// The public types of the client: options, parameters, results and the client's own interface.
import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenUpdate,
  components,
  ListSortKey,
  paths,
  TokenScope,
} from "@dt-tokens/types";
import type { Client } from "openapi-fetch";
import type { AuthScheme } from "./auth-scheme.js";
import type { DEFAULT_FIELDS, FieldsInput, SelectorInput, TimeframeInput } from "./builders.js";
import type { OAuthClientOptions } from "./oauth-options.js";

/**
 * Where the client writes what it does. `console` fits; every line is redacted. A retry is a `warn`
 * whose details are a {@link RetryDetails} (a progress display can show it without parsing the line).
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** The details of the `warn` line that announces a retry, before its wait. */
export interface RetryDetails {
  /** The request retried: its method and (redacted) URL. */
  request: { method: string; url: string };
  /** What the last attempt ended with: its status (`"503"`) or the error's name (`"TimeoutError"`). */
  reason: string;
  /** Which retry this is: 1 for the second attempt. */
  retry: number;
  maxRetries: number;
  /** The wait before it, in ms. */
  waitMs: number;
  /** Each attempt's timeout and the whole call's deadline, in ms (`Infinity` for none). */
  timeoutMs: number;
  deadlineMs: number;
}

/** Options that apply to one call; every method takes them as its last argument. */
export interface RequestOptions {
  /** Aborts the call: the request in flight and any pending backoff wait. Its reason becomes the error's `cause`. */
  signal?: AbortSignal;
  /** Timeout of each attempt in milliseconds, reading the body included (default 30 000; `Infinity` for none). */
  timeoutMs?: number;
  /** Time for the whole call in milliseconds: every attempt and every wait between them (default 120 000; `Infinity` for none). */
  deadlineMs?: number;
  /** Retries after the first attempt, 0 to 100 (default 2). */
  maxRetries?: number;
}

type DefaultField = (typeof DEFAULT_FIELDS)[number];
/** A token as the spec says get and lookup return it: which fields are always there is the spec's `required`. */
type Complete = components["schemas"]["FullApiToken"];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Names<L> = L extends readonly (infer N extends ApiTokenField)[] ? N : never;
type Wide<L> = L extends readonly unknown[] ? (number extends L["length"] ? true : false) : false;

/**
 * A token with exactly the fields `K` (and `id`), as the spec types them: the ones Dynatrace always
 * fills (`required` in the spec's `FullApiToken`) are required; those it omits when empty (such as
 * `expirationDate` or `lastUsedDate`) stay optional. Fields outside `K` are not there.
 */
export type ApiTokenWith<K extends ApiTokenField> = Simplify<Pick<Complete, K | "id">>;

/** Every field, as `get` and `lookup` return a token when no `fields` are given. */
export type FullApiToken = ApiTokenWith<ApiTokenField>;

/**
 * The token type a `fields` value selects. A literal list or `{ add, remove }` narrows it; the raw
 * string form (and lists not known at compile time) give the all-optional `ApiToken`.
 */
export type TokenFor<F, Default extends ApiTokenField = DefaultField> = [F] extends [undefined]
  ? ApiTokenWith<Default>
  : [F] extends [string]
    ? ApiToken
    : [F] extends [readonly ApiTokenField[]]
      ? Wide<F> extends true
        ? ApiToken
        : ApiTokenWith<Names<F>>
      : [F] extends [{ readonly add?: infer A; readonly remove?: infer R }]
        ? true extends Wide<A> | Wide<R>
          ? ApiToken
          : ApiTokenWith<Exclude<DefaultField | Names<A>, Names<R>>>
        : ApiToken;

/** A sort order for list: a field, optionally prefixed with `+` (ascending, the default) or `-`. */
export type ListSort = `${"" | "+" | "-"}${ListSortKey}`;

/**
 * The parameters of list's first page; a criterion left `undefined` is not sent. Later pages take
 * {@link PageKeyParams} instead: the cursor cannot be combined with any other parameter.
 */
export interface ListParams<F extends FieldsInput | undefined = undefined> {
  /** `apiTokenSelector`: criteria as an object (quoted and escaped for you) or the raw string. */
  selector?: string | SelectorInput | undefined;
  /** The fields to return; a literal list or `{ add, remove }` narrows the token type. */
  fields?: F;
  /** Only tokens last used at or after this time. */
  from?: TimeframeInput | undefined;
  /** Only tokens last used before this time (default now). */
  to?: TimeframeInput | undefined;
  sort?: ListSort | undefined;
  /** From `LIST_PAGE_SIZE.minimum` to `LIST_PAGE_SIZE.maximum` (100 to 10000; default 200); other values are refused before sending. */
  pageSize?: number | undefined;
  /** Not with the other parameters: a page key is a call of its own (PageKeyParams). */
  nextPageKey?: undefined;
}

/**
 * A later page of list: only the cursor of the previous page is sent (it encodes the original
 * query), so the page's tokens are typed as the all-optional `ApiToken`.
 */
export interface PageKeyParams {
  nextPageKey: string;
}

/** One page of tokens: `apiTokens` is always an array, `nextPageKey` is null or absent on the last page. */
export type ApiTokenPage<T = ApiToken> = Simplify<Omit<ApiTokenList, "apiTokens"> & { apiTokens: T[] }>;

/** An async iterator over every token across pages, which also offers the pages themselves. */
export interface TokenIterator<T> extends AsyncIterableIterator<T> {
  /** Iterates the pages (a fresh pagination from the first page). */
  pages(): AsyncIterableIterator<ApiTokenPage<T>>;
}

/** The body of create; `expirationDate` also takes a Date, epoch ms or `now+14d`. Unknown fields are sent as given. */
export type CreateInput = Omit<ApiTokenCreate, "expirationDate"> & {
  expirationDate?: TimeframeInput | undefined;
};

/**
 * Per-call options of get and lookup: the request options plus `fields`. get and lookup always return
 * every field; `fields` narrows the returned type to the ones you use.
 */
export type GetOptions<F> = RequestOptions & { fields?: F };

/** What becomes of the old token once the new one exists: the one word of rotate and rotateToken. */
export type RetireMode = "disable" | "delete" | "keep";

/** @deprecated Use {@link RetireMode}: rotation speaks of retiring the old token. */
export type RevokeMode = RetireMode;

/** Options of rotate. */
export interface RotateOptions extends RequestOptions {
  /**
   * Expiry of the new token, to be chosen explicitly: a Date, epoch ms, ISO string or `now+30d`;
   * `null` for a token that never expires; or a function of the old token, such as
   * {@link sameLifetime} (the old token's lifetime again, from now).
   */
  expirationDate: TimeframeInput | null | ((previous: FullApiToken) => TimeframeInput | null | undefined);
  /** What to do with the old token (default `"disable"`, which can be undone). */
  retire?: RetireMode;
  /** @deprecated Use `retire` (the same values). */
  revoke?: RetireMode;
  /** Name of the new token (default: the old token's name). */
  name?: string;
  /** Scopes of the new token (default: the old token's scopes). */
  scopes?: TokenScope[];
}

/** The outcome of rotate. `created.token` is the new secret: it is returned even when revoking failed. */
export interface RotateResult {
  /** The new token: id, secret and expiry. */
  created: ApiTokenCreated;
  /** The old token as it was read before the rotation. */
  previous: FullApiToken;
  /** What was asked for the old token. */
  retire: RetireMode;
  /** Whether the old token was disabled or deleted as asked (`true` for `"keep"`). */
  retired: boolean;
  /** Why retiring failed, if it did: the new token exists and works, the old one is still active. */
  retireError?: unknown;
  /** @deprecated Use `retire`. */
  revoke: RetireMode;
  /** @deprecated Use `retired`. */
  revoked: boolean;
  /** @deprecated Use `retireError`. */
  revokeError?: unknown;
}

/** Options of createApiTokensClient. */
export interface ClientOptions {
  /**
   * The environment: `https://abc12345.live.dynatrace.com`, a Managed or ActiveGate
   * `https://host/e/<env-id>`, or a full API base ending in `/api/v2` or
   * `/platform/classic/environment-api/v2`. `http://` only for loopback hosts unless
   * `allowInsecureHttp` is set.
   */
  environmentUrl: string;
  /**
   * The secret (or a function returning it, called for every attempt, so rotation is seamless): a
   * classic API token (`dt0c01.…`, sent as `Api-Token`) or a platform token (`dt0s16.…`, sent as
   * `Bearer`). Give `token` or `oauth`, not both.
   */
  token?: string | (() => string | Promise<string>);
  /**
   * Overrides the scheme chosen by the token's prefix (`Api-Token` for `dt0c01.`, `Bearer` for
   * platform tokens). The classic API (`/api/v2`) takes only `Api-Token`, the platform prefix only
   * `Bearer`: a mismatch is an InvalidInputError before anything is sent.
   */
  authScheme?: AuthScheme;
  /**
   * An OAuth client of Dynatrace's platform: the client fetches access tokens from SSO with the
   * client-credentials grant, caches each until shortly before it expires (one request however many
   * calls wait), and on a 401 fetches a new one and retries once. Platform prefix only.
   */
  oauth?: OAuthClientOptions;
  /** Timeout of each attempt in ms, reading the body included (default 30 000; `Infinity` for none). */
  timeoutMs?: number;
  /** Time for a whole call in ms, every attempt and wait included (default 120 000; `Infinity` for none). */
  deadlineMs?: number;
  /** Retries after the first attempt, 0 to 100 (default 2). */
  maxRetries?: number;
  /** Base of the exponential backoff in ms, 0 to 60 000 (default 500; doubles per retry, capped at 8 s, with jitter). */
  retryDelayMs?: number;
  /**
   * The longest wait the client accepts from Retry-After before it gives up with a RateLimitError,
   * 0 to 600 000 ms (default 60 000).
   */
  maxRetryDelayMs?: number;
  /**
   * Send the token over `http://` to a host that is not loopback (default `false`: only 127.0.0.0/8,
   * `::1` and `localhost` may use http, so a typo cannot send a secret in cleartext).
   */
  allowInsecureHttp?: boolean;
  /** A fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** A User-Agent header (none by default; browsers ignore it). */
  userAgent?: string;
  /** Receives one redacted line per attempt (debug) and per retry (warn). */
  logger?: Logger;
}

/** The API-tokens client. Every method takes per-call options (`signal`, `timeoutMs`, `deadlineMs`, `maxRetries`) last. */
export interface ApiTokensClient {
  /** The normalised API base, e.g. `https://abc12345.live.dynatrace.com/api/v2`. */
  readonly baseUrl: string;
  /** The openapi-fetch client, typed by `@dt-tokens/types`, with the same auth, retries and timeouts. */
  readonly raw: Client<paths>;
  /** A later page of tokens, by the previous page's `nextPageKey` (only the cursor is sent). */
  list(params: PageKeyParams, options?: RequestOptions): Promise<ApiTokenPage<ApiToken>>;
  /** One page of tokens. */
  list<const F extends FieldsInput | undefined = undefined>(
    params?: ListParams<F>,
    options?: RequestOptions,
  ): Promise<ApiTokenPage<TokenFor<F>>>;
  /** Every token, fetched page by page as you iterate; later pages send only `nextPageKey`. */
  listAll<const F extends FieldsInput | undefined = undefined>(
    params?: Omit<ListParams<F>, "nextPageKey">,
    options?: RequestOptions,
  ): TokenIterator<TokenFor<F>>;
  /** A token's metadata by id; `fields` picks (and types) the fields returned. */
  get<const F extends FieldsInput | undefined = undefined>(
    id: string,
    options?: GetOptions<F>,
  ): Promise<TokenFor<F, ApiTokenField>>;
  /** Creates a token and returns its secret. Not retried once the request may have reached the server. */
  create(body: CreateInput, options?: RequestOptions): Promise<ApiTokenCreated>;
  /** Updates name, enabled or scopes (`scopes` replaces the whole list). */
  update(id: string, body: ApiTokenUpdate, options?: RequestOptions): Promise<void>;
  /** Deletes a token by id or by secret. */
  delete(idOrSecret: string, options?: RequestOptions): Promise<void>;
  /** A token's metadata by its secret (also a "validate my token" check). */
  lookup<const F extends FieldsInput | undefined = undefined>(
    secret: string,
    options?: GetOptions<F>,
  ): Promise<TokenFor<F, ApiTokenField>>;
  /**
   * Replaces a token: reads it, creates a new one with the same name, scopes and personal flag, then
   * retires the old one as asked. If create fails nothing changed; if retiring fails the result still
   * carries the new secret, with `retired: false` and `retireError`.
   *
   * @deprecated For anything but a quick replacement, use {@link rotateToken}: it delivers and
   * verifies the new secret before the old token is retired, and leaves markers a crash can be
   * recovered from. `rotate` stays, unchanged, for compatibility.
   */
  rotate(id: string, options: RotateOptions): Promise<RotateResult>;
}
