/** The environment facts every package asks: hosts, API prefixes, scopes per dialect, the account URN. */
import { describe, expect, test } from "vitest";
import {
  API_TOKENS_SCOPES,
  hostKind,
  isAccountUrn,
  isLoopbackHost,
  otherDynatraceHost,
  platformScopeFor,
} from "../src/index.js";

describe("isLoopbackHost and hostKind", () => {
  test.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.1.2", true],
    ["[::1]", true],
    ["localhost.", false],
    // DNS answers for subdomains of localhost: any address, so not this machine.
    ["app.localhost", false],
    ["localhost.example.com", false],
    ["127.0.0.1.example.com", false],
    ["128.0.0.1", false],
    ["[::2]", false],
    ["", false],
  ])("%s: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
    expect(hostKind(host) === "loopback").toBe(loopback);
  });

  test.each([
    ["abc12345.apps.dynatrace.com", "platform"],
    ["ABC12345.Apps.Dynatrace.com", "platform"],
    ["abc12345.apps.dynatracelabs.com", "platform"],
    ["abc12345.live.dynatrace.com", "saas"],
    ["abc12345.live.dynatracelabs.com", "saas"],
    ["dynatrace.example.com", "other"],
    ["apps.dynatrace.com.evil.example", "other"],
    ["app.localhost", "other"],
  ])("%s is %s", (host, kind) => {
    expect(hostKind(host)).toBe(kind);
  });

  test("the same environment on the other host, when the host says which", () => {
    expect(otherDynatraceHost("abc12345.live.dynatrace.com", "apps")).toBe(
      "https://abc12345.apps.dynatrace.com",
    );
    expect(otherDynatraceHost("abc12345.apps.dynatracelabs.com", "live")).toBe(
      "https://abc12345.live.dynatracelabs.com",
    );
    expect(otherDynatraceHost("dynatrace.example.com", "apps")).toBeUndefined();
  });
});

describe("scopes per dialect", () => {
  test("a classic token's scopes and the platform's for the same access", () => {
    expect(API_TOKENS_SCOPES.classic).toEqual({ read: "apiTokens.read", write: "apiTokens.write" });
    expect(platformScopeFor("apiTokens.read")).toBe(API_TOKENS_SCOPES.platform.read);
    expect(platformScopeFor("apiTokens.write")).toBe("environment-api:api-tokens:write");
    expect(platformScopeFor("metrics.read")).toBeUndefined();
  });
});

describe("isAccountUrn: one grammar for the variable, the config file and the client", () => {
  test.each([
    ["urn:dtaccount:0a1b2c3d-0000-4000-8000-000000000000", true],
    ["urn:dtaccount:Acme_Prod-42", true],
    ["urn:dtaccount:", false],
    ["urn:dtaccount:a b", false],
    ["urn:dtaccount:a\n", false],
    ["URN:DTACCOUNT:abc", false],
    ["0a1b2c3d-0000-4000-8000-000000000000", false],
    [undefined, false],
    [42, false],
  ])("%s: %s", (value, ok) => {
    expect(isAccountUrn(value)).toBe(ok);
  });
});
