// Shared vitest settings for every package: a JSON report per package in .test-results/, which
// .ci/run sums into its "N passed, N failed" line.
import type { ViteUserConfig } from "vitest/config";

export const sharedTest = {
  reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
  // Timeouts only catch a hang; they are no speed claim (pnpm bench measures speed). A property test
  // against a server took 30-31 s on a 2-core machine at load 22 and failed at the old 30 s.
  testTimeout: 120_000,
  hookTimeout: 120_000,
} satisfies NonNullable<ViteUserConfig["test"]>;
