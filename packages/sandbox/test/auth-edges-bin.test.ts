/**
 * Where the sandbox accepted what Dynatrace refuses, against the bin on a database file:
 * - a selector of about 1,000 terms is a 400 naming apiTokenSelector (it was a 500);
 * - an OAuth client revoked and enabled again does not revive its earlier access tokens;
 * - an access token issued in the future is refused;
 * - a signature spelled differently in the last character's two unused bits is another token.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxProcess, setOAuthClientEnabled } from "../src/index.js";
import { startBin } from "./process.js";

const PLATFORM = "/platform/classic/environment-api/v2";
let dir: string;
let file: string;
let bin: SandboxProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-auth-edges-"));
  file = join(dir, "tokens.db");
  bin = await startBin(["--db", file, "--quiet"]);
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});

async function grant(): Promise<string> {
  const res = await fetch(bin.ready.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: bin.ready.oauthClientId!,
      client_secret: bin.ready.oauthClientSecret!,
      // a grant must ask for its scopes (invalid_scope without, since 323fc73)
      scope: "environment-api:api-tokens:read",
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function listWith(authorization: string, query = "") {
  const res = await fetch(`${bin.ready.url}${PLATFORM}/apiTokens${query}`, { headers: { authorization } });
  const text = await res.text();
  return { status: res.status, text };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("what Dynatrace refuses, the sandbox refuses", () => {
  it("a selector of about 1,000 terms is a 400 naming apiTokenSelector, not a 500", async () => {
    const bearer = `Bearer ${bin.ready.platformToken}`;
    // quotes encoded, parentheses and commas not: 1,000 terms fit in a request line (about 15 KB)
    const many = (n: number, term: (i: number) => string) =>
      `?apiTokenSelector=${Array.from({ length: n }, (_, i) => term(i))
        .join(",")
        .replace(/"/g, "%22")}`;
    for (const query of [
      many(1000, () => 'owner("a")'),
      many(900, (i) => `scope("${i}")`),
      many(101, () => "personalAccessToken(false)"),
      many(1, () => `scope(${Array.from({ length: 1001 }, (_, i) => `"s${i}"`).join(",")})`),
    ]) {
      const r = await listWith(bearer, query);
      expect(r.status, r.text.slice(0, 300)).toBe(400);
      expect(JSON.parse(r.text).error.constraintViolations[0]).toMatchObject({ path: "apiTokenSelector" });
      expect(r.text).toMatch(/at most (100|1000)/);
    }
    // the limits themselves are fine
    expect(
      (
        await listWith(
          bearer,
          many(100, () => 'owner("admin")'),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await listWith(
          bearer,
          many(100, (i) => `scope("s${i}","t${i}")`),
        )
      ).status,
    ).toBe(200);
  });

  it("an OAuth client revoked and enabled again does not revive its earlier access tokens", async () => {
    const before = await grant();
    expect((await listWith(`Bearer ${before}`)).status).toBe(200);
    expect(setOAuthClientEnabled(file, bin.ready.oauthClientId!, false)).toBe(true);
    expect((await listWith(`Bearer ${before}`)).status).toBe(401);
    expect(setOAuthClientEnabled(file, bin.ready.oauthClientId!, true)).toBe(true);
    const stale = await listWith(`Bearer ${before}`);
    expect(stale.status).toBe(401);
    expect(stale.text).toContain("revoked");
    // a new grant works
    expect((await listWith(`Bearer ${await grant()}`)).status).toBe(200);
  });

  it("an access token issued in the future is refused", async () => {
    const valid = await grant();
    const [header, payload] = valid.split(".") as [string, string];
    const db = new Database(file, { readonly: true });
    const key = db.prepare("SELECT value FROM meta WHERE key = 'accessTokenKey'").pluck().get() as Buffer;
    db.close();
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const sign = (c: object) => {
      const body = Buffer.from(JSON.stringify(c)).toString("base64url");
      const mac = createHmac("sha256", key).update(`${header}.${body}`).digest("base64url");
      return `${header}.${body}.${mac}`;
    };
    // signed with the right key: only the times differ
    expect((await listWith(`Bearer ${sign(claims)}`)).status).toBe(200);
    const later = Date.now() + 3_600_000;
    for (const future of [
      { ...claims, iat: Math.floor(later / 1000), iat_ms: later, exp: Math.floor(later / 1000) + 300 },
      { ...claims, iat: Math.floor(later / 1000), iat_ms: undefined, exp: Math.floor(later / 1000) + 300 },
    ]) {
      const r = await listWith(`Bearer ${sign(future)}`);
      expect(r.status, r.text).toBe(401);
    }
  });

  it("a signature varied in the last character's unused bits is refused", async () => {
    const token = await grant();
    expect((await listWith(`Bearer ${token}`)).status).toBe(200);
    const last = ALPHABET.indexOf(token.at(-1)!);
    for (const bits of [1, 2, 3]) {
      const variant = token.slice(0, -1) + ALPHABET[last ^ bits];
      expect(Buffer.from(variant.split(".")[2]!, "base64url")).toEqual(
        Buffer.from(token.split(".")[2]!, "base64url"),
      );
      expect((await listWith(`Bearer ${variant}`)).status).toBe(401);
    }
  });
});
