/**
 * `dt-tokens doctor` against the `dt-tokens-sandbox` bin in its own process (and, for platform
 * credentials with one scope only, an in-process sandbox that can create them): one exit status
 * per outcome, a fix in plain words, no secret in any output, and nothing changed by the probes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sandbox, type SandboxProcess, startSandbox, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowSecrets, type RunResult, run } from "./helpers.js";

let sandbox: SandboxProcess;
const secrets: string[] = [];

beforeAll(async () => {
  sandbox = await startSandboxProcess(["--db", ":memory:", "--quiet"]);
  const { platformToken, oauthClientSecret, bootstrapToken } = sandbox.ready;
  if (!platformToken || !oauthClientSecret || !bootstrapToken)
    throw new Error("the sandbox printed no generated credentials");
  remember(platformToken, oauthClientSecret, bootstrapToken);
});
afterAll(() => sandbox?.close());

function remember(...values: string[]): void {
  secrets.push(...values);
  knowSecrets(...values);
}

const classic = (token = sandbox.ready.bootstrapToken!) => ({
  DT_ENV_URL: sandbox.ready.url,
  DT_API_TOKEN: token,
});
const platform = () => ({
  DT_ENV_URL: sandbox.ready.platformBase,
  DT_PLATFORM_TOKEN: sandbox.ready.platformToken,
});
const oauth = () => ({
  DT_ENV_URL: sandbox.ready.platformBase,
  DT_CLIENT_ID: sandbox.ready.oauthClientId,
  DT_CLIENT_SECRET: sandbox.ready.oauthClientSecret,
  DT_ACCOUNT_URN: sandbox.ready.accountUrn,
  DT_SSO_TOKEN_URL: sandbox.ready.tokenUrl,
});

/** Runs doctor with only these variables (no suite connection). */
const doctor = (env: Record<string, string | undefined>, ...args: string[]) =>
  run(undefined, ["doctor", ...args], { env });

/** No secret (its private part, the part after the last dot) in stdout or stderr. */
function expectNoSecret(r: RunResult): void {
  for (const secret of secrets) expect(r.stdout + r.stderr).not.toContain(secret.split(".").at(-1)!);
}

/** The report's JSON: the check of that id. */
function check(r: RunResult, id: string): { status: string; detail: string; fix?: string } {
  const found = JSON.parse(r.stdout).checks.find((c: { check: string }) => c.check === id);
  if (!found) throw new Error(`no check ${id} in ${r.stdout}`);
  return found;
}

/**
 * Every token the environment holds, as its bootstrap token sees it over /api/v2: everything a
 * write could change (not lastUsedDate, which this very list moves).
 */
async function tokens(url = sandbox.ready.url, token = sandbox.ready.bootstrapToken!): Promise<unknown[]> {
  const fields = "name,owner,enabled,scopes,creationDate,modifiedDate,expirationDate";
  const r = await run(undefined, ["list", "-o", "json", "--fields", fields], {
    env: { DT_ENV_URL: url, DT_API_TOKEN: token },
  });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** A new classic token with these scopes, created through the CLI. */
async function classicToken(name: string, scopes: string): Promise<string> {
  const r = await run(undefined, ["create", "--name", name, "--scope", scopes], {
    env: classic(),
    printsSecret: true,
  });
  expect(r.code).toBe(0);
  const secret = r.stdout.trim();
  remember(secret);
  return secret;
}

describe("doctor: ready", () => {
  it("a classic token with both scopes: every check passes, exit 0, the table says so", async () => {
    const r = await doctor(classic());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^✓ environment URL +http:\/\/127\.0\.0\.1:\d+ → /m);
    expect(r.stdout).toMatch(/^✓ credential +classic API token dt0c01\.[A-Z2-7]{24}, from DT_API_TOKEN$/m);
    expect(r.stdout).toMatch(/^✓ scheme fits the URL +"Api-Token" to http:\/\/127\.0\.0\.1:\d+\/api\/v2 /m);
    expect(r.stdout).toMatch(/^✓ read scope +apiTokens\.read /m);
    expect(r.stdout).toMatch(/^✓ write scope +apiTokens\.write /m);
    expect(r.stdout).toContain("\nReady: dt-tokens can work with this environment.\n");
    expectNoSecret(r);
  });

  it("a platform token on the platform prefix: read by a list, write by the probe; nothing changes", async () => {
    const before = await tokens();
    const r = await doctor(platform(), "--output", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, exitStatus: 0 });
    expect(report.checks.map((c: { status: string }) => c.status)).toEqual(Array(7).fill("ok"));
    expect(check(r, "credential").detail).toMatch(
      /^platform token dt0s16\.[A-Z0-9]+, from DT_PLATFORM_TOKEN$/,
    );
    expect(check(r, "scheme").detail).toMatch(/^"Bearer" to .*\/platform\/classic\/environment-api\/v2 /);
    expect(check(r, "write").detail).toContain("environment-api:api-tokens:write");
    expect(await tokens()).toEqual(before);
    expectNoSecret(r);
  });

  it("an OAuth client: SSO issues an access token, the environment accepts it; nothing changes", async () => {
    const before = await tokens();
    const r = await doctor(oauth());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ credential +OAuth client dt0s02\.[A-Z0-9]+ of urn:dtaccount:/m);
    expect(r.stdout).toMatch(
      /^✓ credential accepted +SSO issued an access token, and the environment accepted it$/m,
    );
    expect(r.stdout).toMatch(/^✓ write scope +environment-api:api-tokens:write /m);
    expect(await tokens()).toEqual(before);
    expectNoSecret(r);
  });
});

describe("doctor: what to fix", () => {
  it("a classic token without apiTokens.write: exit 10 and where to add it; --read-only makes it a warning", async () => {
    const readOnly = await classicToken("doctor-read-only", "apiTokens.read");
    const r = await doctor(classic(readOnly));
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(
      /^✗ write scope +missing apiTokens\.write: create, update, delete and rotate will fail$/m,
    );
    expect(r.stdout).toContain(
      "fix: add apiTokens.write to the token: in Dynatrace, Access tokens → the token → edit its scopes",
    );
    expect(r.stdout).toContain("Not ready (exit status 10: doctor: the credential lacks");
    const relaxed = await doctor(classic(readOnly), "--read-only");
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/^! write scope +missing apiTokens\.write/m);
    expect(relaxed.stdout).toContain("Ready, with the warnings above");
    expectNoSecret(r);
    expectNoSecret(relaxed);
  });

  it("a classic token on the platform URL: exit 2, the scheme does not fit, nothing is sent", async () => {
    const r = await doctor(
      { DT_ENV_URL: sandbox.ready.platformBase, DT_API_TOKEN: sandbox.ready.bootstrapToken },
      "-o",
      "json",
    );
    expect(r.code).toBe(2);
    expect(check(r, "scheme")).toMatchObject({ status: "fail" });
    expect(check(r, "scheme").detail).toContain('a classic API token is sent as "Api-Token"');
    expect(check(r, "scheme").fix).toContain("or a platform token (DT_PLATFORM_TOKEN)");
    expect(check(r, "reachable").status).toBe("skipped");
    expectNoSecret(r);
  });

  it("a platform token on /api/v2: exit 2, use the platform URL", async () => {
    const r = await doctor({
      DT_ENV_URL: sandbox.ready.apiBase,
      DT_PLATFORM_TOKEN: sandbox.ready.platformToken,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ scheme fits the URL +a platform token is sent as "Bearer", which .*\/api\/v2 \(the classic \/api\/v2\) refuses$/m,
    );
    expect(r.stdout).toContain("fix: use the platform URL https://<env-id>.apps.dynatrace.com");
    expectNoSecret(r);
  });

  it("a port nothing listens on: exit 8, connection refused in plain words", async () => {
    const port = await freePort();
    const r = await doctor(classic(), "--env-url", `http://127.0.0.1:${port}`);
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(
      new RegExp(
        `^✗ reachable +nothing accepts connections at 127\\.0\\.0\\.1:${port} \\(connection refused\\)$`,
        "m",
      ),
    );
    expect(r.stdout).toContain("fix: check the port and that the server is running");
    expect(r.stdout).toMatch(/^- credential accepted +not checked/m);
    expectNoSecret(r);
  });

  it("an unknown token: exit 9, the token is unknown, disabled or expired", async () => {
    const unknown = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;
    remember(unknown);
    const r = await doctor(classic(unknown));
    expect(r.code).toBe(9);
    expect(r.stdout).toMatch(/^✓ reachable /m);
    expect(r.stdout).toMatch(/^✗ credential accepted +the environment refused it \(HTTP 401/m);
    expect(r.stdout).toContain("fix: the token is unknown here, disabled or expired");
    expectNoSecret(r);
  });

  it("a wrong OAuth client secret: exit 9, SSO refused it, check DT_CLIENT_SECRET", async () => {
    const wrong = `dt0s02.${sandbox.ready.oauthClientId!.split(".")[1]}.${"C".repeat(64)}`;
    remember(wrong);
    const r = await doctor({ ...oauth(), DT_CLIENT_SECRET: wrong });
    expect(r.code).toBe(9);
    expect(r.stdout).toMatch(
      /^✗ credential accepted +SSO does not accept this client id and secret \(invalid_client\): Client authentication failed: unknown client_id or wrong client_secret\.$/m,
    );
    expect(r.stdout).toContain("fix: check DT_CLIENT_ID and DT_CLIENT_SECRET");
    expectNoSecret(r);
  });

  it("every command words SSO's refusal as doctor does, from the error's fields (oauthError), not its message", async () => {
    const wrong = `dt0s02.${sandbox.ready.oauthClientId!.split(".")[1]}.${"D".repeat(64)}`;
    remember(wrong);
    const r = await run(undefined, ["list"], { env: { ...oauth(), DT_CLIENT_SECRET: wrong } });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      "error: SSO does not accept this client id and secret (invalid_client): Client authentication failed: unknown client_id or wrong client_secret.",
      "hint: check DT_CLIENT_ID and DT_CLIENT_SECRET: the client may have been deleted or revoked, or its secret replaced, in Account Management (Identity & access management → OAuth clients)",
    ]);
    expectNoSecret(r);
  });

  it("http:// to a host that is not this machine: exit 2 before anything is sent", async () => {
    const r = await doctor(classic(), "--env-url", "http://abc12345.live.dynatrace.com");
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ environment URL +--env-url uses http:\/\/ to abc12345\.live\.dynatrace\.com: the credential would travel in cleartext$/m,
    );
    expect(r.stdout).toContain("fix: use https://");
    expectNoSecret(r);
  });

  it("http:// to a subdomain of localhost is not this machine (DNS answers for it): exit 2 at the URL, in the CLI's words", async () => {
    // The client and the config schema ask @dt-tokens/types' isLoopbackHost; doctor's own copy
    // counted *.localhost as loopback, said "✓ environment URL" and then quoted a library option.
    const r = await doctor({ ...classic(), DT_ENV_URL: "http://app.localhost:9" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ environment URL +DT_ENV_URL uses http:\/\/ to app\.localhost: the credential would travel in cleartext$/m,
    );
    expect(r.stdout + r.stderr).not.toContain("allowInsecureHttp");
    expect(r.stdout + r.stderr).not.toMatch(/environmentUrl/);
    expectNoSecret(r);
    // doctor's fix is the hint every other command gives for the same URL: one wording.
    const list = await run(undefined, ["list"], {
      env: { ...classic(), DT_ENV_URL: "http://app.localhost:9" },
    });
    expect(list.code).toBe(2);
    const hint = /^hint: (.*)$/m.exec(list.stderr)?.[1];
    expect(hint).toMatch(/^use https:\/\//);
    expect(r.stdout).toMatch(new RegExp(`^ +fix: ${hint!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  });

  it("a URL with a user and password: exit 2, the password is never repeated", async () => {
    const r = await doctor({ ...classic(), DT_ENV_URL: "https://me:hunter2@abc12345.live.dynatrace.com/" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ environment URL +DT_ENV_URL holds a user name or password \(https:\/\/…@abc12345\.live\.dynatrace\.com\/\)$/m,
    );
    expect(r.stdout + r.stderr).not.toContain("hunter2");
    expect(r.stdout + r.stderr).not.toContain("me:");
    const list = await run(undefined, ["list"], {
      env: { ...classic(), DT_ENV_URL: "https://me:hunter2@abc12345.live.dynatrace.com/" },
    });
    expect(list.code).toBe(2);
    expect(list.stdout + list.stderr).not.toContain("hunter2");
    expectNoSecret(r);
  });

  it("no credential at all: exit 2, which variables to set", async () => {
    const r = await doctor({ DT_ENV_URL: sandbox.ready.platformBase }, "-o", "json");
    expect(r.code).toBe(2);
    expect(check(r, "url").status).toBe("ok");
    expect(check(r, "credential")).toMatchObject({ status: "fail" });
    expect(check(r, "credential").detail).toBe(
      "no credential is set (DT_API_TOKEN, DYNATRACE_API_TOKEN, DT_PLATFORM_TOKEN, DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN, or --token-stdin)",
    );
    expect(check(r, "credential").fix).toMatch(
      /^for the platform, a platform token: read -rs DT_PLATFORM_TOKEN && export DT_PLATFORM_TOKEN /,
    );
    expect(JSON.parse(r.stdout).checks).toHaveLength(7);
    const classicUrl = await doctor({ DT_ENV_URL: "https://abc12345.live.dynatrace.com" }, "-o", "json");
    expect(check(classicUrl, "credential").fix).toMatch(
      /^a classic API token: read -rs DT_API_TOKEN && export DT_API_TOKEN /,
    );
  });

  it("a token that expires within 14 days: ready, with a warning to replace it", async () => {
    const r1 = await run(
      undefined,
      [
        "create",
        "--name",
        "doctor-expiring",
        "--scope",
        "apiTokens.read,apiTokens.write",
        "--expires",
        "now+3d",
      ],
      {
        env: classic(),
        printsSecret: true,
      },
    );
    expect(r1.code).toBe(0);
    const expiring = r1.stdout.trim();
    remember(expiring);
    const r = await doctor(classic(expiring));
    expect(r.code).toBe(0);
    // One date format for every output (formatDate), and "expiring" as audit and the dashboard mean it.
    expect(r.stdout).toMatch(
      /^! credential accepted +accepted, but it expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in [23] days\)$/m,
    );
    expect(r.stdout).toContain("Ready, with the warnings above");
    expectNoSecret(r);
  });

  it("a platform token in DT_API_TOKEN: exit 2, move it to DT_PLATFORM_TOKEN", async () => {
    const r = await doctor({
      DT_ENV_URL: sandbox.ready.platformBase,
      DT_API_TOKEN: sandbox.ready.platformToken,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ credential +DT_API_TOKEN holds a platform credential \(dt0s16\.…\), not a classic API token$/m,
    );
    expect(r.stdout).toContain("fix: set it as DT_PLATFORM_TOKEN instead, and unset DT_API_TOKEN");
    expectNoSecret(r);
  });

  it("a platform token in DT_API_TOKEN: list refuses it as doctor does, in the same words, nothing sent", async () => {
    const env = { DT_ENV_URL: sandbox.ready.platformBase, DT_API_TOKEN: sandbox.ready.platformToken };
    for (const command of [["list"], ["get", "dt0c01.ST2EY72KQINMH574WMNVI7YN"], ["audit"]]) {
      const r = await run(undefined, command, { env });
      expect(r.code, command.join(" ")).toBe(2);
      expect(r.stderr).toContain(
        "error: DT_API_TOKEN holds a platform credential (dt0s16.…), not a classic API token\n",
      );
      expect(r.stderr).toContain("hint: set it as DT_PLATFORM_TOKEN instead, and unset DT_API_TOKEN");
      expect(r.stderr).toContain("nothing was sent.");
      expectNoSecret(r);
    }
  });

  it("an OAuth access token (a JWT) in DT_API_TOKEN: exit 2, give the OAuth client itself", async () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${"S".repeat(43)}`;
    remember(jwt);
    const r = await doctor({ DT_ENV_URL: sandbox.ready.platformBase, DT_API_TOKEN: jwt });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ credential +DT_API_TOKEN holds an OAuth access token \(a JWT\), not a classic API token$/m,
    );
    expectNoSecret(r);
  });

  it("a secret of another kind in any credential variable: exit 2, says where it belongs", async () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${"T".repeat(43)}`;
    remember(jwt);
    const base = { DT_ENV_URL: sandbox.ready.platformBase };
    const clientSecretAsApiToken = await doctor({ ...base, DT_API_TOKEN: sandbox.ready.oauthClientSecret });
    expect(clientSecretAsApiToken.code).toBe(2);
    expect(clientSecretAsApiToken.stdout).toMatch(
      /^✗ credential +DT_API_TOKEN holds an OAuth client secret \(dt0s02\.…\), not a classic API token$/m,
    );
    // not DT_PLATFORM_TOKEN: a client secret is no platform token
    expect(clientSecretAsApiToken.stdout).toContain(
      "fix: set it as DT_CLIENT_SECRET (with DT_CLIENT_ID, its dt0s02.<8 characters> part, and DT_ACCOUNT_URN) instead, and unset DT_API_TOKEN",
    );
    const jwtAsPlatformToken = await doctor({ ...base, DT_PLATFORM_TOKEN: jwt });
    expect(jwtAsPlatformToken.code).toBe(2);
    expect(jwtAsPlatformToken.stdout).toMatch(
      /^✗ credential +DT_PLATFORM_TOKEN holds an OAuth access token \(a JWT\), not a platform token$/m,
    );
    expect(jwtAsPlatformToken.stdout).toContain("fix: access tokens expire within minutes");
    const platformTokenAsClientSecret = await doctor({
      ...oauth(),
      DT_CLIENT_SECRET: sandbox.ready.platformToken,
    });
    expect(platformTokenAsClientSecret.code).toBe(2);
    expect(platformTokenAsClientSecret.stdout).toMatch(
      /^✗ credential +DT_CLIENT_SECRET holds a platform credential \(dt0s16\.…\), not an OAuth client secret$/m,
    );
    expect(platformTokenAsClientSecret.stdout).toContain(
      "fix: set it as DT_PLATFORM_TOKEN instead, and unset DT_CLIENT_SECRET",
    );
    for (const r of [clientSecretAsApiToken, jwtAsPlatformToken, platformTokenAsClientSecret])
      expectNoSecret(r);
  });

  it("a URL path with no API behind it: exit 8, check the path", async () => {
    const r = await doctor(classic(), "--env-url", `${sandbox.ready.url}/nothing/here/api/v2`);
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/^✗ reachable +127\.0\.0\.1:\d+ answered 404: there is no API-tokens API at /m);
    expectNoSecret(r);
  });
});

describe("doctor: awkward URLs", () => {
  it.each([
    ["trailing slashes", (u: string) => `${u}///`, "/api/v2"],
    ["Managed /e/<id>", (u: string) => `${u}/e/${sandbox.ready.environmentId}`, "/e/[0-9a-f]{8}/api/v2"],
    [
      "Managed /e/<id>/api/v2/",
      (u: string) => `${u}/e/${sandbox.ready.environmentId}/api/v2/`,
      "/e/[0-9a-f]{8}/api/v2",
    ],
    [
      "an upper-case scheme and host",
      (u: string) => u.replace("http://127.0.0.1", "HTTP://LOCALHOST"),
      "/api/v2",
    ],
  ])("%s: ready, with the API base it maps to", async (_, url, base) => {
    const r = await doctor(classic(), "--env-url", url(sandbox.ready.url), "-o", "json");
    expect(r.code).toBe(0);
    expect(check(r, "scheme").detail).toMatch(new RegExp(`^"Api-Token" to https?://[^/]+${base} `, "i"));
    expectNoSecret(r);
  });

  it("IPv6 loopback with http:// is allowed; nothing listens there, so exit 8", async () => {
    const r = await doctor(classic(), "--env-url", `http://[::1]:${await freePort()}`, "-o", "json");
    expect(check(r, "url").status).toBe("ok");
    expect(r.code).toBe(8);
  });

  it("a platform host with /api/v2 gets a warning naming the platform path", async () => {
    const r = await doctor(
      classic(),
      "--env-url",
      "https://abc12345.apps.dynatrace.com/api/v2",
      "-o",
      "json",
    );
    expect(check(r, "url")).toMatchObject({ status: "warn" });
    expect(check(r, "url").fix).toContain("https://abc12345.live.dynatrace.com");
  });

  it("a platform URL with the platform path and an upper-case host maps to the platform", async () => {
    const r = await doctor(
      { DT_PLATFORM_TOKEN: sandbox.ready.platformToken },
      "--env-url",
      "https://ABC12345.APPS.dynatrace.com/platform/classic/environment-api/v2/",
      "-o",
      "json",
    );
    expect(check(r, "url").detail).toContain("a platform environment");
    expect(check(r, "scheme").status).toBe("ok");
    expectNoSecret(r);
  });

  it("a secret in the URL's query is refused without repeating it", async () => {
    const r = await doctor(classic(), "--env-url", `${sandbox.ready.url}/?token=hunter2`);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("has a query or fragment");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });
});

describe("doctor: secrets where they do not belong", () => {
  it("a secret in the URL's path is redacted in every check", async () => {
    const port = await freePort();
    const r = await doctor({
      ...classic(),
      DT_ENV_URL: `http://127.0.0.1:${port}/e/${sandbox.ready.bootstrapToken}`,
    });
    expect(r.code).toBe(8);
    expect(r.stdout).toContain(".[REDACTED]");
    expectNoSecret(r);
  });

  it("DT_SSO_TOKEN_URL over http:// to another host: exit 2 in the credential check, nothing sent", async () => {
    const r = await doctor({ ...oauth(), DT_SSO_TOKEN_URL: "http://sso.example.com/sso/oauth2/token" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ credential +DT_SSO_TOKEN_URL uses http:\/\/ to sso\.example\.com: the client secret would travel in cleartext$/m,
    );
    expectNoSecret(r);
  });

  it("env add with user:password@ in --url: refused without repeating the password", async () => {
    const r = await run(
      undefined,
      [
        "env",
        "add",
        "x",
        "--url",
        "https://me:hunter2@abc12345.live.dynatrace.com",
        "--api-token-ref",
        "env:X",
      ],
      {
        env: { DT_TOKENS_CONFIG: join(tmpdir(), "dt-tokens-doctor-never", "config.yaml") },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("https://…@abc12345.live.dynatrace.com");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });
});

describe("doctor: servers that are not a healthy Dynatrace", () => {
  let server: Server;
  let answer: (res: ServerResponse) => void = () => {};
  let url = "";
  beforeAll(async () => {
    server = createHttpServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a login page (200, HTML) where the API should be: exit 8, something else answers there", async () => {
    answer = (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>");
    const r = await doctor(classic(), "--env-url", url);
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(
      /^✗ reachable +127\.0\.0\.1:\d+ answered, but not as the API-tokens API does \(200 with text\/html\)$/m,
    );
    expect(r.stdout).toContain("fix: check the URL; a proxy, a login page or another service answers there");
    expectNoSecret(r);
  });

  it("a redirect where the API should be: exit 8, where it points, not followed", async () => {
    answer = (res) => res.writeHead(302, { location: "https://login.example.com/sso" }).end();
    const r = await doctor(classic(), "--env-url", url, "-o", "json");
    expect(r.code).toBe(8);
    expect(check(r, "reachable").detail).toMatch(
      /^127\.0\.0\.1:\d+ answered, but not as the API-tokens API does \(a redirect \(302\) to https:\/\/login\.example\.com\/sso, not followed\)$/,
    );
    expectNoSecret(r);
  });

  it("503 on every attempt: exit 1, the environment has a problem", async () => {
    answer = (res) =>
      res
        .writeHead(503, { "content-type": "application/json", "retry-after": "0" })
        .end(JSON.stringify({ error: { code: 503, message: "Service Unavailable" } }));
    const r = await doctor(classic(), "--env-url", url, "-o", "json");
    expect(r.code).toBe(1);
    expect(check(r, "accepted").detail).toMatch(/^the environment answered HTTP 503/);
    expectNoSecret(r);
  });
});

describe.skipIf(spawnSync("openssl", ["version"]).status !== 0)(
  "doctor: TLS (a self-signed certificate made with openssl)",
  () => {
    let dir: string;
    let server: HttpsServer;
    let port = 0;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "dt-tokens-doctor-tls-"));
      const made = spawnSync("openssl", [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
        ...[
          "-addext",
          "subjectAltName=DNS:localhost",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
      ]);
      if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
      server = createHttpsServer(
        { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
        (_req, res) =>
          res
            .writeHead(401, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { code: 401, message: "Token Authentication failed." } })),
      );
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });

    it("an untrusted certificate: exit 8, the TLS handshake failed, NODE_EXTRA_CA_CERTS as the fix, which works", async () => {
      const r = await doctor(classic(), "--env-url", `https://localhost:${port}`);
      expect(r.code).toBe(8);
      expect(r.stdout).toMatch(
        /^✗ reachable +the TLS handshake with localhost:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\): /m,
      );
      expect(r.stdout).toContain("point NODE_EXTRA_CA_CERTS at the CA's PEM file");
      const trusted = await doctor(
        { ...classic(), NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
        "--env-url",
        `https://localhost:${port}`,
      );
      expect(trusted.code).toBe(9);
      expect(trusted.stdout).toMatch(/^✓ reachable /m);
      expectNoSecret(r);
      expectNoSecret(trusted);
    });
  },
);

describe("doctor: named environments and stdin", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dt-tokens-doctor-"));
    writeFileSync(join(dir, "platform.token"), `${sandbox.ready.platformToken}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, "config.yaml"),
      [
        "current: classic",
        "environments:",
        "  classic:",
        `    url: ${sandbox.ready.url}/`,
        "    apiToken: env:PROD_TOKEN",
        "  platform:",
        `    url: ${sandbox.ready.platformBase}`,
        "    platformToken: file:platform.token",
        "  broken:",
        `    url: ${sandbox.ready.url}`,
        "    apiToken: file:no-such.token",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = () => ({
    DT_TOKENS_CONFIG: join(dir, "config.yaml"),
    PROD_TOKEN: sandbox.ready.bootstrapToken,
  });

  it("the config file's current environment, and --env NAME with a platform token from a file", async () => {
    const current = await doctor(config(), "-o", "json");
    expect(current.code).toBe(0);
    expect(check(current, "url").detail).toMatch(/^environment classic: http:\/\/127\.0\.0\.1:\d+\/ → /);
    expect(check(current, "credential").detail).toMatch(/, from environment classic \(env:PROD_TOKEN\)$/);
    const platformEnv = await run(undefined, ["--env", "platform", "doctor"], { env: config() });
    expect(platformEnv.code).toBe(0);
    expect(platformEnv.stdout).toMatch(
      /^✓ credential +platform token dt0s16\.\w+, from environment platform \(file:platform\.token\)$/m,
    );
    expectNoSecret(current);
    expectNoSecret(platformEnv);
  });

  it("a credential reference that cannot be read: exit 2, the credential check names the file", async () => {
    const r = await run(undefined, ["--env", "broken", "doctor", "-o", "json"], { env: config() });
    expect(r.code).toBe(2);
    expect(check(r, "url").status).toBe("ok");
    expect(check(r, "credential")).toMatchObject({ status: "fail" });
    expect(check(r, "credential").detail).toContain("no-such.token");
  });

  it("an unknown --env name: exit 2, in the URL check", async () => {
    const r = await run(undefined, ["--env", "nope", "doctor", "-o", "json"], { env: config() });
    expect(r.code).toBe(2);
    expect(check(r, "url")).toMatchObject({ status: "fail" });
    expect(check(r, "url").detail).toContain("nope");
  });

  it("--token-stdin: the token from stdin", async () => {
    const r = await run(undefined, ["doctor", "--token-stdin"], {
      env: { DT_ENV_URL: sandbox.ready.url },
      stdin: `${sandbox.ready.bootstrapToken}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ credential +classic API token dt0c01\.\w+, from --token-stdin$/m);
    expectNoSecret(r);
  });
});

describe("doctor: platform credentials with one scope (in-process sandbox)", () => {
  let inProcess: Sandbox;
  beforeAll(async () => {
    inProcess = await startSandbox({ host: "127.0.0.1", port: 0, database: ":memory:" });
    remember(inProcess.bootstrapToken!);
  });
  afterAll(() => inProcess?.close());

  it("a platform token with read only: exit 10, grant environment-api:api-tokens:write; nothing changes", async () => {
    const { token } = inProcess.createPlatformToken({
      owner: "ro@example.com",
      scopes: ["environment-api:api-tokens:read"],
    });
    remember(token);
    const before = await tokens(inProcess.url, inProcess.bootstrapToken);
    const r = await doctor({ DT_ENV_URL: inProcess.platformBase, DT_PLATFORM_TOKEN: token });
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/^✓ read scope +environment-api:api-tokens:read /m);
    expect(r.stdout).toMatch(/^✗ write scope +missing environment-api:api-tokens:write/m);
    expect(r.stdout).toContain(
      "fix: grant environment-api:api-tokens:write to the platform token in Account Management",
    );
    expect(await tokens(inProcess.url, inProcess.bootstrapToken)).toEqual(before);
    expectNoSecret(r);
  });

  it("a platform token with write only: exit 10 for the missing read scope, write still probed", async () => {
    const { token } = inProcess.createPlatformToken({
      owner: "wo@example.com",
      scopes: ["environment-api:api-tokens:write"],
    });
    remember(token);
    const r = await doctor({ DT_ENV_URL: inProcess.platformBase, DT_PLATFORM_TOKEN: token }, "-o", "json");
    expect(r.code).toBe(10);
    expect(check(r, "read")).toMatchObject({ status: "fail" });
    expect(check(r, "write")).toMatchObject({ status: "ok" });
    expectNoSecret(r);
  });

  it("an OAuth client granted read only: SSO refuses the scopes, exit 10, grant them", async () => {
    const { clientId, clientSecret } = inProcess.createOAuthClient({
      owner: "svc@example.com",
      scopes: ["environment-api:api-tokens:read"],
    });
    remember(clientSecret);
    const r = await doctor({
      DT_ENV_URL: inProcess.platformBase,
      DT_CLIENT_ID: clientId,
      DT_CLIENT_SECRET: clientSecret,
      DT_ACCOUNT_URN: inProcess.accountUrn,
      DT_SSO_TOKEN_URL: inProcess.tokenUrl,
    });
    expect(r.code).toBe(10);
    expect(r.stdout).toContain("(invalid_scope)");
    expect(r.stdout).toContain(
      "fix: grant environment-api:api-tokens:read and environment-api:api-tokens:write to the OAuth client",
    );
    expectNoSecret(r);
  });
});

/** A port that was free a moment ago (listened on, then closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
