/**
 * @dt-tokens/client: a thin client for Dynatrace's API-tokens API (Environment API v2) on
 * openapi-fetch, with retries, timeouts, typed errors that never show a secret, pagination, typed
 * fields and builders. Start with {@link createApiTokensClient}.
 */

export type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenUpdate,
  ConstraintViolation,
  ResponseTokenScope,
  TokenScope,
} from "@dt-tokens/types";
export {
  API_TOKEN_FIELDS,
  KNOWN_RESPONSE_SCOPES,
  LEGACY_TOKEN_SCOPES,
  LIST_PAGE_SIZE,
  LIST_SORT_KEYS,
  TOKEN_SCOPES,
} from "@dt-tokens/types";
export type { AuthScheme } from "./auth-scheme.js";
export {
  apiTokenSelector,
  DEFAULT_FIELDS,
  type FieldsInput,
  fieldsParam,
  isTokenSecret,
  parseTokenSecret,
  type SelectorInput,
  sameLifetime,
  type TimeframeInput,
  type TokenSecretParts,
  timeframe,
} from "./builders.js";
export { createApiTokensClient } from "./client.js";
export {
  AbortError,
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  type ErrorRequest,
  type InputDetails,
  InvalidInputError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.js";
export {
  DEFAULT_TOKEN_URL,
  type OAuthClientOptions,
  PLATFORM_API_TOKENS_SCOPES,
} from "./oauth-options.js";
export { REQUEST_DEFAULTS } from "./options.js";
export { redact } from "./redact.js";
export * from "./rotation/index.js";
export { isTokenScope, validateScopes } from "./scopes.js";
export type {
  ApiTokenPage,
  ApiTokensClient,
  ApiTokenWith,
  ClientOptions,
  CreateInput,
  FullApiToken,
  GetOptions,
  ListParams,
  ListSort,
  Logger,
  PageKeyParams,
  RequestOptions,
  RetireMode,
  RetryDetails,
  RevokeMode,
  RotateOptions,
  RotateResult,
  TokenFor,
  TokenIterator,
} from "./types.js";
export {
  checkUrl,
  normalizeEnvironmentUrl,
  type UrlCheck,
  type UrlCheckOptions,
  type UrlParam,
  type UrlProblem,
} from "./url.js";
