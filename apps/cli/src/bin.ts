#!/usr/bin/env node
import { watchOutput } from "./output.js";
import { main } from "./program.js";

// Write errors are reported by main (one line, exit 7); a reader that quit (`dt-tokens list | head`)
// is not an error: stop quietly.
const output = watchOutput(process, () => process.exit(process.exitCode ?? 0));

process.exitCode = await main(process.argv.slice(2), undefined, output);
