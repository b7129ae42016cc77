import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts", "src/display.ts", "src/leak.ts", "src/activegate.ts"],
  format: "esm",
  platform: "neutral",
  dts: true,
  sourcemap: true,
  clean: true,
  outputOptions: {
    // The OAuth code is a dynamic import (src/credentials.ts), emitted as oauth-<hash>.js; what it
    // shares with the entries (errors, redaction, delays) goes to shared-<hash>.js.
    chunkFileNames: (chunk) => (chunk.isDynamicEntry ? "[name]-[hash].js" : "shared-[hash].js"),
  },
});
