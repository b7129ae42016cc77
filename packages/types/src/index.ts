/**
 * Types for Dynatrace's access-token APIs (Environment API v2: API tokens, ActiveGate tokens and the
 * ActiveGate reads that join them to hosts), generated from spec/api-tokens.yaml by
 * openapi-typescript, with friendly names for the shapes people use and the scope lists as
 * constants. Use `paths` with openapi-fetch; use the aliases everywhere else.
 */
import type { components, operations } from "./generated/api.js";

export {
  DURATION_FORMS,
  DURATION_UNITS,
  type DurationUnit,
  durationInOneUnit,
  parseDurationMs,
} from "./duration.js";
export {
  ACCOUNT_URN_FORM,
  API_TOKENS_SCOPES,
  type ApiDialect,
  CLASSIC_API_PREFIX,
  type HostKind,
  hostKind,
  isAccountUrn,
  isLoopbackHost,
  otherDynatraceHost,
  PLATFORM_API_PREFIX,
  PLATFORM_API_TOKENS_SCOPES,
  platformScopeFor,
} from "./environment.js";
export {
  type FindSecretsOptions,
  findSecrets,
  isSecret,
  PRIVATE_PART_LENGTH,
  parseSecret,
  parseSecretId,
  SECRET_FORMATS,
  type SecretFormat,
  type SecretHome,
  type SecretKind,
  type SecretMatch,
  type SecretParts,
  secretHome,
  secretId,
  secretKind,
  secretLabel,
  secretPattern,
} from "./formats.js";
export type { components, operations, paths } from "./generated/api.js";
export {
  ACTIVEGATE_TOKENS_PAGE_SIZE,
  LIST_PAGE_SIZE,
  LIST_SORT_KEYS,
  type ListSortKey,
} from "./generated/list-params.js";
export {
  API_TOKEN_FIELDS,
  KNOWN_RESPONSE_SCOPES,
  LEGACY_TOKEN_SCOPES,
  TOKEN_SCOPES,
} from "./generated/scopes.js";
export {
  ACTIVEGATE_TOKEN_MAX_LIFETIME_MS,
  alignDown,
  DATE_RANGE,
  inDateRange,
  MAX_DATE_MS,
  MIN_DATE_MS,
  parseTimeframe,
  TIMEFRAME_FORMATS,
  type TimeUnit,
} from "./timeframe.js";
export {
  ACTIVEGATE_TOKEN_EXPIRING_DAYS,
  type ActiveGateTokenUse,
  activeGateTokenUse,
  BROAD_WRITE_SCOPES,
  broadWriteScopes,
  EXPIRING_WITHIN_DAYS,
  isExpired,
  isExpiring,
  isOlderThan,
  isTokenEnforcementOn,
  isUnused,
  isUnusedForLong,
  neverExpires,
  UNUSED_AFTER_DAYS,
  usedActiveGateTokenIds,
} from "./token-rules.js";

type Schemas = components["schemas"];

/** Metadata of an API token, as returned by get, list and lookup. Every field is optional: `fields` picks them. */
export type ApiToken = Schemas["ApiToken"];
/** The body of a create request: `name` and `scopes` are required. */
export type ApiTokenCreate = Schemas["ApiTokenCreate"];
/** The response of a create request: the only time the secret (`token`) is returned. */
export type ApiTokenCreated = Schemas["ApiTokenCreated"];
/** The body of an update request; every field is optional, and `scopes` replaces the whole list. */
export type ApiTokenUpdate = Schemas["ApiTokenUpdate"];
/** One page of tokens. `nextPageKey` is `null` (or absent) on the last page. */
export type ApiTokenList = Schemas["ApiTokenList"];
/** The body of a lookup request: the secret to look up. */
export type ApiTokenSecret = Schemas["ApiTokenSecret"];
/** The body of every error response. */
export type ErrorEnvelope = Schemas["ErrorEnvelope"];
/** The `error` object inside an ErrorEnvelope. */
export type ApiError = Schemas["Error"];
/** One violated constraint of a request (a 400's details). */
export type ConstraintViolation = Schemas["ConstraintViolation"];
/** A scope that can be assigned to a token: requests accept only these. */
export type TokenScope = Schemas["TokenScope"];
/** A scope as reported on an existing token: the known ones, or any other string. */
export type ResponseTokenScope = Schemas["ResponseTokenScope"];
/** A field name of an ApiToken, as used by the `fields` parameter. */
export type ApiTokenField = keyof ApiToken;
/** The query parameters of listApiTokens. */
export type ListApiTokensQuery = NonNullable<operations["listApiTokens"]["parameters"]["query"]>;

/** Metadata of an ActiveGate token (`dt0g02.<8 characters>`), as returned by get and list. */
export type ActiveGateToken = Schemas["ActiveGateToken"];
/** The body of an ActiveGate token create request: `name` and `activeGateType` are required. */
export type ActiveGateTokenCreate = Schemas["ActiveGateTokenCreate"];
/** The response of an ActiveGate token create request: the only time the secret (`token`) is returned. */
export type ActiveGateTokenCreated = Schemas["ActiveGateTokenCreated"];
/** One page of ActiveGate tokens. `nextPageKey` is `null` (or absent) on the last page. */
export type ActiveGateTokenList = Schemas["ActiveGateTokenList"];
/** The type of ActiveGate a token is for. */
export type ActiveGateTokenType = ActiveGateTokenCreate["activeGateType"];
/** The query parameters of listActiveGateTokens. */
export type ListActiveGateTokensQuery = NonNullable<
  operations["listActiveGateTokens"]["parameters"]["query"]
>;
/** An ActiveGate as listed by GET /activeGates: its host, whether it is online, and the tokens it uses. */
export type ActiveGate = Schemas["ActiveGate"];
/** A page of ActiveGates (GET /activeGates). */
export type ActiveGateList = Schemas["ActiveGateList"];
/** A token an ActiveGate uses, with its state as the ActiveGate reports it. */
export type ActiveGateTokenInfo = Schemas["ActiveGateTokenInfoDto"];
// Exclude, not NonNullable: `(... | (string & {})) & {}` collapses the known values into `string & {}`.
/** The state of an ActiveGate's token: VALID, EXPIRING (30 days or less left), INVALID, ABSENT, UNKNOWN, UNSUPPORTED, or one Dynatrace adds. */
export type ActiveGateTokenState = Exclude<ActiveGateTokenInfo["state"], undefined>;
/** The query parameters of GET /activeGates (filters such as `tokenState` and `tokenExpirationSet`). */
export type ListActiveGatesQuery = NonNullable<operations["getAllActiveGates"]["parameters"]["query"]>;
/** Whether ActiveGate tokens are enforced (GET /activeGates/tokenEnforcement). */
export type ActiveGateTokenEnforcement = Schemas["ActiveGateTokenEnforcement"];
/** A period of time (`value` in `unit`, milliseconds when no unit is given). */
export type Duration = Schemas["Duration"];
