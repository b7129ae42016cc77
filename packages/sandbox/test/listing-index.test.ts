import { afterEach, describe, expect, it } from "vitest";
import { type ListRequest, TokenStore } from "../src/store.js";
import { columnsOf, DEFAULT_FIELDS } from "../src/tokens.js";

let store: TokenStore | undefined;
afterEach(() => store?.close());

function planOf(store: TokenStore, request: ListRequest): string {
  const { sql, params } = store.listQuery(request);
  const rows = store.db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...params);
  return rows.map((r) => r.detail).join("\n");
}

describe("the listing index (migration 4)", () => {
  const defaultPage = (descending: boolean, after?: ListRequest["after"]): ListRequest => ({
    filter: { owners: [], scopeGroups: [], maxSeq: 1000 },
    sort: { field: "creationDate", descending },
    after,
    limit: 201,
    columns: columnsOf(DEFAULT_FIELDS),
  });

  it.each([true, false])(
    "serves a default-fields page sorted by creationDate (descending %s) from the index alone",
    (descending) => {
      store = new TokenStore(":memory:");
      for (const after of [undefined, { value: 1_700_000_000_000, seq: 10 }]) {
        const plan = planOf(store, defaultPage(descending, after));
        expect(plan).toContain("USING COVERING INDEX tokens_creation_listing");
        expect(plan).not.toContain("TEMP B-TREE"); // no sort step
      }
    },
  );

  it("replaced the narrower index it covers", () => {
    store = new TokenStore(":memory:");
    const names = store.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens'",
      )
      .all()
      .map((r) => r.name);
    expect(names).toContain("tokens_creation_listing");
    expect(names).not.toContain("tokens_creation");
  });
});
