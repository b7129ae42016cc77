import type { ApiToken } from "@dt-tokens/types";
import { describe, expectTypeOf, test } from "vitest";
import {
  type ApiTokenPage,
  type ApiTokensClient,
  type ApiTokenWith,
  createApiTokensClient,
  type DEFAULT_FIELDS,
  type FullApiToken,
  type RotateResult,
  sameLifetime,
  type TokenFor,
} from "../src/index.js";

declare const dt: ApiTokensClient;
declare function first<T>(page: ApiTokenPage<T>): T;

describe("typed fields", () => {
  test("no fields: the default set, all present", async () => {
    const page = await dt.list();
    expectTypeOf(first(page)).toEqualTypeOf<{
      id: string;
      name: string;
      enabled: boolean;
      owner: string;
      creationDate: string;
    }>();
    expectTypeOf<(typeof DEFAULT_FIELDS)[number]>().toEqualTypeOf<
      "id" | "name" | "enabled" | "owner" | "creationDate"
    >();
  });

  test("an exact list narrows to those fields plus id", async () => {
    const page = await dt.list({ fields: ["name", "scopes", "lastUsedDate"] });
    const t = first(page);
    expectTypeOf(t.id).toEqualTypeOf<string>();
    expectTypeOf(t.name).toEqualTypeOf<string>();
    expectTypeOf(t.scopes).toEqualTypeOf<NonNullable<ApiToken["scopes"]>>();
    // never used: may be absent
    expectTypeOf(t.lastUsedDate).toEqualTypeOf<string | undefined>();
    expectTypeOf(t).not.toHaveProperty("owner");
  });

  test("add/remove works relative to the default set", async () => {
    const page = await dt.list({ fields: { add: ["scopes", "expirationDate"], remove: ["owner"] } });
    const t = first(page);
    expectTypeOf(t).toHaveProperty("scopes");
    expectTypeOf(t).toHaveProperty("name");
    expectTypeOf(t).not.toHaveProperty("owner");
    expectTypeOf(t.expirationDate).toEqualTypeOf<string | undefined>();
  });

  test("the raw string form gives the all-optional ApiToken", async () => {
    const page = await dt.list({ fields: "+scopes" });
    expectTypeOf(first(page)).toEqualTypeOf<ApiToken>();
    const wide: ("name" | "owner")[] = ["name"];
    expectTypeOf(first(await dt.list({ fields: wide }))).toEqualTypeOf<ApiToken>();
  });

  test("listAll yields the same narrowed type", () => {
    const iter = dt.listAll({ fields: ["name"] });
    expectTypeOf(iter).toExtend<AsyncIterable<{ id: string; name: string }>>();
    expectTypeOf(iter.pages()).toExtend<AsyncIterable<ApiTokenPage<{ id: string; name: string }>>>();
  });

  test("get and lookup: every field without fields, narrowed with them", async () => {
    expectTypeOf(await dt.get("x")).toEqualTypeOf<FullApiToken>();
    expectTypeOf((await dt.get("x")).personalAccessToken).toEqualTypeOf<boolean>();
    expectTypeOf(await dt.get("x", { fields: ["owner"] })).toEqualTypeOf<{ id: string; owner: string }>();
    expectTypeOf(await dt.lookup("x")).toEqualTypeOf<FullApiToken>();
    expectTypeOf<TokenFor<["modifiedDate"]>>().toEqualTypeOf<ApiTokenWith<"modifiedDate">>();
  });
});

describe("method signatures", () => {
  test("per-call options come last; create needs name and assignable scopes", () => {
    expectTypeOf(dt.get).parameter(1).toExtend<{ signal?: AbortSignal; timeoutMs?: number } | undefined>();
    expectTypeOf<{ name: "a"; scopes: ["ViewDashboard"] }>().not.toExtend<Parameters<typeof dt.create>[0]>();
    expectTypeOf<{ scopes: ["metrics.read"] }>().not.toExtend<Parameters<typeof dt.create>[0]>();
    expectTypeOf<{ name: "a"; scopes: ["metrics.read"] }>().toExtend<Parameters<typeof dt.create>[0]>();
    expectTypeOf(dt.rotate).returns.resolves.toEqualTypeOf<RotateResult>();
    expectTypeOf(createApiTokensClient).returns.toEqualTypeOf<ApiTokensClient>();
  });

  test("rotate needs an explicit expirationDate: a timeframe, null, or a function of the old token", () => {
    // @ts-expect-error expirationDate is required
    dt.rotate("x", { revoke: "keep" });
    // @ts-expect-error options are required
    dt.rotate("x");
    dt.rotate("x", { expirationDate: "now+30d" });
    dt.rotate("x", { expirationDate: new Date() });
    dt.rotate("x", { expirationDate: null });
    dt.rotate("x", { expirationDate: sameLifetime });
    dt.rotate("x", {
      expirationDate: (previous) => {
        expectTypeOf(previous).toEqualTypeOf<FullApiToken>();
        return previous.scopes.length > 3 ? "now+7d" : null;
      },
    });
  });
});
