/**
 * Platform authentication from the environment variables, against the `dt-tokens-sandbox` bin in
 * its own process: DT_PLATFORM_TOKEN (Bearer on the platform prefix), the OAuth client's
 * DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN (+ DT_SSO_TOKEN_URL), and the refusals.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { knowSecrets, run } from "./helpers.js";

let sandbox: SandboxProcess;
let secrets: string[];

beforeAll(async () => {
  sandbox = await startSandboxProcess(["--db", ":memory:", "--quiet"]);
  const { platformToken, oauthClientId, oauthClientSecret, bootstrapToken } = sandbox.ready;
  if (!platformToken || !oauthClientId || !oauthClientSecret || !bootstrapToken)
    throw new Error("the sandbox printed no generated platform credentials");
  secrets = [platformToken, oauthClientSecret, bootstrapToken];
  knowSecrets(...secrets);
});
afterAll(() => sandbox?.close());

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

/** No secret (its private part, or a whole short one) in either output. */
function expectNoSecret(r: { stdout: string; stderr: string }, allowed?: string) {
  for (const secret of secrets) {
    if (secret === allowed) continue;
    const privatePart = secret.split(".")[2]!;
    expect(r.stdout + r.stderr).not.toContain(privatePart);
  }
}

describe("platform credentials from the environment", () => {
  it("lists tokens with DT_PLATFORM_TOKEN over the platform prefix", async () => {
    const r = await run(undefined, ["list", "-o", "json"], { env: platform() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    expectNoSecret(r);
  });

  it("lists tokens with an OAuth client that gets its access token from DT_SSO_TOKEN_URL", async () => {
    const r = await run(undefined, ["list", "-o", "json"], { env: oauth() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    expectNoSecret(r);
  });

  it("creates a token over platform auth, owned by the platform user", async () => {
    const created = await run(undefined, ["create", "--name", "from-platform", "--scope", "metrics.read"], {
      env: platform(),
      printsSecret: true,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}\n$/);
    const id = created.stdout.split(".").slice(0, 2).join(".");
    const got = await run(undefined, ["get", id, "-o", "json"], { env: oauth() });
    expect(got.code).toBe(0);
    const token = JSON.parse(got.stdout);
    expect(token.name).toBe("from-platform");
    expect(token.owner).not.toBe("admin");
    expectNoSecret(got);
  });

  it("refuses a wrong OAuth client secret with an error that does not repeat it", async () => {
    const wrong = `dt0s02.${sandbox.ready.oauthClientId!.split(".")[1]}.${"A".repeat(64)}`;
    const r = await run(undefined, ["list"], { env: { ...oauth(), DT_CLIENT_SECRET: wrong } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("A".repeat(64));
    expectNoSecret(r);
  });

  it("refuses more than one kind of credential, naming the variables but no value", async () => {
    const r = await run(undefined, ["list"], {
      env: { ...platform(), DT_API_TOKEN: sandbox.ready.bootstrapToken },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: more than one credential is set: DT_API_TOKEN and DT_PLATFORM_TOKEN; set only one kind\n/,
    );
    expect(r.stderr).toContain("nothing was sent.");
    expectNoSecret(r);
  });

  it("refuses an OAuth client set only in part, naming what is missing", async () => {
    const r = await run(undefined, ["list"], { env: { ...oauth(), DT_ACCOUNT_URN: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: an OAuth client needs DT_CLIENT_ID, DT_CLIENT_SECRET, DT_ACCOUNT_URN; DT_ACCOUNT_URN is not set\n/,
    );
    expectNoSecret(r);
    const secretOnly = await run(undefined, ["list"], {
      env: { DT_ENV_URL: sandbox.ready.platformBase, DT_CLIENT_SECRET: sandbox.ready.oauthClientSecret },
    });
    expect(secretOnly.code).toBe(2);
    expect(secretOnly.stderr).toContain("DT_CLIENT_ID and DT_ACCOUNT_URN are not set");
    expectNoSecret(secretOnly);
  });

  it("names the variable when a value is not what it should be, without repeating it", async () => {
    const bearer = await run(undefined, ["list"], {
      env: { ...platform(), DT_PLATFORM_TOKEN: `Bearer ${sandbox.ready.platformToken}` },
    });
    expect(bearer.code).toBe(2);
    expect(bearer.stderr).toMatch(
      /^error: DT_PLATFORM_TOKEN does not hold a token secret: expected the bare secret \(dt0s16\.<8 characters>\.<64 characters>\), without "Bearer " or spaces\n/,
    );
    expectNoSecret(bearer);
    const urn = await run(undefined, ["list"], { env: { ...oauth(), DT_ACCOUNT_URN: "1234-abcd" } });
    expect(urn.code).toBe(2);
    expect(urn.stderr).toMatch(
      /^error: DT_ACCOUNT_URN is not an account URN: expected urn:dtaccount:<account-uuid>\n/,
    );
    const tokenUrl = await run(undefined, ["list"], {
      env: { ...oauth(), DT_SSO_TOKEN_URL: "http://sso.example.com/sso/oauth2/token" },
    });
    expect(tokenUrl.code).toBe(2);
    expect(tokenUrl.stderr).toMatch(
      /^error: DT_SSO_TOKEN_URL: http:\/\/ would send the client secret in cleartext/,
    );
    expectNoSecret(tokenUrl);
  });

  it("never sends an OAuth client secret given as a token; says where it belongs", async () => {
    // A server that records every request: the refusal must come before anything reaches it.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const variable of ["DT_PLATFORM_TOKEN", "DT_API_TOKEN"]) {
        for (const base of [sandbox.ready.platformBase, sandbox.ready.apiBase]) {
          const url = `http://127.0.0.1:${port}${new URL(base).pathname}`;
          const r = await run(undefined, ["list"], {
            env: { DT_ENV_URL: url, [variable]: sandbox.ready.oauthClientSecret },
          });
          expect(r.code).toBe(2); // a usage error: nothing tried, nothing to retry
          const [error, hint, ...rest] = r.stderr.split("\n");
          // The refusal's parts (credential-check.ts: the slot, the kind found, where it belongs),
          // not its sentence: the variable, the secret's kind, and DT_CLIENT_SECRET as the fix.
          expect(error).toMatch(/^error: /);
          expect(error).toContain(variable);
          expect(error).toContain("OAuth client secret (dt0s02.…)");
          expect(hint).toMatch(/^hint: /);
          expect(hint).toContain("DT_CLIENT_SECRET");
          expect(hint).toContain(`unset ${variable}`);
          expect(rest).toContain("nothing was sent.");
          expect(r.stdout).toBe("");
          expectNoSecret(r);
        }
      }
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("says which scheme to use when a platform token is sent to /api/v2", async () => {
    const r = await run(undefined, ["list"], {
      env: { DT_ENV_URL: sandbox.ready.apiBase, DT_PLATFORM_TOKEN: sandbox.ready.platformToken },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/platform/i);
    expectNoSecret(r);
  });
});

describe("an OAuth client in the config file", () => {
  let dir: string;
  let config: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dt-tokens-oauth-config-"));
    config = join(dir, "config.yaml");
    return () => rmSync(dir, { recursive: true, force: true });
  });
  /** The CLI with the test's config file, the client secret in DT_SANDBOX_SECRET and nothing else set. */
  const dt = (args: string[]) =>
    run(undefined, args, {
      bare: true,
      env: { DT_TOKENS_CONFIG: config, DT_SANDBOX_SECRET: sandbox.ready.oauthClientSecret },
    });
  const add = (...extra: string[]) =>
    dt([
      "env",
      "add",
      "sbx",
      "--url",
      sandbox.ready.platformBase,
      "--oauth-client-id",
      sandbox.ready.oauthClientId!,
      "--oauth-client-secret-ref",
      "env:DT_SANDBOX_SECRET",
      "--account-urn",
      sandbox.ready.accountUrn,
      ...extra,
    ]);

  it("gets its access tokens from the entry's tokenUrl (env add --oauth-token-url)", async () => {
    const added = await add("--oauth-token-url", sandbox.ready.tokenUrl);
    expect(added.stderr).toContain("Added environment sbx");
    expect(added.code).toBe(0);
    const listed = await dt(["--env", "sbx", "list", "-o", "json"]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).length).toBeGreaterThan(0);
    expectNoSecret(listed);
    const doctor = await dt(["--env", "sbx", "doctor"]);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain(`token URL ${sandbox.ready.tokenUrl}`);
    expectNoSecret(doctor);
  });

  it("refuses a tokenUrl on a subdomain of localhost over http, as the client does (DNS answers for it)", async () => {
    const added = await add("--oauth-token-url", "http://sso.localhost:9/sso/oauth2/token");
    expect(added.code).toBe(2);
    expect(added.stderr).toContain("oauthClient.tokenUrl: expected the SSO token endpoint: an https:// URL");
    const fromEnv = await run(undefined, ["list"], {
      env: { ...oauth(), DT_SSO_TOKEN_URL: "http://sso.localhost:9/sso/oauth2/token" },
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain("cleartext");
  });

  it("takes the same account URNs as DT_ACCOUNT_URN: one grammar (@dt-tokens/types isAccountUrn)", async () => {
    // The config file took only hex digits and dashes; the variable any printable characters.
    const accountUrn = "urn:dtaccount:Acme_Prod-42";
    const variable = await run(undefined, ["list"], {
      env: { ...oauth(), DT_ACCOUNT_URN: accountUrn, DT_SSO_TOKEN_URL: "http://127.0.0.1:9/token" },
    });
    expect(variable.stderr).not.toContain("is not an account URN");
    const added = await dt([
      "env",
      "add",
      "urn",
      "--url",
      sandbox.ready.platformBase,
      "--oauth-client-id",
      sandbox.ready.oauthClientId!,
      "--oauth-client-secret-ref",
      "env:DT_SANDBOX_SECRET",
      "--account-urn",
      accountUrn,
    ]);
    expect(added.stderr).toContain("Added environment urn");
    expect(added.code).toBe(0);
    for (const bad of ["urn:dtaccount:", "urn:dtaccount:a b", "1234-abcd"]) {
      const fromVariable = await run(undefined, ["list"], { env: { ...oauth(), DT_ACCOUNT_URN: bad } });
      expect(fromVariable.code, bad).toBe(2);
      expect(fromVariable.stderr).toContain("is not an account URN");
      const fromConfig = await dt([
        "env",
        "add",
        "bad",
        "--url",
        sandbox.ready.platformBase,
        "--oauth-client-id",
        sandbox.ready.oauthClientId!,
        "--oauth-client-secret-ref",
        "env:DT_SANDBOX_SECRET",
        "--account-urn",
        bad,
      ]);
      expect(fromConfig.code, bad).toBe(2);
      expect(fromConfig.stderr).toContain("expected the account URN: urn:dtaccount:<account-uuid>");
    }
  });

  it("refuses a tokenUrl that would send the client secret over plain http to another host", async () => {
    const added = await add("--oauth-token-url", "http://sso.example.com/sso/oauth2/token");
    expect(added.code).toBe(2);
    expect(added.stderr).toContain("oauthClient.tokenUrl: expected the SSO token endpoint: an https:// URL");
    writeFileSync(
      config,
      [
        "environments:",
        "  sbx:",
        `    url: ${sandbox.ready.platformBase}`,
        "    oauthClient:",
        `      clientId: ${sandbox.ready.oauthClientId}`,
        "      clientSecret: env:DT_SANDBOX_SECRET",
        `      accountUrn: ${sandbox.ready.accountUrn}`,
        "      tokenUrl: http://sso.example.com/sso/oauth2/token",
        "",
      ].join("\n"),
    );
    const listed = await dt(["--env", "sbx", "list"]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain(
      `${config}:8:17: environments.sbx.oauthClient.tokenUrl: expected the SSO token endpoint`,
    );
    expectNoSecret(listed);
  });
});
