import { execFileSync } from "node:child_process";
import { defineConfig } from "tsdown";

/** The short commit of a git clone, for the version of unreleased builds; none outside git. */
function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return "";
  }
}

export default defineConfig({
  entry: ["src/bin.ts"],
  format: "esm",
  platform: "node",
  target: "node20.19",
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  define: { __BUILD_COMMIT__: JSON.stringify(commit()) },
});
