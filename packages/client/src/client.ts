import type { ApiTokenCreate, ApiTokenCreated, ApiTokenField, ApiTokenUpdate } from "@dt-tokens/types";
import { type FieldsInput, timeframe } from "./builders.js";
import { callApi } from "./call.js";
import { connect } from "./connect.js";
import { checkId, checkSecret } from "./invalid-input.js";
import { paginate } from "./paginate.js";
import { listQuery } from "./query.js";
import type {
  ApiTokenPage,
  ApiTokensClient,
  ClientOptions,
  CreateInput,
  GetOptions,
  ListParams,
  PageKeyParams,
  RequestOptions,
  RotateOptions,
  TokenFor,
  TokenIterator,
} from "./types.js";

/**
 * Creates a client for the API-tokens API of one environment. Throws an InvalidInputError right away
 * for a bad `environmentUrl`, a missing or malformed token string or bad options.
 */
export function createApiTokensClient(options: ClientOptions): ApiTokensClient {
  const { baseUrl, defaults, transport, raw, api } = connect(options);

  // The token types below are what the `fields` asked for: callApi takes the parsed body as that type.
  // The page-key overload (ApiTokensClient) and the first-page one share this body.
  async function list<const F extends FieldsInput | undefined = undefined>(
    params?: ListParams<F> | PageKeyParams,
    callOptions?: RequestOptions,
  ): Promise<ApiTokenPage<TokenFor<F>>> {
    const query = listQuery(params);
    const page = await callApi<ApiTokenPage<TokenFor<F>>>(defaults, transport, callOptions, "page", (fetch) =>
      api.GET("/apiTokens", { params: { query }, fetch }),
    );
    // Dynatrace leaves apiTokens out of an empty page.
    return { ...page, apiTokens: page.apiTokens ?? [] };
  }

  async function get<const F extends FieldsInput | undefined = undefined>(
    id: string,
    callOptions?: GetOptions<F>,
  ): Promise<TokenFor<F, ApiTokenField>> {
    const path = { id: checkId(id) };
    return callApi(defaults, transport, callOptions, "object", (fetch) =>
      api.GET("/apiTokens/{id}", { params: { path }, fetch }),
    );
  }

  const create = async (body: CreateInput, callOptions?: RequestOptions) => {
    // name and scopes are checked by the server, whose 400 names each missing one.
    const expirationDate = body?.expirationDate;
    const payload =
      expirationDate === undefined
        ? body
        : { ...body, expirationDate: timeframe(expirationDate, "expirationDate", true) };
    return callApi<ApiTokenCreated>(defaults, transport, callOptions, "created", (fetch) =>
      api.POST("/apiTokens", { body: payload as ApiTokenCreate, fetch }),
    );
  };

  const update = async (id: string, body: ApiTokenUpdate, callOptions?: RequestOptions) => {
    const path = { id: checkId(id) };
    await callApi(defaults, transport, callOptions, "nothing", (fetch) =>
      api.PUT("/apiTokens/{id}", { params: { path }, body, fetch }),
    );
  };

  const remove = async (idOrSecret: string, callOptions?: RequestOptions) => {
    const path = { id: checkId(idOrSecret) };
    await callApi(defaults, transport, callOptions, "nothing", (fetch) =>
      api.DELETE("/apiTokens/{id}", { params: { path }, fetch }),
    );
  };

  async function lookup<const F extends FieldsInput | undefined = undefined>(
    secret: string,
    callOptions?: GetOptions<F>,
  ): Promise<TokenFor<F, ApiTokenField>> {
    const body = { token: checkSecret(secret, "secret") };
    return callApi(defaults, transport, callOptions, "object", (fetch) =>
      api.POST("/apiTokens/lookup", { body, fetch }),
    );
  }

  function listAll<const F extends FieldsInput | undefined = undefined>(
    params: Omit<ListParams<F>, "nextPageKey"> = {},
    callOptions?: RequestOptions,
  ): TokenIterator<TokenFor<F>> {
    listQuery(params); // bad input fails now, not on the first next()
    // Later pages send only nextPageKey, as Dynatrace requires: it encodes the original query.
    return paginate(
      (nextPageKey) =>
        nextPageKey === undefined ? list<F>(params, callOptions) : list<F>({ nextPageKey }, callOptions),
      (page) => page.apiTokens,
    );
  }

  const client: ApiTokensClient = {
    baseUrl,
    raw,
    list,
    listAll,
    get,
    create,
    update,
    delete: remove,
    lookup,
    // Deprecated in favour of rotateToken: loaded on first call, so an app that never calls it
    // does not carry it (as the OAuth code).
    rotate: async (id: string, rotateOptions: RotateOptions) => {
      const { rotate } = await import("./rotate.js");
      return rotate({ get, create, update, delete: remove }, id, rotateOptions);
    },
  };
  return client;
}
