import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    include: ["test/**/*.test.ts"],
    // The browser tests start Chromium and two servers: one file at a time on a 2-core machine.
    fileParallelism: false,
    // A browser test walks many states and audits each with axe-core at two widths: minutes on a busy machine.
    testTimeout: 120_000,
  },
});
