/**
 * `pnpm dev` (scripts/dev.mjs): a seeded sandbox that allows the dev server's origin, the Vite dev
 * server, and the URL and token printed; with DT_PROXY_TARGET, no sandbox and /api/v2 forwarded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterEach, expect, test } from "vitest";
import { closedPort, launchChromium } from "./harness.js";

const script = resolve(import.meta.dirname, "../scripts/dev.mjs");
let child: ChildProcess | undefined;
let target: Sandbox | undefined;

/** Starts the dev script and resolves with what it printed once it is ready. */
async function dev(env: Record<string, string>) {
  child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    // A pipe kept open: Vite stops its dev server when stdin ends (outside CI).
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stderr!.on("data", (d) => {
    out += d;
  });
  await new Promise<void>((ready, fail) => {
    child!.stdout!.on("data", (d) => {
      out += d;
      if (/Environment URL.*\n[\s\S]*\n\n/.test(out)) ready();
    });
    child!.once("exit", (code) => fail(new Error(`dev exited with ${code}: ${out}`)));
  });
  return out;
}

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    const [code, signal] = await once(child, "exit");
    // Stops on SIGTERM: Vite exits with 128 + 15 after closing its server.
    expect([0, 143]).toContain(code ?? signal);
  }
  await target?.close();
  target = undefined;
});

test("starts a seeded sandbox with CORS for the dev server, and the dev server; prints URL and token", async () => {
  const port = await closedPort();
  const out = await dev({ PORT: String(port), DEMO_TOKENS: "40" });
  const origin = `http://127.0.0.1:${port}`;
  expect(out).toContain(`Dashboard        ${origin}/`);
  const environmentUrl = /Environment URL {2}(\S+)/.exec(out)![1]!;
  const token = /Token {12}(\S+)/.exec(out)![1]!;

  const page = await fetch(`${origin}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="app">');
  // The page is told the sandbox's URL (never the token).
  const env = await (await fetch(`${origin}/src/app.tsx`)).text();
  expect(env).toContain(environmentUrl);
  expect(env).not.toContain(token);

  const res = await fetch(`${environmentUrl}/api/v2/apiTokens?pageSize=100`, {
    headers: { Authorization: `Api-Token ${token}`, Origin: origin },
  });
  expect(res.headers.get("access-control-allow-origin")).toBe(origin);
  // 40 demo tokens, the printed token, the read-only one and the all-views one.
  expect((await res.json()).totalCount).toBe(43);
  // The all-views token reads the demo's ActiveGate tokens (the ActiveGate tokens view).
  const allViews = /All-views token {2}(\S+)/.exec(out)![1]!;
  const ag = await fetch(`${environmentUrl}/api/v2/activeGateTokens`, {
    headers: { Authorization: `Api-Token ${allViews}`, Origin: origin },
  });
  expect((await ag.json()).totalCount).toBe(7);
  const gates = await fetch(`${environmentUrl}/api/v2/activeGates`, {
    headers: { Authorization: `Api-Token ${allViews}`, Origin: origin },
  });
  expect(gates.status).toBe(200);

  // Ready to open: the URL is filled in, the printed token connects, the tokens load.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${origin}/`);
    const url = page.getByLabel("Environment URL");
    await url.waitFor();
    expect(await url.inputValue()).toBe(environmentUrl);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator(".shell[data-state=ready]").waitFor();
    expect(await page.getByTestId("row-count").textContent()).toBe("Showing 1–43 of 43");
  } finally {
    await browser.close();
  }
});

test("with DT_PROXY_TARGET, the dev server forwards /api/v2 and the platform prefix to that environment", async () => {
  target = await startSandbox(); // no CORS: the page talks to its own origin
  const port = await closedPort();
  const out = await dev({ PORT: String(port), DT_PROXY_TARGET: target.url });
  const origin = `http://127.0.0.1:${port}`;
  expect(out).toContain(`forwarded to ${target.url}`);
  expect(out).not.toMatch(/Token {12}/);
  const res = await fetch(`${origin}/api/v2/apiTokens`, {
    headers: { Authorization: `Api-Token ${target.bootstrapToken}` },
  });
  expect(res.status).toBe(200);
  expect((await res.json()).totalCount).toBe(1);
  const platform = await fetch(`${origin}/platform/classic/environment-api/v2/apiTokens`, {
    headers: { Authorization: `Bearer ${target.platformToken}` },
  });
  expect(platform.status).toBe(200);
  expect((await platform.json()).totalCount).toBe(1);
});
