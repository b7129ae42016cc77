#!/usr/bin/env node
import { runSandboxCli } from "./cli.js";

process.exitCode = await runSandboxCli(process.argv.slice(2));
