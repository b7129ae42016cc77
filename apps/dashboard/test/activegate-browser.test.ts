/**
 * The ActiveGate tokens view of the built dashboard in Debian's Chromium, against a sandbox seeded
 * with the demo's ActiveGate tokens and ActiveGates (`seedDemoActiveGates`, as `--seed-demo` does):
 * reached by keyboard from the API view, its counts, expiry timeline and hosts, axe-core at 1280 and
 * 390 px with no sideways scroll, a missing scope, empty lists, and a load error (a small node:http
 * proxy in front of the sandbox that fails the ActiveGate token list) with Reload.
 */
import { type Sandbox, type SeededToken, seedDemoActiveGates, startSandbox } from "@dt-tokens/sandbox";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { audit, connectApp, holdingProxy, launchChromium, serveDist } from "./harness.js";

let app: Awaited<ReturnType<typeof serveDist>>;
let sandbox: Sandbox;
let empty: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleLines: string[];
let secretsInPlay: string[];
const tokens: Record<string, SeededToken> = {};

const until = <T>(read: () => T | Promise<T>, timeout = 15_000) =>
  expect.poll(read, { timeout, interval: 50 });
const text = (l: Locator) => async () => ((await l.count()) ? (await l.textContent())?.trim() : null);
const focused = (l: Locator) => () => l.evaluate((el) => el === document.activeElement);
const focus = () =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} ${(el.textContent ?? "").trim().slice(0, 40)}`.trim();
  });
const accessible = async (label: string, shot?: Parameters<typeof audit>[2]) =>
  expect(await audit(page, label, shot)).toEqual([]);

/** Presses Tab until `target` has the focus (at most `max` times), as a keyboard user would. */
async function tabTo(target: Locator, max = 40, key = "Tab") {
  for (let i = 0; i < max; i++) {
    if (await focused(target)()) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${max} presses of ${key} did not reach ${target}`);
}

const connected = (secret: string, environmentUrl = sandbox.url) =>
  connectApp(page, { origin: app.origin, environmentUrl, secret, secretsInPlay, ready: true });

const agLink = () =>
  page.getByRole("navigation", { name: "Token views" }).getByRole("link", { name: "ActiveGate tokens" });
const apiLink = () =>
  page.getByRole("navigation", { name: "Token views" }).getByRole("link", { name: "API tokens" });

/** Opens the ActiveGate view by keyboard (Tab from the page's heading to the link, Enter) and waits until it has loaded. */
async function openByKeyboard() {
  await until(focus).toBe("h1#dashboard-heading API tokens");
  await tabTo(agLink());
  await page.keyboard.press("Enter");
  await until(focus).toBe("h1#dashboard-heading ActiveGate tokens");
  await page.locator("[data-testid=activegate-view][data-state=ready]").waitFor({ timeout: 60_000 });
}

const count = async (key: string) => text(page.getByTestId(`ag-count-${key}`))();

const SCOPES = {
  all: ["apiTokens.read", "apiTokens.write", "activeGateTokenManagement.read", "activeGates.read"],
  apiOnly: ["apiTokens.read", "apiTokens.write"],
  noGates: ["apiTokens.read", "activeGateTokenManagement.read"],
};

beforeAll(async () => {
  app = await serveDist();
  sandbox = await startSandbox({ bootstrapToken: false, cors: { origins: [app.origin] } });
  empty = await startSandbox({ bootstrapToken: false, cors: { origins: [app.origin] } });
  for (const [name, scopes] of Object.entries(SCOPES)) {
    tokens[name] = sandbox.seed([{ name: `dashboard-${name}`, owner: "admin", scopes }])[0]!;
  }
  tokens.empty = empty.seed([{ name: "dashboard-empty", owner: "admin", scopes: SCOPES.all }])[0]!;
  seedDemoActiveGates(sandbox.activeGates);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await empty?.close();
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
    console: consoleLines.join("\n"),
  };
  for (const secret of secretsInPlay)
    for (const found of Object.values(where)) expect(found).not.toContain(secret);
  expect(consoleLines.filter((l) => l.startsWith("pageerror"))).toEqual([]);
  await context.close();
});

describe("the ActiveGate tokens view", () => {
  test("reached by keyboard from the API view: counts, expiry timeline and the hosts that go dark, at 1280 and 390 px", async () => {
    await connected(tokens.all!.token);
    expect(await agLink().getAttribute("aria-current")).toBeNull();
    expect(await apiLink().getAttribute("aria-current")).toBe("page");
    await openByKeyboard();
    expect(await agLink().getAttribute("aria-current")).toBe("page");
    expect(await apiLink().getAttribute("aria-current")).toBeNull();
    expect(await page.getByTestId("api-view").isHidden()).toBe(true);
    await until(text(page.getByTestId("ag-status"))).toBe("Loaded 7 ActiveGate tokens and 4 ActiveGates.");

    // The demo: 7 tokens; expiring within 30 days ag-prod-02 (12 d) and k8s-operator-ag-old (20 d);
    // ag-legacy expired; ag-dmz-cluster and installer-seed never expire; one seed token; unused
    // (no ActiveGate, not a seed): k8s-operator-ag-old and spare.
    expect({
      total: await count("total"),
      expiring: await count("expiring"),
      expired: await count("expired"),
      never: await count("never"),
      seed: await count("seed"),
      unused: await count("unused"),
    }).toEqual({ total: "7", expiring: "2", expired: "1", never: "2", seed: "1", unused: "2" });
    // A card's text (what a screen reader reads) is its visible text in order (WCAG 2.5.3).
    expect(await page.locator("[data-count=expiring]").textContent()).toBe(
      "2 Expiring within 30 days: not expired yet",
    );

    // The timeline's text alternative: expired 1, first 30 days 2, the window of day 60-90 (spare) 1,
    // ag-prod-01 (200 d) in the seventh, never 2.
    const timeline = await page
      .getByTestId("chart-ag-expiration")
      .locator("tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute("data-bucket"), tr.querySelector("td")?.textContent]),
      );
    expect(timeline).toEqual([
      ["expired", "1"],
      ["30d", "2"],
      ["60d", "0"],
      ["90d", "1"],
      ["120d", "0"],
      ["150d", "0"],
      ["180d", "0"],
      ["210d", "1"],
      ["240d", "0"],
      ["270d", "0"],
      ["300d", "0"],
      ["330d", "0"],
      ["360d", "0"],
      [">1y", "0"],
      ["never", "2"],
    ]);
    expect(
      await page.getByTestId("activegate-view").locator("figure.chart svg").getAttribute("aria-hidden"),
    ).toBe("true");

    // Which ActiveGates go dark when: soonest first, host, token, state, expiry date.
    const hosts = await page
      .getByTestId("ag-gates")
      .locator("tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())),
      );
    expect(hosts.map((h) => h[0])).toEqual([
      "ag-legacy.example.com (offline)",
      "ag-prod-02.example.com",
      "ag-prod-01.example.com",
      "ag-dmz.example.com",
    ]);
    expect(hosts[0]![1]).toMatch(/^ag-legacy dt0g02\.\w{8}$/);
    expect(hosts[0]![2]).toBe("INVALID");
    expect(hosts[0]![4]).toBe("dark since 3 days ago");
    expect(hosts[1]!.slice(2)).toEqual([
      "EXPIRING",
      new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10),
      "in 12 days",
    ]);
    expect(hosts[3]!.slice(3)).toEqual(["never", "never: the token does not expire"]);
    expect(await text(page.getByTestId("ag-enforcement"))()).toMatch(
      /^Token enforcement is on \(automatically\)/,
    );

    await accessible("ActiveGate tokens view", { name: "ag-view" });
    await accessible("ActiveGate tokens: which ActiveGates go dark", {
      name: "ag-gates",
      scrollTo: "#ag-gates-heading",
    });

    // At 390 px the hosts are cards, every value labelled, and the chart scrolls by keyboard.
    await page.setViewportSize({ width: 390, height: 844 });
    const label = await page
      .getByTestId("ag-gates")
      .locator("tbody tr:first-child td:last-child")
      .evaluate((td) => getComputedStyle(td, "::before").content);
    expect(label).toBe('"Goes dark"');
    await tabTo(page.getByRole("group", { name: "Expiry timeline chart, scrolls sideways" }), 20);
    // 320 px (1280 px at 400% zoom, WCAG 1.4.10): nothing scrolls the page sideways either.
    await page.setViewportSize({ width: 320, height: 800 });
    await until(() => page.evaluate(() => document.documentElement.scrollWidth)).toBe(320);

    // Back (the address changes with the view) returns to the API view, its heading focused and its
    // tokens still there.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goBack();
    await until(focus).toBe("h1#dashboard-heading API tokens");
    expect(await page.getByTestId("api-view").isVisible()).toBe(true);
    expect(await page.getByTestId("count-active").textContent()).not.toBe("0");
    // And forward again, by the link this time: the view is kept, not loaded again.
    await agLink().click();
    await until(focus).toBe("h1#dashboard-heading ActiveGate tokens");
    expect(await count("total")).toBe("7");
  });

  test("a token without the ActiveGate scopes: the view names each missing scope; the API tokens view is unaffected", async () => {
    await connected(tokens.apiOnly!.token);
    const before = await page.getByTestId("count-active").textContent();
    await openByKeyboard();
    const problems = page.getByTestId("activegate-view").getByTestId("problem");
    await until(() => problems.count()).toBe(2);
    expect(await problems.nth(0).textContent()).toContain(
      "The token cannot read ActiveGate tokens: it needs activeGateTokenManagement.read.",
    );
    expect(await problems.nth(0).textContent()).toContain("the API tokens view works as before");
    expect(await problems.nth(1).textContent()).toContain(
      "The token cannot read ActiveGates: it needs activeGates.read.",
    );
    expect(await page.getByTestId("ag-count-total").count()).toBe(0);
    await accessible("ActiveGate view without its scopes", { name: "ag-missing-scope" });

    await apiLink().click();
    await until(focus).toBe("h1#dashboard-heading API tokens");
    expect(await page.getByTestId("api-view").getByTestId("problem").count()).toBe(0);
    expect(await page.getByTestId("count-active").textContent()).toBe(before);
  });

  test("a platform token without the ActiveGate scopes: the platform scope names are said", async () => {
    // The sandbox's platform token has environment-api:api-tokens:read and :write only.
    await connected(sandbox.platformToken!);
    await openByKeyboard();
    const problems = page.getByTestId("activegate-view").getByTestId("problem");
    await until(() => problems.count()).toBe(2);
    expect(await problems.nth(0).textContent()).toContain("it needs environment-api:activegate-tokens:read");
    expect(await problems.nth(1).textContent()).toContain("it needs environment-api:activegates:read");
    await apiLink().click();
    await until(focus).toBe("h1#dashboard-heading API tokens");
    expect(await page.getByTestId("api-view").getByTestId("problem").count()).toBe(0);
  });

  test("without activeGates.read: the token counts and timeline show, unused is unknown, the hosts section names the scope", async () => {
    await connected(tokens.noGates!.token);
    await openByKeyboard();
    expect(await count("total")).toBe("7");
    expect(await count("unused")).toBe("—");
    expect(await page.locator("[data-count=unused] .card-hint").textContent()).toContain(
      "unknown without the ActiveGates",
    );
    const problems = page.getByTestId("activegate-view").getByTestId("problem");
    expect(await problems.count()).toBe(1);
    expect(await problems.textContent()).toContain("it needs activeGates.read");
    expect(await page.getByTestId("ag-gates").count()).toBe(0);
    await until(text(page.getByTestId("ag-status"))).toMatch(/^Loaded 7 ActiveGate tokens; see the message/);
    await accessible("ActiveGate view without activeGates.read");
  });

  test("an environment without ActiveGate tokens or ActiveGates says so", async () => {
    await connected(tokens.empty!.token, empty.url);
    await openByKeyboard();
    expect(await count("total")).toBe("0");
    expect(await count("unused")).toBe("0");
    expect(await text(page.getByTestId("ag-empty"))()).toBe("This environment has no ActiveGate tokens.");
    expect(await text(page.getByTestId("ag-no-gates"))()).toBe(
      "No ActiveGates are connected to this environment.",
    );
    expect(await page.getByTestId("chart-ag-expiration").count()).toBe(0);
    await accessible("ActiveGate view, empty", { name: "ag-empty" });
  });

  test("a failed load says so in plain words; Reload loads again and keeps the focus", async () => {
    // A proxy in front of the sandbox that answers the ActiveGate token list with a non-JSON 500
    // while `failing`, and passes everything else through (CORS included).
    let failing = true;
    const proxy = await holdingProxy(sandbox.url, (req, res) => {
      if (!failing || req.method !== "GET" || !req.url?.startsWith("/api/v2/activeGateTokens")) return false;
      res.writeHead(500, { "content-type": "text/html", "access-control-allow-origin": app.origin });
      res.end("<h1>upstream broke</h1>");
      return true;
    });
    try {
      await connected(tokens.all!.token, proxy.url);
      await until(focus).toBe("h1#dashboard-heading API tokens");
      await tabTo(agLink());
      await page.keyboard.press("Enter");
      const problem = page.getByTestId("activegate-view").getByTestId("problem");
      await until(text(problem), 90_000).toMatch(/^The environment had an internal error\./);
      expect(await page.getByTestId("ag-gates").locator("tbody tr").count()).toBe(4);
      await accessible("ActiveGate view, the token list failed");

      failing = false;
      const reload = page.getByRole("button", { name: "Reload" });
      await reload.focus();
      await page.keyboard.press("Enter");
      await until(() => count("total")).toBe("7");
      expect(await problem.count()).toBe(0);
      expect(await focused(reload)()).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
