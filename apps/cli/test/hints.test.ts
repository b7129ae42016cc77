/**
 * Each hint is right for its case: a 404 for an unknown environment id, for a token id and for a
 * secret; a lookup whose secret was its own credential; an OAuth client without a token URL against
 * a sandbox on this machine, and with a token URL whose host does not resolve. Against the
 * `dt-tokens-sandbox` bin; host names fail to resolve through a preload (test/fixtures/no-dns.cjs),
 * so no test depends on this machine's DNS.
 */
import { fileURLToPath } from "node:url";
import { generateTokenSecret, type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowSecrets, leaks, type RunOptions, run as runCli } from "./helpers.js";

const NO_DNS = fileURLToPath(new URL("./fixtures/no-dns.cjs", import.meta.url));
let sandbox: SandboxProcess;

beforeAll(async () => {
  sandbox = await startSandboxProcess(["--db", ":memory:", "--quiet"]);
  const { bootstrapToken, platformToken, oauthClientSecret } = sandbox.ready;
  knowSecrets(bootstrapToken, platformToken, oauthClientSecret);
});
afterAll(() => sandbox?.close());

/** A CLI run whose output holds no known secret. */
async function run(sandboxArg: undefined, args: string[], options: RunOptions) {
  const r = await runCli(sandboxArg, args, options);
  expect(leaks(r.stdout + r.stderr)).toEqual([]);
  return r;
}

const hints = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("hint: "));
const classic = (url = sandbox.ready.url) => ({
  DT_ENV_URL: url,
  DT_API_TOKEN: sandbox.ready.bootstrapToken!,
});

describe("404: the hint follows what was asked", () => {
  it("an unknown environment id: list, create and ag-tokens list point at the URL, not at token ids", async () => {
    const env = classic(`${sandbox.ready.url}/e/nosuchenv`);
    for (const args of [
      ["list"],
      ["create", "--name", "x", "--scope", "metrics.read"],
      ["ag-tokens", "list"],
    ]) {
      const r = await run(undefined, args, { env });
      expect([args, r.code]).toEqual([args, 1]);
      expect(hints(r.stderr)).toEqual([
        `hint: no environment answers at ${sandbox.ready.url}/e/nosuchenv: check the environment id in the URL (--env-url, DT_ENV_URL or the config file)`,
      ]);
    }
  });

  it("an unknown token id points at list, which shows the ids", async () => {
    const r = await run(undefined, ["get", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA"], { env: classic() });
    expect(r.code).toBe(1);
    expect(hints(r.stderr).join("\n")).toContain("`dt-tokens list` shows the ids of existing tokens");
  });

  it("lookup of a secret no token has says so, not which ids exist", async () => {
    const unknown = generateTokenSecret();
    knowSecrets(unknown);
    const r = await run(undefined, ["lookup"], { env: classic(), stdin: `${unknown}\n` });
    expect(r.code).toBe(1);
    const said = hints(r.stderr).join("\n");
    expect(said).toContain("no token of");
    expect(said).not.toContain("ids of existing tokens");
  });
});

describe("lookup: the secret as its own credential", () => {
  it("a refused secret is named, never credentials that were not used", async () => {
    const unknown = generateTokenSecret();
    knowSecrets(unknown);
    const r = await run(undefined, ["lookup"], {
      env: { DT_ENV_URL: sandbox.ready.url },
      stdin: `${unknown}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\(HTTP 401 Unauthorized\)\nhint: the secret is no valid token of /);
    for (const unused of ["DT_API_TOKEN", "DT_PLATFORM_TOKEN", "OAuth", "--token-stdin"])
      expect(r.stderr).not.toContain(unused);
  });

  it("with an API token that is refused, the hint names the credentials", async () => {
    const refused = generateTokenSecret();
    knowSecrets(refused);
    const r = await run(undefined, ["lookup"], {
      env: { DT_ENV_URL: sandbox.ready.url, DT_API_TOKEN: refused },
      stdin: `${sandbox.ready.bootstrapToken}\n`,
    });
    expect(r.code).toBe(1);
    expect(hints(r.stderr).join("\n")).toContain("DT_API_TOKEN");
  });
});

describe("OAuth client: the SSO token endpoint", () => {
  const oauth = (extra: Record<string, string> = {}) => ({
    DT_ENV_URL: sandbox.ready.platformBase,
    DT_CLIENT_ID: sandbox.ready.oauthClientId!,
    DT_CLIENT_SECRET: sandbox.ready.oauthClientSecret!,
    DT_ACCOUNT_URN: sandbox.ready.accountUrn,
    NODE_OPTIONS: `--require ${NO_DNS}`,
    ...extra,
  });

  it("without a token URL against a sandbox on this machine: names the SSO and the sandbox's token URL", async () => {
    const r = await run(undefined, ["list"], { env: oauth() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not connect to the SSO token endpoint (sso.dynatrace.com)");
    const said = hints(r.stderr).join("\n");
    expect(said).toContain("DT_SSO_TOKEN_URL");
    expect(said).toContain(`${sandbox.ready.url}/sso/oauth2/token`);
    expect(said).not.toContain("typos");
    expect(r.stderr).not.toContain(`could not connect to ${sandbox.ready.url}`);
  });

  it("a token URL whose host does not resolve: check that host name", async () => {
    const r = await run(undefined, ["list"], {
      env: oauth({ DT_SSO_TOKEN_URL: "https://sso.example.invalid/sso/oauth2/token" }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not connect to the SSO token endpoint (sso.example.invalid)");
    expect(hints(r.stderr).join("\n")).toContain("check the host name of the token URL (DT_SSO_TOKEN_URL");
  });

  it("doctor says the same", async () => {
    const r = await run(undefined, ["doctor"], { env: oauth() });
    expect(r.code).toBe(8);
    expect(r.stdout).toContain("the name sso.dynatrace.com does not resolve");
    expect(r.stdout).toContain("DT_SSO_TOKEN_URL");
    expect(r.stdout).not.toContain("typos");
  });
});
