/**
 * The built dashboard in Chromium, signed in with a platform token (dt0s16.…, sent as Bearer to
 * /platform/classic/environment-api/v2) of the sandbox running as its own process: it lists every
 * token, says truthfully what it is signed in with, changes and rotates a token, and refuses in plain words a
 * wrong platform token, a token whose scheme the URL does not take, an OAuth client secret or access
 * token, and a platform token without environment-api:api-tokens:read. No secret in the URL,
 * storage, console or page text.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Sandbox, type SandboxProcess, startSandbox, startSandboxProcess } from "@dt-tokens/sandbox";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ARTIFACTS, audit, connectApp, launchChromium, serveDist } from "./harness.js";

const DEMO_TOKENS = 250; // two pages of 200

let app: Awaited<ReturnType<typeof serveDist>>;
let sandbox: SandboxProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleLines: string[];
let secretsInPlay: string[];

const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });
const text = (l: Locator) => async () => ((await l.count()) ? l.textContent() : null);
/** axe-core finds nothing at 1280 and 390 px. */
const accessible = async (label: string) => expect(await audit(page, label)).toEqual([]);

const platformToken = () => sandbox.ready.platformToken!;
const classicToken = () => sandbox.ready.bootstrapToken!;

/** The sandbox's platform API, called directly with the platform token (not through the page). */
async function platformApi(path: string, init: RequestInit = {}) {
  const res = await fetch(`${sandbox.ready.platformBase}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${platformToken()}`, "Content-Type": "application/json" },
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const connect = (secret: string, environmentUrl: string) =>
  connectApp(page, { origin: app.origin, environmentUrl, secret, secretsInPlay });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await serveDist();
  sandbox = await startSandboxProcess([
    "--db",
    ":memory:",
    "--quiet",
    "--seed-demo",
    String(DEMO_TOKENS),
    "--cors-origin",
    app.origin,
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await app?.close();
});

beforeEach(async () => {
  consoleLines = [];
  secretsInPlay = [];
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (m) => consoleLines.push(m.text()));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
});

afterEach(async () => {
  const where = {
    url: page.url(),
    localStorage: await page.evaluate(() => JSON.stringify({ ...localStorage })),
    sessionStorage: await page.evaluate(() => JSON.stringify({ ...sessionStorage })),
    console: consoleLines.join("\n"),
    pageText: await page.evaluate(() => document.body.textContent),
  };
  for (const secret of secretsInPlay) {
    const secretPart = secret.split(".").at(-1)!; // the private part, or a JWT's signature
    for (const found of Object.values(where)) expect(found).not.toContain(secretPart);
  }
  expect(consoleLines.filter((l) => l.startsWith("pageerror"))).toEqual([]);
  await context.close();
});

describe("signed in with a platform token", () => {
  test("with the environment root: lists every token over Bearer and says what it is signed in with", async () => {
    const requests: { url: string; authorization: string | undefined }[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(sandbox.ready.url) && r.method() !== "OPTIONS")
        requests.push({ url: r.url(), authorization: r.headers().authorization });
    });
    await connect(platformToken(), sandbox.ready.url);
    await page.locator(".shell[data-state=ready]").waitFor();

    const listed = await platformApi("/apiTokens?pageSize=100&fields=name");
    expect(listed.status).toBe(200);
    const overview = await page.getByTestId("overview").locator(".section-head p").textContent();
    expect(overview).toMatch(/^[\d,]+ tokens, as of/);
    expect(Number(overview!.split(" ")[0]!.replace(/,/g, ""))).toBe(listed.body.totalCount);
    expect(listed.body.totalCount).toBeGreaterThan(DEMO_TOKENS);
    // Every request went to the platform prefix as Bearer: the check (one page of names), then the pages.
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const r of requests) {
      expect(r.url.startsWith(`${sandbox.ready.platformBase}/apiTokens`)).toBe(true);
      expect(r.authorization).toBe(`Bearer ${platformToken()}`);
    }
    expect(requests.some((r) => r.url.includes("/apiTokens/lookup"))).toBe(false);

    // Signed in with the platform token's public id, no pretended token record, no "this session" row.
    const publicId = platformToken().split(".").slice(0, 2).join(".");
    expect(await page.getByTestId("signed-in-as").textContent()).toBe(
      `signed in with platform token ${publicId} · changes need environment-api:api-tokens:write`,
    );
    expect(await page.getByTestId("environment").textContent()).toBe(sandbox.ready.url);
    expect(await page.locator(".badge", { hasText: "this session" }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "platform-connected.png") });
    await accessible("signed in with a platform token");
  });

  test("with the platformBase as URL: disables a token, which the API confirms, and warns who will own a rotation", async () => {
    await connect(platformToken(), sandbox.ready.platformBase);
    await page.locator(".shell[data-state=ready]").waitFor();
    const first = page.locator(".token-table td.name button").first();
    const name = (await first.textContent())!;
    await page.getByLabel("Search").fill(name);
    await page.locator(".token-table td.name button", { hasText: name }).first().click();
    await page.getByTestId("details").waitFor();
    const id = await page.locator("[data-field=id] dd").textContent();
    const wasEnabled = (await platformApi(`/apiTokens/${id}`)).body.enabled;
    await page.getByRole("button", { name: wasEnabled ? "Disable" : "Enable", exact: true }).click();
    await until(async () => (await platformApi(`/apiTokens/${id}`)).body.enabled).toBe(!wasEnabled);
    await accessible("details, signed in with a platform token");

    await page.getByRole("button", { name: "Rotate…", exact: true }).click();
    expect(await page.getByTestId("owner-note").textContent()).toContain(
      "The new token will belong to the user of the platform token this page is signed in with",
    );
  });
});

test("rotates a token over the platform: the new classic token is verified, the old one disabled", async () => {
  const made = await platformApi("/apiTokens", {
    method: "POST",
    body: JSON.stringify({ name: "platform-rotate-me", scopes: ["metrics.read"] }),
  });
  expect(made.status).toBe(201);
  secretsInPlay.push(made.body.token);
  await connect(platformToken(), sandbox.ready.url);
  await page.locator(".shell[data-state=ready]").waitFor();
  await page.getByLabel("Search").fill("platform-rotate-me");
  await page.locator(".token-table td.name button", { hasText: "platform-rotate-me" }).click();
  await page.getByTestId("details").waitFor();
  await page.getByRole("button", { name: "Rotate…", exact: true }).click();
  await page.getByRole("button", { name: "Rotate", exact: true }).click();
  const dialog = page.getByTestId("secret-dialog");
  const secret = await dialog.getByLabel("New token").inputValue();
  secretsInPlay.push(secret);
  await dialog.getByRole("button", { name: "I have stored it" }).click();
  await until(text(dialog)).toContain("The old token was disabled.");
  expect(await text(dialog)()).toContain("Verified: the new token");
  expect((await platformApi(`/apiTokens/${made.body.id}`)).body.enabled).toBe(false);
  const created = await platformApi("/apiTokens/lookup", {
    method: "POST",
    body: JSON.stringify({ token: secret }),
  });
  expect(created.body).toMatchObject({
    name: "platform-rotate-me",
    owner: "admin@example.com",
    enabled: true,
  });
  await dialog.getByRole("button", { name: "Done" }).click();
});

describe("refusals in plain words", () => {
  let scoped: Sandbox;
  beforeAll(async () => {
    scoped = await startSandbox({ cors: { origins: [app.origin] } });
  });
  afterAll(() => scoped?.close());

  test("a wrong platform token, a platform token for /api/v2, a classic token for the platform prefix, OAuth credentials", async () => {
    const problem = page.getByTestId("problem");
    const [prefix, id] = platformToken().split(".");
    const wrong = `${prefix}.${id}.${"A".repeat(64)}`;
    await connect(wrong, sandbox.ready.url);
    await until(text(problem)).toContain("The environment rejected the token.");
    await until(text(problem)).toContain("Token Authentication failed.");
    await page.screenshot({ path: join(ARTIFACTS, "platform-wrong-token.png") });
    await accessible("connect form: wrong platform token");

    await connect(platformToken(), sandbox.ready.apiBase);
    await until(text(problem)).toContain("A platform token does not work with this URL.");
    await until(text(problem)).toContain("its root or its platformBase");
    await accessible("connect form: platform token for /api/v2");

    await connect(classicToken(), sandbox.ready.platformBase);
    await until(text(problem)).toContain("A classic API token does not work with this URL.");

    await connect(sandbox.ready.oauthClientSecret!, sandbox.ready.url);
    await until(text(problem)).toContain("That is an OAuth client secret, not a token.");
    await page.getByTestId("connect-form").waitFor();

    const grant = await fetch(sandbox.ready.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sandbox.ready.oauthClientId!,
        client_secret: sandbox.ready.oauthClientSecret!,
        scope: "environment-api:api-tokens:read",
        resource: sandbox.ready.accountUrn,
      }),
    });
    expect(grant.status).toBe(200);
    const accessToken: string = (await grant.json()).access_token;
    await connect(accessToken, sandbox.ready.url);
    await until(text(problem)).toContain("That is an OAuth access token, which expires within minutes.");
    await accessible("connect form: OAuth access token");
  });

  test("a platform token without environment-api:api-tokens:read stays on the connect form", async () => {
    const { token } = scoped.createPlatformToken({
      name: "no token scopes",
      owner: "carol@example.com",
      scopes: [],
    });
    await connect(token, scoped.url);
    const problem = page.getByTestId("problem");
    await until(text(problem)).toContain(
      "The token is missing a permission: it needs the scope environment-api:api-tokens:read.",
    );
    await until(text(problem)).toContain("Use a platform token with environment-api:api-tokens:read");
    await page.getByTestId("connect-form").waitFor();
  });

  test("a read-only platform token is told which scope a change needs", async () => {
    const { token } = scoped.createPlatformToken({
      name: "read only",
      owner: "carol@example.com",
      scopes: ["environment-api:api-tokens:read"],
    });
    await connect(token, scoped.url);
    await page.locator(".shell[data-state=ready]").waitFor();
    await page.locator(".token-table td.name button").first().click();
    await page.getByTestId("details").waitFor();
    await page.getByRole("button", { name: "Disable", exact: true }).click();
    await until(text(page.getByTestId("details").getByTestId("problem"))).toContain(
      "it needs the scope environment-api:api-tokens:write",
    );
    await accessible("details: a change refused for a missing scope");
  });
});
