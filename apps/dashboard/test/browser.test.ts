/**
 * The built dashboard (dist/, served statically) in Debian's Chromium against a seeded sandbox on
 * another origin with CORS: connect, overview numbers, filters, sorting, disable, rotate, delete,
 * plain-words errors, and no secret in URLs, storage or console. Screenshots go to .artifacts/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { generateTokenSecret, type Sandbox, type SeededToken, startSandbox } from "@dt-tokens/sandbox";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  ARTIFACTS,
  audit,
  closedPort,
  connectApp,
  expectedOverview,
  holdingProxy,
  launchChromium,
  makeSeed,
  OWNERS,
  serveDist,
} from "./harness.js";

const SECRET = /dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}/;
const COUNT = 450; // three pages of 200 with the dashboard's page size

let app: Awaited<ReturnType<typeof serveDist>>;
let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seedNow: number;
let seed: ReturnType<typeof makeSeed>;
let seeded: SeededToken[];
/** Every console line and page error of the current test. */
let consoleLines: string[];
/** Secrets the current test typed or saw, checked against URLs, storage and console after each test. */
let secretsInPlay: string[];

/** Waits for a UI state: polls until the value matches (Playwright's web-first assertions are not in playwright-core). */
const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });
const text = (l: Locator) => async () => ((await l.count()) ? l.textContent() : null);
const focused = (l: Locator) => () => l.evaluate((el) => el === document.activeElement);
/** What has the focus: tag, id, data-action or text, to compare in assertions. */
const focus = () =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    const action = el.getAttribute("data-action");
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${action ? `[${action}]` : ""} ${(el.textContent ?? "").trim().slice(0, 40)}`.trim();
  });
/** axe-core finds nothing at 1280 and 390 px (screenshots at both when `shot` is given). */
const accessible = async (label: string, shot?: Parameters<typeof audit>[2]) =>
  expect(await audit(page, label, shot)).toEqual([]);

const byName = (name: string) => seeded.find((t) => t.name === name) as SeededToken & { name: string };
const admin = () => byName("dashboard-admin");

/** Whether a token still authenticates: a lookup of itself, which any valid token may call. */
const works = (secret: string) =>
  api("/apiTokens/lookup", secret, { method: "POST", body: JSON.stringify({ token: secret }) });

/** The sandbox's API, called directly (not through the page) with a token's secret. */
async function api(path: string, secret: string, init: RequestInit = {}) {
  const res = await fetch(`${sandbox.apiBase}${path}`, {
    ...init,
    headers: { Authorization: `Api-Token ${secret}`, "Content-Type": "application/json", ...init.headers },
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const connect = (secret: string, environmentUrl = sandbox.url) =>
  connectApp(page, { origin: app.origin, environmentUrl, secret, secretsInPlay });
const connected = (secret = admin().token, environmentUrl = sandbox.url) =>
  connectApp(page, { origin: app.origin, environmentUrl, secret, secretsInPlay, ready: true });

const number = async (testId: string) =>
  Number((await page.getByTestId(testId).textContent())?.replace(/,/g, ""));

/** The rows of the table's current page: name and owner. */
const rows = () =>
  page.$$eval(".token-table tbody tr", (trs) =>
    trs.map((tr) => ({
      name: tr.querySelector("td.name button")?.textContent ?? "",
      owner: tr.querySelector("td.owner")?.textContent ?? "",
      states: [...tr.querySelectorAll("td.states .badge")].map((b) => b.textContent),
    })),
  );

async function openDetails(name: string, how: "click" | "keyboard" = "click") {
  await page.getByLabel("Search").fill(name);
  await until(rows).toHaveLength(1);
  const button = page.locator(".token-table td.name button", { hasText: name });
  if (how === "click") await button.click();
  else {
    await button.focus();
    await page.keyboard.press("Enter");
  }
  await page.getByTestId("details").waitFor();
}

/**
 * Text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for large text), among
 * the visible, enabled elements inside `root`. Backgrounds are the nearest opaque ones.
 */
const lowContrast = (root: string) =>
  page.$$eval(
    `${root} *`,
    (elements, root) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (c: number) => {
          const v = c / 255;
          return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const background = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || c[3]! > 0.9) return c;
        }
        return [255, 255, 255];
      };
      const bad: string[] = [];
      for (const el of elements) {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
        const style = getComputedStyle(el);
        if (
          !own ||
          (el as HTMLButtonElement).disabled ||
          el.closest(".sr-only") ||
          !el.getClientRects().length
        )
          continue;
        if (el.closest("svg")) continue; // chart labels are checked as SVG text below
        const [a, b] = [lum(rgb(style.color)), lum(background(el))].sort((x, y) => y - x);
        const ratio = (a! + 0.05) / (b! + 0.05);
        const size = Number.parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5))
          bad.push(`${el.tagName}.${el.className} "${el.textContent?.slice(0, 30)}" ${ratio.toFixed(2)}`);
      }
      for (const t of document.querySelectorAll(`${root} svg text`)) {
        const ratio = 1.05 / (lum(rgb(getComputedStyle(t).fill)) + 0.05);
        if (ratio < 4.5) bad.push(`svg text "${t.textContent}" ${ratio.toFixed(2)}`);
      }
      return bad;
    },
    root,
  );

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await serveDist();
  sandbox = await startSandbox({ bootstrapToken: false, cors: { origins: [app.origin] } });
  seedNow = Date.now();
  seed = makeSeed(COUNT, seedNow);
  seeded = sandbox.seed(seed);
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
  // Never in the URL, localStorage or the console; sessionStorage only when asked (tested apart).
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

describe("the built dashboard against a seeded sandbox", () => {
  test("connects, loads every page with visible progress, and the overview matches the seed", async () => {
    // Record every progress text the page shows while it loads (a DOM observer, no timing).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seenProgress: string[] }).seenProgress = seen;
      new MutationObserver(() => {
        const text = document.querySelector("[data-testid=progress] label")?.textContent;
        if (text && !seen.includes(text)) seen.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const lists: string[] = [];
    page.on("request", (r) => r.method() === "GET" && r.url().includes("/apiTokens?") && lists.push(r.url()));
    await connected();

    const total = seed.length;
    expect(lists).toHaveLength(3);
    expect(lists.slice(1).every((u) => /\?nextPageKey=[^&]+$/.test(u))).toBe(true);
    const seen = await page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);
    expect(seen).toEqual(
      expect.arrayContaining([`Loading tokens: 200 of ${total}`, `Loading tokens: 400 of ${total}`]),
    );

    const expected = expectedOverview(seed, Date.now(), ["dashboard-admin"]);
    await until(text(page.getByTestId("overview"))).toContain(`${total} tokens, as of`);
    for (const [key, value] of Object.entries(expected.counts))
      expect([key, await number(`count-${key}`)]).toEqual([key, value]);
    // Every state is present in the seed, so the comparison above cannot pass on zeros.
    expect(Object.values(expected.counts).every((n) => n > 0)).toBe(true);

    const buckets = (id: string) =>
      page.$$eval(`[data-testid=${id}] tbody tr`, (trs) =>
        trs.map((tr) => Number(tr.querySelector("td")?.textContent)),
      );
    expect(await buckets("chart-last-used")).toEqual(expected.ages);
    const { expired, windows, later, never } = expected.expiry;
    expect(await buckets("chart-expiration")).toEqual([expired, ...windows, later, never]);

    expect(await lowContrast(".shell")).toEqual([]);
    // Signed in: the focus is on the page's heading, and the end of the loading was announced.
    expect(await focus()).toBe("h1#dashboard-heading API tokens");
    expect(await text(page.getByTestId("page-status"))()).toBe(`Loaded ${total} tokens.`);
    await accessible("overview", { name: "overview" });
    await page.screenshot({ path: join(ARTIFACTS, "overview.png") });
    await page.getByTestId("overview").screenshot({ path: join(ARTIFACTS, "overview-section.png") });
  });

  test("filters by owner, scope, personal, state and text; sorts by column", async () => {
    await connected();
    const rowCount = page.getByTestId("row-count");
    const all = seed.length;
    await until(text(rowCount)).toBe(`Showing 1–50 of ${all}`);

    const owner = OWNERS[1]!;
    await page.getByLabel("Owner", { exact: true }).selectOption(owner);
    const ofOwner = seed.filter((t) => (t.owner ?? "admin") === owner).length;
    await until(text(rowCount)).toBe(`Showing 1–50 of ${ofOwner} (filtered from ${all})`);
    await until(async () => (await rows()).every((r) => r.owner === owner)).toBe(true);
    await accessible("table filtered by owner");
    // Paging to the last page disables Next: the focus goes to Previous, on screen.
    const next = page.getByRole("button", { name: "Next" });
    await next.focus();
    for (let shown = 50; shown + 50 < ofOwner; shown += 50) await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await until(() => next.isDisabled()).toBe(true);
    await until(focus).toBe("button Previous");
    expect(
      await page.getByRole("button", { name: "Previous" }).evaluate((el) => {
        const box = el.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= innerHeight;
      }),
    ).toBe(true);
    await until(text(rowCount)).toMatch(new RegExp(`^Showing [\\d,]+–${ofOwner} of ${ofOwner} `));

    await page.getByLabel("Scope", { exact: true }).selectOption("apiTokens.write");
    await page.getByLabel("Personal", { exact: true }).selectOption("yes");
    const narrowed = seed.filter(
      (t) => (t.owner ?? "admin") === owner && t.scopes?.includes("apiTokens.write") && t.personalAccessToken,
    ).length;
    expect(narrowed).toBeGreaterThan(0);
    await until(text(rowCount)).toBe(`Showing 1–${narrowed} of ${narrowed} (filtered from ${all})`);

    await page.getByRole("button", { name: "Clear filters" }).click();
    // The button disables itself: the focus goes to the search field.
    await until(focus).toBe("input#filter-search");
    await page.getByLabel("State", { exact: true }).selectOption("expired");
    const now = Date.now();
    const expiredCount = seed.filter(
      (t) => t.expirationDate instanceof Date && t.expirationDate.getTime() <= now,
    ).length;
    await until(text(rowCount)).toBe(`Showing 1–50 of ${expiredCount} (filtered from ${all})`);
    await until(async () => (await rows()).every((r) => r.states.includes("expired"))).toBe(true);

    // An overview card filters the table too.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.locator(".card[data-state=personal]").click();
    const personal = seed.filter((t) => t.personalAccessToken).length;
    await until(text(rowCount)).toBe(`Showing 1–50 of ${personal} (filtered from ${all})`);
    await until(focused(page.locator("#tokens-heading"))).toBe(true);

    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Search").fill("terraform-01");
    const matches = seed.filter((t) => t.name.includes("terraform-01")).map((t) => t.name);
    await until(text(rowCount)).toBe(
      `Showing 1–${matches.length} of ${matches.length} (filtered from ${all})`,
    );

    // Sorting: by name ascending, then descending (the header says which).
    await page.getByLabel("Search").fill("");
    await page.getByRole("button", { name: /^Name/ }).click();
    const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
    const names = seed.map((t) => t.name).sort(collator.compare);
    await until(async () => (await rows()).map((r) => r.name)).toEqual(names.slice(0, 50));
    await until(text(page.locator("th[aria-sort=ascending]"))).toMatch(/Name/);
    await until(text(page.getByTestId("sort-status"))).toBe("Sorted by Name, ascending.");
    await page.getByRole("button", { name: /^Name/ }).click();
    await until(async () => (await rows()).map((r) => r.name)).toEqual(names.toReversed().slice(0, 50));
    await until(text(page.locator("th[aria-sort=descending]"))).toMatch(/Name/);
    // Last used, ascending: never-used tokens first, like the API's +lastUsedDate.
    await page.getByRole("button", { name: /^Last used/ }).click();
    await until(text(page.locator(".token-table tbody tr").first().locator("td").nth(5))).toBe("never");
    await page.getByRole("button", { name: /^Last used/ }).click();
    // The page's own token, used by this very request: a last use is never in the future.
    await until(text(page.locator(".token-table tbody tr").first().locator("td").nth(5))).toMatch(
      /^just now \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
    );

    await page.getByRole("button", { name: /^Name/ }).click();
    await page.locator("#tokens-heading").scrollIntoViewIfNeeded();
    await page.evaluate(() => document.getElementById("tokens-heading")?.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: join(ARTIFACTS, "table.png") });
    await page.getByTestId("tokens").screenshot({ path: join(ARTIFACTS, "table-section.png") });
    await accessible("table sorted by name", { name: "table", scrollTo: "#tokens-heading" });
  });

  test("disables and enables a token; the API confirms each", async () => {
    const target = byName("grafana-002");
    secretsInPlay.push(target.token);
    expect((await api(`/apiTokens/${target.id}`, admin().token)).body.enabled).toBe(true);
    await connected();
    await openDetails(target.name, "keyboard");
    // Focus moved into the drawer (its heading), and the drawer's text is readable.
    await until(focused(page.locator(".dialog-drawer h2"))).toBe(true);
    expect(await lowContrast(".dialog-drawer")).toEqual([]);
    await accessible("details drawer", { name: "drawer" });
    await page.screenshot({ path: join(ARTIFACTS, "details.png") });
    await page.getByRole("button", { name: "Disable", exact: true }).click();
    await until(text(page.getByTestId("details-notice"))).toMatch(/Disabled/);
    // The focus stays on the button, which now says Enable.
    await until(focus).toBe("button[toggle] Enable");
    await accessible("details drawer after disabling");
    expect((await api(`/apiTokens/${target.id}`, admin().token)).body.enabled).toBe(false);
    const refused = await api("/apiTokens", target.token);
    expect([refused.status, refused.body.error.message]).toEqual([401, "Token is disabled."]);

    await page.getByRole("button", { name: "Enable", exact: true }).click();
    await until(text(page.getByTestId("details-notice"))).toMatch(/Enabled/);
    await until(focus).toBe("button[toggle] Disable");
    expect((await api(`/apiTokens/${target.id}`, admin().token)).body.enabled).toBe(true);

    // Escape closes the drawer and gives the focus back to the name that opened it.
    await page.keyboard.press("Escape");
    await until(() => page.getByTestId("details").count()).toBe(0);
    await until(focused(page.locator(".token-table td.name button", { hasText: target.name }))).toBe(true);
  });

  test("rotates a token: the new secret is shown once with a copy button, the old one is revoked", async () => {
    const old = byName("log-ingest-001");
    secretsInPlay.push(old.token);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.origin });
    await connected();
    await openDetails(old.name);
    await page.getByRole("button", { name: "Rotate…" }).click();
    expect(await page.getByLabel("Disable it (can be undone)").isChecked()).toBe(true);
    expect(await page.getByTestId("owner-note").textContent()).toContain(
      "will belong to admin, not platform-team",
    );
    await accessible("rotate dialog", { name: "rotate-dialog" });
    await page.getByRole("button", { name: "Rotate", exact: true }).click();

    const dialog = page.getByTestId("secret-dialog");
    const secret = await dialog.getByLabel("New token").inputValue();
    secretsInPlay.push(secret);
    expect(secret).toMatch(new RegExp(`^${SECRET.source}$`));
    expect(secret).not.toBe(old.token);
    expect(await text(dialog)()).toContain("Store it now: it is shown only this once.");
    await dialog.getByRole("button", { name: "Copy" }).click();
    await until(text(dialog)).toContain("Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.screenshot({ path: join(ARTIFACTS, "rotate-store.png") });
    await accessible("secret dialog", { name: "secret-dialog" });
    // Until the person confirms, the old token is untouched and still works.
    expect((await works(old.token)).status).toBe(200);

    await dialog.getByRole("button", { name: "I have stored it" }).click();
    await until(text(dialog)).toContain("The old token was disabled.");
    expect(await text(dialog)()).toContain("Verified: the new token");
    await until(focus).toBe("button[done] Done");
    await accessible("rotation done", { name: "rotation-done" });
    // Shown once: gone from the page as soon as it was confirmed.
    expect(await page.content()).not.toContain(secret);

    // The old token is revoked; the new one has the same name and scopes, and (as Dynatrace does it)
    // the owner of the token that created it.
    const refused = await api("/apiTokens", old.token);
    expect([refused.status, refused.body.error.message]).toEqual([401, "Token is disabled."]);
    expect((await api(`/apiTokens/${old.id}`, admin().token)).body.enabled).toBe(false);
    const created = await api("/apiTokens/lookup", admin().token, {
      method: "POST",
      body: JSON.stringify({ token: secret }),
    });
    expect(created.body).toMatchObject({
      name: old.name,
      owner: "admin",
      scopes: old.scopes,
      enabled: true,
    });
    expect(old.owner).not.toBe("admin");
    // "like the old one": the old token's lifetime (in whole days) again, or never when it never expired
    const before = (await api(`/apiTokens/${old.id}`, admin().token)).body;
    const span = (t: { creationDate: string; expirationDate?: string }) =>
      t.expirationDate ? Date.parse(t.expirationDate) - Date.parse(t.creationDate) : undefined;
    if (span(before) === undefined) expect(created.body.expirationDate).toBeUndefined();
    else expect(Math.abs(span(created.body)! - span(before)!)).toBeLessThanOrEqual(86_400_000);

    // The details now show the new token, and say so where the focus lands.
    await dialog.getByRole("button", { name: "Done" }).click();
    await until(() => dialog.count()).toBe(0);
    await until(text(page.getByTestId("details").locator("[data-field=id] dd"))).toBe(created.body.id);
    await until(focused(page.getByTestId("details-notice"))).toBe(true);
    expect(await text(page.getByTestId("details-notice"))()).toBe(
      `Rotated: these are the details of the new token “${old.name}” (${created.body.id}). The old token was disabled.`,
    );
    await page.keyboard.press("Escape");
    // Back on the new token's row, not the old one's.
    await until(() => page.evaluate(() => document.activeElement?.closest("tr")?.dataset.id)).toBe(
      created.body.id,
    );
    await page.getByLabel("Search").fill(old.name);
    await until(async () => (await rows()).map((r) => r.states.includes("disabled"))).toEqual([false, true]);
  });

  test("overlap: the old token keeps working, is listed as waiting, and 'Retire due tokens' retires the due ones", async () => {
    const old = byName("backup-040");
    secretsInPlay.push(old.token);
    await connected();
    await openDetails(old.name);
    await page.getByRole("button", { name: "Rotate…" }).click();
    await page.getByTestId("overlap").selectOption("24");
    expect(await page.getByTestId("overlap-note").textContent()).toContain("disables it");
    await accessible("rotate dialog with an overlap");
    await page.screenshot({ path: join(ARTIFACTS, "rotate-dialog.png") });
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const dialog = page.getByTestId("secret-dialog");
    secretsInPlay.push(await dialog.getByLabel("New token").inputValue());
    await dialog.getByRole("button", { name: "I have stored it" }).click();
    await until(text(dialog)).toMatch(
      /The old token keeps working until \d{4}-\d\d-\d\d \d\d:\d\d UTC; then it will be disabled\./,
    );
    await dialog.getByRole("button", { name: "Done" }).click();
    await page.keyboard.press("Escape");
    await until(() => page.getByTestId("details").count()).toBe(0);

    const marked = (await api(`/apiTokens/${old.id}`, admin().token)).body;
    expect(marked.enabled).toBe(true);
    expect(marked.name).toMatch(/^backup-040 \[dt-tokens:retire:disable@.*Z\]$/);
    expect((await works(old.token)).status).toBe(200);
    const section = page.getByTestId("retirements");
    await until(text(section)).toContain("backup-040");
    expect(await section.getByRole("button", { name: "Retire due tokens (0)" }).isDisabled()).toBe(true);

    // Another old token whose overlap has ended (marked as a rotation elsewhere would have).
    const due = byName("backup-047");
    await api(`/apiTokens/${due.id}`, admin().token, {
      method: "PUT",
      body: JSON.stringify({ name: "backup-047 [dt-tokens:retire:delete@2020-01-01T00:00:00.000Z]" }),
    });
    await page.getByRole("button", { name: "Reload" }).click();
    await page.locator(".shell[data-state=ready]").waitFor();
    await until(text(section)).toContain("(due)");
    await section.screenshot({ path: join(ARTIFACTS, "retirements.png") });
    await accessible("waiting for retirement", {
      name: "retirements",
      scrollTo: "#retirements-heading",
    });
    // At 390 px the section fits: nothing scrolls the page sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
    await section.getByRole("button", { name: "Retire due tokens (1)" }).click();
    await until(async () => (await api(`/apiTokens/${due.id}`, admin().token)).status).toBe(404);
    await until(text(section)).not.toContain("backup-047");
    // Nothing is due any more, the button disabled itself: the focus is on the section's heading.
    await until(focus).toBe("h2#retirements-heading Waiting for retirement");
    await until(text(page.getByTestId("page-status"))).toBe("Retired 1 token.");
    expect((await api(`/apiTokens/${old.id}`, admin().token)).body.enabled).toBe(true);
  });

  test("discarding the new secret undoes the rotation: the new token is deleted, the old one unchanged", async () => {
    const old = byName("backup-054");
    await connected();
    const before = (await api(`/apiTokens/${old.id}`, admin().token)).body;
    const count = (await api("/apiTokens", admin().token)).body.totalCount;
    await openDetails(old.name);
    await page.getByRole("button", { name: "Rotate…" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const dialog = page.getByTestId("secret-dialog");
    secretsInPlay.push(await dialog.getByLabel("New token").inputValue());
    await dialog.getByRole("button", { name: "Discard the new token" }).click();
    await until(text(dialog)).toContain(
      "The rotation was undone: the new token was deleted, the old one is unchanged.",
    );
    await until(focus).toBe("button[done] Done");
    await accessible("rotation undone");
    expect((await api("/apiTokens", admin().token)).body.totalCount).toBe(count);
    expect((await api(`/apiTokens/${old.id}`, admin().token)).body).toEqual(before);
  });

  test("Escape pressed again and again while the secret is shown never closes it, nor the drawer under it", async () => {
    // Chromium skips "cancel" on an Escape without user activation since the last one and closes
    // the dialogs of one close-watcher group together: a dialog reopened in its "close" event joins
    // the drawer's group, and the next Escape closed the drawer with the secret inside it.
    const old = byName("backup-061");
    await connected();
    const count = (await api("/apiTokens", admin().token)).body.totalCount;
    await openDetails(old.name);
    await page.getByRole("button", { name: "Rotate…" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const dialog = page.getByTestId("secret-dialog");
    const secret = await dialog.getByLabel("New token").inputValue();
    secretsInPlay.push(secret);
    for (let i = 1; i <= 6; i++) {
      await page.keyboard.press("Escape");
      // Each Escape toggles between asking and the secret; nothing closes, focus is on a button.
      await until(focus).toBe(i % 2 ? "button[keep-secret] Back to the new token" : "button[copy] Copy");
      expect(await page.evaluate(() => document.querySelectorAll("dialog[open]").length)).toBe(2);
    }
    expect(await dialog.getByLabel("New token").inputValue()).toBe(secret);
    expect((await api("/apiTokens", admin().token)).body.totalCount).toBe(count + 1);
    await dialog.getByRole("button", { name: "I have stored it" }).click();
    await until(focus).toBe("button[done] Done");
  });

  test("Escape while the new token is checked: said again at every press, closes nothing; 'Verified' is announced in the region that was there, and an Escape right after keeps the outcome", async () => {
    const old = byName("backup-068");
    secretsInPlay.push(old.token);
    // A proxy in front of the sandbox holds the check (the lookup made with the new secret).
    const proxy = await holdingProxy(sandbox.url);
    try {
      await connected(admin().token, proxy.url);
      await openDetails(old.name);
      await page.getByRole("button", { name: "Rotate…" }).click();
      await page.getByRole("button", { name: "Rotate", exact: true }).click();
      const dialog = page.getByTestId("secret-dialog");
      secretsInPlay.push(await dialog.getByLabel("New token").inputValue());
      // Everything the dialog's live region says from now on, one entry per change of its content,
      // and the region itself (the one that announces "Verified" must be this one, there all along).
      await page.evaluate(() => {
        const region = document.querySelector("[data-testid=rotation-status]")!;
        const said: string[] = [];
        Object.assign(window, { said, region });
        new MutationObserver(() => said.push(region.textContent ?? "")).observe(region, {
          childList: true,
          subtree: true,
          characterData: true,
        });
      });
      const check = proxy.hold((method, path) => method === "POST" && path.endsWith("/apiTokens/lookup"));
      await dialog.getByRole("button", { name: "I have stored it" }).click();
      await check.arrived;
      const status = page.getByTestId("rotation-status");
      await until(text(status)).toBe("Checking that the new token works…");
      const still = "Still checking that the new token works: the result shows here in a moment.";
      for (let i = 1; i <= 3; i++) {
        await page.keyboard.press("Escape");
        await until(() => page.evaluate(() => (window as unknown as { said: string[] }).said.length)).toBe(
          i + 1,
        );
      }
      await page.getByTestId("rotate-dialog").locator("[data-action=close]").click();
      await until(() => page.evaluate(() => (window as unknown as { said: string[] }).said)).toEqual([
        "Checking that the new token works…",
        still,
        still,
        still,
        still,
      ]);
      expect(await page.evaluate(() => document.querySelectorAll("dialog[open]").length)).toBe(2);
      expect(await dialog.getAttribute("data-phase")).toBe("verifying");

      check.release();
      await until(text(status)).toMatch(/^Verified: the new token “backup-068” \(dt0c01\.\w+\) works\. /);
      expect(
        await page.evaluate(
          () =>
            document.querySelector("[data-testid=rotation-status]") ===
            (window as unknown as { region: Element }).region,
        ),
      ).toBe(true);
      const id = (await text(status)())!.match(/\((dt0c01\.\w+)\)/)![1];
      // An Escape right after (pressed while the check was still on screen, say) closes the finished
      // dialog: the outcome stays in the drawer, which has the focus, and reads it out.
      await page.keyboard.press("Escape");
      await until(() => page.getByTestId("rotate-dialog").count()).toBe(0);
      await until(focused(page.getByTestId("details-notice"))).toBe(true);
      expect(await text(page.getByTestId("details-notice"))()).toBe(
        `Rotated: these are the details of the new token “backup-068” (${id}). The old token was disabled.`,
      );
      expect(await page.getByTestId("details").count()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  test("deletes only after confirmation; Escape cancels and focus returns", async () => {
    const target = byName("backup-005");
    await connected();
    await openDetails(target.name);
    const deleteButton = page.getByRole("button", { name: "Delete…" });
    await deleteButton.click();
    await until(focused(page.getByRole("button", { name: "Cancel" }))).toBe(true);
    await accessible("delete dialog");
    await page.keyboard.press("Escape");
    await until(() => page.getByRole("button", { name: "Delete token" }).count()).toBe(0);
    await until(focused(deleteButton)).toBe(true);
    expect((await api(`/apiTokens/${target.id}`, admin().token)).status).toBe(200);

    await deleteButton.click();
    await page.getByRole("button", { name: "Delete token" }).click();
    await until(() => page.getByTestId("details").count()).toBe(0);
    await until(text(page.getByTestId("row-count"))).toMatch(/^No tokens match\. \(filtered from \d+\)$/);
    // The row is gone: the focus is on the table's heading, and the deletion was announced.
    await until(focus).toBe("h2#tokens-heading Tokens");
    await until(text(page.getByTestId("page-status"))).toBe(`Deleted “${target.name}”.`);
    expect((await api(`/apiTokens/${target.id}`, admin().token)).status).toBe(404);
  });

  test("the page's own token cannot disable or delete itself; rotating it switches the page to the new token", async () => {
    const self = byName("dashboard-self");
    secretsInPlay.push(self.token);
    await connected(self.token);
    await openDetails(self.name);
    expect(await page.getByRole("button", { name: "Disable", exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Delete…" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Rotate…" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const secret = await page.getByTestId("secret-dialog").getByLabel("New token").inputValue();
    secretsInPlay.push(secret);
    await page.getByRole("button", { name: "I have stored it" }).click();
    await until(text(page.getByTestId("secret-dialog"))).toContain("The old token was disabled.");
    await page.getByRole("button", { name: "Done" }).click();
    // Escape closes the details drawer only once the secret dialog has gone (else it is swallowed).
    await until(() => page.getByTestId("secret-dialog").isVisible()).toBe(false);
    await page.keyboard.press("Escape");
    await until(() => page.getByTestId("details").count()).toBe(0);

    expect((await api("/apiTokens", self.token)).status).toBe(401);
    await page.getByRole("button", { name: "Reload" }).click();
    await page.locator(".shell[data-state=ready]").waitFor();
    await until(() => page.getByRole("alert").count()).toBe(0);
    const used = await api("/apiTokens/lookup", admin().token, {
      method: "POST",
      body: JSON.stringify({ token: secret }),
    });
    // The page has used the new token (a new token starts with no lastUsedDate).
    expect(used.body.lastUsedDate).toBeDefined();
  });

  test("by keyboard alone: connect, filter, open, rotate, store, close; the focus is somewhere meaningful after each step", async () => {
    const old = byName("grafana-016");
    secretsInPlay.push(admin().token, old.token);
    const count = async () => (await api("/apiTokens", admin().token)).body.totalCount as number;
    /** Presses Tab until `target` has the focus (at most `max` times), as a keyboard user would. */
    const tabTo = async (target: Locator, max = 40, key = "Tab") => {
      for (let i = 0; i < max; i++) {
        if (await focused(target)()) return;
        await page.keyboard.press(key);
      }
      throw new Error(`${max} Tabs did not reach ${target}`);
    };

    await page.goto(`${app.origin}/`);
    await tabTo(page.getByLabel("Environment URL"));
    await page.keyboard.type(sandbox.url);
    await page.keyboard.press("Tab");
    expect(await focus()).toBe("input#connect-token");
    await page.keyboard.type(admin().token);
    await page.keyboard.press("Enter");
    await page.locator(".shell[data-state=ready]").waitFor();
    // connected: the page's heading
    await until(focus).toBe("h1#dashboard-heading API tokens");

    // filter: the search field keeps the focus while the count is announced
    await tabTo(page.getByLabel("Search"));
    await page.keyboard.type(old.name);
    await until(text(page.getByTestId("row-count"))).toMatch(/^Showing 1–1 of 1 /);
    expect(await focus()).toBe("input#filter-search");

    // open: the drawer's heading
    await tabTo(page.locator(".token-table .name-text", { hasText: old.name }));
    await page.keyboard.press("Enter");
    await until(focus).toMatch(new RegExp(`^h2#\\S+ ${old.name}$`));

    // rotate: the first choice of the dialog, then (after Rotate) the Copy button of the secret
    await tabTo(page.getByRole("button", { name: "Rotate…" }));
    await page.keyboard.press("Enter");
    await until(focus).toBe("input");
    expect(await page.getByLabel("Disable it (can be undone)").isChecked()).toBe(true);
    await tabTo(page.getByRole("button", { name: "Rotate", exact: true }));
    const before = await count();
    await page.keyboard.press("Enter");
    const secretDialog = page.getByTestId("secret-dialog");
    await until(focus).toBe("button[copy] Copy");
    const secret = await secretDialog.getByLabel("New token").inputValue();
    secretsInPlay.push(secret);
    expect(await count()).toBe(before + 1);

    // Escape while the secret is shown never discards: it asks, focus on the safe answer; a second
    // Escape (which Chromium would turn into a forced close) goes back to the secret.
    await page.keyboard.press("Escape");
    await until(focus).toBe("button[keep-secret] Back to the new token");
    expect(await text(page.getByTestId("ask-discard"))()).toContain("Discarding deletes “grafana-016”");
    await accessible("asking before discarding the new token");
    await page.keyboard.press("Escape");
    await until(focus).toBe("button[copy] Copy");
    expect(await page.getByTestId("ask-discard").count()).toBe(0);
    expect(await secretDialog.getByLabel("New token").inputValue()).toBe(secret);
    // × asks too.
    await page.getByTestId("rotate-dialog").locator("[data-action=close]").click();
    await until(focus).toBe("button[keep-secret] Back to the new token");
    await page.keyboard.press("Enter");
    await until(focus).toBe("button[copy] Copy");
    expect(await count()).toBe(before + 1);
    expect((await works(secret)).status).toBe(200);
    expect((await works(old.token)).status).toBe(200);

    // store: "I have stored it", then the verification is announced and Done has the focus
    await tabTo(page.getByRole("button", { name: "I have stored it" }));
    await page.keyboard.press("Enter");
    await until(focus).toBe("button[done] Done");
    expect(await text(page.getByTestId("rotation-status"))()).toMatch(
      /^Verified: the new token “grafana-016” \(dt0c01\.\w+\) works\. The old token was disabled\.$/,
    );
    const created = await api("/apiTokens/lookup", admin().token, {
      method: "POST",
      body: JSON.stringify({ token: secret }),
    });

    // close: Enter twice in a row on Done (a key pressed twice, or held) closes the dialog once and
    // nothing more: the focus is on the drawer's note of what happened (the drawer shows the new
    // token), not on Rotate…, which the second Enter would have pressed, opening a new rotation.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await until(focused(page.getByTestId("details-notice"))).toBe(true);
    expect(await page.getByTestId("rotate-dialog").count()).toBe(0);
    expect(await text(page.getByTestId("details-notice"))()).toBe(
      `Rotated: these are the details of the new token “grafana-016” (${created.body.id}). The old token was disabled.`,
    );
    expect(await text(page.getByTestId("details").locator("[data-field=id] dd"))()).toBe(created.body.id);
    expect(await count()).toBe(before + 1);
    await page.keyboard.press("Escape");
    await until(() => page.getByTestId("details").count()).toBe(0);
    await until(() => page.evaluate(() => document.activeElement?.closest("tr")?.dataset.id)).toBe(
      created.body.id,
    );
    // Two rows named grafana-016 now: their buttons' names differ by id.
    const names = await page
      .locator(".token-table .name-text")
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-labelledby")));
    expect(new Set(names).size).toBe(2);

    // disconnect: the token field of the connect form
    await tabTo(page.getByRole("button", { name: "Disconnect" }), 60, "Shift+Tab");
    await page.keyboard.press("Enter");
    await until(focus).toBe("input#connect-token");
  });

  test("a token without apiTokens.write sees everything, read-only", async () => {
    const now = Date.now();
    const reader = seeded.find(
      (t) =>
        t.scopes?.join() === "apiTokens.read" &&
        t.enabled &&
        (!t.expirationDate || Date.parse(t.expirationDate) > now),
    )!;
    await connected(reader.token);
    expect(await page.locator(".topbar").textContent()).toContain("read-only");
    await openDetails("terraform-010");
    for (const name of ["Disable", "Rotate…", "Delete…"])
      expect(await page.getByRole("button", { name, exact: true }).isDisabled()).toBe(true);
    expect(await page.getByTestId("details").textContent()).toContain("lacks the apiTokens.write scope");
    await accessible("read-only details drawer");
  });

  test("says in plain words what is wrong: unknown token, malformed token, missing scope, unreachable, no CORS", async () => {
    const problem = page.getByTestId("problem");
    /** The message is shown, has the focus (so it is read out), and the page passes axe. */
    const says = async (message: string, label: string) => {
      await until(text(problem)).toContain(message);
      await until(() => focused(problem)()).toBe(true);
      await accessible(`connect form: ${label}`);
    };

    await page.goto(`${app.origin}/`);
    await accessible("connect form", { name: "connect" });

    await connect(generateTokenSecret());
    await until(text(problem)).toContain("The environment rejected the token.");
    await says("Token Authentication failed.", "unknown token");
    await page.screenshot({ path: join(ARTIFACTS, "wrong-token.png") });

    await connect("Api-Token not a token");
    await says("That does not look like an API token.", "malformed token");

    await connect(byName("metrics-only").token);
    await says("The token is missing a permission: it needs the scope apiTokens.read.", "missing scope");

    await connect(admin().token, `http://127.0.0.1:${await closedPort()}`);
    await says("The environment could not be reached.", "unreachable");

    const noCors = await startSandbox({ bootstrapToken: admin().token });
    try {
      await connect(admin().token, noCors.url);
      await says("allows this page's origin (CORS)", "no CORS");
    } finally {
      await noCors.close();
    }

    await connect(admin().token, "https://abc12345.live.dynatrace.com/ui/tokens");
    await says("That environment URL is not one Dynatrace uses.", "not an environment URL");
  });

  test("a load that fails: the message, no progress left behind, the focus kept on Reload", async () => {
    const [doomed] = sandbox.seed([
      { name: "deleted-elsewhere", owner: "admin", scopes: ["apiTokens.read", "apiTokens.write"] },
    ]);
    secretsInPlay.push(doomed!.token);
    await connected(doomed!.token);
    // The page's token is deleted elsewhere; the next load is refused.
    expect((await api(`/apiTokens/${doomed!.id}`, admin().token, { method: "DELETE" })).status).toBe(204);
    const reload = page.getByRole("button", { name: "Reload", exact: true });
    await reload.click();
    await until(text(page.getByTestId("problem"))).toContain("The environment rejected the token.");
    expect(await page.getByTestId("progress").count()).toBe(0);
    expect(await text(page.getByTestId("page-status"))()).toBe("");
    expect(await focused(reload)()).toBe(true);
    await accessible("a load that failed");
  });

  test("keeps the token in sessionStorage only when asked, and forgets it on disconnect", async () => {
    await page.goto(`${app.origin}/`);
    await page.getByLabel("Environment URL").fill(sandbox.url);
    await page.getByLabel("API token").fill(admin().token);
    secretsInPlay.push(admin().token);
    await page.getByLabel(/Keep me connected in this tab/).check();
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator(".shell[data-state=ready]").waitFor();
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).toContain(admin().token);

    await page.reload();
    await page.locator(".shell[data-state=ready]").waitFor();
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.getByTestId("connect-form").waitFor();
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).toBe("{}");
    expect(await page.getByLabel("API token").inputValue()).toBe("");
    // The focus is on the token field, the URL is kept, and the page says what happened.
    await until(focus).toBe("input#connect-token");
    expect(await page.getByLabel("Environment URL").inputValue()).toBe(sandbox.url);
    expect(await text(page.getByTestId("connect-notice"))()).toBe("Disconnected: the token was forgotten.");
    await accessible("connect form after disconnecting");
  });
});
