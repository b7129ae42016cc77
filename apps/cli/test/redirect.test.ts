/**
 * The client's secret-origin policy, inherited by the CLI: a server that answers with a redirect to
 * another host gets no secret followed there. A second node:http server on another port records
 * what reaches it and must receive no request at all.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { knowSecrets, run } from "./helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server on 127.0.0.1 that records each request (method, path, body) and answers with `answer`. */
async function recording(answer: (res: import("node:http").ServerResponse, path: string) => void) {
  const seen: { method: string; path: string; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? "", path: req.url ?? "", body });
    answer(res, req.url ?? "/");
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("a redirect is never followed with a secret", () => {
  it.each([307, 308])(
    "lookup (the secret in the body) answered %i to another host: exit with the redirect named, nothing sent there",
    async (status) => {
      const other = await recording((res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
      const home = await recording((res, path) => {
        res.writeHead(status, { location: `${other.url}${path}` });
        res.end();
      });
      const secret = generateTokenSecret();
      knowSecrets(secret);
      const r = await run(undefined, ["lookup"], { stdin: `${secret}\n`, env: { DT_ENV_URL: home.url } });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`answered ${status} to ${other.url}/api/v2/apiTokens/lookup, not followed`);
      expect(r.stderr).not.toContain(secret.split(".")[2]);
      expect(home.seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /api/v2/apiTokens/lookup"]);
      expect(other.seen).toEqual([]);
    },
  );
});
