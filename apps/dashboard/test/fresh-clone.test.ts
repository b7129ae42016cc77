/**
 * The documented start, on a fresh clone: `pnpm install`, then `pnpm --filter @dt-tokens/dashboard
 * dev` must build what the dev script needs (the sandbox and the client, through turbo) and serve
 * the page. The clone is of the committed HEAD, in a temporary directory, installed from pnpm's
 * store; nothing of this working tree's build output is used.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { closedPort } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const PNPM = ["-y", "pnpm@12.4.2"];
let dir: string | undefined;
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) {
    process.kill(-dev.pid, "SIGTERM");
    await new Promise((done) => dev!.once("exit", done));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("`pnpm --filter @dt-tokens/dashboard dev` starts on a fresh clone", { timeout: 600_000 }, async () => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-clone-"));
  execFileSync("git", ["clone", "--quiet", ROOT, dir]);
  execFileSync("npx", [...PNPM, "install", "--prefer-offline", "--frozen-lockfile"], {
    cwd: dir,
    stdio: "pipe",
  });
  const port = await closedPort();
  dev = spawn("npx", [...PNPM, "--filter", "@dt-tokens/dashboard", "dev"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), DEMO_TOKENS: "20" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group: pnpm, turbo, node and vite stop together
  });
  let out = "";
  const ready = await new Promise<boolean>((done) => {
    const onData = (d: Buffer) => {
      out += d;
      if (/Token {12}\S+/.test(out)) done(true);
    };
    dev!.stdout!.on("data", onData);
    dev!.stderr!.on("data", onData);
    dev!.once("exit", () => done(false));
  });
  expect(ready, out).toBe(true);
  expect(out).not.toContain("ERR_MODULE_NOT_FOUND");
  const page = await fetch(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="app">');
});
