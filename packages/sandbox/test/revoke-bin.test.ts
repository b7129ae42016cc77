// `dt-tokens-sandbox --db FILE --revoke-oauth-client <id>` against a sandbox running as its own
// process on that file: the running sandbox refuses the client's access tokens and grants from its
// next request on. Bad usage is refused without echoing what was given, and creates no file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSandboxCli } from "../src/cli.js";
import { startBin } from "./process.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-revoke-"));
const db = join(dir, "tokens.db");
let bin: Awaited<ReturnType<typeof startBin>>;

beforeAll(async () => {
  bin = await startBin(["--db", db, "--quiet"]);
});
afterAll(async () => {
  await bin?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in this process (the sandbox is the other one); what it wrote to stderr. */
async function cli(argv: string[]) {
  let stderr = "";
  let stdout = "";
  const code = await runSandboxCli(argv, {
    env: {},
    stderr: { write: (t: string) => (stderr += t) },
    stdout: { write: (t: string) => (stdout += t) },
    handleSignals: false,
  });
  return { code, stderr, stdout };
}

async function grant() {
  const res = await fetch(bin.ready.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: bin.ready.oauthClientId!,
      client_secret: bin.ready.oauthClientSecret!,
      scope: "environment-api:api-tokens:read",
      resource: bin.ready.accountUrn,
    }),
  });
  return { status: res.status, body: await res.json() };
}

const list = (accessToken: string) =>
  fetch(`${bin.ready.url}${PLATFORM}/apiTokens`, { headers: { Authorization: `Bearer ${accessToken}` } });

describe("--revoke-oauth-client", () => {
  it("revokes the client in the running sandbox's file: its access tokens and grants are refused", async () => {
    const before = await grant();
    expect(before.status).toBe(200);
    expect((await list(before.body.access_token)).status).toBe(200);

    const revoked = await cli(["--db", db, "--revoke-oauth-client", bin.ready.oauthClientId!]);
    expect(revoked).toMatchObject({ code: 0, stdout: "" });
    expect(revoked.stderr).toContain(`revoked the OAuth client ${bin.ready.oauthClientId}`);

    const refused = await list(before.body.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await refused.json()).error.message).toContain("has been revoked");
    const again = await grant();
    expect([again.status, again.body.error]).toEqual([400, "invalid_client"]);
    // the platform token is untouched
    const platform = await fetch(`${bin.ready.url}${PLATFORM}/apiTokens`, {
      headers: { Authorization: `Bearer ${bin.ready.platformToken}` },
    });
    expect(platform.status).toBe(200);
  });

  it("an unknown client, a missing file or another kind of file: exit 1, nothing created or changed", async () => {
    const unknown = await cli(["--db", db, "--revoke-oauth-client", "dt0s02.AAAAAAAA"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("holds no OAuth client dt0s02.AAAAAAAA; nothing changed");
    const missing = join(dir, "missing.db");
    const none = await cli(["--db", missing, "--revoke-oauth-client", "dt0s02.AAAAAAAA"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no database at");
    expect(existsSync(missing)).toBe(false);
    const other = join(dir, "other.txt");
    writeFileSync(other, "not a database");
    const notOurs = await cli(["--db", other, "--revoke-oauth-client", "dt0s02.AAAAAAAA"]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toContain("is not a sandbox database with OAuth clients; nothing changed");
    expect(readFileSync(other, "utf8")).toBe("not a database");
    expect(existsSync(`${other}-wal`)).toBe(false);
  });

  it("bad usage exits 2 without echoing the value: a secret, :memory:, another flag", async () => {
    const secret = bin.ready.oauthClientSecret!;
    const asSecret = await cli(["--db", db, "--revoke-oauth-client", secret]);
    expect(asSecret.code).toBe(2);
    expect(asSecret.stderr).toContain("takes an OAuth client id: dt0s02.<8 characters>");
    expect(asSecret.stderr).not.toContain(secret.split(".")[2]);
    const memory = await cli(["--db", ":memory:", "--revoke-oauth-client", bin.ready.oauthClientId!]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("a :memory: database cannot be reached from another process");
    const extra = await cli(["--db", db, "--port", "0", "--revoke-oauth-client", bin.ready.oauthClientId!]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("--revoke-oauth-client takes only --db; remove --port");
  });
});
