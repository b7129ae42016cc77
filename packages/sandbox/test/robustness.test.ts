import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, start, validateResponse } from "./helpers.js";

let sandbox: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());

describe("query parameters", () => {
  it("a repeated parameter is a 400 naming it (no value taken silently, no value echoed), on every operation", async () => {
    const id = sandbox.token.slice(0, 31);
    const cases: [string, string, string[]][] = [
      ["GET", "/apiTokens?pageSize=100&pageSize=500", ["pageSize"]],
      ["GET", "/apiTokens?fields=name&sort=name&fields=scopes&sort=-name", ["fields", "sort"]],
      ["GET", `/apiTokens/${id}?x=1&x=2`, ["x"]],
      ["DELETE", `/apiTokens/${id}?x=1&x=2&x=3`, ["x"]],
    ];
    for (const [method, path, names] of cases) {
      const r = await api(sandbox, method, path, { token: sandbox.token });
      expect(r.status, path).toBe(400);
      expect(r.body.error.constraintViolations.map((v: { path: string }) => v.path)).toEqual(names);
      expect(r.body.error.constraintViolations[0]).toMatchObject({ parameterLocation: "QUERY" });
      expect(r.body.error.constraintViolations[0].message).toMatch(/is given [23] times; give it once/);
    }
    const viaQuery = await api(
      sandbox,
      "GET",
      `/apiTokens?api-token=${sandbox.token}&api-token=${sandbox.token}`,
      {},
    );
    expect(viaQuery.status).toBe(400);
    expect(viaQuery.text).not.toContain(sandbox.token.slice(32, 48));
    const secretAsName = await api(sandbox, "GET", `/apiTokens?${sandbox.token}=1&${sandbox.token}=2`, {
      token: sandbox.token,
    });
    expect(secretAsName.status).toBe(400);
    expect(secretAsName.text).not.toContain(sandbox.token.slice(32, 48));
    // Each once is fine, and an unauthenticated repeat is still a 401 first.
    expect(
      (await api(sandbox, "GET", "/apiTokens?pageSize=100&fields=name", { token: sandbox.token })).status,
    ).toBe(200);
    expect((await api(sandbox, "GET", "/apiTokens?pageSize=100&pageSize=100", {})).status).toBe(401);
  });
});

describe("request bodies", () => {
  it.each([
    ["{", "not valid JSON"],
    ['{"name": "x", }', "not valid JSON"],
    ["[1,2]", "must be a JSON object"],
    ["null", "must be a JSON object"],
    ['"text"', "must be a JSON object"],
    ["", "required"],
    ["   ", "required"],
  ])("answers 400 for the body %j", async (raw, message) => {
    for (const path of ["/apiTokens", "/apiTokens/lookup"]) {
      const r = await api(sandbox, "POST", path, {
        token: sandbox.token,
        rawBody: raw,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({ parameterLocation: "PAYLOAD_BODY" });
      expect(r.body.error.constraintViolations[0].message).toContain(message);
    }
    const put = await api(sandbox, "PUT", `/apiTokens/${sandbox.token.slice(0, 31)}`, {
      token: sandbox.token,
      rawBody: raw,
      headers: { "content-type": "application/json" },
    });
    expect(put.status).toBe(400);
  });

  it("never echoes the body in a JSON error (it may hold a secret)", async () => {
    const r = await api(sandbox, "POST", "/apiTokens/lookup", {
      token: sandbox.token,
      rawBody: `{"token": "${sandbox.token}"`,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(sandbox.token.slice(32, 48));
  });

  it.each([
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
  ])("answers 415 for Content-Type %s", async (type) => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      rawBody: JSON.stringify({ name: "n", scopes: ["metrics.read"] }),
      headers: { "content-type": type },
    });
    expect(r.status).toBe(415);
    expect(r.body.error.message).toContain("application/json");
  });

  it("accepts JSON with or without charset, in any case, and a missing Content-Type", async () => {
    for (const headers of [
      { "content-type": "application/json" },
      { "content-type": "Application/JSON; Charset=UTF-8" },
      {} as Record<string, string>, // a Uint8Array body: fetch adds no Content-Type
    ]) {
      const r = await api(sandbox, "POST", "/apiTokens", {
        token: sandbox.token,
        rawBody: new TextEncoder().encode(
          JSON.stringify({ name: "n", scopes: ["metrics.read"] }),
        ) as Uint8Array<ArrayBuffer>,
        headers,
      });
      expect(r.status).toBe(201);
    }
  });

  it("tolerates Content-Type and a body on bodiless GET and DELETE", async () => {
    const created = (
      await api(sandbox, "POST", "/apiTokens", {
        token: sandbox.token,
        body: { name: "d", scopes: ["metrics.read"] },
      })
    ).body;
    const get = await api(sandbox, "GET", "/apiTokens", {
      token: sandbox.token,
      headers: { "content-type": "application/json" },
    });
    expect(get.status).toBe(200);
    const del = await api(sandbox, "DELETE", `/apiTokens/${created.id}`, {
      token: sandbox.token,
      rawBody: "{}",
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(del.status).toBe(204);
  });

  it("answers 413 for a body over 1 MiB, declared or chunked", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024), scopes: ["metrics.read"] });
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      rawBody: big,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(413);
    // chunked: no Content-Length
    const status = await new Promise<{ status: number; text: string; headers: Headers }>(
      (resolve, reject) => {
        const req = request(
          `${sandbox.apiBase}/apiTokens`,
          {
            method: "POST",
            headers: {
              authorization: `Api-Token ${sandbox.token}`,
              "content-type": "application/json",
              "transfer-encoding": "chunked",
            },
          },
          (res) => {
            let text = "";
            res.on("data", (d) => {
              text += d;
            });
            res.on("end", () => {
              const headers = new Headers();
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
              resolve({ status: res.statusCode!, text, headers });
            });
          },
        );
        req.on("error", reject);
        for (let i = 0; i < 20; i++) req.write("x".repeat(64 * 1024));
        req.end();
      },
    );
    expect(status.status).toBe(413);
    validateResponse("POST", "/apiTokens", status.status, status.headers, status.text);
    // a body just under the limit is read (and then judged on its content)
    const under = JSON.stringify({
      name: "y".repeat(1000),
      scopes: ["metrics.read"],
      pad: "z".repeat(1024 * 1024 - 2000),
    });
    const ok = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      rawBody: under,
      headers: { "content-type": "application/json" },
    });
    expect(ok.status).toBe(201);
  });
});

describe("routes and methods", () => {
  it.each([
    ["GET", "/api/v2/unknown"],
    ["GET", "/api/v2"],
    ["GET", "/"],
    ["GET", "/api/v1/apiTokens"],
    ["POST", "/nothing/here"],
    ["GET", "/api/v2/apiTokens/a/b"],
  ])("answers 404 with an ErrorEnvelope for %s %s", async (method, path) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Api-Token ${sandbox.token}` },
    });
    const text = await res.text();
    expect(res.status).toBe(404);
    validateResponse(method, undefined, res.status, res.headers, text);
  });

  it.each([
    ["PATCH", "/apiTokens", "GET, POST"],
    ["DELETE", "/apiTokens", "GET, POST"],
    ["PUT", "/apiTokens", "GET, POST"],
    ["PATCH", "/apiTokens/dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", "GET, PUT, DELETE"],
    ["POST", "/apiTokens/dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", "GET, PUT, DELETE"],
    ["OPTIONS", "/apiTokens", "GET, POST"],
  ])("answers 405 with Allow for %s %s", async (method, path, allow) => {
    const res = await fetch(`${sandbox.apiBase}${path}`, {
      method,
      headers: { authorization: `Api-Token ${sandbox.token}` },
    });
    const text = await res.text();
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    validateResponse(method, undefined, res.status, res.headers, text);
  });

  it("answers HEAD on the list like GET, without a body", async () => {
    const res = await fetch(`${sandbox.apiBase}/apiTokens`, {
      method: "HEAD",
      headers: { authorization: `Api-Token ${sandbox.token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("no input produces a 500", () => {
  const segment = fc.oneof(
    fc.constantFrom(
      "apiTokens",
      "lookup",
      "api",
      "v2",
      "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA",
      "%",
      "%ZZ",
      "..",
      "%2F",
      "e",
    ),
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
  );
  const query = fc.array(
    fc.tuple(
      fc.constantFrom(
        "pageSize",
        "fields",
        "sort",
        "apiTokenSelector",
        "from",
        "to",
        "nextPageKey",
        "api-token",
        "x",
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("100", "+scopes", 'owner("a")', "now-1d", "%E0%A4%A", "%"),
      ),
    ),
    { maxLength: 4 },
  );

  it("property: random list queries answer 200 or 400 with a valid body", async () => {
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const qs = params.map(([k, v]) => `${k}=${k === "api-token" ? v : encodeURIComponent(v)}`).join("&");
        const r = await api(sandbox, "GET", `/apiTokens?${qs}`, { token: sandbox.token });
        expect([200, 400]).toContain(r.status);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it("property: raw query strings (bad percent-encoding included) never break the server", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (raw) => {
        const qs = raw.replace(/[#\s]/g, "");
        const res = await fetch(`${sandbox.apiBase}/apiTokens?${qs}`, {
          headers: { authorization: `Api-Token ${sandbox.token}` },
        });
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        validateResponse("GET", "/apiTokens", res.status, res.headers, text);
      }),
      { numRuns: 150, seed: 12 },
    );
  });

  it("property: random paths and methods answer an ErrorEnvelope or a declared success", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
        fc.array(segment, { minLength: 0, maxLength: 5 }),
        async (method, segments) => {
          const path = `/${segments.join("/")}`;
          const res = await fetch(`${sandbox.url}${path}`, {
            method,
            headers: { authorization: `Api-Token ${sandbox.token}`, "content-type": "application/json" },
            body: method === "POST" || method === "PUT" ? "{}" : undefined,
          });
          const text = await res.text();
          expect(res.status, `${method} ${path}`).toBeLessThan(500);
          const apiPath = path.startsWith("/api/v2/") ? path.slice("/api/v2".length) : undefined;
          validateResponse(method, apiPath, res.status, res.headers, text);
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });

  it("property: random JSON bodies for create, update and lookup answer 2xx/4xx with valid bodies", async () => {
    const value = fc.jsonValue({ maxDepth: 2 });
    const body = fc.oneof(
      fc.record(
        { name: value, scopes: value, personalAccessToken: value, expirationDate: value, enabled: value },
        { requiredKeys: [] },
      ),
      fc.record({
        name: fc.string(),
        scopes: fc.array(fc.constantFrom("metrics.read", "logs.ingest", "nope", "")),
      }),
      value,
    );
    const target = sandbox.seed([{ name: "target", scopes: ["metrics.read"] }])[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/apiTokens", "/apiTokens/lookup", `/apiTokens/${target.id}`),
        body,
        async (path, b) => {
          const method = path === `/apiTokens/${target.id}` ? "PUT" : "POST";
          const r = await api(sandbox, method, path, {
            token: sandbox.token,
            body: b,
            headers: { "content-type": "application/json" },
          });
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200, seed: 14 },
    );
  });

  it("property: random credentials answer 401 (or 200 for the right one), never 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (credential) => {
        const header = `Api-Token ${credential}`.replace(/[\r\n\0]/g, "");
        let res: Response;
        try {
          res = await fetch(`${sandbox.apiBase}/apiTokens`, { headers: { authorization: header } });
        } catch {
          return; // fetch refuses some header values itself
        }
        const text = await res.text();
        expect([200, 401]).toContain(res.status);
        validateResponse("GET", "/apiTokens", res.status, res.headers, text);
      }),
      { numRuns: 150, seed: 15 },
    );
  });
});
