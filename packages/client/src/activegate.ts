/**
 * @dt-tokens/client/activegate: a client for Dynatrace's ActiveGate tokens (`dt0g02`, Environment API
 * v2 "Access Tokens - ActiveGate tokens") and the ActiveGate reads that say which ActiveGate uses
 * which token: the same options, retries, timeouts, typed errors and redaction as
 * createApiTokensClient, in an export path of its own so that an app using only API tokens does not
 * carry it. Start with {@link createActiveGateTokensClient}.
 */
import {
  ACTIVEGATE_TOKENS_PAGE_SIZE,
  type ActiveGate,
  type ActiveGateList,
  type ActiveGateToken,
  type ActiveGateTokenCreate,
  type ActiveGateTokenCreated,
  type ActiveGateTokenEnforcement,
  type ActiveGateTokenList,
  type ListActiveGatesQuery,
  type paths,
  secretId,
} from "@dt-tokens/types";
import type { Client } from "openapi-fetch";
import type { TimeframeInput } from "./builders.js";
import { timeframe } from "./builders.js";
import { callApi } from "./call.js";
import { connect } from "./connect.js";
import { checkId, expected } from "./invalid-input.js";
import { paginate } from "./paginate.js";
import type { ClientOptions, RequestOptions } from "./types.js";

export type {
  ActiveGate,
  ActiveGateList,
  ActiveGateToken,
  ActiveGateTokenCreate,
  ActiveGateTokenCreated,
  ActiveGateTokenEnforcement,
  ActiveGateTokenInfo,
  ActiveGateTokenList,
  ActiveGateTokenState,
  ActiveGateTokenType,
  ListActiveGatesQuery,
} from "@dt-tokens/types";

/**
 * The platform scopes Dynatrace's SDK documents for these operations: ActiveGate tokens read (list,
 * get), create, write (create, delete), and ActiveGates read (GET /activeGates, its token states and
 * the enforcement status; the SDK documents no scope for the last, the sandbox decides the same one).
 * The default scopes of an OAuth client given to createActiveGateTokensClient.
 */
export const PLATFORM_ACTIVEGATE_TOKENS_SCOPES = [
  "environment-api:activegate-tokens:read",
  "environment-api:activegate-tokens:create",
  "environment-api:activegate-tokens:write",
  "environment-api:activegates:read",
] as const;

export { ACTIVEGATE_TOKENS_PAGE_SIZE } from "@dt-tokens/types";

/** One page of ActiveGate tokens: `activeGateTokens` is always an array; `nextPageKey` is null or absent on the last page. */
export type ActiveGateTokenPage = Omit<ActiveGateTokenList, "activeGateTokens"> & {
  activeGateTokens: ActiveGateToken[];
};

/** The parameters of list. `nextPageKey` cannot be combined with `pageSize`. */
export interface ActiveGateTokenListParams {
  /** 100 to 3000 (default 100); other values are refused before sending. */
  pageSize?: number;
  /** The cursor of the previous page. When given, only it is sent: it encodes the original query. */
  nextPageKey?: string;
}

/** An async iterator over every ActiveGate token across pages, which also offers the pages. */
export interface ActiveGateTokenIterator extends AsyncIterableIterator<ActiveGateToken> {
  /** Iterates the pages (a fresh pagination from the first page). */
  pages(): AsyncIterableIterator<ActiveGateTokenPage>;
}

/** The body of create; `expirationDate` also takes a Date, epoch ms or `now+60d` (at most 2 years ahead). */
export type ActiveGateTokenCreateInput = Omit<ActiveGateTokenCreate, "expirationDate"> & {
  expirationDate?: TimeframeInput;
};

/** The ActiveGate-tokens client. Every method takes per-call options (`signal`, `timeoutMs`, `deadlineMs`, `maxRetries`) last. */
export interface ActiveGateTokensClient {
  /** The normalised API base, e.g. `https://abc12345.live.dynatrace.com/api/v2`. */
  readonly baseUrl: string;
  /** The openapi-fetch client, typed by `@dt-tokens/types`, with the same auth, retries and timeouts. */
  readonly raw: Client<paths>;
  /** One page of ActiveGate tokens. */
  list(params?: ActiveGateTokenListParams, options?: RequestOptions): Promise<ActiveGateTokenPage>;
  /** Every ActiveGate token, fetched page by page as you iterate; later pages send only `nextPageKey`. */
  listAll(
    params?: Omit<ActiveGateTokenListParams, "nextPageKey">,
    options?: RequestOptions,
  ): ActiveGateTokenIterator;
  /** A token's metadata by id (`dt0g02.<8 characters>`); a whole secret is reduced to its id before it is sent. */
  get(id: string, options?: RequestOptions): Promise<ActiveGateToken>;
  /** Creates a token and returns its secret (the only time it is returned). Not retried once the request may have reached the server. */
  create(body: ActiveGateTokenCreateInput, options?: RequestOptions): Promise<ActiveGateTokenCreated>;
  /** Deletes a token by id; a whole secret is reduced to its id (the secret never goes into a URL). There is no disable. */
  delete(idOrSecret: string, options?: RequestOptions): Promise<void>;
  /** The ActiveGates (GET /activeGates), each with the tokens it uses and their states; filter with `tokenState`, `tokenExpirationSet`, `hostname`, .... */
  activeGates(query?: ListActiveGatesQuery, options?: RequestOptions): Promise<ActiveGate[]>;
  /** One ActiveGate by id. */
  activeGate(id: string, options?: RequestOptions): Promise<ActiveGate>;
  /** Whether ActiveGate tokens are enforced (manually, automatically, or when automatic enforcement is estimated). */
  enforcement(options?: RequestOptions): Promise<ActiveGateTokenEnforcement>;
}

/** A token id for a path: a whole secret becomes its id, so the secret never lands in a URL or a log. */
function tokenId(value: unknown): string {
  const id = checkId(value);
  return secretId(id) ?? id;
}

/** The query of list: a page key alone, or a checked page size. */
function listQuery(params: ActiveGateTokenListParams | undefined): ActiveGateTokenListParams {
  const { pageSize, nextPageKey } = params ?? {};
  if (nextPageKey !== undefined) {
    if (typeof nextPageKey !== "string" || nextPageKey === "")
      expected("nextPageKey", "the non-empty cursor of the previous page", nextPageKey);
    if (pageSize !== undefined) expected("pageSize", "nothing next to nextPageKey (the cursor encodes it)");
    return { nextPageKey };
  }
  const { minimum: min, maximum: max } = ACTIVEGATE_TOKENS_PAGE_SIZE;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= min && pageSize <= max))
    expected("pageSize", `a whole number from ${min} to ${max}`, pageSize);
  return pageSize === undefined ? {} : { pageSize };
}

/**
 * Creates a client for the ActiveGate tokens of one environment, from the same options as
 * createApiTokensClient: a classic API token (`Api-Token`, on `/api/v2`), a platform token or an
 * OAuth client (`Bearer`, on `/platform/classic/environment-api/v2`; an OAuth client asks for
 * {@link PLATFORM_ACTIVEGATE_TOKENS_SCOPES} unless `oauth.scope` says otherwise). Throws an
 * InvalidInputError right away for a bad `environmentUrl`, token or option.
 */
export function createActiveGateTokensClient(options: ClientOptions): ActiveGateTokensClient {
  const { baseUrl, defaults, transport, raw, api } = connect(options, PLATFORM_ACTIVEGATE_TOKENS_SCOPES);

  const list = async (params?: ActiveGateTokenListParams, callOptions?: RequestOptions) => {
    const query = listQuery(params);
    const page = await callApi<ActiveGateTokenPage>(
      defaults,
      transport,
      callOptions,
      { listOf: "activeGateTokens" },
      (fetch) => api.GET("/activeGateTokens", { params: { query }, fetch }),
    );
    return { ...page, activeGateTokens: page.activeGateTokens ?? [] };
  };

  const listAll = (
    params: Omit<ActiveGateTokenListParams, "nextPageKey"> = {},
    callOptions?: RequestOptions,
  ): ActiveGateTokenIterator => {
    listQuery(params); // bad input fails now, not on the first next()
    return paginate(
      (nextPageKey) => list(nextPageKey === undefined ? params : { nextPageKey }, callOptions),
      (page) => page.activeGateTokens,
    );
  };

  const get = async (id: string, callOptions?: RequestOptions) => {
    const path = { activeGateTokenIdentifier: tokenId(id) };
    return callApi<ActiveGateToken>(defaults, transport, callOptions, "object", (fetch) =>
      api.GET("/activeGateTokens/{activeGateTokenIdentifier}", { params: { path }, fetch }),
    );
  };

  const create = async (body: ActiveGateTokenCreateInput, callOptions?: RequestOptions) => {
    // name and activeGateType are checked by the server, whose 400 names each missing one.
    const expirationDate = body?.expirationDate;
    const payload =
      expirationDate === undefined
        ? body
        : { ...body, expirationDate: timeframe(expirationDate, "expirationDate", true) };
    return callApi<ActiveGateTokenCreated>(defaults, transport, callOptions, "created", (fetch) =>
      api.POST("/activeGateTokens", { body: payload as ActiveGateTokenCreate, fetch }),
    );
  };

  const remove = async (idOrSecret: string, callOptions?: RequestOptions) => {
    const path = { activeGateTokenIdentifier: tokenId(idOrSecret) };
    await callApi(defaults, transport, callOptions, "nothing", (fetch) =>
      api.DELETE("/activeGateTokens/{activeGateTokenIdentifier}", { params: { path }, fetch }),
    );
  };

  const activeGates = async (query?: ListActiveGatesQuery, callOptions?: RequestOptions) => {
    const list = await callApi<ActiveGateList>(
      defaults,
      transport,
      callOptions,
      { listOf: "activeGates" },
      (fetch) => api.GET("/activeGates", { params: { query }, fetch }),
    );
    return list.activeGates ?? [];
  };

  const activeGate = async (id: string, callOptions?: RequestOptions) => {
    const path = { agId: checkId(id) };
    return callApi<ActiveGate>(defaults, transport, callOptions, "object", (fetch) =>
      api.GET("/activeGates/{agId}", { params: { path }, fetch }),
    );
  };

  const enforcement = async (callOptions?: RequestOptions) =>
    callApi<ActiveGateTokenEnforcement>(defaults, transport, callOptions, "object", (fetch) =>
      api.GET("/activeGates/tokenEnforcement", { fetch }),
    );

  return { baseUrl, raw, list, listAll, get, create, delete: remove, activeGates, activeGate, enforcement };
}
