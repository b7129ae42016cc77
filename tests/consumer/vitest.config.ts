import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    // Every test here runs whole tools in child processes (npm, tsc, attw, the packed bins); on a
    // shared 2-core machine under turbo's parallel tasks one tsc pass alone can take over 30 s.
    testTimeout: 180_000,
    include: ["test/**/*.test.ts"],
    // Packs every published package once, into a temporary folder outside the workspace.
    globalSetup: ["test/global-setup.ts"],
  },
});
