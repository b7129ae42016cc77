/**
 * What the CLI says about an answer it cannot use, worded from the client's error fields (`status`,
 * `apiMessage`, `retryAfterMs`, `deadlineMs`) rather than taken apart from its message: a status
 * without Dynatrace's ErrorEnvelope, the same with one, a throttle that asks for a long wait, and a
 * call that passed its deadline. Real node:http servers on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createApiTokensClient, TimeoutError } from "@dt-tokens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError } from "../src/describe-error.js";
import { knowSecrets, run } from "./helpers.js";

const TOKEN = `dt0c01.${"A".repeat(24)}.${"E".repeat(64)}`;
knowSecrets(TOKEN);

let server: Server;
let url = "";
let answer: (req: IncomingMessage, res: ServerResponse) => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const list = () => run(undefined, ["list"], { env: { DT_ENV_URL: url, DT_API_TOKEN: TOKEN } });

describe("an error the environment answered", () => {
  it("without an ErrorEnvelope (a proxy's page): the status alone, nothing of the body", async () => {
    answer = (_req, res) => res.writeHead(400, { "content-type": "text/html" }).end("<html>nope</html>");
    const r = await list();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: the environment answered HTTP 400 Bad Request, with no message\n");
  });

  it("with an ErrorEnvelope: Dynatrace's message, then the status", async () => {
    answer = (_req, res) =>
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { code: 400, message: "Bad thing." } }));
    const r = await list();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: Bad thing. (HTTP 400 Bad Request)\n");
  });

  it("a login page where JSON belongs (200, HTML): what came back and what to check, never 'HTTP 200'", async () => {
    answer = (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>");
    const r = await list();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/apiTokens\S* answered 200 with text\/html, not valid JSON; is a proxy or login page in between\?\n$/,
    );
  });

  it("a status the CLI has no words for: the number", async () => {
    answer = (_req, res) => res.writeHead(418).end();
    const r = await list();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: the environment answered HTTP 418, with no message\n");
  });

  it("a 429 that asks for a wait longer than the client accepts: the hint says how long it asked", async () => {
    let requests = 0;
    answer = (_req, res) => {
      requests++;
      res.writeHead(429, { "retry-after": "300" }).end();
    };
    const r = await list();
    expect(r.code).toBe(1);
    expect(requests).toBe(1);
    expect(r.stderr).toBe(
      "error: the environment answered HTTP 429 Too Many Requests, with no message\nhint: the environment is throttling requests; try again in 5 min, as it asked\n",
    );
  });
});

describe("a call that passed its deadline", () => {
  it("is worded from deadlineMs: how long the call had, not the client's sentence", async () => {
    answer = () => {}; // never answers
    const client = createApiTokensClient({
      environmentUrl: url,
      token: TOKEN,
      timeoutMs: Number.POSITIVE_INFINITY,
      deadlineMs: 300,
    });
    const error = await client.get("dt0c01.ABC").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    const described = describeError(error, url);
    expect(described.message).toBe(`no answer from ${url}: its deadline of 0.3 s passed`);
    expect(described.exitCode).toBe(1);
    expect(JSON.stringify(described)).not.toContain(TOKEN.split(".")[2]);
  });
});

/**
 * With an OAuth client the SSO token endpoint is asked first. When something other than a token or
 * a refusal comes back from it (a throttle, a 5xx, a 404, a login page, a redirect), every command
 * and doctor name the SSO token endpoint, not the environment, and a 404 or a login page is not
 * "SSO refused" (check the token URL, not the account URN). Before: doctor said "the environment
 * answered HTTP 429 … the environment is throttling requests" and "127.0.0.1:<environment's port>
 * answered, but not as the API-tokens API does"; `list` said "the environment is throttling
 * requests" and "SSO refused to issue an access token … check DT_ACCOUNT_URN" for a 404.
 */
describe("the SSO token endpoint answers something else than a token or a refusal", () => {
  let sso: Server;
  let ssoUrl = "";
  let ssoAnswer: (res: ServerResponse) => void = () => {};
  let environmentRequests = 0;

  beforeAll(async () => {
    sso = createServer((_req, res) => ssoAnswer(res));
    await new Promise<void>((resolve) => sso.listen(0, "127.0.0.1", resolve));
    ssoUrl = `http://127.0.0.1:${(sso.address() as { port: number }).port}/sso/oauth2/token`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        sso.closeAllConnections();
        sso.close(() => resolve());
      }),
  );

  const CLIENT_SECRET = `dt0s02.CCCCCCCC.${"G".repeat(64)}`;
  knowSecrets(CLIENT_SECRET);
  /** An OAuth client's variables for the platform API of `url`, its token requests sent to `tokenUrl`. */
  const oauthEnv = (tokenUrl: string) => ({
    DT_ENV_URL: `${url}/platform/classic/environment-api/v2`,
    DT_API_TOKEN: undefined,
    DT_CLIENT_ID: "dt0s02.CCCCCCCC",
    DT_CLIENT_SECRET: CLIENT_SECRET,
    DT_ACCOUNT_URN: "urn:dtaccount:00000000-0000-0000-0000-000000000000",
    DT_SSO_TOKEN_URL: tokenUrl,
  });
  const oauth = (args: string[]) => {
    answer = (_req, res) => {
      environmentRequests++;
      res.writeHead(500).end();
    };
    return run(undefined, args, {
      env: oauthEnv(ssoUrl),
    });
  };
  const ssoHost = () => new URL(ssoUrl).host;

  const cases: {
    name: string;
    answer: (res: ServerResponse) => void;
    line: string;
    hint: string;
    doctorExit: number;
  }[] = [
    {
      name: "429 with Retry-After: 300",
      answer: (res) => res.writeHead(429, { "retry-after": "300" }).end(),
      line: "answered HTTP 429 Too Many Requests, with no message",
      hint: "is throttling requests; try again in 5 min, as it asked",
      doctorExit: 1,
    },
    {
      name: "503",
      answer: (res) => res.writeHead(503).end(),
      line: "answered HTTP 503 Service Unavailable, with no message",
      hint: "SSO has a problem: try again later",
      doctorExit: 1,
    },
    {
      name: "404 (a wrong token URL)",
      answer: (res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>"),
      line: "answered HTTP 404 Not Found, with no message",
      hint: "check DT_SSO_TOKEN_URL (oauthClient.tokenUrl in the config file)",
      doctorExit: 8,
    },
    {
      name: "200 with a login page",
      answer: (res) => res.writeHead(200, { "content-type": "text/html" }).end("<h1>Sign in</h1>"),
      line: "answered, but not as an OAuth token endpoint does (200 with text/html)",
      hint: "check DT_SSO_TOKEN_URL (oauthClient.tokenUrl in the config file)",
      doctorExit: 8,
    },
    {
      name: "a redirect",
      answer: (res) => res.writeHead(302, { location: "https://login.example.com/" }).end(),
      line: "answered, but not as an OAuth token endpoint does (a redirect (302) to https://login.example.com/, not followed)",
      hint: "check DT_SSO_TOKEN_URL (oauthClient.tokenUrl in the config file)",
      doctorExit: 8,
    },
  ];

  // Was a bug: on the environment's own origin (the sandbox's /sso/oauth2/token, an SSO behind the
  // same proxy), SSO's 429 was "the environment answered HTTP 429 … the environment is throttling".
  it("on the environment's own origin too: a 429 from its token path names the SSO token endpoint", async () => {
    const env = oauthEnv(`${url}/sso/oauth2/token`);
    let apiRequests = 0;
    answer = (req, res) => {
      if (req.url?.startsWith("/sso/")) return res.writeHead(429, { "retry-after": "120" }).end();
      apiRequests++;
      res.writeHead(500).end();
    };
    const host = new URL(url).host;
    const listed = await run(undefined, ["list"], { env });
    expect(listed.code).toBe(1);
    expect(listed.stderr).toBe(
      `error: the SSO token endpoint (${host}) answered HTTP 429 Too Many Requests, with no message\nhint: the SSO token endpoint (${host}) is throttling requests; try again in 2 min, as it asked\n`,
    );
    const checked = await run(undefined, ["doctor", "-o", "json"], { env });
    const report = JSON.parse(checked.stdout) as {
      checks: { check: string; status: string; detail: string }[];
    };
    expect(report.checks.find((c) => c.status === "fail")).toMatchObject({
      check: "reachable",
      detail: `the SSO token endpoint (${host}) answered HTTP 429 Too Many Requests, with no message`,
    });
    expect(apiRequests).toBe(0);
  });

  // Was a bug: SSO issued an access token and the environment refused it (and a fresh one): every
  // command and doctor said "SSO refused to issue an access token".
  it("SSO issues a token, the environment refuses it: the environment's refusal, not SSO's", async () => {
    ssoAnswer = (res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          access_token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
          token_type: "Bearer",
          expires_in: 300,
        }),
      );
    const env = oauthEnv(ssoUrl);
    answer = (_req, res) => res.writeHead(401).end();
    const listed = await run(undefined, ["list"], { env });
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(
      /^error: the environment refused the access token SSO issued \(HTTP 401\)\nhint: check that DT_ACCOUNT_URN/,
    );
    const checked = await run(undefined, ["doctor", "-o", "json"], { env });
    expect(checked.code).toBe(9);
    const report = JSON.parse(checked.stdout) as {
      checks: { check: string; status: string; detail: string }[];
    };
    expect(report.checks.find((c) => c.check === "reachable")?.status).toBe("ok");
    expect(report.checks.find((c) => c.status === "fail")).toMatchObject({
      check: "accepted",
      detail: "the environment refused the access token SSO issued (HTTP 401)",
    });
    expect(JSON.stringify(report.checks)).not.toContain("SSO refused");
  });

  for (const c of cases)
    it(`${c.name}: list and doctor name the SSO token endpoint, with its own hint`, async () => {
      ssoAnswer = c.answer;
      environmentRequests = 0;
      const listed = await oauth(["list"]);
      expect(listed.code).toBe(1);
      const [first, ...rest] = listed.stderr.trimEnd().split("\n");
      expect(first).toBe(`error: the SSO token endpoint (${ssoHost()}) ${c.line}`);
      if (!c.hint.startsWith("SSO has")) expect(rest.join("\n")).toContain(c.hint);
      expect(listed.stderr).not.toMatch(/the environment|SSO refused|DT_ACCOUNT_URN|tokenUrl\?/);

      const checked = await oauth(["doctor", "-o", "json"]);
      expect(checked.code).toBe(c.doctorExit);
      const report = JSON.parse(checked.stdout) as {
        checks: { check: string; status: string; detail: string; fix?: string }[];
      };
      const failed = report.checks.filter((check) => check.status === "fail");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        check: "reachable",
        detail: `the SSO token endpoint (${ssoHost()}) ${c.line}`,
      });
      expect(failed[0]!.fix).toContain(c.hint);
      expect(JSON.stringify(report)).not.toMatch(/the environment (answered|is throttling|has a problem)/);
      expect(environmentRequests).toBe(0);
    });
});

// Was a bug: with --debug, the stack trace (whose first line is the message, with what the server
// said) was printed with its control characters: a server's message could retitle or clear the
// terminal. The error line itself was escaped.
describe("--debug", () => {
  it("prints the stack trace with control and bidi characters escaped, as the error line", async () => {
    answer = (_req, res) =>
      res.writeHead(400, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: { code: 400, message: "bad \u001b]0;retitled\u0007 \u001b[2J \u202eevil" },
        }),
      );
    const r = await run(undefined, ["list", "--debug"], { env: { DT_ENV_URL: url, DT_API_TOKEN: TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("BadRequestError: ");
    expect(r.stderr).toContain("bad \\e]0;retitled\\u{7} \\e[2J \\u{202e}evil");
    for (const raw of ["\u0007", "\u001b", "\u202e"]) expect(r.stderr).not.toContain(raw);
  });
});

// Was a bug: a create answered 201 without the API's body was worded "the server failed with HTTP
// 201, possibly after applying it": a 2xx is not a failure, it is how the API says it applied it.
describe("a write answered 2xx without the API's answer", () => {
  it("says the server answered (not failed with) the 2xx and what came with it; exit 6", async () => {
    answer = (_req, res) => res.writeHead(201, { "content-type": "text/html" }).end("<html>ok</html>");
    const r = await run(undefined, ["create", "--name", "x", "--scope", "metrics.read"], {
      env: { DT_ENV_URL: url, DT_API_TOKEN: TOKEN },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(
      "error: the outcome is unknown: the request was sent, then the server answered HTTP 201, as when it applies it, but not with the API's answer (201 with text/html); the token",
    );
    expect(r.stderr).not.toContain("failed with HTTP 201");
  });
});

// Was a bug: doctor's fix for a throttle said "try again in a moment" though the environment asked
// for 5 minutes (every other command said so).
describe("doctor and a throttle", () => {
  it("says the wait the environment asked for", async () => {
    answer = (_req, res) => res.writeHead(429, { "retry-after": "300" }).end();
    const r = await run(undefined, ["doctor", "-o", "json"], {
      env: { DT_ENV_URL: url, DT_API_TOKEN: TOKEN },
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { status: string; detail: string; fix?: string }[] };
    expect(report.checks.find((c) => c.status === "fail")).toMatchObject({
      detail: "the environment answered HTTP 429",
      fix: "the environment is throttling requests; try again in 5 min, as it asked",
    });
  });
});
