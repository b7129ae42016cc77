// The app measured by bundle.mjs: create a client and list tokens, on @dt-tokens/client.
import { createApiTokensClient } from "@dt-tokens/client";

const dt = createApiTokensClient({ environmentUrl: globalThis.DT_URL, token: globalThis.DT_TOKEN });
const page = await dt.list();
for (const token of page.apiTokens) console.log(token.name);
