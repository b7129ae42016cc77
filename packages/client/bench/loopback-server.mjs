// A minimal node:http server with canned answers (see fixtures.mjs), run in its own process by
// overhead.mjs so that every client talks to the same cheap, constant server over real loopback
// HTTP/1.1 with keep-alive. Prints its port, stops on SIGTERM.
import { createServer } from "node:http";
import { answer } from "./fixtures.mjs";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const [status, body] = answer(req.method ?? "GET", new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
