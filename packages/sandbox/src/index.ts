/**
 * @dt-tokens/sandbox: a local, stateful, Dynatrace-compatible API-tokens server (HTTP + SQLite).
 * Start it with `startSandbox()`, seed it with `sandbox.seed()` or `seedTokens()`, and point any
 * Dynatrace client at `sandbox.url`.
 */

export type {
  SeedActiveGate,
  SeedActiveGateToken,
  SeededActiveGateToken,
} from "./activegates.js";
export type { SandboxReadyLine } from "./cli.js";
export { type DemoOptions, generateDemoTokens, seedDemoActiveGates } from "./demo.js";
export type { FaultOptions } from "./faults.js";
export type { LogOption, RequestLogEntry } from "./logger.js";
export { PAGE_KEY_TTL_MS } from "./pagekey.js";
export { type NewOAuthClient, type NewPlatformToken, PLATFORM_SCOPES } from "./platform-store.js";
export { type SandboxProcess, startSandboxProcess } from "./process.js";
export {
  type ActiveGateControls,
  addActiveGates,
  BOOTSTRAP_NAME,
  BOOTSTRAP_OWNER,
  BOOTSTRAP_SCOPES,
  type CorsOptions,
  OAUTH_SERVICE_USER,
  PLATFORM_OWNER,
  type Sandbox,
  type SandboxOptions,
  seedActiveGateTokens,
  seedTokens,
  setOAuthClientEnabled,
  startSandbox,
} from "./sandbox.js";
export { generateTokenSecret } from "./secrets.js";
export type { ThrottleOptions } from "./throttle.js";
export type { SeedDate, SeededToken, SeedToken } from "./tokens.js";
