// The same app on openapi-fetch alone (no auth helper, retries, timeouts, errors or pagination).
import createClient from "openapi-fetch";

const client = createClient({
  baseUrl: `${globalThis.DT_URL}/api/v2`,
  headers: { Authorization: `Api-Token ${globalThis.DT_TOKEN}` },
});
const { data } = await client.GET("/apiTokens");
for (const token of data?.apiTokens ?? []) console.log(token.name);
