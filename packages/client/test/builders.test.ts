import { describe, expect, test } from "vitest";
import {
  apiTokenSelector,
  fieldsParam,
  InvalidInputError,
  isTokenScope,
  isTokenSecret,
  normalizeEnvironmentUrl,
  parseTokenSecret,
  redact,
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
  ])("accepts %s for from/to", (value) => {
    expect(timeframe(value, "from")).toBe(value);
  });
  test.each(["now+14d", "now+1y/M", "2030-01-01T00:00:00Z"])("accepts %s for an expiration", (v) => {
    expect(timeframe(v, "expirationDate", true)).toBe(v);
  });
  test.each(["yesterday", "now+1d", "now-1x", "2021-01-25", "-5", "1.5", ""])("rejects %j for from", (v) => {
    expect(() => timeframe(v, "from")).toThrow(/^from: got .*expected a Date, epoch ms/);
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
    expect(() => fieldsParam(["name,owner" as "name"])).toThrow(/fields: "name,owner" is not a field name/);
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
  ])("%s -> %s", (input, base) => {
    expect(normalizeEnvironmentUrl(input)).toBe(base);
  });
  test("a missing scheme says so", () => {
    expect(() => normalizeEnvironmentUrl("abc12345.live.dynatrace.com")).toThrow(
      /environmentUrl: got "abc12345.live.dynatrace.com" \(no https:\/\/\); expected https:\/\/<env-id>/,
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
  ])("rejects %j with the accepted forms", (input) => {
    expect(() => normalizeEnvironmentUrl(input)).toThrow(/expected https:\/\/<env-id>\.live\.dynatrace\.com/);
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
  test("also an opaque legacy secret after Api-Token", () => {
    expect(redact("Authorization: Api-Token abcdefghijklmnopqrstu")).toBe(
      "Authorization: Api-Token [REDACTED]",
    );
  });
});
