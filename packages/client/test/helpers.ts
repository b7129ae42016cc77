// Test helpers: a real HTTP server on 127.0.0.1 (port 0) whose handler each test scripts, and
// token secrets generated at run time (never committed).
import { randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const chars = (n: number) => Array.from({ length: n }, () => B32[randomInt(32)]).join("");

/** A fresh `dt0c01.<24>.<64>` secret and its id. */
export function makeSecret(): { secret: string; id: string; privatePart: string } {
  const id = `dt0c01.${chars(24)}`;
  const privatePart = chars(64);
  return { secret: `${id}.${privatePart}`, id, privatePart };
}

export interface SeenRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  /** ms since the server started (for delay lower bounds only, never upper bounds). */
  at: number;
}

export type Handler = (req: SeenRequest, res: ServerResponse, n: number) => unknown;

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
  /** Resolves when the server has seen `count` requests. */
  waitFor(count: number): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const started = Date.now();
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const u = new URL(req.url ?? "/", "http://x");
    const seen: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body,
      at: Date.now() - started,
    };
    requests.push(seen);
    for (const w of waiters) if (requests.length >= w.count) w.resolve();
    try {
      await handler(seen, res, requests.length);
    } catch (e) {
      res.statusCode = 599;
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor: (count) =>
      new Promise((resolve) => {
        if (requests.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

export function dtError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: object = {},
  headers = {},
) {
  json(res, status, { error: { code: status, message, ...extra } }, headers);
}

/** A port with nothing listening (connection refused). */
export async function deadPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}
