import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    include: ["test/**/*.test.ts"],
    // Each spec:update run starts node, openapi-format and openapi-typescript: seconds, more on a
    // busy machine.
    testTimeout: 180_000,
    // @actions/workflow-parser imports JSON without import attributes, which plain Node 20 ESM
    // rejects: let Vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
