import { defineConfig, type Plugin, type ProxyOptions } from "vite";

// The built page talks to whatever environment the user enters, so connect-src is open; everything
// else comes from the page's own origin. Only in the build: the dev server injects inline code.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src *",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const csp = (): Plugin => ({
  name: "dashboard-csp",
  apply: "build",
  transformIndexHtml: () => [
    {
      tag: "meta",
      attrs: { "http-equiv": "Content-Security-Policy", content: CSP },
      injectTo: "head-prepend",
    },
  ],
});

// DT_PROXY_TARGET=https://abc12345.live.dynatrace.com makes the dev and preview servers forward
// /api/v2 (classic API tokens) and the platform prefix (platform tokens, for an *.apps.dynatrace.com
// target) to that environment, so the page calls its own origin and needs no CORS.
const target = process.env.DT_PROXY_TARGET;
const forward: ProxyOptions = { target, changeOrigin: true, secure: true };
const proxy: Record<string, ProxyOptions> | undefined = target
  ? { "/api/v2": forward, "/platform/classic/environment-api/v2": forward }
  : undefined;

export default defineConfig({
  base: "./",
  plugins: [csp()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    // dist/.vite/manifest.json names the hashed JS and CSS of index.html (scripts/bundle-size.mjs reads it).
    manifest: true,
    sourcemap: false,
    target: "es2022",
  },
  server: { host: "127.0.0.1", proxy },
  preview: { host: "127.0.0.1", proxy },
});
