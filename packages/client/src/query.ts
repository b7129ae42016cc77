import { LIST_PAGE_SIZE } from "@dt-tokens/types";
import { apiTokenSelector, type FieldsInput, fieldsParam, timeframe } from "./builders.js";
import { expected } from "./invalid-input.js";
import type { ListParams, PageKeyParams } from "./types.js";

/** The query parameters of `GET /apiTokens`, as openapi-fetch serializes them. @internal */
export interface ListQuery {
  apiTokenSelector?: string | undefined;
  fields?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  sort?: string | undefined;
  pageSize?: number | undefined;
  nextPageKey?: string | undefined;
}

/**
 * Builds and checks the query of list. A `nextPageKey` is sent alone: it encodes the original query,
 * and Dynatrace refuses it next to any other parameter. Throws an InvalidInputError for bad input.
 * @internal
 */
export function listQuery(
  params: ListParams<FieldsInput | undefined> | PageKeyParams | undefined,
): ListQuery {
  const { selector, fields, from, to, sort, pageSize, nextPageKey } = (params ?? {}) as ListParams<
    FieldsInput | undefined
  > & { nextPageKey?: string };
  if (nextPageKey !== undefined) {
    if (typeof nextPageKey !== "string" || nextPageKey === "")
      expected("nextPageKey", "the non-empty cursor of the previous page", nextPageKey);
    return { nextPageKey };
  }
  if (
    pageSize !== undefined &&
    !(Number.isInteger(pageSize) && pageSize >= LIST_PAGE_SIZE.minimum && pageSize <= LIST_PAGE_SIZE.maximum)
  )
    expected(
      "pageSize",
      `a whole number from ${LIST_PAGE_SIZE.minimum} to ${LIST_PAGE_SIZE.maximum}`,
      pageSize,
    );
  if (sort !== undefined && typeof sort !== "string")
    expected("sort", "a field name such as -lastUsedDate", sort);
  const selectorText = typeof selector === "object" ? apiTokenSelector(selector) : selector;
  return {
    apiTokenSelector: selectorText || undefined,
    fields: fields ? fieldsParam(fields) || undefined : undefined,
    from: from === undefined ? undefined : timeframe(from, "from"),
    to: to === undefined ? undefined : timeframe(to, "to"),
    sort,
    pageSize,
  };
}
