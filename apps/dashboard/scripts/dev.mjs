#!/usr/bin/env node
// `pnpm dev`: a seeded sandbox (in memory, CORS for the dev server's origin) and the Vite dev
// server, then the URL to open and the token to paste. Ctrl+C stops both.
//
//   PORT=5180 pnpm dev                 another port for the dev server (default 5173)
//   DEMO_TOKENS=2000 pnpm dev          more demo tokens (default 300)
//   DT_PROXY_TARGET=https://abc12345.live.dynatrace.com pnpm dev
//                                      no sandbox: the dev server forwards /api/v2 to that environment
import { generateDemoTokens, seedDemoActiveGates, startSandbox } from "@dt-tokens/sandbox";
import { createServer } from "vite";

const port = Number(process.env.PORT ?? 5173);
const host = "127.0.0.1";
const origins = [`http://${host}:${port}`, `http://localhost:${port}`];
const proxyTarget = process.env.DT_PROXY_TARGET;

/** @type {import("@dt-tokens/sandbox").Sandbox | undefined} */
let sandbox;
/** @type {string | undefined} */
let readOnlyToken;
/** @type {string | undefined} */
let allViewsToken;
if (proxyTarget) {
  // The page calls its own origin; vite.config.ts forwards /api/v2 to the environment.
  process.env.VITE_DT_ENVIRONMENT_URL = origins[0];
} else {
  sandbox = await startSandbox({ cors: { origins } });
  const count = Number(process.env.DEMO_TOKENS ?? 300);
  sandbox.seed(generateDemoTokens({ count, seed: 1 }));
  // A token that can read but not change tokens, to see the read-only mode and the missing-scope message.
  const [reader] = sandbox.seed([
    { name: "dashboard-read-only", owner: "admin", scopes: ["apiTokens.read"], creationDate: "now-1d" },
  ]);
  readOnlyToken = reader?.token;
  // The ActiveGate tokens view: the demo's ActiveGate tokens and ActiveGates (as `--seed-demo`), and a
  // token that may read them as well as change API tokens.
  seedDemoActiveGates(sandbox.activeGates);
  const [everything] = sandbox.seed([
    {
      name: "dashboard-all-views",
      owner: "admin",
      scopes: ["apiTokens.read", "apiTokens.write", "activeGateTokenManagement.read", "activeGates.read"],
      creationDate: "now-1d",
    },
  ]);
  allViewsToken = everything?.token;
  // The environment URL is not a secret: prefill it (the token is never put into the page).
  process.env.VITE_DT_ENVIRONMENT_URL = sandbox.url;
}

const server = await createServer({
  configFile: new URL("../vite.config.ts", import.meta.url).pathname,
  server: { host, port, strictPort: true },
});
try {
  await server.listen();
} catch (error) {
  await sandbox?.close();
  console.error(
    `dashboard: cannot listen on ${host}:${port}: ${/** @type {Error} */ (error).message}. Set PORT to another port.`,
  );
  process.exit(1);
}

const lines = [
  "",
  `  Dashboard        ${origins[0]}/`,
  sandbox
    ? `  Environment URL  ${sandbox.url}   (a local sandbox with ${sandbox.tokenCount()} tokens)`
    : `  Environment URL  ${origins[0]}   (forwarded to ${proxyTarget})`,
];
if (sandbox) {
  lines.push(
    `  Token            ${sandbox.bootstrapToken}   (apiTokens.read + apiTokens.write)`,
    `  Read-only token  ${readOnlyToken}`,
    `  All-views token  ${allViewsToken}   (+ activeGateTokenManagement.read + activeGates.read)`,
    `  Platform token   ${sandbox.platformToken}   (environment-api:api-tokens:read + :write)`,
    "",
    "  These tokens exist only in this sandbox's memory and vanish when you stop it (Ctrl+C).",
  );
} else {
  lines.push(
    "",
    "  Paste a token of that environment with apiTokens.read (and apiTokens.write to change tokens;",
    "  activeGateTokenManagement.read and activeGates.read for the ActiveGate tokens view),",
    "  or a platform token with environment-api:api-tokens:read (and :write) for an *.apps.dynatrace.com target.",
  );
}
console.log(`${lines.join("\n")}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.close();
  await sandbox?.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
