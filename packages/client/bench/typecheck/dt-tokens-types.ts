// A small consumer of @dt-tokens/types alone, with openapi-fetch (typecheck.mjs times tsc on it).
import type { ApiTokenCreate, paths, TokenScope } from "@dt-tokens/types";
import createClient from "openapi-fetch";

const client = createClient<paths>({ baseUrl: "https://abc12345.live.dynatrace.com/api/v2" });
const scopes: TokenScope[] = ["metrics.read", "logs.read"];
const body: ApiTokenCreate = { name: "ci", scopes };

export async function unused(): Promise<string[]> {
  const { data } = await client.GET("/apiTokens", { params: { query: { pageSize: 500 } } });
  const created = await client.POST("/apiTokens", { body });
  const one = await client.GET("/apiTokens/{id}", { params: { path: { id: created.data?.id ?? "" } } });
  const tokens = data?.apiTokens ?? [];
  return [...tokens.filter((t) => !t.lastUsedDate).map((t) => t.name ?? ""), one.data?.name ?? ""];
}
