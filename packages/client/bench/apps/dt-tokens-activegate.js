// The ActiveGate-tokens app measured by bundle.mjs: create a client and list ActiveGate tokens, on
// @dt-tokens/client/activegate.
import { createActiveGateTokensClient } from "@dt-tokens/client/activegate";

const ag = createActiveGateTokensClient({ environmentUrl: globalThis.DT_URL, token: globalThis.DT_TOKEN });
const page = await ag.list();
for (const token of page.activeGateTokens) console.log(token.name);
