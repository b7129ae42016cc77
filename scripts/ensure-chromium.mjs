#!/usr/bin/env node
// The dashboard's browser tests drive Debian's Chromium (playwright-core cannot download browsers
// here). `pnpm test` runs this first: when Chromium is missing on a Debian-like machine and we may
// install packages (root, or passwordless sudo), it installs it with apt-get; otherwise it says
// how. With --required (CI) a failure to install is an error; without it the other suites still run.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const required = process.argv.includes("--required");

if (existsSync(path)) process.exit(0);

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const root = process.getuid?.() === 0;
const sudo = !root && has("sudo") && spawnSync("sudo", ["-n", "true"]).status === 0;
if (process.platform === "linux" && has("apt-get") && (root || sudo)) {
  console.error(`ensure-chromium: ${path} is missing; installing Debian's chromium for the browser tests`);
  const apt = (...args) =>
    execFileSync(sudo ? "sudo" : "apt-get", sudo ? ["apt-get", ...args] : args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  try {
    apt("update", "-qq");
    apt("install", "-y", "-qq", "chromium");
    if (existsSync(path)) process.exit(0);
  } catch {}
}
console.error(
  `ensure-chromium: Chromium is not at ${path} and could not be installed here; the dashboard's browser ` +
    "tests will fail. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH.",
);
process.exit(required ? 1 : 0);
