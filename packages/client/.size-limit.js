// The size budget, enforced by test/size.test.ts: `createApiTokensClient` from dist/ bundled with
// openapi-fetch by esbuild, minified and gzipped. The OAuth code is a dynamic import
// (src/credentials.ts), a chunk of its own in dist/ that only a client with `oauth` loads; so is the
// deprecated `client.rotate` (src/rotate.ts, loaded on its first call). The first check leaves those
// chunks out (what every app loads), the second counts everything in one bundle.
const withoutOAuthChunk = (config) => ({ ...config, external: ["./oauth-*.js", "./rotate-*.js"] });

// Limits are what was measured plus 12 B: the lazy chunks' file names carry content hashes that
// come out differently in different checkouts, and the same source then gzips up to ~6 B apart
// (12676 B in one clone, 12682 B in another, at one commit).
export default [
  {
    name: "createApiTokensClient, loaded up front (with openapi-fetch)",
    path: "dist/index.js",
    import: "{ createApiTokensClient }",
    modifyEsbuildConfig: withoutOAuthChunk,
    limit: "12.744 kB",
    gzip: true,
  },
  {
    name: "createApiTokensClient with its OAuth code, in one bundle",
    path: "dist/index.js",
    import: "{ createApiTokensClient }",
    limit: "14.186 kB",
    gzip: true,
  },
  {
    name: "createActiveGateTokensClient, loaded up front (@dt-tokens/client/activegate, with openapi-fetch)",
    path: "dist/activegate.js",
    import: "{ createActiveGateTokensClient }",
    modifyEsbuildConfig: withoutOAuthChunk,
    limit: "12.716 kB",
    gzip: true,
  },
  {
    name: "openapi-fetch alone (for comparison)",
    path: "node_modules/openapi-fetch/dist/index.mjs",
    import: "createClient",
    limit: "3 kB",
    gzip: true,
  },
];
