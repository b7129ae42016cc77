// The same app on Dynatrace's SDK (@dynatrace-sdk/client-classic-environment-v2 5.2.3).
import { AccessTokensApiTokensClient } from "@dynatrace-sdk/client-classic-environment-v2";
import { PlatformHttpClient } from "@dynatrace-sdk/http-client";

const client = new AccessTokensApiTokensClient(
  new PlatformHttpClient({
    baseUrl: globalThis.DT_URL,
    defaultHeaders: { Authorization: `Api-Token ${globalThis.DT_TOKEN}` },
  }),
);
const page = await client.listApiTokens();
for (const token of page.apiTokens ?? []) console.log(token.name);
