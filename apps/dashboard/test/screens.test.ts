/**
 * The built dashboard in Chromium at 1280 px and at a 390 px phone width, with hostile data: a long
 * unbroken name, control and bidi characters in names, broad write scopes, CSV export with the
 * formula guard, a token without apiTokens.read, and a sandbox that does not allow the page's
 * origin. Screenshots go to .artifacts/ (looked at by people, not compared by the test).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Sandbox, type SeededToken, startSandbox } from "@dt-tokens/sandbox";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ARTIFACTS, audit, connectApp, DAY, launchChromium, makeSeed, serveDist } from "./harness.js";

const LONG = `release-pipeline-${"x".repeat(160)}-end`;
const HOSTILE = "ok\u001b[31mFAKE\u202eevil\nline";
const FORMULA = '=HYPERLINK("http://evil.example","click")';

let app: Awaited<ReturnType<typeof serveDist>>;
let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: SeededToken[];

const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });
const byName = (name: string) => seeded.find((t) => t.name === name)!;
/** axe-core finds nothing at 1280 and 390 px. */
const accessible = async (label: string) => expect(await audit(page, label)).toEqual([]);

/**
 * Every element in the Tab order that is rendered: anything clipped to a sliver (under 2 px) or
 * reaching past the window's sides is listed.
 */
const clippedFocusable = () =>
  page.evaluate(() => {
    const selector =
      "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((el) => el.getClientRects().length > 0 && !el.closest("[inert]"))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width < 2 || box.height < 2 || box.left < -1 || box.right > innerWidth + 1)
      .map(
        ({ el, box }) =>
          `${el.tagName} "${el.textContent?.trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)} at ${Math.round(box.left)}`,
      );
  });

/** The smallest chart label as rendered, in CSS px (font size times the SVG's scale). */
const smallestChartLabel = () =>
  page.$$eval(".charts svg", (svgs) =>
    Math.min(
      ...svgs.flatMap((svg) => {
        const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
        return [...svg.querySelectorAll("text")].map(
          (t) => Number.parseFloat(getComputedStyle(t).fontSize) * scale,
        );
      }),
    ),
  );

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await serveDist();
  sandbox = await startSandbox({ bootstrapToken: false, cors: { origins: [app.origin] } });
  const now = Date.now();
  seeded = sandbox.seed([
    ...makeSeed(60, now),
    {
      name: LONG,
      owner: "release-bot@example.com",
      scopes: ["metrics.read"],
      creationDate: new Date(now - DAY),
    },
    { name: HOSTILE, owner: "mallory", scopes: ["settings.write"], creationDate: new Date(now - 2 * DAY) },
    { name: FORMULA, owner: "mallory", scopes: ["metrics.read"], creationDate: new Date(now - 3 * DAY) },
    { name: "reader-no-tokens", owner: "admin", scopes: ["metrics.read", "entities.read"] },
    {
      name: "expires-soon",
      owner: "admin",
      scopes: ["metrics.read"],
      expirationDate: new Date(now + 20 * DAY),
    },
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await app?.close();
});

async function open(width: number) {
  context = await browser.newContext({
    viewport: { width, height: width < 500 ? 844 : 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
}

afterEach(async () => {
  await context?.close();
});

const connect = (secret = byName("dashboard-admin").token, environmentUrl = sandbox.url) =>
  connectApp(page, { origin: app.origin, environmentUrl, secret });
const connected = () =>
  connectApp(page, {
    origin: app.origin,
    environmentUrl: sandbox.url,
    secret: byName("dashboard-admin").token,
    ready: true,
  });

describe("at 1280 px", () => {
  beforeEach(() => open(1280));

  test("chart labels stay 10 px or larger at every laptop width, and a chart that fits takes no focus", async () => {
    await connected();
    for (const width of [641, 800, 945, 1000, 1050, 1100, 1280, 1600]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await smallestChartLabel(), `at ${width} px`).toBeGreaterThanOrEqual(10);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll(".shell *")]
          .filter((el) => el.getBoundingClientRect().right > innerWidth + 1 && !el.closest(".table-wrap"))
          .map((el) => `${el.tagName}.${el.className}`)
          .slice(0, 5),
      );
      expect(wide, `at ${width} px`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await until(() => page.locator(".chart-scroll[tabindex]").count()).toBe(0);
  });

  test("a long unbroken name does not push the other columns off screen; hover and focus show it whole", async () => {
    await connected();
    await page.getByLabel("Search").fill("release-pipeline");
    await until(() => page.locator(".token-table tbody tr").count()).toBe(1);
    const expires = await page.locator(".token-table th", { hasText: "Expires" }).boundingBox();
    expect(expires!.x + expires!.width).toBeLessThanOrEqual(1280);
    const name = page.locator(".token-table td.name button").first();
    expect(await name.getAttribute("title")).toBe(LONG);
    const clipped = await name.evaluate(
      (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1,
    );
    expect(clipped).toBe(true);
    await name.focus();
    const whole = await name.evaluate(
      (el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1,
    );
    expect(whole).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "long-name-1280.png") });
    await accessible("a long name");
  });

  test("control and bidi characters in names are shown escaped, in the table and the details", async () => {
    await connected();
    await page.getByLabel("Search").fill("FAKE");
    await until(() => page.locator(".token-table tbody tr").count()).toBe(1);
    const cell = (await page.locator(".token-table td.name button").first().textContent()) ?? "";
    expect(cell).toBe("ok\\e[31mFAKE\\u{202e}evil\\nline");
    await page.locator(".token-table td.name button").first().click();
    const details = (await page.getByTestId("details").textContent()) ?? "";
    expect(details).toContain("ok\\e[31mFAKE\\u{202e}evil\\nline");
    expect(details).not.toContain("\u202e");
    expect(details).not.toContain("\u001b");
    await accessible("details of an escaped name");
  });

  test("dates in one format; 'expiring' is the CLI's 14 days", async () => {
    await connected();
    const created = await page.locator(".token-table tbody tr td.created").first().getAttribute("title");
    expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await page.getByLabel("Search").fill("expires-soon");
    await until(() => page.locator(".token-table tbody tr").count()).toBe(1);
    expect(await page.locator(".token-table tbody tr .badge").allTextContents()).not.toContain("expiring");
    await page.locator(".token-table td.name button").first().click();
    const details = (await page.getByTestId("details").textContent()) ?? "";
    expect(details).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 20 days\)/);
    expect(details).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(await page.getByText(/Expiring within 14 days/).count()).toBeGreaterThan(0);
    await accessible("details with dates");
  });

  test("a card and a filter for broad write scopes (the audit's high finding)", async () => {
    await connected();
    const card = page.locator(".card[data-state=broadWrite]");
    const count = Number((await card.locator(".card-count").textContent())?.replace(/,/g, ""));
    const expected = seeded.filter((t) =>
      (t.scopes ?? []).some((s) => ["apiTokens.write", "settings.write", "WriteConfig"].includes(s)),
    ).length;
    expect(count).toBe(expected);
    await card.click();
    await until(async () => (await page.getByTestId("row-count").textContent()) ?? "").toContain(
      `of ${expected}`,
    );
    expect(await page.locator("#filter-state").inputValue()).toBe("broadWrite");
    await accessible("table filtered by a card");
    await page.screenshot({ path: join(ARTIFACTS, "overview-1280.png"), fullPage: true });
  });

  test("exports the current table as CSV, with the formula guard", async () => {
    await connected();
    await page.getByLabel("Search").fill("mallory");
    await until(() => page.locator(".token-table tbody tr").count()).toBe(2);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: /Export CSV/ }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8");
    const lines = csv.trimEnd().split(/\r?\n(?=dt0c01|id,)/);
    expect(lines[0]).toBe(
      "id,name,owner,enabled,personalAccessToken,creationDate,lastUsedDate,expirationDate,scopes",
    );
    expect(lines).toHaveLength(3);
    expect(csv).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",mallory,`);
    expect(csv).toContain(`"ok\u001b[31mFAKE\u202eevil\nline"`);
    expect(download.suggestedFilename()).toMatch(/^api-tokens-.*\.csv$/);
  });

  test("a token without apiTokens.read stays on the connect form, with the message", async () => {
    await connect(byName("reader-no-tokens").token);
    await until(async () => (await page.locator(".problem").textContent()) ?? "").toContain("apiTokens.read");
    expect(await page.getByTestId("connect-form").count()).toBe(1);
    expect(await page.locator(".shell").count()).toBe(0);
    expect(await page.getByTestId("overview").count()).toBe(0);
    await accessible("connect form: no apiTokens.read");
  });

  test("a sandbox that does not allow this origin: the message names --cors-origin with the origin", async () => {
    const closed = await startSandbox({ bootstrapToken: false });
    try {
      const [t] = closed.seed([{ name: "x", scopes: ["apiTokens.read"] }]);
      await connect(t!.token, closed.url);
      await until(async () => (await page.locator(".problem").textContent()) ?? "").toContain(
        `--cors-origin ${app.origin}`,
      );
      await accessible("connect form: no CORS");
    } finally {
      await closed.close();
    }
  });
});

describe("at 390 px (a phone)", () => {
  beforeEach(() => open(390));

  test("cards two per row, readable chart labels, the table as a card list; nothing scrolls the page sideways", async () => {
    await connected();
    const tops = await page.$$eval(".cards .card", (cards) =>
      cards.map((c) => Math.round(c.getBoundingClientRect().top)),
    );
    expect(tops[0]).toBe(tops[1]);
    const smallest = await page.$$eval(".charts svg text", (texts) =>
      Math.min(...texts.map((t) => t.getBoundingClientRect().height)),
    );
    expect(smallest).toBeGreaterThanOrEqual(10);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Every row shows its name, state and expiry, each labelled, within the screen.
    const row = page.locator(".token-table tbody tr").first();
    const box = await row.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const labels = await row
      .locator("td")
      .evaluateAll((tds) => tds.map((td) => getComputedStyle(td, "::before").content));
    expect(labels).toContain('"Expires"');
    await page.screenshot({ path: join(ARTIFACTS, "overview-390.png") });
    await page.locator(".token-table").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "table-390.png") });
    await page.getByLabel("Search").fill("release-pipeline");
    await until(() => page.locator(".token-table tbody tr").count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "long-name-390.png") });
    await accessible("a long name on a phone");
  });

  test("nothing clipped is focusable at 640 px and narrower; the charts scroll by keyboard; the table sorts without its header row", async () => {
    await connected();
    // 320 px: a laptop at 400% zoom (WCAG 1.4.10, reflow).
    for (const width of [640, 390, 320]) {
      await page.setViewportSize({ width, height: 844 });
      expect([width, await clippedFocusable()]).toEqual([width, []]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    // The header's sort buttons are not in the Tab order; the "Sort by" select sorts.
    expect(await page.locator(".token-table thead").isVisible()).toBe(false);
    await page.getByLabel("Sort by").selectOption("name:asc");
    await until(async () => (await page.getByTestId("sort-status").textContent()) ?? "").toBe(
      "Sorted by Name, ascending.",
    );
    await until(() => page.locator(".token-table th[aria-sort=ascending]").textContent()).toMatch(/^Name/);
    // Each chart is wider than its box: it takes the focus, and the arrow keys scroll it.
    for (const chart of await page.locator(".chart-scroll").all()) {
      expect(await chart.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      await chart.focus();
      expect(await chart.evaluate((el) => el === document.activeElement && el.tabIndex === 0)).toBe(true);
      await page.keyboard.press("ArrowRight");
      await until(() => chart.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    }
    expect(await smallestChartLabel()).toBeGreaterThanOrEqual(10);
  });
});
