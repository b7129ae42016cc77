import { createHash } from "node:crypto";
/**
 * Issue #16: never a 500 after a write, auth before anything costly, no races, bounded answers.
 * Most cases run against the built bin; the ones that need a pinned clock or small timeouts use the
 * library on port 0.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateTokenSecret, type SandboxProcess } from "../src/index.js";
import { MIGRATIONS } from "../src/migrations.js";
import { api, start } from "./helpers.js";
import { startBin } from "./process.js";

const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-sturdy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let bin: SandboxProcess;
const admin = generateTokenSecret();
beforeAll(async () => {
  bin = await startBin(["--db", ":memory:", "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
});
afterAll(() => bin.close());

/** A raw HTTP request from a chosen local address (127.0.0.x), so that tests can be several clients. */
function fromAddress(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, localAddress },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, text, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("dates the API can represent", () => {
  it.each([
    "now+999999999d",
    "now+8000y",
    "now+100000M",
    "253402300800000",
    "999999999999999",
    "9999-12-31T23:30:00-01:00",
  ])("refuses expirationDate %s with a 400 naming it, and writes nothing", async (expirationDate) => {
    const before = await api(bin.ready, "GET", "/apiTokens", { token: admin });
    const r = await api(bin.ready, "POST", "/apiTokens", {
      token: admin,
      body: { name: "far", scopes: ["metrics.read"], expirationDate },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.constraintViolations[0].path).toBe("expirationDate");
    expect(r.body.error.constraintViolations[0].message).toContain("9999-12-31T23:59:59.999Z");
    const after = await api(bin.ready, "GET", "/apiTokens?sort=%2BexpirationDate", { token: admin });
    expect(after.status).toBe(200);
    expect(after.body.totalCount).toBe(before.body.totalCount);
  });

  it("accepts the last representable instant and answers it everywhere", async () => {
    const r = await api(bin.ready, "POST", "/apiTokens", {
      token: admin,
      body: { name: "last", scopes: ["metrics.read"], expirationDate: "9999-12-31T23:59:59.999Z" },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.expirationDate).toBe("9999-12-31T23:59:59.999Z");
    const got = await api(bin.ready, "GET", `/apiTokens/${r.body.id}`, { token: admin });
    expect(got.body.expirationDate).toBe("9999-12-31T23:59:59.999Z");
    const list = await api(bin.ready, "GET", "/apiTokens?sort=-expirationDate&fields=%2BexpirationDate", {
      token: admin,
    });
    expect(list.status).toBe(200);
    const lookup = await api(bin.ready, "POST", "/apiTokens/lookup", {
      token: admin,
      body: { token: r.body.token },
    });
    expect(lookup.status).toBe(200);
  });

  it.each(["from", "to"])("refuses %s past year 9999 with a 400 naming it", async (name) => {
    // both bounds far out, so that only the range can be what is wrong
    const r = await api(bin.ready, "GET", `/apiTokens?from=999999999999998&to=999999999999999`, {
      token: admin,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations.map((v: { path: string }) => v.path)).toContain(name);
  });
});

describe("a database an older sandbox wrote past year 9999", () => {
  it("is healed by the migration: the token answers everywhere with the last representable date", async () => {
    const db = join(dir, "v1.db");
    const raw = new Database(db);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma("user_version = 1");
    const secret = generateTokenSecret();
    raw
      .prepare(
        `INSERT INTO tokens (id, secret_hash, name, owner, personal, enabled, scopes, creation_ms, expiration_ms)
         VALUES (?, ?, 'far', 'admin', 0, 1, '["apiTokens.read"]', 0, 999999999999999)`,
      )
      .run(secret.slice(0, 31), createHash("sha256").update(secret).digest());
    raw.close();
    const sandbox = await startBin(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
    try {
      const list = await api(
        sandbox.ready,
        "GET",
        "/apiTokens?sort=%2BexpirationDate&fields=%2BexpirationDate",
        {
          token: admin,
        },
      );
      expect(list.status).toBe(200);
      const far = list.body.apiTokens.find((t: { name: string }) => t.name === "far");
      expect(far.expirationDate).toBe("9999-12-31T23:59:59.999Z");
      const self = await api(sandbox.ready, "GET", `/apiTokens/${secret.slice(0, 31)}`, { token: secret });
      expect(self.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

describe("month and year steps clamp to the month's last day", () => {
  it("now+1M on January 31st is February 28th; /M aligns to February 1st; years clamp Feb 29th", async () => {
    let now = Date.parse("2027-01-31T10:00:00.000Z");
    const sandbox = await start({ now: () => now });
    try {
      const create = (expirationDate: string) =>
        api(sandbox, "POST", "/apiTokens", {
          token: sandbox.token,
          body: { name: "clamp", scopes: ["metrics.read"], expirationDate },
        });
      expect((await create("now+1M")).body.expirationDate).toBe("2027-02-28T10:00:00.000Z");
      expect((await create("now+1M/M")).body.expirationDate).toBe("2027-02-01T00:00:00.000Z");
      expect((await create("now+13M")).body.expirationDate).toBe("2028-02-29T10:00:00.000Z");
      now = Date.parse("2028-02-29T10:00:00.000Z");
      expect((await create("now+1y")).body.expirationDate).toBe("2029-02-28T10:00:00.000Z");

      // from/to: on March 31st, now-1M is February 28th (not March 3rd)
      now = Date.parse("2027-03-31T10:00:00.000Z");
      sandbox.seed([{ name: "used-feb-28", owner: "clamp", lastUsedDate: "2027-02-28T12:00:00.000Z" }]);
      const selector = encodeURIComponent('owner("clamp")');
      const list = await api(sandbox, "GET", `/apiTokens?from=now-1M&apiTokenSelector=${selector}`, {
        token: sandbox.token,
      });
      expect(list.status).toBe(200);
      expect(list.body.apiTokens.map((t: { name: string }) => t.name)).toEqual(["used-feb-28"]);
    } finally {
      await sandbox.close();
    }
  });
});

describe("selectors, routes and page keys", () => {
  it("refuses an unknown escape in a selector value with a 400 naming apiTokenSelector", async () => {
    for (const selector of ['owner("adm\\in")', 'owner("a\\n")', 'scope("metrics\\.read")']) {
      const r = await api(bin.ready, "GET", `/apiTokens?apiTokenSelector=${encodeURIComponent(selector)}`, {
        token: admin,
      });
      expect(r.status, selector).toBe(400);
      expect(r.body.error.constraintViolations[0].path).toBe("apiTokenSelector");
    }
    const ok = await api(
      bin.ready,
      "GET",
      `/apiTokens?apiTokenSelector=${encodeURIComponent('owner("a\\"b\\\\c")')}`,
      {
        token: admin,
      },
    );
    expect(ok.status).toBe(200);
  });

  it("answers 405 with Allow: POST for GET, PUT and DELETE on /apiTokens/lookup", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const r = await api(bin.ready, method, "/apiTokens/lookup", { token: admin });
      expect(r.status, method).toBe(405);
      expect(r.headers.get("allow")).toBe("POST");
    }
  });

  it("keeps nextPageKey small whatever the query, and page two works", async () => {
    const sandbox = await start();
    try {
      sandbox.seed(Array.from({ length: 150 }, (_, i) => ({ name: `t${i}`, scopes: ["metrics.read"] })));
      const selector = `scope(${Array.from({ length: 600 }, () => '"metrics.read"').join(",")})`;
      const first = await api(
        sandbox,
        "GET",
        `/apiTokens?pageSize=100&apiTokenSelector=${encodeURIComponent(selector)}&owner=`.replace(
          "&owner=",
          "",
        ),
        { token: sandbox.token },
      );
      expect(first.status, first.text.slice(0, 200)).toBe(200);
      expect(first.body.nextPageKey.length).toBeLessThan(300);
      const second = await api(sandbox, "GET", `/apiTokens?nextPageKey=${first.body.nextPageKey}`, {
        token: sandbox.token,
      });
      expect(second.status).toBe(200);
      expect(second.body.apiTokens).toHaveLength(50);
      const tampered = `${first.body.nextPageKey.slice(0, 5)}A${first.body.nextPageKey.slice(6)}`;
      const bad = await api(sandbox, "GET", `/apiTokens?nextPageKey=${tampered}`, { token: sandbox.token });
      expect(bad.status).toBe(400);
    } finally {
      await sandbox.close();
    }
  });
});

describe("bounded answers", () => {
  it("answers a 1 MiB array of bad scopes with a short 400", async () => {
    const body = `{"name":"x","scopes":[${Array.from({ length: 500_000 }, () => "0").join(",")}]}`;
    const r = await api(bin.ready, "POST", "/apiTokens", {
      token: admin,
      rawBody: body,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(400);
    expect(r.text.length).toBeLessThan(4096);
    expect(r.body.error.constraintViolations[0].path).toBe("scopes");
  });

  it("reports at most 20 violations and counts the rest", async () => {
    const scopes = Array.from({ length: 60 }, (_, i) => `nope${i}`);
    const r = await api(bin.ready, "POST", "/apiTokens", { token: admin, body: { name: "x", scopes } });
    expect(r.status).toBe(400);
    const violations = r.body.error.constraintViolations as { path: string; message: string }[];
    expect(violations).toHaveLength(21);
    expect(violations[20]!.message).toContain("40 more");
  });
});

describe("unexpected errors", () => {
  it("answer 500 and are logged on stderr with secrets masked", async () => {
    const db = join(dir, "corrupt.db");
    const sandbox = await startBin(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
    try {
      const victim = await api(sandbox.ready, "POST", "/apiTokens", {
        token: admin,
        body: { name: "victim", scopes: ["metrics.read"] },
      });
      // a row no sandbox writes: its scopes are not JSON, and quote a secret
      const other = generateTokenSecret();
      const raw = new Database(db);
      raw.prepare("UPDATE tokens SET scopes = ? WHERE id = ?").run(`${other} not json`, victim.body.id);
      raw.close();
      const r = await fetch(`${sandbox.ready.apiBase}/apiTokens/${victim.body.id}`, {
        headers: { authorization: `Api-Token ${admin}` },
      });
      expect(r.status).toBe(500);
      await r.text();
      // stderr is a pipe: it may arrive after the response
      await vi.waitFor(() => expect(sandbox.stderr()).toContain("SyntaxError"));
      const stderr = sandbox.stderr();
      expect(stderr).toContain(`unexpected error on GET /api/v2/apiTokens/${victim.body.id}`);
      expect(stderr).toContain("SyntaxError");
      expect(stderr).not.toContain(other.slice(32));
      expect(stderr).not.toContain(admin.slice(32));
    } finally {
      await sandbox.close();
    }
  });
});

describe("authentication before anything costly", () => {
  it("a wrong secret for a token's id never throttles its owner; failures are counted per address", async () => {
    const sandbox = await startBin(
      ["--db", ":memory:", "--quiet", "--throttle-rps", "0.01", "--throttle-burst", "3"],
      {
        DT_SANDBOX_BOOTSTRAP_TOKEN: admin,
      },
    );
    try {
      const url = `${sandbox.ready.apiBase}/apiTokens`;
      const forged = `${admin.slice(0, 32)}${"A".repeat(64)}`;
      const attacker = [];
      for (let i = 0; i < 5; i++) {
        attacker.push(
          (await fromAddress("127.0.0.2", url, { headers: { authorization: `Api-Token ${forged}` } })).status,
        );
      }
      expect(attacker).toEqual([401, 401, 401, 429, 429]);
      // the owner, from another address, still has its whole budget
      const owner = [];
      for (let i = 0; i < 4; i++) {
        owner.push(
          (await fromAddress("127.0.0.1", url, { headers: { authorization: `Api-Token ${admin}` } })).status,
        );
      }
      expect(owner).toEqual([200, 200, 200, 429]);
      // thousands of junk credentials from other addresses do not refill the owner's bucket
      for (let i = 0; i < 200; i++) {
        const junk = generateTokenSecret();
        await fromAddress(`127.0.1.${(i % 250) + 1}`, url, {
          headers: { authorization: `Api-Token ${junk}` },
        });
      }
      const after = await fromAddress("127.0.0.1", url, { headers: { authorization: `Api-Token ${admin}` } });
      expect(after.status).toBe(429);
    } finally {
      await sandbox.close();
    }
  }, 120_000);

  it("answers an unauthenticated 2 MiB POST with 401, not 413", async () => {
    const body = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), scopes: ["metrics.read"] });
    const r = await fromAddress("127.0.0.1", `${bin.ready.apiBase}/apiTokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(r.status).toBe(401);
    const wrong = await fromAddress("127.0.0.1", `${bin.ready.apiBase}/apiTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Api-Token ${generateTokenSecret()}` },
      body,
    });
    expect(wrong.status).toBe(401);
  });
});

describe("slow clients", () => {
  /** Opens a connection, sends `head` and then one byte every 50 ms; resolves with what the server answered once it closes. */
  function trickle(port: number, head: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let answer = "";
      let timer: NodeJS.Timeout | undefined;
      socket.on("connect", () => {
        socket.write(head);
        timer = setInterval(() => socket.write("x"), 50);
      });
      socket.on("data", (d) => {
        answer += d;
      });
      socket.on("error", () => {});
      socket.on("close", () => {
        clearInterval(timer);
        resolve(answer);
      });
    });
  }

  it("cuts off a client trickling its headers or its body", async () => {
    const sandbox = await start({ timeouts: { headersMs: 300, requestMs: 600 } });
    try {
      const headers = await trickle(sandbox.port, "GET /api/v2/apiTokens HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      expect(headers).toMatch(/^HTTP\/1\.1 408/);
      const body = await trickle(
        sandbox.port,
        `POST /api/v2/apiTokens HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Token ${sandbox.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
      );
      expect(body === "" || /^HTTP\/1\.1 408/.test(body), body).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});

describe("last use without a write per request", () => {
  it("does not grow the WAL per request, and shows lastUsedDate at once", async () => {
    const db = join(dir, "wal.db");
    const sandbox = await startBin(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
    try {
      await api(sandbox.ready, "GET", "/apiTokens", { token: admin }); // settle the start-up writes
      const before = statSync(`${db}-wal`).size;
      for (let i = 0; i < 50; i++) {
        const r = await api(sandbox.ready, "GET", "/apiTokens", { token: admin });
        expect(r.status).toBe(200);
      }
      const grown = statSync(`${db}-wal`).size - before;
      expect(grown).toBeLessThan(10 * 4120); // fewer than ten page writes for fifty requests
      const self = await api(sandbox.ready, "POST", "/apiTokens/lookup", {
        token: admin,
        body: { token: admin },
      });
      const lastUsed = Date.parse(self.body.lastUsedDate);
      expect(Date.now() - lastUsed).toBeLessThan(60_000);
      expect(self.body.lastUsedIpAddress).toBe("127.0.0.1");
    } finally {
      await sandbox.close();
    }
    // written by the shutdown at the latest
    const raw = new Database(db, { readonly: true });
    const row = raw.prepare("SELECT last_used_ms FROM tokens WHERE name = 'sandbox-bootstrap'").get() as {
      last_used_ms: number | null;
    };
    raw.close();
    expect(row.last_used_ms).not.toBeNull();
  });

  it("keeps answering reads while another process holds the write lock; writes get 503 to retry", async () => {
    const db = join(dir, "locked.db");
    const sandbox = await startBin(["--db", db, "--quiet", "--seed-demo", "150"], {
      DT_SANDBOX_BOOTSTRAP_TOKEN: admin,
    });
    const other = new Database(db);
    try {
      other.exec("BEGIN IMMEDIATE");
      const read = await api(sandbox.ready, "GET", "/apiTokens", { token: admin });
      expect(read.status).toBe(200);
      // a first page whose key must keep its query, and the page after it
      const first = await api(sandbox.ready, "GET", "/apiTokens?pageSize=100", { token: admin });
      expect(first.status).toBe(200);
      const second = await api(sandbox.ready, "GET", `/apiTokens?nextPageKey=${first.body.nextPageKey}`, {
        token: admin,
      });
      expect(second.status).toBe(200);
      expect(second.body.apiTokens).toHaveLength(51);
      const self = await api(sandbox.ready, "POST", "/apiTokens/lookup", {
        token: admin,
        body: { token: admin },
      });
      expect(self.status).toBe(200);
      expect(self.body.lastUsedDate).toBeDefined();
      const write = await fetch(`${sandbox.ready.apiBase}/apiTokens`, {
        method: "POST",
        headers: { authorization: `Api-Token ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "while-locked", scopes: ["metrics.read"] }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get("retry-after")).toBe("1");
      await write.text();
      other.exec("COMMIT");
      const retry = await api(sandbox.ready, "POST", "/apiTokens", {
        token: admin,
        body: { name: "after-unlock", scopes: ["metrics.read"] },
      });
      expect(retry.status).toBe(201);
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      await sandbox.close();
    }
  });
});

describe("files and processes", () => {
  // every bin these tests start is stopped at the end, also when a slow machine times a test out
  const started: Promise<SandboxProcess>[] = [];
  const startTracked = (...args: Parameters<typeof startBin>) => {
    const bin = startBin(...args);
    started.push(bin);
    return bin;
  };
  afterAll(async () => {
    for (const bin of await Promise.allSettled(started))
      if (bin.status === "fulfilled") await bin.value.close();
  });

  it("two processes starting at once on a fresh database both start (repeated)", async () => {
    for (let round = 0; round < 6; round++) {
      const db = join(dir, `race-${round}.db`);
      const results = await Promise.allSettled([
        startTracked(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin }),
        startTracked(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin }),
      ]);
      for (const r of results) if (r.status === "fulfilled") await r.value.close();
      const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
      expect(failures, `round ${round}`).toEqual([]);
      const raw = new Database(db, { readonly: true });
      expect((raw.prepare("SELECT count(*) AS n FROM tokens").get() as { n: number }).n).toBe(1);
      raw.close();
    }
  }, 180_000);

  it("two processes generating a bootstrap token on one fresh database end with one", async () => {
    const db = join(dir, "race-generated.db");
    const results = await Promise.allSettled([
      startTracked(["--db", db, "--quiet"]),
      startTracked(["--db", db, "--quiet"]),
    ]);
    for (const r of results) if (r.status === "fulfilled") await r.value.close();
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    const printed = results.flatMap((r) =>
      r.status === "fulfilled" && r.value.ready.bootstrapToken ? [1] : [],
    );
    expect(printed).toHaveLength(1);
  }, 60_000);

  it("creates the database, its WAL and shared-memory files readable by their owner only", async () => {
    const db = join(dir, "private", "tokens.db");
    const sandbox = await startBin(["--db", db, "--quiet"], { DT_SANDBOX_BOOTSTRAP_TOKEN: admin });
    try {
      await api(sandbox.ready, "POST", "/apiTokens", {
        token: admin,
        body: { name: "p", scopes: ["metrics.read"] },
      });
      for (const file of [db, `${db}-wal`, `${db}-shm`]) {
        expect(existsSync(file), file).toBe(true);
        expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
      }
      expect((statSync(join(dir, "private")).mode & 0o777).toString(8)).toBe("700");
    } finally {
      await sandbox.close();
    }
  });
});
