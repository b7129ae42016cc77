import { describe, expectTypeOf, test } from "vitest";
import type {
  ActiveGate,
  ActiveGateTokenCreate,
  ActiveGateTokenList,
  ActiveGateTokenState,
  API_TOKEN_FIELDS,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenSecret,
  ApiTokenUpdate,
  ConstraintViolation,
  components,
  ErrorEnvelope,
  ListSortKey,
  paths,
  ResponseTokenScope,
  TOKEN_SCOPES,
  TokenScope,
} from "../src/index.js";

describe("friendly types", () => {
  test("ActiveGate tokens: create requires name and activeGateType; states and pages are typed", () => {
    expectTypeOf<{ name: string; activeGateType: "ENVIRONMENT" }>().toExtend<ActiveGateTokenCreate>();
    expectTypeOf<{ name: string; activeGateType: "PLANET" }>().not.toExtend<ActiveGateTokenCreate>();
    expectTypeOf<{ name: string }>().not.toExtend<ActiveGateTokenCreate>();
    expectTypeOf<"EXPIRING">().toExtend<ActiveGateTokenState>();
    // Only responses carry the state: an open enum, the known values kept for editors.
    expectTypeOf<"EXPIRED">().toExtend<ActiveGateTokenState>();
    expectTypeOf<Extract<ActiveGateTokenState, "EXPIRING">>().toEqualTypeOf<"EXPIRING">();
    expectTypeOf<ActiveGateTokenList["nextPageKey"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<ActiveGate["offlineSince"]>().toEqualTypeOf<number | null | undefined>();
  });

  test("create requires name and scopes, the rest is optional", () => {
    expectTypeOf<{ name: string; scopes: TokenScope[] }>().toExtend<ApiTokenCreate>();
    expectTypeOf<{ name: string }>().not.toExtend<ApiTokenCreate>();
    expectTypeOf<{ scopes: TokenScope[] }>().not.toExtend<ApiTokenCreate>();
    expectTypeOf<ApiTokenCreate["personalAccessToken"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ApiTokenCreate["expirationDate"]>().toEqualTypeOf<string | undefined>();
  });

  test("create accepts only assignable scopes", () => {
    expectTypeOf<{ name: "a"; scopes: ["metrics.read"] }>().toExtend<ApiTokenCreate>();
    expectTypeOf<{ name: "a"; scopes: ["not.a.scope"] }>().not.toExtend<ApiTokenCreate>();
    // A legacy scope can be reported, but not assigned.
    expectTypeOf<"ViewDashboard">().not.toExtend<TokenScope>();
    expectTypeOf<"ViewDashboard">().toExtend<ResponseTokenScope>();
  });

  test("update fields are all optional", () => {
    expectTypeOf<Record<string, never>>().toExtend<ApiTokenUpdate>();
    expectTypeOf<ApiTokenUpdate>().toEqualTypeOf<{
      name?: string;
      enabled?: boolean;
      scopes?: TokenScope[];
    }>();
  });

  test("a list response has a required totalCount and a nullable nextPageKey", () => {
    expectTypeOf<ApiTokenList["totalCount"]>().toEqualTypeOf<number>();
    expectTypeOf<ApiTokenList["nextPageKey"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<ApiTokenList["apiTokens"]>().toEqualTypeOf<ApiToken[] | undefined>();
    expectTypeOf<{ apiTokens: [] }>().not.toExtend<ApiTokenList>();
  });

  test("response scopes accept unknown strings but keep the known ones", () => {
    expectTypeOf<"some.future.scope">().toExtend<ResponseTokenScope>();
    expectTypeOf<"metrics.read">().toExtend<ResponseTokenScope>();
    // Not collapsed to plain `string`: the known literals stay in the union for editors.
    expectTypeOf<Extract<ResponseTokenScope, "metrics.read">>().toEqualTypeOf<"metrics.read">();
    expectTypeOf<NonNullable<ApiToken["scopes"]>>().toEqualTypeOf<ResponseTokenScope[]>();
  });

  test("created token carries id and the secret", () => {
    expectTypeOf<ApiTokenCreated["token"]>().toEqualTypeOf<string>();
    expectTypeOf<ApiTokenCreated["id"]>().toEqualTypeOf<string>();
    expectTypeOf<ApiTokenSecret>().toEqualTypeOf<{ token: string }>();
  });

  test("errors", () => {
    expectTypeOf<NonNullable<ErrorEnvelope["error"]>["constraintViolations"]>().toEqualTypeOf<
      ConstraintViolation[] | undefined
    >();
    // Only responses carry it: an open enum, so a value Dynatrace adds breaks no switch.
    expectTypeOf<"COOKIE">().toExtend<NonNullable<ConstraintViolation["parameterLocation"]>>();
    // The known values stay in the union for editors (not pinned: Dynatrace may add some).
    expectTypeOf<Extract<ConstraintViolation["parameterLocation"], "HEADER" | "QUERY">>().toEqualTypeOf<
      "HEADER" | "QUERY"
    >();
  });

  test("requests' enums stay closed: they list what may be sent", () => {
    expectTypeOf<"not.a.scope">().not.toExtend<TokenScope>();
    expectTypeOf<"name">().toExtend<ListSortKey>();
    expectTypeOf<"owner">().not.toExtend<ListSortKey>();
  });

  test("get and lookup return a full token: the spec's required fields are always there", () => {
    type Full = components["schemas"]["FullApiToken"];
    expectTypeOf<Full["name"]>().toEqualTypeOf<string>();
    expectTypeOf<Full["scopes"]>().toEqualTypeOf<ResponseTokenScope[]>();
    expectTypeOf<Full["lastUsedDate"]>().toEqualTypeOf<string | undefined>();
    type Get =
      paths["/apiTokens/{id}"]["get"]["responses"][200]["content"]["application/json; charset=utf-8"];
    expectTypeOf<Get>().toEqualTypeOf<Full>();
    // List items carry what `fields` selects: every field optional.
    expectTypeOf<NonNullable<ApiTokenList["apiTokens"]>[number]["name"]>().toEqualTypeOf<
      string | undefined
    >();
  });

  test("constants and field names agree with the types", () => {
    expectTypeOf<(typeof TOKEN_SCOPES)[number]>().toEqualTypeOf<TokenScope>();
    expectTypeOf<(typeof API_TOKEN_FIELDS)[number]>().toEqualTypeOf<ApiTokenField>();
  });

  test("paths carry the operations with their success codes", () => {
    type Create = paths["/apiTokens"]["post"];
    expectTypeOf<
      Create["responses"][201]["content"]["application/json; charset=utf-8"]
    >().toEqualTypeOf<ApiTokenCreated>();
    type Update = paths["/apiTokens/{id}"]["put"];
    expectTypeOf<Update["responses"][204]["content"]>().toEqualTypeOf<undefined>();
    expectTypeOf<Update["responses"]>().toHaveProperty(404);
  });
});
