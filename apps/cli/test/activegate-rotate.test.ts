/**
 * `dt-tokens ag-tokens rotate` against the sandbox bin as another process, its database seeded
 * beforehand with an ActiveGate token (its secret in an `authorization.properties`) and the
 * simulated ActiveGate that uses it. While rotate waits, the test makes the ActiveGate present
 * the secret the sink received (`POST /sandbox/activeGates/{id}/connect`), as an ActiveGate
 * restarted with its new file would; or never does, and the rotation rolls back. Then the crash
 * matrix: SIGKILL at each stage boundary, `dt-tokens cleanup` or `ag-tokens rotate --finish`,
 * and the invariants (no journal; the file holds the secret of a token that exists, byte for
 * byte the rest; the old token deleted only when the ActiveGate uses the new one; no token of
 * that name whose secret nobody holds). Two rotations at once: exactly one proceeds.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ActiveGate, createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { type SandboxProcess, startSandbox, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CrashPoint } from "../src/rotation/test-hooks.js";
import { runCrashable } from "./child.js";

const LONG = 240_000;
const AG_SECRET = /dt0g02\.[A-Z2-7]{8}\.[A-Z2-7]{64}/g;
const GATE = "0x1a2b3c99";
const HOST = "ag-rotate.example.com";

let sandbox: SandboxProcess;
let dir: string;
let admin: string;
let oldId: string;
let oldSecret: string;
let props: string;
/** The properties file before the rotation: the old secret among other keys, CRLF, a latin1 byte. */
let original: Buffer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-ag-rotate-"));
  const db = join(dir, "tokens.db");
  // Seeded in process, then served by the bin (another process) from the same database file.
  const seeding = await startSandbox({ database: db, port: 0 });
  [{ token: admin }] = seeding.seed([
    {
      name: "ag-admin",
      scopes: [
        "activeGateTokenManagement.read",
        "activeGateTokenManagement.write",
        "activeGates.read",
        "apiTokens.read",
        "apiTokens.write",
      ],
    },
  ]) as unknown as [{ token: string }];
  const [seeded] = seeding.activeGates.seedTokens([
    {
      name: "ag-rotate",
      expirationDate: Date.now() + 20 * 86_400_000,
      creationDate: Date.now() - 70 * 86_400_000,
    },
    { name: "unused", expirationDate: null },
  ]);
  oldId = seeded!.id!;
  oldSecret = seeded!.token;
  seeding.activeGates.add([{ id: GATE, hostname: HOST, token: oldSecret }]);
  await seeding.close();
  sandbox = await startSandboxProcess(["--db", db, "--quiet"]);
  props = join(dir, "authorization.properties");
  original = Buffer.from(
    `# written by the installer \u00e9\r\nserver = https\\://tenant.example.com\\:443/communication\r\nauthToken = ${oldSecret}\r\ntenantToken=kept\r\n`,
    "latin1",
  );
  await writeFile(props, original, { mode: 0o640 });
});
afterEach(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const ag = () => createActiveGateTokensClient({ environmentUrl: sandbox.ready.url, token: admin });

/** Runs the CLI as the ActiveGate-token admin; with `crashAt` it kills itself (SIGKILL) at that stage boundary. */
const cli = (args: string[], options: { crashAt?: CrashPoint; envUrl?: string } = {}) =>
  runCrashable(args, {
    url: options.envUrl ?? sandbox.ready.url,
    token: admin,
    state: join(dir, "state"),
    ...(options.crashAt && { crashAt: options.crashAt }),
  });

const rotateArgs = (...extra: string[]) => [
  "ag-tokens",
  "rotate",
  oldId,
  "--to",
  `properties:${props}#authToken`,
  ...extra,
];

/** The secret in the properties file now. */
const fileSecret = async () => /authToken = (\S+)\r\n/.exec(await readFile(props, "latin1"))?.[1];

/** The ActiveGate presents `secret`, as one restarted with its new file does. */
async function connect(secret: string): Promise<ActiveGate> {
  const res = await fetch(`${sandbox.ready.url}/sandbox/activeGates/${GATE}/connect`, {
    method: "POST",
    headers: { authorization: `Api-Token ${secret}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ActiveGate;
}

/** Waits until the file holds a secret other than the old one (the delivery), then connects the ActiveGate with it. */
async function restartWhenDelivered(): Promise<string> {
  for (let i = 0; i < 1200; i++) {
    const secret = await fileSecret().catch(() => undefined);
    if (secret && secret !== oldSecret) {
      await connect(secret);
      return secret;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the secret was never delivered");
}

const tokens = async () => {
  const all = [];
  for await (const t of ag().listAll()) all.push(t);
  return all;
};
const gateToken = async () => (await ag().activeGate(GATE)).activeGateTokens?.[0];
const journals = async () => readdir(join(dir, "state", "dt-tokens", "journal")).catch(() => [] as string[]);

/** No secret but in the sink: not in any output. */
function noSecrets(...texts: string[]): void {
  for (const text of texts) expect(text.match(AG_SECRET) ?? []).toEqual([]);
}

/**
 * The invariants after a rotation ended (or was recovered): no journal; the file holds the secret
 * of the token the ActiveGate uses, and every other byte as before; the old token exists unless
 * the ActiveGate uses another one; no other token of that name (whose secret nobody would hold).
 */
async function expectConsistent(): Promise<"completed" | "rolled back"> {
  expect(await journals()).toEqual([]);
  const secret = await fileSecret();
  const now = await readFile(props);
  expect(now.equals(Buffer.from(original.toString("latin1").replace(oldSecret, secret!), "latin1"))).toBe(
    true,
  );
  expect((await stat(props)).mode & 0o777).toBe(0o640);
  const gate = await gateToken();
  const named = (await tokens()).filter((t) => t.name === "ag-rotate");
  expect(named.map((t) => t.id)).toEqual([gate!.id]);
  expect(gate!.state).toBe(gate!.id === oldId ? "EXPIRING" : "VALID"); // the old one expires in 20 days
  expect(secret!.startsWith(`${gate!.id}.`)).toBe(true);
  return gate!.id === oldId ? "rolled back" : "completed";
}

describe("ag-tokens rotate", () => {
  it("--dry-run says the replacement's expiry in the one date format (formatDate), not ISO", async () => {
    const r = await cli(rotateArgs("--dry-run")).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `would rotate ${oldId.replace(".", "\\.")} "ag-rotate" \\(expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)`,
      ),
    );
    expect(r.stderr).not.toMatch(/\d\d:\d\d:\d\d/);
  });

  it(
    "delivers to authorization.properties, waits until the ActiveGate reports the new token VALID, then deletes the old one",
    async () => {
      const run = cli(rotateArgs("--verify-timeout", "3m", "-o", "json"));
      const secret = await restartWhenDelivered();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      const outcome = JSON.parse(r.stdout) as { status: string; newId: string; oldToken: string };
      expect(outcome).toMatchObject({ status: "rotated", oldToken: "deleted" });
      expect(secret.startsWith(`${outcome.newId}.`)).toBe(true);
      expect(r.stderr).toContain(`waiting up to 180 s (--verify-timeout) for ${HOST} (${GATE})`);
      expect(r.stderr).toMatch(new RegExp(`${HOST} \\(${GATE}\\) reports ${outcome.newId} VALID`));
      expect(r.stderr).toContain(`old token ${oldId} deleted`);
      expect(await expectConsistent()).toBe("completed");
      const created = (await tokens()).find((t) => t.id === outcome.newId)!;
      expect(created).toMatchObject({ name: "ag-rotate", activeGateType: "ENVIRONMENT", seedToken: false });
      // The old lifetime (90 days) again, from now.
      expect(Math.abs(Date.parse(created.expirationDate!) - Date.now() - 90 * 86_400_000)).toBeLessThan(
        3_600_000,
      );
      noSecrets(r.stdout, r.stderr);
    },
    LONG,
  );

  it(
    "rolls back when the ActiveGate never reports the new token: the file byte for byte, the new token deleted (status 13)",
    async () => {
      const r = await cli(rotateArgs("--verify-timeout", "5s")).done;
      expect(r.code, r.stderr).toBe(13);
      expect(r.stderr).toMatch(
        new RegExp(
          `failed at verify: ${HOST} \\(${GATE}\\) still reports ${oldId} EXPIRING after 5 s \\(--verify-timeout\\); rolled back`,
        ),
      );
      expect((await readFile(props)).equals(original)).toBe(true);
      expect(await expectConsistent()).toBe("rolled back");
      noSecrets(r.stdout, r.stderr);
    },
    LONG,
  );

  it(
    "rolls back when a sink fails (status 7); refuses a plan before creating anything: no ActiveGate, an unknown one, two sinks in one place",
    async () => {
      const before = (await tokens()).length;
      const failing = await cli(rotateArgs("--to", "exec:cat >/dev/null; exit 4")).done;
      expect(failing.code, failing.stderr).toBe(7);
      expect(failing.stderr).toMatch(/failed at deliver: exec:.*exited with status 4; rolled back/);
      expect((await readFile(props)).equals(original)).toBe(true);
      expect(await expectConsistent()).toBe("rolled back");
      const unused = (await tokens()).find((t) => t.name === "unused")!.id!;
      for (const [args, why] of [
        [
          ["ag-tokens", "rotate", unused, "--to", `file:${join(dir, "x")}`],
          /no ActiveGate uses .*--activegate ID\|HOST/s,
        ],
        [
          [...rotateArgs("--activegate", "nope.example.com")],
          /no ActiveGate has that id or hostname.*ag-rotate\.example\.com/s,
        ],
        [[...rotateArgs("--to", `file:${props}`)], /one sink, one token/],
        [["ag-tokens", "rotate", oldId], /say where the new secret goes with --to/],
        [[...rotateArgs("--verify-timeout", "soon")], /--verify-timeout/],
      ] as const) {
        const r = await cli([...args]).done;
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(why);
      }
      expect(await tokens()).toHaveLength(before);
      expect((await readFile(props)).equals(original)).toBe(true);
    },
    LONG,
  );

  it(
    "SIGTERM while it waits for the ActiveGate rolls back and exits 143",
    async () => {
      const run = cli(rotateArgs("--verify-timeout", "3m"));
      for (let i = 0; i < 1200 && (await fileSecret()) === oldSecret; i++)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      run.kill("SIGTERM");
      const r = await run.done;
      expect(r.code, r.stderr).toBe(143);
      expect(r.stderr).toMatch(/failed at verify: interrupted.*rolled back/);
      expect((await readFile(props)).equals(original)).toBe(true);
      expect(await expectConsistent()).toBe("rolled back");
    },
    LONG,
  );

  it(
    "two rotations of one token at once: exactly one proceeds, the other refuses and changes nothing",
    async () => {
      const first = cli(rotateArgs("--verify-timeout", "3m"));
      // The first holds the lock once it delivered (it waits for the ActiveGate then).
      for (let i = 0; i < 1200 && (await fileSecret()) === oldSecret; i++)
        await new Promise((r) => setTimeout(r, 100));
      const second = await cli(rotateArgs("--verify-timeout", "3m")).done;
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toMatch(
        /refused: another dt-tokens process on this machine is rotating it.*nothing was changed/,
      );
      await connect((await fileSecret())!);
      const r = await first.done;
      expect(r.code, r.stderr).toBe(0);
      expect(await expectConsistent()).toBe("completed");
    },
    LONG,
  );
});

/**
 * A node:http proxy in front of the sandbox. Once `refuse` is set it answers GET /activeGates with
 * 403 (the credential lost activeGates.read mid-rotation); with `otherEnvironmentToken` each
 * ActiveGate it lists reports, before its own, a token of another environment (a multi-environment
 * ActiveGate has one per environment); `onCreate` runs before a token is created (POST
 * /activeGateTokens) is passed on. Everything else passes through.
 */
async function hostileProxy(
  options: { otherEnvironmentToken?: boolean; onCreate?: () => Promise<void> } = {},
): Promise<{
  url: string;
  refuse: () => void;
  close: () => Promise<void>;
}> {
  let refusing = false;
  const target = new URL(sandbox.ready.url);
  const server = createServer(async (req, res) => {
    if (options.onCreate && req.method === "POST" && /\/activeGateTokens(\?|$)/.test(req.url ?? ""))
      await options.onCreate();
    const listsGates = req.method === "GET" && /\/activeGates(\/0x[^/?]+)?(\?|$)/.test(req.url ?? "");
    if (refusing && listsGates) {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: 403, message: "Token is missing required scope: activeGates.read" },
        }),
      );
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (!(listsGates && options.otherEnvironmentToken && answer.statusCode === 200)) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          type Gate = { activeGateTokens?: unknown[] };
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { activeGates?: Gate[] } & Gate;
          for (const gate of body.activeGates ?? [body])
            gate.activeGateTokens = [
              { id: "dt0g02.OTHERENV", state: "VALID", environmentId: "other-env" },
              ...(gate.activeGateTokens ?? []),
            ];
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refuse: () => {
      refusing = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("ag-tokens rotate: a sink that cannot be snapshotted at deliver", () => {
  it(
    "rolls back at once (status 7): the replacement, whose secret went nowhere, is deleted and no journal is left",
    async () => {
      // Between the check and the delivery, authorization.properties becomes a directory.
      const proxy = await hostileProxy({
        onCreate: async () => {
          await rm(props);
          await mkdir(props);
        },
      });
      try {
        const r = await cli(rotateArgs("--verify-timeout", "3m", "-o", "json"), { envUrl: proxy.url }).done;
        expect(r.code, r.stderr).toBe(7);
        expect(r.stderr).toMatch(
          new RegExp(
            `failed at deliver: ${props} is not a regular file; rolled back: every sink got its previous content back, dt0g02\\.[A-Z2-7]{8} is deleted and ${oldId.replace(".", "\\.")} is unchanged`,
          ),
        );
        expect(JSON.parse(r.stdout)).toMatchObject({
          status: "failed",
          stage: "deliver",
          rolledBack: true,
          sinks: [],
        });
        expect(await journals()).toEqual([]);
        expect((await tokens()).filter((t) => t.name === "ag-rotate").map((t) => t.id)).toEqual([oldId]);
        expect(await gateToken()).toMatchObject({ id: oldId });
        noSecrets(r.stdout, r.stderr);
      } finally {
        await proxy.close();
      }
    },
    LONG,
  );
});

describe("ag-tokens rotate: an ActiveGate that reports a token per environment", () => {
  it(
    "verifies by the entry of the rotated token, not the first one, and deletes the old token",
    async () => {
      const proxy = await hostileProxy({ otherEnvironmentToken: true });
      try {
        const run = cli(rotateArgs("--verify-timeout", "3m", "-o", "json"), { envUrl: proxy.url });
        const secret = await restartWhenDelivered();
        const r = await run.done;
        expect(r.code, r.stderr).toBe(0);
        const newId = secret.split(".").slice(0, 2).join(".");
        expect(r.stderr).toMatch(new RegExp(`${HOST} \\(${GATE}\\) reports ${newId} VALID`));
        expect(r.stderr).not.toContain("OTHERENV");
        expect(await expectConsistent()).toBe("completed");
        noSecrets(r.stdout, r.stderr);
      } finally {
        await proxy.close();
      }
    },
    LONG,
  );
});

describe("ag-tokens rotate: the ActiveGates cannot be read when it rolls back", () => {
  it(
    "keeps the replacement an ActiveGate may use (never deletes it blind), keeps the old one, exits 4 and says why",
    async () => {
      const proxy = await hostileProxy();
      try {
        const run = cli(rotateArgs("--verify-timeout", "3m"), { envUrl: proxy.url });
        // The ActiveGate restarts with the new file; then GET /activeGates is refused.
        const secret = await restartWhenDelivered();
        proxy.refuse();
        const r = await run.done;
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toMatch(/failed at verify: .*activeGates\.read/s);
        expect(r.stderr).toMatch(/could not be read.*is kept/s);
        const newId = secret.split(".").slice(0, 2).join(".");
        const ids = (await tokens()).map((t) => t.id);
        // The host stays connected: the token it uses exists, and so does the old one.
        expect(ids).toContain(newId);
        expect(ids).toContain(oldId);
        expect(await gateToken()).toMatchObject({ id: newId, state: "VALID" });
        noSecrets(r.stdout, r.stderr);
      } finally {
        await proxy.close();
      }
    },
    LONG,
  );
});

describe("ag-tokens rotate: SIGKILL at each stage boundary, then recovery", () => {
  for (const [crashAt, restart, recovery, expected] of [
    ["created", false, "cleanup", "rolled back"],
    ["before-rename", false, "finish", "rolled back"],
    ["delivered-one", false, "cleanup", "rolled back"],
    ["delivered", false, "finish", "rolled back"],
    ["delivered", true, "cleanup", "completed"],
    ["verified", true, "finish", "completed"],
    ["retired", true, "cleanup", "completed"],
  ] as const)
    it(
      `killed at ${crashAt}${restart ? ", the ActiveGate restarted with the new file" : ""}: ${recovery === "cleanup" ? "dt-tokens cleanup" : "ag-tokens rotate --finish"} ends it ${expected}`,
      async () => {
        const run = cli(rotateArgs("--verify-timeout", "3m"), { crashAt });
        const restarted = restart && crashAt !== "delivered" ? restartWhenDelivered() : undefined;
        const r = await run.done;
        expect(r.signal, r.stderr).toBe("SIGKILL");
        expect(await journals()).toHaveLength(1);
        // The journal (0600) holds the secret; nothing else but the sink does.
        const [name] = await journals();
        expect((await stat(join(dir, "state", "dt-tokens", "journal", name!))).mode & 0o777).toBe(0o600);
        if (restarted) await restarted;
        if (restart && crashAt === "delivered") await connect((await fileSecret())!);
        const recovered = await cli(
          recovery === "cleanup" ? ["cleanup", "--older-than", "0s"] : ["ag-tokens", "rotate", "--finish"],
        ).done;
        expect(recovered.code, recovered.stderr).toBe(0);
        expect(recovered.stderr).toContain(`${expected} the interrupted rotation of ${oldId} "ag-rotate"`);
        expect(await expectConsistent()).toBe(expected);
        if (expected === "rolled back") expect((await readFile(props)).equals(original)).toBe(true);
        noSecrets(r.stdout, r.stderr, recovered.stdout, recovered.stderr);
        const again = await cli(["ag-tokens", "rotate", "--finish"]).done;
        expect(again.stderr).toContain("No interrupted ActiveGate-token rotation found.");
      },
      LONG,
    );
});
