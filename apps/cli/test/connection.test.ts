/** Connection settings, help, versions and the exit statuses of usage and API errors. */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { hasColor, plain, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("connection", () => {
  it("says which variables and flag give the token when there is none (exit 2)", async () => {
    const r = await run(sandbox(), ["list"], { env: { DT_API_TOKEN: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "error: no credential: set DT_API_TOKEN (or DYNATRACE_API_TOKEN), DT_PLATFORM_TOKEN, or an OAuth client's DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN; or pipe a token in with --token-stdin",
        "hint: tokens are never accepted as arguments (shell history and the process list would show them)",
        "hint: a classic token needs the scopes apiTokens.read (list, get, audit) and apiTokens.write (create, update, delete, rotate)",
        "hint: a platform token or OAuth client needs environment-api:api-tokens:read and environment-api:api-tokens:write",
        "nothing was sent.",
        "",
      ].join("\n"),
    );
    expect(r.stdout).toBe("");
  });

  it("says which flag and variables give the environment URL when there is none (exit 2)", async () => {
    const r = await run(sandbox(), ["get", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA"], {
      env: { DT_ENV_URL: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: no environment URL: pass --env-url or set DT_ENV_URL \(or DYNATRACE_ENV_URL\)\nhint: e\.g\. https:\/\/abc12345\.live\.dynatrace\.com/,
    );
  });

  it("rejects a URL that is not an environment URL, naming the accepted forms", async () => {
    const r = await run(sandbox(), ["list", "--env-url", "ftp://example.com"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --env-url: "ftp://example.com" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2\nnothing was sent.\n',
    );
  });

  it("takes the URL and token from the DYNATRACE_* variables, and --env-url over DT_ENV_URL", async () => {
    const s = sandbox();
    seed([{ name: "reachable", scopes: ["metrics.read"] }]);
    const env = { DT_ENV_URL: undefined, DT_API_TOKEN: undefined };
    const viaDynatrace = await run(s, ["list", "-o", "json"], {
      env: { ...env, DYNATRACE_ENV_URL: s.url, DYNATRACE_API_TOKEN: s.bootstrapToken! },
    });
    expect(viaDynatrace.code).toBe(0);
    expect(JSON.parse(viaDynatrace.stdout).map((t: { name: string }) => t.name)).toContain("reachable");
    const viaFlag = await run(s, ["list", "-o", "json", "--env-url", `${s.url}/api/v2`], {
      env: { DT_ENV_URL: "http://127.0.0.1:1" },
    });
    expect(viaFlag.code).toBe(0);
  });

  it("reads the token from stdin with --token-stdin", async () => {
    const s = sandbox();
    const r = await run(s, ["list", "--token-stdin", "-o", "ndjson"], {
      env: { DT_API_TOKEN: "dt0c01.WRONGWRONGWRONGWRONGWRON.x" },
      stdin: `${s.bootstrapToken}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"name":"sandbox-bootstrap"');
    const empty = await run(s, ["list", "--token-stdin"], { stdin: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      "error: --token-stdin: stdin held no token (expected the secret on the first line)\nnothing was sent.\n",
    );
  });

  it("refuses tokens given as arguments, without repeating them", async () => {
    for (const flag of ["--token", "--api-token"]) {
      const r = await run(sandbox(), ["list", flag, "dt0c01.NOTASECRETNOTASECRETNOTA.zzzz"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "error: tokens are never accepted as arguments: shell history and the process list would show them\nhint: set DT_API_TOKEN (or DYNATRACE_API_TOKEN) or DT_PLATFORM_TOKEN, or pipe the token in with --token-stdin\nnothing was sent.\n",
      );
    }
  });

  it("rejects a variable that does not hold a bare secret, without repeating it", async () => {
    const r = await run(sandbox(), ["list"], { env: { DT_API_TOKEN: "Api-Token dt0c01.ABC.DEF" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: DT_API_TOKEN does not hold a token secret: expected the bare secret (dt0c01.<24 characters>.<64 characters>), without "Api-Token " or spaces\nnothing was sent.\n',
    );
  });

  it("an unknown token is the API's 401, one line and a hint, exit 1", async () => {
    const [gone] = seed([{ name: "gone", scopes: ["apiTokens.read"] }]);
    sandbox().reset();
    const r = await run(sandbox(), ["list"], { env: { DT_API_TOKEN: gone!.token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: Token Authentication failed. (HTTP 401 Unauthorized)\nhint: the credential (DT_API_TOKEN, DT_PLATFORM_TOKEN, the OAuth client or --token-stdin) is unknown, disabled or expired, or belongs to another environment\n",
    );
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("a token without the scope is the API's 403 with the scope it needs", async () => {
    const [reader] = seed([{ name: "metrics-only", scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["list"], { env: { DT_API_TOKEN: reader!.token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: Token is missing required scope\. Use one of: apiTokens\.read .*\(HTTP 403 Forbidden\)\n/,
    );
    expect(r.stderr).toContain("hint: the API token needs the scope apiTokens.read\n");
  });

  it("an unreachable environment is exit 1 with the URL, and --debug adds a stack trace", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await run(sandbox(), ["list", "--env-url", url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: could not connect to ${url}: ECONNREFUSED\nhint: check --env-url (or DT_ENV_URL) and your network; nothing was changed\n`,
    );
    const debug = await run(sandbox(), ["list", "--env-url", url, "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(
      /^debug: GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/apiTokens\S* \(attempt 1\)$/m,
    );
    expect(debug.stderr).not.toContain("Api-Token"); // no request headers, not even redacted ones
    expect(debug.stderr).toMatch(/ConnectionError: .*\n\s+at /);
  });
});

describe("help and usage", () => {
  const commands = [
    "list",
    "get",
    "create",
    "update",
    "delete",
    "lookup",
    "rotate",
    "audit",
    "scopes",
    "sandbox",
  ];

  it("the top-level help lists every command, the connection variables and the exit statuses", async () => {
    const r = await run(undefined, ["--help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(r.stdout).toContain("DT_ENV_URL or DYNATRACE_ENV_URL");
    expect(r.stdout).toContain("DT_API_TOKEN or DYNATRACE_API_TOKEN");
    expect(r.stdout).toMatch(
      /Exit statuses:\n {2}0 {4}success\n {2}1 {4}API error.*\n {2}2 {4}usage error.*\n {2}3 {4}audit/,
    );
  });

  it.each(commands)("%s --help has examples", async (command) => {
    const r = await run(undefined, [command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: dt-tokens ${command}`));
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n( {2}#.*\\n)* {2}\\$ dt-tokens ${command}\\b`));
  });

  it("--version says that a build from a clone is not a release (the workspace's 0.0.0)", async () => {
    const r = await run(undefined, ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^0\.0\.0-dev(\+[0-9a-f]{7,})? \(unreleased build from a clone of the repository\)\n$/,
    );
  });

  it("an unknown command or option is a usage error (exit 2) with a suggestion", async () => {
    const command = await run(undefined, ["lsit"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe("error: unknown command 'lsit'\n(Did you mean list?)\n");
    const option = await run(undefined, ["list", "--ownr", "x"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("error: unknown option '--ownr'\n(Did you mean --owner?)\n");
    const format = await run(undefined, ["list", "--output", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe(
      "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json, ndjson, csv, markdown.\n",
    );
  });

  it("colours only on a terminal, and never with NO_COLOR", async () => {
    const s = sandbox();
    seed([{ name: "off", enabled: false, scopes: ["metrics.read"] }]);
    const tty = await run(s, ["list"], { tty: true });
    expect(tty.code).toBe(0);
    expect(hasColor(tty.stdout)).toBe(true);
    const noColor = await run(s, ["list"], { tty: true, env: { NO_COLOR: "1" } });
    expect(noColor.code).toBe(0);
    expect(hasColor(noColor.stdout)).toBe(false);
    expect(plain(noColor.stdout)).toMatch(/^ID +NAME +OWNER/m);
    const flag = await run(s, ["list", "--no-color"], { tty: true });
    expect(hasColor(flag.stdout)).toBe(false);
    const pipe = await run(s, ["list"]);
    expect(pipe.stdout).not.toContain("\u001b");
    expect(pipe.stderr).toBe("");
  });
});
