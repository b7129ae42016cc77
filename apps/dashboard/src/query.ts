/** Filtering and sorting the table, as plain functions. */
import type { ApiToken } from "@dt-tokens/client";
import { inState, type StateKey } from "./stats.js";

export interface Filters {
  /** Matched, case-insensitively, against name, id, owner and scopes. */
  text: string;
  owner: string;
  scope: string;
  personal: "" | "yes" | "no";
  state: "" | StateKey;
}

export const NO_FILTERS: Filters = { text: "", owner: "", scope: "", personal: "", state: "" };

export const SORT_KEYS = [
  "name",
  "owner",
  "scopes",
  "creationDate",
  "lastUsedDate",
  "expirationDate",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  key: SortKey;
  descending: boolean;
}

export function filterTokens(tokens: readonly ApiToken[], f: Filters, now: number): ApiToken[] {
  const text = f.text.trim().toLowerCase();
  return tokens.filter(
    (t) =>
      (!f.owner || t.owner === f.owner) &&
      (!f.scope || (t.scopes ?? []).includes(f.scope)) &&
      (!f.personal || (t.personalAccessToken === true) === (f.personal === "yes")) &&
      (!f.state || inState(t, f.state, now)) &&
      (!text || [t.name, t.id, t.owner, ...(t.scopes ?? [])].some((v) => v?.toLowerCase().includes(text))),
  );
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
const time = (d: string | undefined, missing: number) => (d ? Date.parse(d) : missing);

/**
 * Sorts like the API's `sort` parameter where it has one: never-used tokens count as the oldest use
 * (first when ascending), never-expiring ones as the latest expiry (last when ascending). Ties keep
 * their order.
 */
export function sortTokens(tokens: readonly ApiToken[], { key, descending }: Sort): ApiToken[] {
  const value = (t: ApiToken): number | string => {
    switch (key) {
      case "name":
        return t.name ?? "";
      case "owner":
        return t.owner ?? "";
      case "scopes":
        return t.scopes?.length ?? 0;
      case "creationDate":
        return time(t.creationDate, 0);
      case "lastUsedDate":
        return time(t.lastUsedDate, Number.NEGATIVE_INFINITY);
      case "expirationDate":
        return time(t.expirationDate, Number.POSITIVE_INFINITY);
    }
  };
  const sign = descending ? -1 : 1;
  return tokens
    .map((t, i) => ({ t, i, v: value(t) }))
    .sort((a, b) => {
      const c =
        typeof a.v === "string" && typeof b.v === "string"
          ? collator.compare(a.v, b.v)
          : a.v === b.v
            ? 0
            : (a.v as number) < (b.v as number)
              ? -1
              : 1;
      return c * sign || a.i - b.i;
    })
    .map(({ t }) => t);
}
