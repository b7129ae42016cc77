// The same small consumer on Dynatrace's SDK (typecheck.mjs times tsc on it).
import {
  AccessTokensApiTokensClient,
  type ApiToken,
  type ApiTokenCreate,
} from "@dynatrace-sdk/client-classic-environment-v2";
import { PlatformHttpClient } from "@dynatrace-sdk/http-client";

const client = new AccessTokensApiTokensClient(
  new PlatformHttpClient({ baseUrl: "https://abc12345.live.dynatrace.com", defaultHeaders: {} }),
);
const body: ApiTokenCreate = { name: "ci", scopes: ["metrics.read", "logs.read"] };

export async function unused(): Promise<string[]> {
  const page = await client.listApiTokens();
  const created = await client.createApiToken({ body });
  const one = await client.getApiToken({ id: created.id ?? "" });
  const tokens: ApiToken[] = page.apiTokens ?? [];
  return [...tokens.filter((t) => !t.lastUsedDate).map((t) => t.name ?? ""), one.name ?? ""];
}
