/**
 * What the browser tests need: a static server for the built app, Debian's Chromium through
 * playwright-core, and seed data whose expected numbers the tests compute on their own.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import type { SeedToken } from "@dt-tokens/sandbox";
import { type Browser, chromium, type Page } from "playwright-core";

export const DIST = resolve(import.meta.dirname, "../dist");
export const ARTIFACTS = resolve(import.meta.dirname, "../.artifacts");
/** Where `audit` puts its screenshots at both widths: DASHBOARD_SCREENS, else .artifacts/screens. */
export const SCREENS = resolve(process.env.DASHBOARD_SCREENS ?? join(ARTIFACTS, "screens"));
export const DAY = 86_400_000;

/** The widths every audited state is checked at: a laptop and a phone. */
export const WIDTHS = [1280, 390] as const;
const heightFor = (width: number) => (width < 500 ? 844 : 900);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (its source injected into the page) on the page as it is (the innermost open modal
 * dialog, when one is open: the rest is inert), at 1280 and 390 px, and
 * returns every violation as one line (rule, help, the first elements), and any sideways overflow of
 * the page or an open dialog; an empty list passes. With
 * `shot`, also saves a screenshot at each width to SCREENS (`<shot>-1280.png`, `<shot>-390.png`),
 * scrolled to `scrollTo` first. Ends at the viewport it started with.
 */
export async function audit(
  page: Page,
  label: string,
  shot?: { name: string; scrollTo?: string; element?: string },
): Promise<string[]> {
  const found: string[] = [];
  const before = page.viewportSize();
  for (const width of WIDTHS) {
    if (page.viewportSize()?.width !== width) await page.setViewportSize({ width, height: heightFor(width) });
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      // Two frames: layout, resize observers and the renders they cause have settled.
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
      // With a modal dialog open the rest of the page is inert (and was audited in the state before):
      // the innermost open dialog is what there is to check.
      const open = [...document.querySelectorAll("dialog[open]")];
      const result = await axe.run(open.at(-1) ?? document, { resultTypes: ["violations"] });
      return result.violations.map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`)
            .join("; ")}`,
      );
    });
    found.push(...violations.map((v) => `${label} at ${width} px: ${v}`));
    // Nothing runs out sideways: neither the page (no sideways scroll) nor an open dialog.
    const overflowing = await page.evaluate(() =>
      [document.documentElement, ...document.querySelectorAll("dialog[open]")]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.tagName.toLowerCase()} is ${el.scrollWidth} px wide in ${el.clientWidth} px`),
    );
    found.push(...overflowing.map((o) => `${label} at ${width} px: overflow: ${o}`));
    if (shot) {
      mkdirSync(SCREENS, { recursive: true });
      if (shot.scrollTo)
        await page.evaluate(
          (s) => document.querySelector(s)?.scrollIntoView({ block: "start" }),
          shot.scrollTo,
        );
      const path = join(SCREENS, `${shot.name}-${width}.png`);
      if (shot.element) await page.locator(shot.element).screenshot({ path });
      else await page.screenshot({ path });
    }
  }
  if (before) await page.setViewportSize(before);
  return found;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** Serves the built app (dist/) on 127.0.0.1 and a free port, as any static host would. */
export async function serveDist(): Promise<{ origin: string; close: () => Promise<void> }> {
  if (!existsSync(join(DIST, "index.html")))
    throw new Error("apps/dashboard/dist is missing: run `pnpm --filter @dt-tokens/dashboard build` first");
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(DIST, path === "/" ? "index.html" : path);
    if (!file.startsWith(DIST)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * Connects the app at `origin` as a user would: opens it, fills in the environment URL and the
 * token's secret, and presses Enter; with `ready`, also waits until the dashboard has loaded. The
 * secret is added to `secretsInPlay` first, when given (the tests that keep one check that no such
 * secret shows in the URL, storage or console).
 */
export async function connectApp(
  page: Page,
  to: { origin: string; environmentUrl: string; secret: string; secretsInPlay?: string[]; ready?: boolean },
): Promise<void> {
  to.secretsInPlay?.push(to.secret);
  await page.goto(`${to.origin}/`);
  await page.getByLabel("Environment URL").fill(to.environmentUrl);
  await page.getByLabel("API token").fill(to.secret);
  await page.getByLabel("API token").press("Enter");
  if (to.ready) await page.locator(".shell[data-state=ready]").waitFor();
}

/**
 * A proxy on 127.0.0.1 in front of `target` (the sandbox): passes every request through as it is,
 * except that after `hold(match)` it keeps the next matching request until `release()`, to test what
 * the page does while that request is under way (`arrived` resolves once it is held), and that
 * `answer`, when given, may answer a request itself instead (it returns true once it has written
 * the response), to test what the page does with a failing answer.
 */
export async function holdingProxy(
  target: string,
  answer?: (req: IncomingMessage, res: ServerResponse) => boolean,
) {
  let armed:
    | { match: (method: string, path: string) => boolean; arrived: () => void; gate: Promise<void> }
    | undefined;
  const released: (() => void)[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (answer?.(req, res)) return;
    const held = armed?.match(req.method ?? "GET", req.url ?? "/") ? armed : undefined;
    if (held) {
      armed = undefined;
      held.arrived();
      await held.gate;
    }
    const url = new URL(req.url ?? "/", target);
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end(Buffer.concat(chunks));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hold(match: (method: string, path: string) => boolean) {
      let arrived!: () => void;
      let release!: () => void;
      const gate = new Promise<void>((done) => {
        release = done;
      });
      released.push(release);
      const reached = new Promise<void>((done) => {
        arrived = done;
      });
      armed = { match, arrived, gate };
      return { arrived: reached, release };
    },
    close: () => {
      for (const release of released) release();
      server.closeAllConnections();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Debian's Chromium (CHROMIUM_PATH overrides), headless. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium not found at ${executablePath}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export const OWNERS = ["alice@example.com", "bob@example.com", "ci-pipeline", "platform-team", "admin"];
const SCOPE_SETS = [
  ["metrics.read"],
  ["logs.ingest", "metrics.ingest"],
  ["settings.read", "settings.write"],
  ["apiTokens.read"],
  ["apiTokens.read", "apiTokens.write"],
  ["entities.read", "problems.read", "events.ingest"],
  ["ReadConfig", "WriteConfig"],
];
// Offsets in days from now, each at least half a day away from every boundary the dashboard uses
// (1, 7, 30, 90, 180, 365 days of last use; 0 and multiples of 30 days of expiry).
const LAST_USED = [undefined, 0.3, 3, 12, 45, 120, 250, 500];
const EXPIRES = [undefined, -200, -3, 0.5, 5, 20, 45, 100, 200, 400, undefined];
const PURPOSES = ["k8s-operator", "log-ingest", "grafana", "terraform", "incident-bot", "backup", "audit"];

/**
 * `count` varied tokens plus three named ones: `dashboard-admin` and `dashboard-self` (apiTokens.read
 * and .write, never used, never expire) and `metrics-only` (no token scopes). Deterministic.
 */
export function makeSeed(count: number, now: number): SeedToken[] {
  const ago = (days: number | undefined) => (days === undefined ? undefined : new Date(now - days * DAY));
  const tokens: SeedToken[] = [];
  for (let i = 0; i < count; i++) {
    const personal = i % 4 === 1;
    const lastUsed = ago(LAST_USED[(i * 7) % LAST_USED.length]);
    const expires = EXPIRES[(i * 3) % EXPIRES.length];
    tokens.push({
      name: `${PURPOSES[i % PURPOSES.length]}-${String(i).padStart(3, "0")}`,
      owner: OWNERS[(i * 3) % OWNERS.length],
      personalAccessToken: personal,
      enabled: i % 10 !== 3,
      scopes: SCOPE_SETS[(i * 5) % SCOPE_SETS.length],
      creationDate: ago(900 + (i % 50)),
      lastUsedDate: lastUsed,
      lastUsedIpAddress: lastUsed ? `203.0.113.${(i % 250) + 1}` : undefined,
      expirationDate: expires === undefined ? undefined : new Date(now + expires * DAY),
      modifiedDate: i % 6 === 0 ? ago(10) : undefined,
      additionalMetadata: i % 9 === 0 ? { ticket: `OPS-${i}` } : undefined,
    });
  }
  const admin = { owner: "admin", scopes: ["apiTokens.read", "apiTokens.write"], creationDate: ago(10) };
  tokens.push({ name: "dashboard-admin", ...admin }, { name: "dashboard-self", ...admin });
  tokens.push({ name: "metrics-only", owner: "admin", scopes: ["metrics.read"], creationDate: ago(5) });
  return tokens;
}

const ms = (d: SeedToken["expirationDate"]) =>
  d === undefined || d === null ? undefined : d instanceof Date ? d.getTime() : Number(d);

/**
 * The numbers the overview must show, computed here from the seed, written out independently of the
 * app's code: `usedNow` are tokens that have been used since seeding (the one the browser signs in with).
 */
export function expectedOverview(seed: readonly SeedToken[], now: number, usedNow: readonly string[]) {
  const counts = {
    active: 0,
    disabled: 0,
    expired: 0,
    expiring: 0,
    neverUsed: 0,
    unused: 0,
    personal: 0,
    broadWrite: 0,
  };
  const ages = [0, 0, 0, 0, 0, 0, 0, 0]; // <1d, 1-7, 7-30, 30-90, 90-180, 180-365, >365, never
  const expiry = { expired: 0, windows: Array<number>(12).fill(0), later: 0, never: 0 };
  for (const t of seed) {
    const exp = ms(t.expirationDate);
    const used = usedNow.includes(t.name) ? now : ms(t.lastUsedDate);
    const expired = exp !== undefined && exp <= now;
    if (t.enabled !== false && !expired) counts.active++;
    if (t.enabled === false) counts.disabled++;
    if (expired) counts.expired++;
    if (exp !== undefined && exp > now && exp <= now + 14 * DAY) counts.expiring++;
    if (used === undefined) counts.neverUsed++;
    if (used !== undefined && now - used >= 90 * DAY) counts.unused++;
    if (t.personalAccessToken) counts.personal++;
    if ((t.scopes ?? []).some((s) => ["apiTokens.write", "settings.write", "WriteConfig"].includes(s)))
      counts.broadWrite++;

    if (used === undefined) ages[7]!++;
    else {
      const days = (now - used) / DAY;
      const limits = [1, 7, 30, 90, 180, 365];
      const i = limits.findIndex((l) => days < l);
      ages[i === -1 ? 6 : i]!++;
    }
    if (exp === undefined) expiry.never++;
    else if (exp <= now) expiry.expired++;
    else if (exp > now + 360 * DAY) expiry.later++;
    else expiry.windows[Math.floor((exp - now) / (30 * DAY))]!++;
  }
  return { total: seed.length, counts, ages, expiry };
}
