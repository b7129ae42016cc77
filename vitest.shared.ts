// Shared vitest settings for every package: a JSON report per package in .test-results/, which
// .ci/run sums into its "N passed, N failed" line.
import type { ViteUserConfig } from "vitest/config";

export const sharedTest = {
  reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
  testTimeout: 30_000,
  hookTimeout: 60_000,
} satisfies NonNullable<ViteUserConfig["test"]>;
