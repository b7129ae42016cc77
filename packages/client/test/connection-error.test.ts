// A ConnectionError says what went wrong as a field (`reason`) and where (`request.url`), so that a
// caller switches on them instead of taking the message apart. Real sockets on 127.0.0.1 only.
import dns from "node:dns";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { ConnectionError, createApiTokensClient } from "../src/index.js";
import { makeSecret } from "./helpers.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A TCP server on 127.0.0.1 that does `onConnection` to every connection; its URL. */
async function tcpServer(onConnection: (socket: import("node:net").Socket) => void): Promise<string> {
  server = createServer(onConnection);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** A port on 127.0.0.1 where nothing listens: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function failure(environmentUrl: string): Promise<ConnectionError> {
  const dt = createApiTokensClient({ environmentUrl, token: makeSecret().secret, maxRetries: 0 });
  const error = await dt.list().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  return error as ConnectionError;
}

describe("ConnectionError.reason and request", () => {
  test("a closed port: ECONNREFUSED, and the request names the host", async () => {
    const port = await closedPort();
    const error = await failure(`http://127.0.0.1:${port}`);
    expect(error.reason).toBe("ECONNREFUSED");
    expect(new URL(error.request!.url).host).toBe(`127.0.0.1:${port}`);
    expect(error.toJSON()).toMatchObject({ reason: "ECONNREFUSED" });
  });

  test("a server that resets the connection: ECONNRESET", async () => {
    const url = await tcpServer((socket) => socket.resetAndDestroy());
    expect((await failure(url)).reason).toBe("ECONNRESET");
  });

  test("a server that closes while sending its answer: the socket's code, while reading the response", async () => {
    const url = await tcpServer((socket) =>
      socket.once("data", () =>
        socket.end("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"),
      ),
    );
    const error = await failure(url);
    expect(error.message).toContain("failed reading the response");
    expect(error.reason).toBe("UND_ERR_SOCKET");
  });

  test.each([1, 9])(
    "a port fetch refuses (%i): `bad port`, the cause's message, as it has no code",
    async (port) => {
      const error = await failure(`http://127.0.0.1:${port}`);
      expect(error.reason).toBe("bad port");
      expect(error.request?.url).toBe(`http://127.0.0.1:${port}/api/v2/apiTokens`);
    },
  );

  test("a host that does not resolve: ENOTFOUND, and the request names the host", async () => {
    const lookup = dns.lookup;
    // As on a machine without DNS (the CLI's tests preload the same, test/fixtures/no-dns.cjs).
    dns.lookup = ((hostname: string, ...rest: unknown[]) => {
      const done = rest.find((arg) => typeof arg === "function") as (error: Error) => void;
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: "ENOTFOUND",
        syscall: "getaddrinfo",
        hostname,
      });
      process.nextTick(done, error);
    }) as typeof dns.lookup;
    try {
      const error = await failure("https://abc12345.live.dynatrace.com");
      expect(error.reason).toBe("ENOTFOUND");
      expect(new URL(error.request!.url).hostname).toBe("abc12345.live.dynatrace.com");
    } finally {
      dns.lookup = lookup;
    }
  });
});

// Was a bug: fetch turns a 407 into a network error whose cause has an empty message; `reason`
// was "" and the message ended "failed: " (the CLI printed "could not connect to …: ").
describe("a network error without a code or a message", () => {
  test("a 407 answer (fetch does not pass it on): reason and message still say something", async () => {
    const url = await tcpServer((socket) => {
      socket.on("data", () =>
        socket.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
      );
      socket.on("error", () => {});
    });
    const error = await failure(url);
    expect(error.reason).toBeTruthy();
    expect(error.message).not.toMatch(/failed: $/);
  });
});
