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
