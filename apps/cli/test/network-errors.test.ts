/**
 * What `list` and `doctor` say when the environment cannot be reached, read from the client's
 * ConnectionError fields (`reason`, `request.url`) rather than from its message: a closed port, a
 * server that resets the connection, a port fetch refuses (9) and a host name that does not resolve
 * (test/fixtures/no-dns.cjs, so no test depends on this machine's DNS). Real sockets on 127.0.0.1.
 */
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { ConnectionError } from "@dt-tokens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError } from "../src/describe-error.js";
import { describeNetworkProblem } from "../src/doctor/network.js";
import { EXIT } from "../src/errors.js";
import { run } from "./helpers.js";

const NO_DNS = fileURLToPath(new URL("./fixtures/no-dns.cjs", import.meta.url));
// Never sent anywhere: every case fails before an answer.
const TOKEN = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;

let resetting: Server;
let resetUrl: string;
let closedUrl: string;

beforeAll(async () => {
  resetting = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => resetting.listen(0, "127.0.0.1", resolve));
  resetUrl = `http://127.0.0.1:${(resetting.address() as { port: number }).port}`;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => new Promise((resolve) => resetting.close(resolve)));

const env = (url: string) => ({ DT_ENV_URL: url, DT_API_TOKEN: TOKEN, NODE_OPTIONS: `--require ${NO_DNS}` });

const cases = () => [
  {
    what: "a closed port",
    url: closedUrl,
    reason: "ECONNREFUSED",
    detail: `nothing accepts connections at ${new URL(closedUrl).host} (connection refused)`,
  },
  {
    what: "a server that resets the connection",
    url: resetUrl,
    reason: "ECONNRESET",
    detail: `the environment (${new URL(resetUrl).host}) closed the connection (ECONNRESET)`,
  },
  {
    what: "a port fetch refuses (9)",
    url: "http://127.0.0.1:9",
    reason: "bad port",
    detail: "127.0.0.1:9: Node.js refuses to connect to this port (it is on fetch's list of blocked ports)",
  },
  {
    what: "a host that does not resolve",
    url: "https://abc12345.live.dynatrace.com",
    reason: "ENOTFOUND",
    detail: "the name abc12345.live.dynatrace.com does not resolve (DNS)",
  },
];

describe("an unreachable environment", () => {
  it("list: exit 1, the client's reason after the URL, nothing was changed", async () => {
    for (const c of cases()) {
      const r = await run(undefined, ["list"], { env: env(c.url) });
      expect([c.what, r.code]).toEqual([c.what, EXIT.api]);
      expect([c.what, r.stderr.split("\n")[0]]).toEqual([
        c.what,
        `error: could not connect to ${c.url}: ${c.reason}`,
      ]);
      expect(r.stderr).toContain("nothing was changed");
      expect(r.stdout).toBe("");
    }
  });

  it("doctor: exit 8, the reachable check says which failure in plain words", async () => {
    for (const c of cases()) {
      const r = await run(undefined, ["doctor", "-o", "json"], { env: env(c.url) });
      expect([c.what, r.code]).toEqual([c.what, EXIT.unreachable]);
      const reachable = JSON.parse(r.stdout).checks.find((x: { check: string }) => x.check === "reachable");
      expect([c.what, reachable?.status, reachable?.detail]).toEqual([c.what, "fail", c.detail]);
    }
  });
});

describe("the client's fields, not its words", () => {
  it("a reworded ConnectionError message changes nothing the CLI says", () => {
    for (const c of cases()) {
      const error = new ConnectionError("a sentence the client may word differently one day", {
        reason: c.reason,
        request: { method: "GET", url: `${c.url}/api/v2/apiTokens` },
      });
      expect(describeError(error, c.url).message).toBe(`could not connect to ${c.url}: ${c.reason}`);
      expect(describeNetworkProblem(error, "the environment").detail).toBe(c.detail);
    }
  });

  it("without a reason (the OAuth code did not load), the client's message", () => {
    const error = new ConnectionError("loading the OAuth code of @dt-tokens/client failed: chunk missing");
    expect(describeError(error, "https://abc12345.live.dynatrace.com").message).toBe(
      "could not connect to https://abc12345.live.dynatrace.com: loading the OAuth code of @dt-tokens/client failed: chunk missing",
    );
    expect(describeNetworkProblem(error, "the environment").detail).toBe(
      "could not connect to the environment (the environment): loading the OAuth code of @dt-tokens/client failed: chunk missing",
    );
  });
});
