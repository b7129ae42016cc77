/**
 * The sandbox's SSO token endpoint, closer to Dynatrace's: client authentication by HTTP Basic or
 * in the form body (never both), RFC 6749 §5.2 errors with Dynatrace's extra fields, a grant
 * without scope refused, and failed client authentications counted per address.
 */
import { afterEach, describe, expect, it } from "vitest";
import { start } from "./helpers.js";

const READ = "environment-api:api-tokens:read";
type Sandbox = Awaited<ReturnType<typeof start>>;
const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});
async function sandboxWith(options: Parameters<typeof start>[0] = {}) {
  const sandbox = await start(options);
  sandboxes.push(sandbox);
  return sandbox;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

async function grant(sandbox: Sandbox, form: Record<string, string>, authorization?: string) {
  const response = await fetch(sandbox.tokenUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

const grantForm = (sandbox: Sandbox) => ({
  grant_type: "client_credentials",
  scope: READ,
  resource: sandbox.accountUrn,
});

describe("client authentication", () => {
  it("accepts HTTP Basic (RFC 6749 §2.3.1) as it accepts the form body", async () => {
    const sandbox = await sandboxWith();
    const byBasic = await grant(
      sandbox,
      grantForm(sandbox),
      basic(sandbox.oauthClientId!, sandbox.oauthClientSecret!),
    );
    expect(byBasic.status).toBe(200);
    expect(byBasic.body).toMatchObject({ token_type: "Bearer", scope: READ });
    const byForm = await grant(sandbox, {
      ...grantForm(sandbox),
      client_id: sandbox.oauthClientId!,
      client_secret: sandbox.oauthClientSecret!,
    });
    expect(byForm.status).toBe(200);
  });

  it("refuses a request that authenticates twice (Basic and client_secret in the form)", async () => {
    const sandbox = await sandboxWith();
    const both = await grant(
      sandbox,
      { ...grantForm(sandbox), client_id: sandbox.oauthClientId!, client_secret: sandbox.oauthClientSecret! },
      basic(sandbox.oauthClientId!, sandbox.oauthClientSecret!),
    );
    expect(both.status).toBe(400);
    expect(both.body.error).toBe("invalid_request");
    expect(both.body.error_description).toContain("one method only");
    expect(both.text).not.toContain(sandbox.oauthClientSecret!);
  });

  it("invalid_client is 401 with a Basic challenge when Basic was used, else 400; Dynatrace's extra fields are there", async () => {
    const sandbox = await sandboxWith();
    const wrong = `${sandbox.oauthClientId}.${"C".repeat(64)}`;
    const byBasic = await grant(sandbox, grantForm(sandbox), basic(sandbox.oauthClientId!, wrong));
    expect(byBasic.status).toBe(401);
    expect(byBasic.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    const byForm = await grant(sandbox, {
      ...grantForm(sandbox),
      client_id: sandbox.oauthClientId!,
      client_secret: wrong,
    });
    expect(byForm.status).toBe(400);
    expect(byForm.headers.get("www-authenticate")).toBeNull();
    for (const refused of [byBasic, byForm]) {
      expect(refused.body).toMatchObject({
        error: "invalid_client",
        error_description: expect.any(String),
        errorCode: refused.status,
        message: refused.body.error_description,
        issueId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(refused.text).not.toContain("C".repeat(64));
    }
    const malformed = await grant(sandbox, grantForm(sandbox), "Basic !!!");
    expect([malformed.status, malformed.body.error]).toEqual([401, "invalid_client"]);
  });

  it("a grant without scope is refused with invalid_scope, naming the client's scopes", async () => {
    const sandbox = await sandboxWith();
    for (const scope of [undefined, "", "   "]) {
      const form: Record<string, string> = {
        grant_type: "client_credentials",
        client_id: sandbox.oauthClientId!,
        client_secret: sandbox.oauthClientSecret!,
        resource: sandbox.accountUrn,
      };
      if (scope !== undefined) form.scope = scope;
      const r = await grant(sandbox, form);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("invalid_scope");
      expect(r.body.error_description).toContain(READ);
    }
  });

  it("failed client authentications count against the address when throttling is on: then 429, the secret not even checked", async () => {
    const sandbox = await sandboxWith({ throttle: { requestsPerSecond: 0.01, burst: 3 } });
    const wrong = `${sandbox.oauthClientId}.${"C".repeat(64)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await grant(sandbox, grantForm(sandbox), basic(sandbox.oauthClientId!, wrong));
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await grant(
      sandbox,
      grantForm(sandbox),
      basic(sandbox.oauthClientId!, sandbox.oauthClientSecret!),
    );
    expect(right.status).toBe(429);
    expect(right.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(right.body).toMatchObject({ errorCode: 429, issueId: expect.any(String) });
  });
});
