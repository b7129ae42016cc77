// The size budget, enforced by test/size.test.ts: `createApiTokensClient` from dist/ bundled with
// openapi-fetch by esbuild, minified and gzipped. The OAuth code is a dynamic import
// (src/credentials.ts), a chunk of its own in dist/ that only a client with `oauth` loads; so is the
// deprecated `client.rotate` (src/rotate.ts, loaded on its first call). The first check leaves those
// chunks out (what every app loads), the second counts everything in one bundle.
const withoutOAuthChunk = (config) => ({ ...config, external: ["./oauth-*.js", "./rotate-*.js"] });

export default [
  {
    name: "createApiTokensClient, loaded up front (with openapi-fetch)",
    path: "dist/index.js",
    import: "{ createApiTokensClient }",
    modifyEsbuildConfig: withoutOAuthChunk,
    limit: "12.682 kB",
    gzip: true,
  },
  {
    name: "createApiTokensClient with its OAuth code, in one bundle",
    path: "dist/index.js",
    import: "{ createApiTokensClient }",
    limit: "14.129 kB",
    gzip: true,
  },
  {
    name: "createActiveGateTokensClient, loaded up front (@dt-tokens/client/activegate, with openapi-fetch)",
    path: "dist/activegate.js",
    import: "{ createActiveGateTokensClient }",
    modifyEsbuildConfig: withoutOAuthChunk,
    limit: "12.659 kB",
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
