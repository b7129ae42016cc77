/**
 * The CLI asks the one home of a rule instead of keeping its own copy (issue #24): secrets are
 * recognised by the formats of @dt-tokens/types (every kind, encoded forms, JWTs), OAuth client ids
 * by their format there, and a time without a zone is read as the API reads it (UTC), whatever the
 * machine's time zone.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterAll, describe, expect, it } from "vitest";
import { run, useSandbox } from "./helpers.js";

const { sandbox } = useSandbox();

const HOUR = 3_600_000;
/** A time as `yyyy-MM-ddTHH:mm` in UTC, with no zone (the API reads it as UTC). */
const noZone = (ms: number, separator = "T") =>
  new Date(ms).toISOString().slice(0, 16).replace("T", separator);

describe("secrets where free text goes: every kind the formats know", () => {
  const classic = generateTokenSecret();
  const [prefix, publicPart, privatePart] = classic.split(".") as [string, string, string];
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZXJ2aWNlLXVzZXIifQ.c2lnbmF0dXJlLW9mLXRoZS1qd3Q";
  const secrets: [string, string, string][] = [
    ["an API token", classic, privatePart],
    ["an ActiveGate token", `dt0g02.ABCDEFGH.${"A2B3C4D5".repeat(8)}`, "A2B3C4D5".repeat(8)],
    ["a platform token", `dt0s16.SAMPLEID.${"A1B2C3D4".repeat(8)}`, "A1B2C3D4".repeat(8)],
    ["an OAuth client secret", `dt0s02.SAMPLEID.${"Z9Y8X7W6".repeat(8)}`, "Z9Y8X7W6".repeat(8)],
    ["an unknown dt0 kind", `dt0x42.SAMPLEID.${"Q7R6S5T4".repeat(8)}`, "Q7R6S5T4".repeat(8)],
    ["a JWT", jwt, "c2lnbmF0dXJlLW9mLXRoZS1qd3Q"],
    ["an API token with URL-encoded dots", `${prefix}%2E${publicPart}%2E${privatePart}`, privatePart],
    ["an API token, base64-encoded", Buffer.from(classic).toString("base64"), privatePart],
  ];

  it.each(secrets)(
    "--name refuses %s without repeating it (exit 2, nothing sent)",
    async (_, secret, hidden) => {
      const before = sandbox().tokenCount();
      const r = await run(sandbox(), ["create", "--name", `ci ${secret}`, "--scope", "metrics.read"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("error: --name: the value looks like a Dynatrace secret (");
      expect(r.stderr).not.toContain(hidden);
      expect(sandbox().tokenCount()).toBe(before);
    },
  );

  it.each(secrets)("a usage error that repeats the value redacts %s", async (_, secret, hidden) => {
    const r = await run(sandbox(), ["list", "--used-from", secret]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(hidden);
  });

  it("an id (not a secret) is free text like any other: a name may mention the token it replaces", async () => {
    const id = classic.split(".").slice(0, 2).join(".");
    const r = await run(sandbox(), ["create", "--name", `replaces ${id}`, "--scope", "metrics.read"], {
      printsSecret: true,
    });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("--expires without a zone is UTC (as the API reads it), whatever TZ says", () => {
  for (const tz of ["America/New_York", "Asia/Tokyo"]) {
    it(`TZ=${tz}: 3 hours ahead in UTC is accepted, 2 hours ago in UTC is in the past`, async () => {
      for (const separator of ["T", " "]) {
        const ahead = noZone(Date.now() + 3 * HOUR, separator);
        const ok = await run(
          sandbox(),
          ["create", "--name", "tz", "--scope", "metrics.read", "--expires", ahead],
          {
            env: { TZ: tz },
            printsSecret: true,
          },
        );
        expect(ok.code, `${ahead}: ${ok.stderr}`).toBe(0);
        const before = sandbox().tokenCount();
        const ago = noZone(Date.now() - 2 * HOUR, separator);
        const past = await run(
          sandbox(),
          ["create", "--name", "tz", "--scope", "metrics.read", "--expires", ago],
          {
            env: { TZ: tz },
          },
        );
        expect([past.code, past.stderr]).toEqual([
          2,
          `error: --expires: "${ago}" is in the past; a token's expiry must be in the future\nnothing was sent.\n`,
        ]);
        expect(sandbox().tokenCount()).toBe(before);
      }
    });
  }
});

describe("config: an OAuth client id has the format of @dt-tokens/types", () => {
  const dir = mkdtempSync(join(tmpdir(), "dt-tokens-one-home-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "config.yaml");
  const withClientId = (clientId: string) =>
    writeFileSync(
      config,
      [
        "environments:",
        "  oauth:",
        "    url: https://abc12345.apps.dynatrace.com",
        "    oauthClient:",
        `      clientId: ${clientId}`,
        "      clientSecret: env:S",
        "      accountUrn: urn:dtaccount:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "",
      ].join("\n"),
    );

  it.each(["dt0s02.abc", "dt0s02.ABCDEFGHIJ", "dt0s02.abcdefgh", "dt0c01.ABCDEFGH"])(
    "refuses %s (exit 2, saying the form)",
    async (clientId) => {
      withClientId(clientId);
      const r = await run(undefined, ["env", "list"], { env: { DT_TOKENS_CONFIG: config } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${config}:5:17: environments.oauth.oauthClient.clientId: expected the OAuth client id: dt0s02.<8 characters>`,
      );
    },
  );

  it("accepts dt0s02.<8 characters>", async () => {
    withClientId("dt0s02.ABCD1234");
    const r = await run(undefined, ["env", "list", "-o", "json"], { env: { DT_TOKENS_CONFIG: config } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"oauth"');
  });
});
