// The built bin (dist/bin.js; turbo builds before testing) in a child process, through the
// package's own startSandboxProcess(), so the tests also cover that export.
import { startSandboxProcess } from "@dt-tokens/sandbox";

export const startBin = (args: string[], env: Record<string, string> = {}) =>
  startSandboxProcess(args, { env });
