import { defineConfig } from "vitest/config";
import { sharedTest } from "../../vitest.shared.js";

export default defineConfig({
  test: {
    ...sharedTest,
    include: ["test/**/*.test.ts"],
    // Suites start servers and child processes: run files one at a time on a busy machine.
    fileParallelism: false,
  },
});
