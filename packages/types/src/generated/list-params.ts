// GENERATED from spec/api-tokens.yaml by packages/types/scripts/generate.mjs. Do not edit: run `pnpm generate`.

/** The page sizes listApiTokens accepts (`pageSize`): from `minimum` to `maximum`, `default` when not set. */
export const LIST_PAGE_SIZE = { minimum: 100, maximum: 10000, default: 200 } as const;

/** The keys listApiTokens sorts by (`sort`: a key, optionally prefixed with `+`, ascending, or `-`, descending). */
export const LIST_SORT_KEYS = [
  "name",
  "lastUsedDate",
  "creationDate",
  "expirationDate",
  "modifiedDate",
] as const;

/** A key listApiTokens sorts by. */
export type ListSortKey = (typeof LIST_SORT_KEYS)[number];

/** The page sizes listActiveGateTokens accepts (`pageSize`): from `minimum` to `maximum`, `default` when not set. */
export const ACTIVEGATE_TOKENS_PAGE_SIZE = { minimum: 100, maximum: 3000, default: 100 } as const;
