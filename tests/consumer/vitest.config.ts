import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    include: ["test/**/*.test.ts"],
    // Packs every published package once, into a temporary folder outside the workspace.
    globalSetup: ["test/global-setup.ts"],
  },
});
