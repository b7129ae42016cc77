import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenUpdate,
  paths,
  TokenScope,
} from "@dt-tokens/types";
import createClient, { type Client } from "openapi-fetch";
import {
  apiTokenSelector,
  checkSecret,
  type DEFAULT_FIELDS,
  type FieldsInput,
  fieldsParam,
  type SelectorInput,
  type TimeframeInput,
  timeframe,
} from "./builders.js";
import { errorFromResponse, expected } from "./errors.js";
import {
  type CallState,
  type FetchConfig,
  type Logger,
  type RequestOptions,
  retryingFetch,
} from "./fetch.js";

type DefaultField = (typeof DEFAULT_FIELDS)[number];
/** Fields Dynatrace leaves out when they have no value (never expires, never used, never modified). */
type MaybeAbsent =
  | "expirationDate"
  | "lastUsedDate"
  | "lastUsedIpAddress"
  | "modifiedDate"
  | "additionalMetadata";
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Names<L> = L extends readonly (infer N extends ApiTokenField)[] ? N : never;
type Wide<L> = L extends readonly unknown[] ? (number extends L["length"] ? true : false) : false;

/**
 * A token with exactly the fields `K` (and `id`): the ones Dynatrace always fills are required; those
 * it omits when empty (`expirationDate`, `lastUsedDate`, `lastUsedIpAddress`, `modifiedDate`,
 * `additionalMetadata`) stay optional. Fields outside `K` are not there.
 */
export type ApiTokenWith<K extends ApiTokenField> = Simplify<
  { [P in Exclude<K | "id", MaybeAbsent>]-?: NonNullable<ApiToken[P]> } & {
    [P in Extract<K, MaybeAbsent>]?: ApiToken[P];
  }
>;

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
export type ListSort =
  `${"" | "+" | "-"}${"name" | "lastUsedDate" | "creationDate" | "expirationDate" | "modifiedDate"}`;

/** The parameters of list. `nextPageKey` cannot be combined with any other. */
export interface ListParams<F extends FieldsInput | undefined = undefined> {
  /** `apiTokenSelector`: criteria as an object (quoted and escaped for you) or the raw string. */
  selector?: string | SelectorInput;
  /** The fields to return; a literal list or `{ add, remove }` narrows the token type. */
  fields?: F;
  /** Only tokens last used at or after this time. */
  from?: TimeframeInput;
  /** Only tokens last used before this time (default now). */
  to?: TimeframeInput;
  sort?: ListSort;
  /** 100 to 10000 (default 200). */
  pageSize?: number;
  /** The cursor of the previous page. When given, only it is sent: it encodes the original query. */
  nextPageKey?: string;
}

/** One page of tokens: `apiTokens` is always an array, `nextPageKey` is null or absent on the last page. */
export type ApiTokenPage<T = ApiToken> = Simplify<Omit<ApiTokenList, "apiTokens"> & { apiTokens: T[] }>;

/** An async iterator over every token across pages, which also offers the pages themselves. */
export interface TokenIterator<T> extends AsyncIterableIterator<T> {
  /** Iterates the pages (a fresh pagination from the first page). */
  pages(): AsyncIterableIterator<ApiTokenPage<T>>;
}

/** The body of create; `expirationDate` also takes a Date, epoch ms or `now+14d`. Unknown fields are sent as given. */
export type CreateInput = Omit<ApiTokenCreate, "expirationDate"> & { expirationDate?: TimeframeInput };

/**
 * Per-call options of get and lookup: the request options plus `fields`. get and lookup always return
 * every field; `fields` narrows the returned type to the ones you use.
 */
export type GetOptions<F> = RequestOptions & { fields?: F };

/** How rotate treats the old token once the new one exists. */
export type RevokeMode = "disable" | "delete" | "keep";

/** Options of rotate. */
export interface RotateOptions extends RequestOptions {
  /**
   * Expiry of the new token, to be chosen explicitly: a Date, epoch ms, ISO string or `now+30d`;
   * `null` for a token that never expires; or a function of the old token, such as
   * {@link sameLifetime} (the old token's lifetime again, from now).
   */
  expirationDate: TimeframeInput | null | ((previous: FullApiToken) => TimeframeInput | null | undefined);
  /** What to do with the old token (default `"disable"`, which can be undone). */
  revoke?: RevokeMode;
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
  revoke: RevokeMode;
  /** Whether the old token was disabled or deleted as asked (`true` for `"keep"`). */
  revoked: boolean;
  /** Why revoking failed, if it did: the new token exists and works, the old one is still active. */
  revokeError?: unknown;
}

/** Options of createApiTokensClient. */
export interface ClientOptions {
  /**
   * The environment: `https://abc12345.live.dynatrace.com`, a Managed or ActiveGate
   * `https://host/e/<env-id>`, or a full API base ending in `/api/v2` or
   * `/platform/classic/environment-api/v2`.
   */
  environmentUrl: string;
  /** The API token secret, or a function returning it (called for every request, so rotation is seamless). */
  token: string | (() => string | Promise<string>);
  /** Timeout of each attempt in ms (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Base of the exponential backoff in ms (default 500; doubles per retry, capped at 8 s, with jitter). */
  retryDelayMs?: number;
  /** The longest wait the client accepts from Retry-After before it gives up with a RateLimitError (default 60 000). */
  maxRetryDelayMs?: number;
  /** A fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** A User-Agent header (none by default; browsers ignore it). */
  userAgent?: string;
  /** Receives one redacted line per attempt (debug) and per retry (warn). */
  logger?: Logger;
}

/** The API-tokens client. Every method takes per-call options (`signal`, `timeoutMs`, `maxRetries`) last. */
export interface ApiTokensClient {
  /** The normalised API base, e.g. `https://abc12345.live.dynatrace.com/api/v2`. */
  readonly baseUrl: string;
  /** The openapi-fetch client, typed by `@dt-tokens/types`, with the same auth, retries and timeouts. */
  readonly raw: Client<paths>;
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
   * revokes the old one as asked. If create fails nothing changed; if revoking fails the result still
   * carries the new secret, with `revoked: false` and `revokeError`.
   */
  rotate(id: string, options: RotateOptions): Promise<RotateResult>;
}

/**
 * Normalises an environment URL to its API base (`.../api/v2` or the platform prefix), or throws
 * saying what was wrong and which forms are accepted.
 */
export function normalizeEnvironmentUrl(environmentUrl: string): string {
  const input = String(environmentUrl).trim();
  const m =
    /^(https?:\/\/[^/?#\s@]+)(\/e\/[^/?#\s]+|[^?#\s@]*?(\/api|\/platform\/classic\/environment-api)\/v2)?\/*$/i.exec(
      input,
    );
  return m
    ? m[1]! + (m[3] ? m[2] : `${m[2] ?? ""}/api/v2`)
    : expected(
        "environmentUrl",
        "https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id> or an …/api/v2 URL",
        input,
      );
}

const checkId = (id: unknown): string =>
  /^\.\.?$/.test(checkSecret(id, "id")) ? expected("id", "a token id or secret") : (id as string);

/**
 * Creates a client for the API-tokens API of one environment. Throws an InvalidInputError right away
 * for a bad `environmentUrl`, a missing or malformed token string or bad options.
 */
export function createApiTokensClient(options: ClientOptions): ApiTokensClient {
  const {
    environmentUrl,
    token,
    fetch: fetchImpl = globalThis.fetch,
    userAgent,
    logger,
    ...numbers
  } = options;
  const baseUrl = normalizeEnvironmentUrl(environmentUrl);
  if (typeof token !== "function") checkSecret(token, "token");
  const config = (opts: object | undefined, base: object): FetchConfig => {
    const c = { ...base } as FetchConfig;
    for (const k in opts) {
      const v = (opts as Record<string, unknown>)[k];
      if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
    }
    for (const k of ["timeoutMs", "maxRetries"] as const)
      if (!(c[k] >= 0)) expected(k, "a number >= 0", c[k]);
    return c;
  };
  const defaults = config(numbers, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetchImpl(input, init),
    token: async () => checkSecret(typeof token === "function" ? await token() : token, "token"),
    timeoutMs: 30_000,
    maxRetries: 2,
    retryDelayMs: 500,
    maxRetryDelayMs: 60_000,
    logger,
  });
  const raw = createClient<paths>({
    baseUrl,
    // openapi-fetch sends JSON bodies as application/json (UTF-8, as JSON always is).
    headers: { "user-agent": userAgent },
    fetch: retryingFetch(defaults),
  });

  type Raw = { data?: unknown; error?: unknown; response: Response };
  async function call<T>(
    opts: (RequestOptions & { fields?: unknown }) | undefined,
    run: (fetch: (r: Request) => Promise<Response>) => Promise<Raw>,
  ): Promise<T> {
    const state: CallState = {};
    const { data, error, response } = await run(retryingFetch(config(opts, defaults), state)).catch((e) => {
      // encodeURIComponent (openapi-fetch's query serializer) throws on a lone UTF-16 surrogate.
      throw e instanceof URIError ? expected("query", "valid Unicode") : e;
    });
    if (response.ok) return data as T;
    throw errorFromResponse(response, error, state);
  }

  function query(params: ListParams<FieldsInput | undefined>) {
    const { selector, fields, from, to, sort, pageSize, nextPageKey } = params ?? {};
    if (nextPageKey !== undefined) return { nextPageKey };
    return {
      apiTokenSelector: (typeof selector === "object" ? apiTokenSelector(selector) : selector) || undefined,
      fields: (fields && fieldsParam(fields)) || undefined,
      from: from === undefined ? from : timeframe(from, "from"),
      to: to === undefined ? to : timeframe(to, "to"),
      sort,
      pageSize,
    };
  }

  const list = async (params: ListParams<FieldsInput | undefined> = {}, opts?: RequestOptions) => {
    const q = query(params);
    const page = await call<ApiTokenList>(opts, (fetch) =>
      raw.GET("/apiTokens", { params: { query: q }, fetch }),
    );
    return { ...page, apiTokens: page.apiTokens ?? [] };
  };

  const get = (id: string, opts?: GetOptions<FieldsInput>) =>
    call<FullApiToken>(opts, (fetch) =>
      raw.GET("/apiTokens/{id}", { params: { path: { id: checkId(id) } }, fetch }),
    );

  const create = async (body: CreateInput, opts?: RequestOptions) => {
    // name and scopes are checked by the server, whose 400 names each missing one.
    const exp = body?.expirationDate;
    const payload =
      exp === undefined ? body : { ...body, expirationDate: timeframe(exp, "expirationDate", true) };
    return call<ApiTokenCreated>(opts, (fetch) =>
      raw.POST("/apiTokens", { body: payload as ApiTokenCreate, fetch }),
    );
  };

  const update = async (id: string, body: ApiTokenUpdate, opts?: RequestOptions) => {
    await call(opts, (fetch) =>
      raw.PUT("/apiTokens/{id}", { params: { path: { id: checkId(id) } }, body, fetch }),
    );
  };

  const remove = async (idOrSecret: string, opts?: RequestOptions) => {
    await call(opts, (fetch) =>
      raw.DELETE("/apiTokens/{id}", { params: { path: { id: checkId(idOrSecret) } }, fetch }),
    );
  };

  const lookup = (secret: string, opts?: GetOptions<FieldsInput>) =>
    call<FullApiToken>(opts, (fetch) =>
      raw.POST("/apiTokens/lookup", { body: { token: checkSecret(secret, "secret") }, fetch }),
    );

  const rotate = async (id: string, opts: RotateOptions): Promise<RotateResult> => {
    const { expirationDate, revoke = "disable", name, scopes, ...req } = opts;
    // Checked before anything changes; run once the new token exists.
    const revokeOld =
      revoke === "delete"
        ? () => remove(id, req)
        : revoke === "disable"
          ? () => update(id, { enabled: false }, req)
          : revoke === "keep"
            ? () => {}
            : expected("revoke", "disable, delete or keep", revoke);
    const previous = await get(id, req);
    const created = await create(
      {
        name: name ?? previous.name,
        scopes: scopes ?? (previous.scopes as TokenScope[]),
        personalAccessToken: previous.personalAccessToken,
        // A function picks the expiry from the old token (e.g. sameLifetime); null: never expires.
        expirationDate:
          (typeof expirationDate === "function" ? expirationDate(previous) : expirationDate) ?? undefined,
      } as CreateInput,
      req,
    );
    const result: RotateResult = { created, previous, revoke, revoked: true };
    try {
      await revokeOld();
    } catch (revokeError) {
      return { ...result, revoked: false, revokeError };
    }
    return result;
  };

  const listAll = (params: ListParams<FieldsInput | undefined> = {}, opts?: RequestOptions) => {
    query(params); // bad input fails now, not on the first next()
    async function* pages() {
      let page = await list(params, opts);
      yield page;
      for (let key = page.nextPageKey; key; key = page.nextPageKey) {
        page = await list({ nextPageKey: key }, opts);
        yield page;
      }
    }
    async function* tokens() {
      for await (const page of pages()) yield* page.apiTokens;
    }
    return Object.assign(tokens(), { pages });
  };

  return {
    baseUrl,
    raw,
    list,
    listAll,
    get,
    create,
    update,
    delete: remove,
    lookup,
    rotate,
  } as ApiTokensClient;
}
