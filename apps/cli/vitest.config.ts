import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    // Tests run the dt-tokens bin end to end, some a dozen times in a row; each start of Node
    // costs seconds when turbo runs every package's tests at once on a 2-core machine.
    testTimeout: 120_000,
    include: ["test/**/*.test.ts"],
  },
});
