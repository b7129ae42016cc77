// The same ActiveGate-tokens app on Dynatrace's SDK (@dynatrace-sdk/client-classic-environment-v2 5.2.3).
import { AccessTokensActiveGateTokensClient } from "@dynatrace-sdk/client-classic-environment-v2";
import { PlatformHttpClient } from "@dynatrace-sdk/http-client";

const client = new AccessTokensActiveGateTokensClient(
  new PlatformHttpClient({
    baseUrl: globalThis.DT_URL,
    defaultHeaders: { Authorization: `Api-Token ${globalThis.DT_TOKEN}` },
  }),
);
const page = await client.listTokens();
for (const token of page.activeGateTokens ?? []) console.log(token.name);
