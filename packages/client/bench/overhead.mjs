// Per-call overhead of @dt-tokens/client vs raw fetch vs openapi-fetch alone vs Dynatrace's SDK
// (@dynatrace-sdk/client-classic-environment-v2 5.2.3) for get, list and create:
//   (a) with an in-memory fetch that answers canned responses (pure client cost, µs per call);
//   (b) against one loopback server (a minimal node:http server with the same canned answers, in
//       its own process: the sandbox would add its own SQLite time to every call and hide the
//       client's cost).
// Every client runs the same operation in turn, in rounds, with a rotating order; the figure is the
// fastest round (the one least disturbed by other processes: the machine may be shared). In memory,
// a round is timed in CPU time of this process (user + system, helper threads such as the garbage
// collector's included): with everything in one process that is the client's cost, and unlike wall
// time it does not count the time other processes hold the CPU. Over loopback, wall time (the
// server's time is part of a call). Baseline: raw fetch (build the request, send, parse the JSON).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createApiTokensClient } from "@dt-tokens/client";
import { createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import dynatraceSdk from "@dynatrace-sdk/client-classic-environment-v2";
import dynatraceHttp from "@dynatrace-sdk/http-client";
import createClient from "openapi-fetch";
import { writeSection } from "../../../bench/lib.mjs";
import {
  AG_CREATE_REQUEST,
  AG_TOKEN_ID,
  answer,
  CREATE_REQUEST,
  JSON_HEADERS,
  SECRET,
  TOKEN_ID,
} from "./fixtures.mjs";

// Dynatrace's packages are CommonJS for Node (their ESM build is only for bundlers).
const { AccessTokensApiTokensClient, AccessTokensActiveGateTokensClient } = dynatraceSdk;
const { PlatformHttpClient } = dynatraceHttp;

const QUICK = process.env.BENCH_QUICK === "1";
const ROUNDS = QUICK ? 3 : 11;

/** In-memory fetch: answers from fixtures.mjs without any I/O. Accepts (url, init) and (Request). */
async function memoryFetch(input, init) {
  const request = input instanceof Request ? input : undefined;
  const method = request?.method ?? init?.method ?? "GET";
  const url = request?.url ?? String(input);
  const [status, body] = answer(method, new URL(url).pathname);
  return new Response(body, { status, headers: JSON_HEADERS });
}

const auth = { authorization: `Api-Token ${SECRET}` };

/** The four contenders, each with get, list and create, for one environment URL and one fetch. */
function contenders(url, fetchImpl) {
  const api = `${url}/api/v2`;
  const raw = {
    get: async () =>
      (await fetchImpl(`${api}/apiTokens/${encodeURIComponent(TOKEN_ID)}`, { headers: auth })).json(),
    list: async () => (await fetchImpl(`${api}/apiTokens`, { headers: auth })).json(),
    create: async () =>
      (
        await fetchImpl(`${api}/apiTokens`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify(CREATE_REQUEST),
        })
      ).json(),
  };
  const of = createClient({ baseUrl: api, headers: auth, fetch: fetchImpl });
  const openapiFetch = {
    get: () => of.GET("/apiTokens/{id}", { params: { path: { id: TOKEN_ID } } }),
    list: () => of.GET("/apiTokens"),
    create: () => of.POST("/apiTokens", { body: CREATE_REQUEST }),
  };
  const dt = createApiTokensClient({ environmentUrl: url, token: SECRET, fetch: fetchImpl });
  const ours = {
    get: () => dt.get(TOKEN_ID),
    list: () => dt.list(),
    create: () => dt.create(CREATE_REQUEST),
  };
  // The same without the per-attempt timer (setTimeout on the attempt's AbortController), to show its share.
  const noTimeout = { timeoutMs: Number.POSITIVE_INFINITY };
  const oursNoTimeout = {
    get: () => dt.get(TOKEN_ID, noTimeout),
    list: () => dt.list({}, noTimeout),
    create: () => dt.create(CREATE_REQUEST, noTimeout),
  };
  // The SDK calls the global fetch: while it runs, globalThis.fetch is the same fetchImpl.
  const sdk = new AccessTokensApiTokensClient(new PlatformHttpClient({ baseUrl: url, defaultHeaders: auth }));
  const wrapSdk = (fn) => async () => {
    const saved = globalThis.fetch;
    globalThis.fetch = fetchImpl;
    try {
      return await fn();
    } finally {
      globalThis.fetch = saved;
    }
  };
  const sdkCalls = {
    get: wrapSdk(() => sdk.getApiToken({ id: TOKEN_ID })),
    list: wrapSdk(() => sdk.listApiTokens()),
    create: wrapSdk(() => sdk.createApiToken({ body: CREATE_REQUEST })),
  };
  return [
    ["raw fetch", raw],
    ["openapi-fetch alone", openapiFetch],
    ["@dt-tokens/client", ours],
    ["@dt-tokens/client, timeoutMs: Infinity", oursNoTimeout],
    ["Dynatrace SDK 5.2.3", sdkCalls],
  ];
}

/** The ActiveGate-token contenders (raw fetch, @dt-tokens/client/activegate, the SDK), same operations. */
function activeGateContenders(url, fetchImpl) {
  const api = `${url}/api/v2`;
  const raw = {
    get: async () =>
      (
        await fetchImpl(`${api}/activeGateTokens/${encodeURIComponent(AG_TOKEN_ID)}`, { headers: auth })
      ).json(),
    list: async () => (await fetchImpl(`${api}/activeGateTokens`, { headers: auth })).json(),
    create: async () =>
      (
        await fetchImpl(`${api}/activeGateTokens`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify(AG_CREATE_REQUEST),
        })
      ).json(),
  };
  const ag = createActiveGateTokensClient({ environmentUrl: url, token: SECRET, fetch: fetchImpl });
  const ours = {
    get: () => ag.get(AG_TOKEN_ID),
    list: () => ag.list(),
    create: () => ag.create(AG_CREATE_REQUEST),
  };
  const sdk = new AccessTokensActiveGateTokensClient(
    new PlatformHttpClient({ baseUrl: url, defaultHeaders: auth }),
  );
  const wrapSdk = (fn) => async () => {
    const saved = globalThis.fetch;
    globalThis.fetch = fetchImpl;
    try {
      return await fn();
    } finally {
      globalThis.fetch = saved;
    }
  };
  return [
    ["raw fetch", raw],
    ["@dt-tokens/client/activegate", ours],
    [
      "Dynatrace SDK 5.2.3",
      {
        get: wrapSdk(() => sdk.getToken({ activeGateTokenIdentifier: AG_TOKEN_ID })),
        list: wrapSdk(() => sdk.listTokens()),
        create: wrapSdk(() => sdk.createToken({ body: AG_CREATE_REQUEST })),
      },
    ],
  ];
}

/** µs per call: wall time, or CPU time of this process (`cpu: true`). */
async function timePerCall(fn, calls, cpu) {
  if (cpu) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) await fn();
    const { user, system } = process.cpuUsage(start);
    return (user + system) / calls;
  }
  const start = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  return ((performance.now() - start) * 1000) / calls;
}

/** µs per call for every contender and operation: the fastest of ROUNDS rotating rounds. */
async function measure(list, calls, cpu) {
  const results = [];
  for (const op of ["get", "list", "create"]) {
    // Sanity: every contender gets a real answer (a wrong path would be a fast 404).
    for (const [name, c] of list) {
      const res = await c[op]();
      if (res && typeof res === "object" && "error" in res && res.error)
        throw new Error(`${name} ${op}: ${res.error}`);
    }
    for (const [, c] of list) await timePerCall(c[op], Math.ceil(calls / 5), cpu); // warm-up (JIT, sockets)
    const samples = new Map(list.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < list.length; k++) {
        const [name, c] = list[(round + k) % list.length];
        samples.get(name).push(await timePerCall(c[op], calls, cpu));
      }
    }
    for (const [name] of list) results.push({ op, name, us: Math.min(...samples.get(name)) });
  }
  return results;
}

const rows = [];
const toRows = (mode, results) => {
  for (const { op, name, us } of results) {
    rows.push({
      name: `${mode}: ${op}, ${name}`,
      value: us,
      unit: "µs/call",
      better: "lower",
      ...(name === "raw fetch" ? {} : { baseline: `${mode}: ${op}, raw fetch` }),
    });
  }
};

toRows("in-memory", await measure(contenders("http://127.0.0.1:9", memoryFetch), QUICK ? 500 : 1000, true));
toRows(
  "in-memory, ActiveGate tokens",
  await measure(activeGateContenders("http://127.0.0.1:9", memoryFetch), QUICK ? 500 : 1000, true),
);

const server = spawn(process.execPath, [new URL("./loopback-server.mjs", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "inherit"],
});
const [port] = await once(server.stdout, "data");
try {
  toRows(
    "loopback",
    await measure(contenders(`http://127.0.0.1:${String(port).trim()}`, fetch), QUICK ? 100 : 400, false),
  );
  toRows(
    "loopback, ActiveGate tokens",
    await measure(
      activeGateContenders(`http://127.0.0.1:${String(port).trim()}`, fetch),
      QUICK ? 100 : 400,
      false,
    ),
  );
} finally {
  server.kill("SIGTERM");
}

writeSection({
  id: "client-overhead",
  order: 1,
  title: "Per-call overhead: @dt-tokens/client vs raw fetch vs openapi-fetch vs Dynatrace's SDK",
  method:
    "µs per call, the fastest of 11 rounds in which the contenders take turns (rotating order; the fastest round is the least disturbed by other processes; garbage collection runs as it comes, its cost included). " +
    "In-memory rounds: 1,000 calls each, timed in CPU time of the process (user + system: the client's cost, not the time other processes hold the CPU); loopback: 400, wall time. In-memory: a fetch that answers canned responses without I/O (pure client cost). " +
    "Loopback: the same canned answers from a minimal node:http server in a second process on 127.0.0.1 (keep-alive; not the sandbox, " +
    "whose SQLite time would hide the client's). get = one token with every field, list = a 10-token page, create = 201. " +
    "The ActiveGate-token rows do the same with ActiveGate tokens (@dt-tokens/client/activegate against the SDK's AccessTokensActiveGateTokensClient). " +
    "Baseline: raw fetch + JSON parse. @dt-tokens/client runs with its defaults (retries armed, 30 s timeout per attempt), " +
    "and once more with timeoutMs: Infinity to show what the per-attempt timeout timer costs.",
  rows,
});
