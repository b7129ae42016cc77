/**
 * Platform authentication end to end against the sandbox bin as its own process (request log on,
 * a database file, `--access-token-ttl 4`, one hosted environment), with a small node:http proxy in
 * front of it that counts every API and SSO request exactly and can tell the client that an access
 * token lasts longer than the sandbox lets it:
 *   - both schemes on both prefixes, and the refusals (401 ErrorEnvelopes naming the scheme to use);
 *   - OAuth through @dt-tokens/client: concurrent first callers share one token request, a refresh
 *     before expiry without a 401, and one refresh (shared) and retry on a 401 saying "expired";
 *   - a client revoked while the sandbox runs (`--revoke-oauth-client`): a typed OAuthError, one
 *     token request per wave of callers, no retry storm;
 *   - no secret of any kind (API token, platform token, OAuth client secret, access token) in
 *     errors, CLI output, the sandbox's log or its database files.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { inspect } from "node:util";
import { AuthenticationError, createApiTokensClient, OAuthError } from "@dt-tokens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectEnvelope, findSecrets, type RunningBin, startBin, stopBin } from "./helpers.js";

const require = createRequire(import.meta.url);
const CLI_BIN = join(dirname(require.resolve("@dt-tokens/cli/package.json")), "dist/bin.js");
const SANDBOX_BIN = join(dirname(require.resolve("@dt-tokens/sandbox/package.json")), "dist/bin.js");
const PLATFORM = "/platform/classic/environment-api/v2";
const SSO = "/sso/oauth2/token";
// Short, yet long enough for a busy machine to finish a wave of calls on one access token.
const TTL_SECONDS = 4;

const dir = mkdtempSync(join(tmpdir(), "dt-reliability-platform-"));
const db = join(dir, "tokens.db");
let bin: RunningBin;
/** Every secret that exists or existed in this run; access tokens are added as the proxy sees them. */
const secrets: string[] = [];
/** Every error thrown at a caller in this file, scanned for secrets at the end. */
const errors: unknown[] = [];

/** One request that went through the proxy. */
interface Seen {
  method: string;
  path: string;
  status: number;
  authorization: string | undefined;
  message: string | undefined;
}

/**
 * A forwarding proxy in front of the bin: every request is recorded. `claimExpiresIn` replaces
 * `expires_in` in SSO answers, so a client believes its access token lasts longer than it does.
 */
const proxy = {
  url: "",
  server: undefined as Server | undefined,
  seen: [] as Seen[],
  claimExpiresIn: undefined as number | undefined,
  sso: () => proxy.seen.filter((s) => s.path === SSO),
  api: () => proxy.seen.filter((s) => s.path.startsWith(PLATFORM)),
};

async function startProxy(target: string) {
  proxy.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const name of ["authorization", "content-type", "accept"])
        if (typeof req.headers[name] === "string") headers[name] = req.headers[name];
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method ?? "GET",
        headers,
        ...(body.length > 0 && { body }),
      });
      let text = await upstream.text();
      const path = (req.url ?? "").split("?")[0]!;
      let message: string | undefined;
      if (path === SSO && upstream.status === 200) {
        const answer = JSON.parse(text);
        secrets.push(answer.access_token);
        if (proxy.claimExpiresIn !== undefined) answer.expires_in = proxy.claimExpiresIn;
        text = JSON.stringify(answer);
      } else if (upstream.status >= 400) {
        message = JSON.parse(text)?.error?.message ?? JSON.parse(text)?.error;
      }
      proxy.seen.push({
        method: req.method ?? "",
        path,
        status: upstream.status,
        authorization: req.headers.authorization,
        message,
      });
      const out: Record<string, string> = {};
      for (const name of ["content-type", "www-authenticate", "retry-after"]) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(upstream.status, out).end(text);
    });
  });
  await new Promise<void>((done) => proxy.server!.listen(0, "127.0.0.1", done));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
}

/** A client of the bin's OAuth client, through the proxy (API and SSO). */
const oauthClient = () =>
  createApiTokensClient({
    environmentUrl: proxy.url,
    oauth: {
      clientId: bin.ready.oauthClientId!,
      clientSecret: bin.ready.oauthClientSecret!,
      accountUrn: bin.ready.accountUrn,
      tokenUrl: `${proxy.url}${SSO}`,
    },
  });

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Runs the bin of a package with arguments; stdout, stderr and the exit status. */
async function run(binPath: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((done) => child.once("close", done));
  return { code, stdout, stderr };
}
const cliRuns: Awaited<ReturnType<typeof run>>[] = [];
async function cli(args: string[], env: Record<string, string>) {
  const result = await run(CLI_BIN, args, env);
  cliRuns.push(result);
  return result;
}

beforeAll(async () => {
  // Request log on (no --quiet): it is scanned for secrets at the end.
  bin = await startBin(["--db", db, "--environments", "1", "--access-token-ttl", String(TTL_SECONDS)]);
  const { bootstrapToken, platformToken, oauthClientSecret, environments } = bin.ready;
  secrets.push(bootstrapToken!, platformToken!, oauthClientSecret!, environments![0]!.bootstrapToken!);
  await startProxy(bin.ready.url);
});

afterAll(async () => {
  await stopBin(bin);
  await new Promise((done) => proxy.server?.close(done));
  rmSync(dir, { recursive: true, force: true });
});

/** An access token straight from the bin's SSO endpoint. */
async function accessToken(): Promise<string> {
  const res = await fetch(bin.ready.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: bin.ready.oauthClientId!,
      client_secret: bin.ready.oauthClientSecret!,
      scope: "environment-api:api-tokens:read environment-api:api-tokens:write",
      resource: bin.ready.accountUrn,
    }),
  });
  expect(res.status).toBe(200);
  const { access_token: token, expires_in: expiresIn } = await res.json();
  expect(expiresIn).toBe(TTL_SECONDS);
  secrets.push(token);
  return token;
}

describe("both schemes on both prefixes", () => {
  it("each prefix takes only its scheme; a wrong one is a 401 ErrorEnvelope naming the scheme to use", async () => {
    const { url, bootstrapToken, platformToken, environments } = bin.ready;
    const access = await accessToken();
    const env01 = `/e/${environments![0]!.id}/api/v2`;
    const call = async (prefix: string, authorization: string, query = "") => {
      const res = await fetch(`${url}${prefix}/apiTokens?pageSize=100${query}`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      const text = await res.text();
      return { status: res.status, text, type: res.headers.get("content-type") };
    };
    const ok: [string, string][] = [
      ["/api/v2", `Api-Token ${bootstrapToken}`],
      [env01, `Api-Token ${environments![0]!.bootstrapToken}`],
      [PLATFORM, `Bearer ${platformToken}`],
      [PLATFORM, `Bearer ${access}`],
    ];
    for (const [prefix, authorization] of ok)
      expect((await call(prefix, authorization)).status, `${prefix} ${authorization.split(" ")[0]}`).toBe(
        200,
      );

    const onlyApiToken =
      /accepts only 'Authorization: Api-Token <API token>'.*\/platform\/classic\/environment-api\/v2/;
    const onlyBearer = /accepts only Bearer.*Api-Token.*\/api\/v2/;
    const refused: [string, string, RegExp, string?][] = [
      ["/api/v2", `Bearer ${platformToken}`, onlyApiToken],
      ["/api/v2", `Bearer ${access}`, onlyApiToken],
      [env01, `Bearer ${platformToken}`, onlyApiToken],
      [env01, `Bearer ${access}`, onlyApiToken],
      [PLATFORM, `Api-Token ${bootstrapToken}`, onlyBearer],
      [PLATFORM, `Api-Token ${platformToken}`, onlyBearer],
      [
        PLATFORM,
        "",
        /api-token query parameter is not accepted here.*Bearer/,
        `&api-token=${bootstrapToken}`,
      ],
      [PLATFORM, "", /Missing authorization header.*Bearer/],
    ];
    for (const [prefix, authorization, says, query] of refused) {
      const context = `${prefix} ${authorization.split(" ")[0] || query || "none"}`;
      const r = await call(prefix, authorization, query);
      expect(r.status, context).toBe(401);
      expect(expectEnvelope(401, r.text, r.type, context).error.message, context).toMatch(says);
      expect(findSecrets(r.text, secrets), context).toEqual([]);
    }
  });

  it("the client picks the scheme by credential and refuses a wrong pair before sending", async () => {
    const before = proxy.seen.length;
    const platform = createApiTokensClient({ environmentUrl: proxy.url, token: bin.ready.platformToken! });
    expect((await platform.list({ pageSize: 100 })).totalCount).toBeGreaterThan(0);
    const classic = createApiTokensClient({ environmentUrl: proxy.url, token: bin.ready.bootstrapToken! });
    expect((await classic.list({ pageSize: 100 })).totalCount).toBeGreaterThan(0);
    expect(proxy.seen.slice(before).map((s) => [s.path, s.authorization?.split(" ")[0], s.status])).toEqual([
      [`${PLATFORM}/apiTokens`, "Bearer", 200],
      ["/api/v2/apiTokens", "Api-Token", 200],
    ]);
    for (const [environmentUrl, token] of [
      [`${proxy.url}/api/v2`, bin.ready.platformToken!],
      [`${proxy.url}${PLATFORM}`, bin.ready.bootstrapToken!],
    ] as const) {
      const error = (() => {
        try {
          createApiTokensClient({ environmentUrl, token });
        } catch (e) {
          return e;
        }
      })();
      errors.push(error);
      expect((error as Error).message).toMatch(
        /is sent as "Authorization: (Bearer|Api-Token)".* refuses: use/,
      );
    }
    expect(proxy.seen.length).toBe(before + 2);
  });
});

describe("OAuth through the client", () => {
  it("concurrent first callers share one token request", async () => {
    const dt = oauthClient();
    const before = { sso: proxy.sso().length, api: proxy.api().length };
    const pages = await Promise.all(Array.from({ length: 25 }, () => dt.list({ pageSize: 100 })));
    expect(pages.every((p) => p.totalCount > 0)).toBe(true);
    expect(proxy.sso().length - before.sso).toBe(1);
    const calls = proxy.api().slice(before.api);
    expect(calls).toHaveLength(25);
    expect(new Set(calls.map((c) => c.authorization)).size).toBe(1);
    expect(calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`refreshes before expiry (expires_in ${TTL_SECONDS} s): a new token request, no 401`, async () => {
    const dt = oauthClient();
    const before = { sso: proxy.sso().length, api: proxy.api().length };
    await dt.list({ pageSize: 100 });
    // The client refreshes a quarter of the lifetime before expiry (1 s here): wait past that.
    await sleep(TTL_SECONDS * 1000 * 0.8);
    await dt.list({ pageSize: 100 });
    expect(proxy.sso().length - before.sso).toBe(2);
    const calls = proxy.api().slice(before.api);
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
    expect(calls[0]!.authorization).not.toBe(calls[1]!.authorization);
  });

  it("a token the sandbox calls expired (the client was told an hour) is refreshed once, shared, and the calls retried", async () => {
    proxy.claimExpiresIn = 3600;
    try {
      const dt = oauthClient();
      const before = { sso: proxy.sso().length, api: proxy.api().length };
      await dt.list({ pageSize: 100 });
      const held = proxy.api().at(-1)!.authorization!;
      // Wait until the sandbox itself refuses that token as expired (asked directly, not through the proxy).
      await expect
        .poll(
          async () =>
            (await fetch(`${bin.ready.platformBase}/apiTokens`, { headers: { Authorization: held } })).status,
          { timeout: 20_000, interval: 200 },
        )
        .toBe(401);
      const pages = await Promise.all(Array.from({ length: 10 }, () => dt.list({ pageSize: 100 })));
      expect(pages.every((p) => p.totalCount > 0)).toBe(true);
      expect(proxy.sso().length - before.sso).toBe(2);
      const calls = proxy.api().slice(before.api + 1);
      const refusals = calls.filter((c) => c.status === 401);
      expect(refusals).toHaveLength(10);
      expect(refusals.every((c) => c.authorization === held && /has expired/.test(c.message ?? ""))).toBe(
        true,
      );
      const retries = calls.filter((c) => c.status === 200);
      expect(retries).toHaveLength(10);
      expect(new Set(retries.map((c) => c.authorization)).size).toBe(1);
      expect(retries[0]!.authorization).not.toBe(held);
    } finally {
      proxy.claimExpiresIn = undefined;
    }
  });
});

describe("the CLI over platform credentials", () => {
  it("lists with a platform token and with the OAuth client, rotates into a file; refusals say what to fix; --debug shows no secret", async () => {
    const base = { DT_ENV_URL: bin.ready.url, DT_API_TOKEN: "" };
    const platform = await cli(["list", "-o", "json", "--debug"], {
      ...base,
      DT_PLATFORM_TOKEN: bin.ready.platformToken!,
    });
    expect(platform.code, platform.stderr).toBe(0);
    const oauth = {
      ...base,
      DT_CLIENT_ID: bin.ready.oauthClientId!,
      DT_CLIENT_SECRET: bin.ready.oauthClientSecret!,
      DT_ACCOUNT_URN: bin.ready.accountUrn,
      DT_SSO_TOKEN_URL: `${proxy.url}${SSO}`,
    };
    const viaOAuth = await cli(["list", "-o", "json", "--debug"], oauth);
    expect(viaOAuth.code, viaOAuth.stderr).toBe(0);
    expect(JSON.parse(platform.stdout).length).toBe(JSON.parse(viaOAuth.stdout).length);

    const wrongSecret = `dt0s02.${bin.ready.oauthClientId!.split(".")[1]}.${"A".repeat(64)}`;
    secrets.push(wrongSecret);
    const refused = await cli(["list", "--debug"], { ...oauth, DT_CLIENT_SECRET: wrongSecret });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("invalid_client");

    // rotate over the platform: the new classic token goes to a file, is verified, the old one disabled
    const made = await createApiTokensClient({
      environmentUrl: bin.ready.url,
      token: bin.ready.bootstrapToken!,
    }).create({
      name: "rotate-over-platform",
      scopes: ["metrics.read"],
    });
    secrets.push(made.token);
    const sink = join(dir, "rotated.token");
    const rotated = await cli(["rotate", made.id, "--to", `file:${sink}`], {
      ...base,
      DT_PLATFORM_TOKEN: bin.ready.platformToken!,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = readFileSync(sink, "utf8");
    secrets.push(newSecret);
    expect(newSecret).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    const old = await fetch(`${bin.ready.apiBase}/apiTokens`, {
      headers: { Authorization: `Api-Token ${made.token}` },
    });
    expect(old.status).toBe(401);

    const wrongPrefix = await cli(["list"], {
      ...base,
      DT_ENV_URL: bin.ready.apiBase,
      DT_PLATFORM_TOKEN: bin.ready.platformToken!,
    });
    expect(wrongPrefix.code).not.toBe(0);
    expect(wrongPrefix.stderr).toMatch(/Bearer/);
  });
});

describe("an OAuth client revoked while the sandbox runs", () => {
  it("gives a typed OAuthError naming the client, with one token request per wave of callers and no retry storm", async () => {
    const dt = oauthClient();
    await dt.list({ pageSize: 100 });
    const revoke = await run(SANDBOX_BIN, ["--db", db, "--revoke-oauth-client", bin.ready.oauthClientId!]);
    expect(revoke.code, revoke.stderr).toBe(0);

    const before = { sso: proxy.sso().length, api: proxy.api().length };
    const error = await dt.list({ pageSize: 100 }).catch((e: unknown) => e);
    errors.push(error);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toBeInstanceOf(AuthenticationError);
    const oauthError = error as OAuthError;
    expect(oauthError.oauthError).toBe("invalid_client");
    expect(oauthError.message).toContain(bin.ready.oauthClientId!);
    expect(oauthError.message).toMatch(/revoked/);
    // the cached token once (401: the client was revoked), then one token request (refused): no more
    expect(
      proxy
        .api()
        .slice(before.api)
        .map((c) => c.status),
    ).toEqual([401]);
    expect(proxy.api().at(-1)!.message).toMatch(/has been revoked/);
    // invalid_client is 400 when the client authenticated in the form body (RFC 6749 §5.2).
    expect(
      proxy
        .sso()
        .slice(before.sso)
        .map((c) => c.status),
    ).toEqual([400]);

    const wave = { sso: proxy.sso().length, api: proxy.api().length };
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => dt.list({ pageSize: 100 })));
    for (const o of outcomes) {
      expect(o.status).toBe("rejected");
      const reason = (o as PromiseRejectedResult).reason;
      errors.push(reason);
      expect(reason).toBeInstanceOf(OAuthError);
    }
    expect(proxy.sso().length - wave.sso).toBe(1);
    expect(proxy.api().length - wave.api).toBe(0);

    const viaCli = await cli(["list"], {
      DT_ENV_URL: bin.ready.url,
      DT_API_TOKEN: "",
      DT_CLIENT_ID: bin.ready.oauthClientId!,
      DT_CLIENT_SECRET: bin.ready.oauthClientSecret!,
      DT_ACCOUNT_URN: bin.ready.accountUrn,
      DT_SSO_TOKEN_URL: bin.ready.tokenUrl,
    });
    expect(viaCli.code).not.toBe(0);
    expect(viaCli.stderr).toContain(`The OAuth client ${bin.ready.oauthClientId} has been revoked.`);
  });
});

describe("no secret of any kind anywhere", () => {
  it("not in errors, CLI output, the sandbox's log or its database files", async () => {
    // every kind is in play: API tokens, the platform token, the OAuth client secret, access tokens
    expect(secrets.filter((s) => s.startsWith("dt0c01.")).length).toBeGreaterThanOrEqual(2);
    expect(secrets.filter((s) => s.startsWith("dt0s16.")).length).toBe(1);
    expect(secrets.filter((s) => s.startsWith("dt0s02.")).length).toBe(2);
    expect(secrets.filter((s) => s.startsWith("eyJ")).length).toBeGreaterThanOrEqual(5);
    const leaks: string[] = [];
    errors.forEach((e, i) => {
      const err = e as Error & { toJSON?: () => unknown };
      const views = [
        err.message,
        err.stack,
        String(e),
        JSON.stringify(e),
        JSON.stringify(err.toJSON?.()),
        inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
      ].join("\n");
      for (const found of findSecrets(views, secrets)) leaks.push(`error ${i}: ${found}`);
    });
    cliRuns.forEach((r, i) => {
      // the secrets list holds only what the CLI was given or got, never what it must print
      for (const found of findSecrets(r.stdout + r.stderr, secrets)) leaks.push(`cli run ${i}: ${found}`);
    });
    const files = () => readdirDb().filter(existsSync);
    const whileRunning = files().map((f) => [f, readFileSync(f)] as const);
    await stopBin(bin);
    for (const found of findSecrets(bin.stderr(), secrets)) leaks.push(`sandbox log: ${found}`);
    for (const [f, content] of [...whileRunning, ...files().map((f) => [f, readFileSync(f)] as const)])
      for (const found of findSecrets(content, secrets)) leaks.push(`${f}: ${found}`);
    expect(leaks).toEqual([]);
    expect(errors.length).toBeGreaterThanOrEqual(23);
    expect(
      bin
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("{")).length,
    ).toBeGreaterThan(50);
    expect(whileRunning.some(([f]) => f.endsWith("-wal"))).toBe(true);
  });
});

/** The database files of the bin: the default environment's and env01's, each with its WAL and SHM. */
function readdirDb(): string[] {
  const base = [db, join(dir, "tokens.env01.db")];
  return base.flatMap((f) => [f, `${f}-wal`, `${f}-shm`]);
}
