/**
 * InvalidInputError carries what it says as fields (param, problem, reason, suggestion, url), so
 * that apps word their own messages instead of taking the client's sentences apart.
 */
import { describe, expect, test } from "vitest";
import { checkUrl, createApiTokensClient, InvalidInputError } from "../src/index.js";

const TOKEN = `dt0c01.ST2EY72KQINMH574WMNVI7YN.${"A".repeat(64)}`;
const PLATFORM_TOKEN = `dt0s16.ABCDEFGH.${"B".repeat(64)}`;

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error("nothing was thrown");
}

describe("a refused URL", () => {
  test.each([
    ["http://app.localhost:9", "cleartext"],
    ["http://abc12345.live.dynatrace.com", "cleartext"],
    ["ftp://example.com", "scheme"],
    ["https://me:pw@abc12345.live.dynatrace.com", "user-info"],
    ["https://abc12345.live.dynatrace.com/?x=1", "query"],
    ["https://evil.example\\.live.dynatrace.com", "backslash"],
    ["https://abc12345.live.dynatrace.com/somewhere", "path"],
  ])("%s: problem %s, as a field of checkUrl's answer and of the error", (url, problem) => {
    const answer = checkUrl("environmentUrl", url);
    expect(answer).toMatchObject({ ok: false, param: "environmentUrl", problem });
    const error = thrown(() => createApiTokensClient({ environmentUrl: url, token: TOKEN }));
    expect(error).toMatchObject({ param: "environmentUrl", problem });
    expect(error.reason).toEqual(expect.any(String));
    expect(error.message).toBe(`environmentUrl: ${error.reason}; ${error.suggestion}`);
    expect(JSON.stringify(error)).not.toContain("pw@");
  });

  test("http:// to localhost and 127.0.0.1 passes; the OAuth token URL follows the same rule", () => {
    expect(checkUrl("environmentUrl", "http://localhost:8080").ok).toBe(true);
    expect(checkUrl("environmentUrl", "http://127.0.0.1:8080").ok).toBe(true);
    expect(checkUrl("oauth.tokenUrl", "http://sso.localhost:9/token")).toMatchObject({
      ok: false,
      param: "oauth.tokenUrl",
      problem: "cleartext",
    });
  });
});

describe("a credential sent with a scheme the URL refuses", () => {
  test("a platform token on /api/v2: the platform URL to use is a field", () => {
    const error = thrown(() =>
      createApiTokensClient({
        environmentUrl: "https://abc12345.live.dynatrace.com/api/v2",
        token: PLATFORM_TOKEN,
      }),
    );
    expect(error).toMatchObject({
      param: "environmentUrl",
      problem: "bearer-on-classic",
      url: "https://abc12345.apps.dynatrace.com",
    });
    expect(error.message).toBe(`${error.reason}: ${error.suggestion}`);
  });

  test("a classic token on the platform prefix: the classic URL to use is a field", () => {
    const error = thrown(() =>
      createApiTokensClient({ environmentUrl: "https://abc12345.apps.dynatrace.com", token: TOKEN }),
    );
    expect(error).toMatchObject({
      problem: "api-token-on-platform",
      url: "https://abc12345.live.dynatrace.com",
    });
  });

  test("a bad option that is not a URL names its param and reason", () => {
    const error = thrown(() =>
      createApiTokensClient({
        environmentUrl: "https://abc12345.apps.dynatrace.com",
        oauth: {
          clientId: "dt0s02.ABCDEFGH",
          clientSecret: `dt0s02.ABCDEFGH.${"C".repeat(64)}`,
          accountUrn: "nope",
        },
      }),
    );
    expect(error).toMatchObject({ param: "oauth.accountUrn", problem: "expected" });
    expect(error.reason).toContain("urn:dtaccount:<account-uuid>");
  });
});
