import { describe, expect, test } from "vitest";
import {
  apiTokenSelector,
  fieldsParam,
  InvalidInputError,
  isTokenScope,
  isTokenSecret,
  KNOWN_RESPONSE_SCOPES,
  LEGACY_TOKEN_SCOPES,
  normalizeEnvironmentUrl,
  parseTokenSecret,
  redact,
  type SelectorInput,
  sameLifetime,
  TOKEN_SCOPES,
  timeframe,
  validateScopes,
} from "../src/index.js";
import { makeSecret } from "./helpers.js";

describe("apiTokenSelector", () => {
  test("quotes values and escapes quote and backslash", () => {
    expect(apiTokenSelector({ owner: 'a"b\\c' })).toBe('owner("a\\"b\\\\c")');
  });
  test("combines criteria with commas, scopes OR-ed inside scope()", () => {
    expect(
      apiTokenSelector({
        owner: "john.smith",
        personalAccessToken: false,
        scopes: ["metrics.read", "logs.read"],
      }),
    ).toBe('owner("john.smith"),personalAccessToken(false),scope("metrics.read","logs.read")');
  });
  test("an empty object gives an empty selector", () => {
    expect(apiTokenSelector({})).toBe("");
  });
  test("bad input is rejected with what is accepted", () => {
    expect(() => apiTokenSelector({ scopes: [] })).toThrow(InvalidInputError);
    expect(() => apiTokenSelector({ personalAccessToken: "yes" as unknown as boolean })).toThrow(
      /selector: expected \{ owner\?: string, personalAccessToken\?: boolean/,
    );
    expect(() => apiTokenSelector({ owner: 42 as unknown as string })).toThrow(InvalidInputError);
  });
  test("null criteria are rejected; only undefined means not given", () => {
    for (const input of [{ owner: null }, { personalAccessToken: null }, { scopes: null }])
      expect(() => apiTokenSelector(input as unknown as SelectorInput)).toThrow(
        "selector: expected { owner?: string, personalAccessToken?: boolean, scopes?: string[] }",
      );
    expect(apiTokenSelector({ owner: undefined, personalAccessToken: undefined, scopes: undefined })).toBe(
      "",
    );
  });
});

describe("timeframe", () => {
  test("Date becomes Dynatrace's yyyy-MM-ddTHH:mm:ss.SSSZ", () => {
    expect(timeframe(new Date(Date.UTC(2021, 0, 25, 4, 57, 1, 123)))).toBe("2021-01-25T04:57:01.123Z");
  });
  test("epoch ms as number or string", () => {
    expect(timeframe(1611550621123)).toBe("1611550621123");
    expect(timeframe("1611550621123")).toBe("1611550621123");
  });
  test.each([
    "2021-01-25T05:57:01.123+01:00",
    "2021-01-25 05:57:01",
    "2021-01-25T05:57",
    "2021-01-25T05:57:01Z",
    "now",
    "now-1d",
    "now-1d/d",
    "now-2w/M",
    "now-10m",
    // date only, and the limits the server applies
    "2021-01-25",
    "2020-02-29",
    "2021-01-25Z",
    "2021-01-25T23:59:59.123456789-18:59",
    "2021-01-25 00:00+0530",
    "0100-01-01",
    "999999999999999",
    "now/d",
    "now-999999999m",
    "now-999999999h",
    "now-99999d",
    "now-99999y/M",
  ])("accepts %s for from/to", (value) => {
    expect(timeframe(value, "from")).toBe(value);
  });
  test.each(["now+14d", "now+1y/M", "2030-01-01T00:00:00Z"])("accepts %s for an expiration", (v) => {
    expect(timeframe(v, "expirationDate", true)).toBe(v);
  });
  test.each([
    "yesterday",
    "now+1d",
    "now-1x",
    "-5",
    "1.5",
    "",
    // held to the server's limits
    "2021-02-30",
    "2019-02-29",
    "2021-13-01",
    "2021-00-10",
    "2021-01-00",
    "2021-01-25T25:00",
    "2021-01-25T24:00",
    "2021-01-25T05:60",
    "2021-01-25T05:57:60",
    "2021-01-25T05:57:01.1234567890",
    "2021-01-25T05:00+19:00",
    "2021-01-25T05:00+01:60",
    "0050-01-01",
    "0000-01-01T00:00Z",
    "1234567890123456",
    "now-999999y",
    "now-100000d",
    "now-1234567890m",
  ])("rejects %j for from", (v) => {
    expect(() => timeframe(v, "from")).toThrow(InvalidInputError);
    expect(() => timeframe(v, "from")).toThrow(
      `from: expected a Date, epoch ms, 2021-01-25T05:57:01Z or now-1d/d, got ${JSON.stringify(v)}`,
    );
  });
  test("an expiration names now+14d in its message", () => {
    expect(() => timeframe("2021-02-30", "expirationDate", true)).toThrow(
      'expirationDate: expected a Date, epoch ms, 2021-01-25T05:57:01Z or now+14d, got "2021-02-30"',
    );
  });
  test("rejects past-relative and plain now for an expiration", () => {
    expect(() => timeframe("now-1d", "expirationDate", true)).toThrow(/expirationDate: .*now\+14d/);
    expect(() => timeframe("now", "expirationDate", true)).toThrow(InvalidInputError);
  });
  test("rejects an invalid Date and negative or fractional numbers", () => {
    expect(() => timeframe(new Date("nope"), "to")).toThrow(/^to: /);
    expect(() => timeframe(-1, "to")).toThrow(InvalidInputError);
    expect(() => timeframe(1.5, "to")).toThrow(InvalidInputError);
  });
});

describe("fieldsParam", () => {
  test("exact list, add/remove and raw string", () => {
    expect(fieldsParam(["name", "scopes"])).toBe("name,scopes");
    expect(fieldsParam({ add: ["scopes", "expirationDate"], remove: ["owner"] })).toBe(
      "+scopes,+expirationDate,-owner",
    );
    expect(fieldsParam("+scopes,-creationDate")).toBe("+scopes,-creationDate");
  });
  test("a name that is not a field name is rejected before sending", () => {
    expect(() => fieldsParam(["name,owner" as "name"])).toThrow(
      'fields: expected field names such as scopes, got "name,owner"',
    );
    expect(() => fieldsParam({ remove: ["-owner" as "owner"] })).toThrow(InvalidInputError);
  });
  test("names are checked for shape only: a field Dynatrace adds later goes through", () => {
    expect(fieldsParam(["name", "brandNewField" as "name"])).toBe("name,brandNewField");
    expect(fieldsParam({ add: ["brandNewField" as "name"] })).toBe("+brandNewField");
  });
  test("an empty exact list means only the id; empty additions and removals mean the defaults", () => {
    expect(fieldsParam([])).toBe("id");
    expect(fieldsParam({})).toBe("");
    expect(fieldsParam({ add: [], remove: [] })).toBe("");
  });
});

describe("token secrets", () => {
  test("parse gives prefix, public part and id, never the private part", () => {
    const { secret, id, privatePart } = makeSecret();
    const parts = parseTokenSecret(secret);
    expect(parts).toEqual({ prefix: "dt0c01", publicPart: id.slice(7), id });
    expect(JSON.stringify(parts)).not.toContain(privatePart);
    expect(isTokenSecret(secret)).toBe(true);
  });
  test("rejects other shapes without echoing the input", () => {
    const { secret } = makeSecret();
    for (const bad of [secret.toLowerCase(), `${secret}A`, secret.replace("dt0c01", "dt0c02"), "", "abc"]) {
      expect(isTokenSecret(bad)).toBe(false);
      let message = "";
      try {
        parseTokenSecret(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        message = (e as Error).message;
      }
      expect(message).toMatch(/expected dt0c01\.<24 chars>\.<64 chars>/);
      if (bad) expect(message).not.toContain(bad);
    }
    expect(isTokenSecret(undefined)).toBe(false);
  });
});

describe("scopes", () => {
  test("isTokenScope knows the assignable scopes only", () => {
    expect(isTokenScope("metrics.read")).toBe(true);
    expect(isTokenScope("ViewDashboard")).toBe(false);
    expect(isTokenScope(42)).toBe(false);
  });
  test("validateScopes returns typed scopes or names the unknown ones with a hint", () => {
    expect(validateScopes(["metrics.read", "apiTokens.write"])).toEqual(["metrics.read", "apiTokens.write"]);
    expect(() => validateScopes(["Metrics.Read", "nope"])).toThrow(
      /unknown scopes "Metrics.Read" \(did you mean "metrics.read"\?\), "nope"/,
    );
    expect(() => validateScopes([])).toThrow(InvalidInputError);
    expect(TOKEN_SCOPES).toContain("apiTokens.read");
  });
  test("the response and legacy scope lists are exported too", () => {
    expect(KNOWN_RESPONSE_SCOPES).toEqual(expect.arrayContaining([...TOKEN_SCOPES]));
    expect(LEGACY_TOKEN_SCOPES.length).toBeGreaterThan(0);
    for (const scope of LEGACY_TOKEN_SCOPES) expect(KNOWN_RESPONSE_SCOPES).toContain(scope);
  });
});

describe("normalizeEnvironmentUrl", () => {
  test.each([
    ["https://abc12345.live.dynatrace.com", "https://abc12345.live.dynatrace.com/api/v2"],
    ["https://abc12345.live.dynatrace.com/", "https://abc12345.live.dynatrace.com/api/v2"],
    ["  https://abc12345.live.dynatrace.com//  ", "https://abc12345.live.dynatrace.com/api/v2"],
    ["https://managed.example.com/e/abc-123", "https://managed.example.com/e/abc-123/api/v2"],
    ["https://managed.example.com:9999/e/abc/", "https://managed.example.com:9999/e/abc/api/v2"],
    ["https://managed.example.com/e/abc/api/v2", "https://managed.example.com/e/abc/api/v2"],
    ["https://abc12345.live.dynatrace.com/api/v2/", "https://abc12345.live.dynatrace.com/api/v2"],
    ["https://proxy.example.com/dynatrace/api/v2", "https://proxy.example.com/dynatrace/api/v2"],
    [
      "https://abc12345.apps.dynatrace.com/platform/classic/environment-api/v2",
      "https://abc12345.apps.dynatrace.com/platform/classic/environment-api/v2",
    ],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v2"],
    // The origin as fetch reads it, so that what is checked and shown is where requests go.
    ["http://127.1:8080", "http://127.0.0.1:8080/api/v2"],
    ["HTTPS://ABC12345.LIVE.DYNATRACE.COM:443/E/x", "https://abc12345.live.dynatrace.com/E/x/api/v2"],
  ])("%s -> %s", (input, base) => {
    expect(normalizeEnvironmentUrl(input)).toBe(base);
  });
  test("a missing scheme names the accepted forms and the input", () => {
    expect(() => normalizeEnvironmentUrl("abc12345.live.dynatrace.com")).toThrow(
      'environmentUrl: "abc12345.live.dynatrace.com" is not an http(s) URL; use https://<env-id>.live.dynatrace.com, https://<env-id>.apps.dynatrace.com, https://<host>/e/<env-id> or an …/api/v2 URL',
    );
  });
  test.each([
    "",
    "garbage",
    "ftp://abc.live.dynatrace.com",
    "https://abc.live.dynatrace.com/some/path",
    "https://abc.live.dynatrace.com/api/v1",
    "https://abc.live.dynatrace.com/api/v2?x=1",
    "https://abc.live.dynatrace.com/#frag",
    "https://",
    "https://a b.com",
    // user info (credentials) in the URL
    "https://user@abc.live.dynatrace.com",
    "https://user:pass@abc.live.dynatrace.com/",
    "https://user@managed.example.com/e/abc",
    "https://user@abc.live.dynatrace.com/api/v2",
    "https://user:pass@proxy.example.com/dynatrace/api/v2",
    // a backslash, which URL parsers read as "/": the host would be evil.example.com
    "https://evil.example.com\\.live.dynatrace.com",
    "https://evil.example.com\\@abc.live.dynatrace.com",
    "https://managed.example.com/e/abc\\..\\..\\x",
    // hosts no URL can have (these threw a TypeError)
    "https://ex%ample.com",
    "https://abc.live.dynatrace.com:99999",
    "https://[zz]",
  ])("rejects %j with the accepted forms", (input) => {
    expect(() => normalizeEnvironmentUrl(input)).toThrow(InvalidInputError);
    expect(() => normalizeEnvironmentUrl(input)).toThrow(/^environmentUrl: .*; (use|remove)/);
  });

  test("a password in the URL is never echoed in the error", () => {
    let message = "";
    try {
      normalizeEnvironmentUrl("https://admin:hunter2@managed.example.com/e/abc?x");
    } catch (e) {
      message = String(e);
    }
    expect(message).toContain('"https://<user info>@managed.example.com/e/abc?x" holds user info');
    expect(message).not.toContain("hunter2");
  });
});

describe("redact", () => {
  test("secrets keep only their id; Authorization and api-token= are blanked", () => {
    const { secret, id, privatePart } = makeSecret();
    const out = redact(`token ${secret}, header Api-Token ${secret}, url /x?api-token=${secret}&a=1`);
    expect(out).not.toContain(privatePart);
    expect(out).toContain(`${id}.[REDACTED]`);
    expect(out).toContain("Api-Token [REDACTED]");
    expect(out).toContain("api-token=[REDACTED]&a=1");
  });
  test("also a secret glued to other text, such as after a percent-escape", () => {
    const { secret, id, privatePart } = makeSecret();
    for (const text of [`owner(%22${secret}%22)`, `x${secret}`, `_${secret}`]) {
      expect(redact(text)).not.toContain(privatePart);
      expect(redact(text)).toContain(`${id}.[REDACTED]`);
    }
  });
  test("also an opaque legacy secret after Api-Token", () => {
    expect(redact("Authorization: Api-Token abcdefghijklmnopqrstu")).toBe(
      "Authorization: Api-Token [REDACTED]",
    );
  });
});

describe("sameLifetime", () => {
  const day = 86_400_000;
  test("the old token's lifetime (creation to expiry) again, from now", () => {
    const before = Date.now();
    const next = sameLifetime({
      creationDate: new Date(before - 4 * day).toISOString(),
      expirationDate: new Date(before + 6 * day).toISOString(),
    });
    expect(next).toBeInstanceOf(Date);
    expect(next!.getTime()).toBeGreaterThanOrEqual(before + 10 * day);
    expect(next!.getTime()).toBeLessThanOrEqual(Date.now() + 10 * day);
    expect(timeframe(next!, "expirationDate", true)).toBe(next!.toISOString());
  });
  test("a token that never expired gives null (never expires)", () => {
    expect(sameLifetime({ creationDate: "2024-01-01T00:00:00.000Z" })).toBeNull();
  });
});
