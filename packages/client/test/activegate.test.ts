// The ActiveGate-tokens client (@dt-tokens/client/activegate) against the real sandbox, over both
// prefixes and both credential kinds, and against scripted servers for what the sandbox never does.
import { type Sandbox, type SeededActiveGateToken, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACTIVEGATE_TOKENS_PAGE_SIZE,
  type ActiveGate,
  createActiveGateTokensClient,
  PLATFORM_ACTIVEGATE_TOKENS_SCOPES,
} from "../src/activegate.js";
import {
  BadRequestError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  UnexpectedResponseError,
} from "../src/index.js";
import { json, startServer } from "./helpers.js";

const DAY = 86_400_000;
const CLASSIC_SCOPES = [
  "activeGateTokenManagement.read",
  "activeGateTokenManagement.create",
  "activeGateTokenManagement.write",
  "activeGates.read",
] as const;

let sandbox: Sandbox;
let classicToken: string;
let platformToken: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  classicToken = sandbox.seed([{ name: "ag-admin", scopes: [...CLASSIC_SCOPES] }])[0]!.token;
  platformToken = sandbox.createPlatformToken({
    owner: "ops@example.com",
    scopes: [...PLATFORM_ACTIVEGATE_TOKENS_SCOPES],
  }).token;
});
afterAll(() => sandbox.close());

const clients = () => [
  {
    kind: "classic token on /api/v2",
    dt: createActiveGateTokensClient({ environmentUrl: sandbox.url, token: classicToken }),
  },
  {
    kind: "platform token on the platform prefix",
    dt: createActiveGateTokensClient({ environmentUrl: sandbox.platformBase, token: platformToken }),
  },
];

describe("every operation, both prefixes and credential kinds", () => {
  test.each([0, 1])("create, get, list, listAll, delete (%i)", async (i) => {
    const { kind, dt } = clients()[i]!;
    const created = await dt.create({
      name: `gate-${i}`,
      activeGateType: "ENVIRONMENT",
      expirationDate: "now+60d",
    });
    expect(created.id, kind).toMatch(/^dt0g02\.[A-Z2-7]{8}$/);
    expect(created.token.startsWith(`${created.id}.`)).toBe(true);
    expect(Date.parse(created.expirationDate!) - Date.now()).toBeGreaterThan(59 * DAY);
    const got = await dt.get(created.id);
    expect(got).toMatchObject({
      id: created.id,
      name: `gate-${i}`,
      activeGateType: "ENVIRONMENT",
      seedToken: false,
    });
    expect(got.owner).toBe(i === 0 ? "admin" : "ops@example.com");
    // a whole secret is reduced to its id: the secret never goes into a URL
    expect((await dt.get(created.token)).id).toBe(created.id);
    const page = await dt.list();
    expect(page.pageSize).toBe(ACTIVEGATE_TOKENS_PAGE_SIZE.default);
    expect(page.activeGateTokens.map((t) => t.id)).toContain(created.id);
    const all = [];
    for await (const token of dt.listAll()) all.push(token.id);
    expect(all).toContain(created.id);
    await dt.delete(created.token);
    await expect(dt.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(dt.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("an OAuth client asks for the ActiveGate scopes by default and works", async () => {
    const client = sandbox.createOAuthClient({
      owner: "robot@example.com",
      scopes: [...PLATFORM_ACTIVEGATE_TOKENS_SCOPES],
    });
    const dt = createActiveGateTokensClient({
      environmentUrl: sandbox.platformBase,
      oauth: { ...client, accountUrn: sandbox.accountUrn, tokenUrl: sandbox.tokenUrl },
    });
    const created = await dt.create({ name: "by-robot", activeGateType: "CLUSTER", seedToken: true });
    expect(await dt.get(created.id)).toMatchObject({
      owner: "robot@example.com",
      seedToken: true,
      activeGateType: "CLUSTER",
    });
    expect(await dt.enforcement()).toMatchObject({ manualEnforced: false, autoEnforced: false });
    await dt.delete(created.id);
  });

  test("listAll walks every page, later pages by nextPageKey alone", async () => {
    const dt = clients()[0]!.dt;
    const seeded = sandbox.activeGates.seedTokens(
      Array.from({ length: 230 }, (_, n) => ({ name: `bulk-${n}`, creationDate: Date.now() - n * 1000 })),
    );
    const pages = [];
    for await (const page of dt.listAll({ pageSize: 100 }).pages()) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const ids = pages.flatMap((p) => p.activeGateTokens.map((t) => t.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of seeded) expect(ids).toContain(t.id);
    for (const t of seeded) await dt.delete(t.id);
  });

  test("ActiveGates: each with its token and state; filters by tokenState and hostname", async () => {
    const dt = clients()[1]!.dt;
    const [good, soon] = sandbox.activeGates.seedTokens([
      { name: "good", expirationDate: Date.now() + 200 * DAY },
      { name: "soon", expirationDate: Date.now() + 5 * DAY },
    ]) as [SeededActiveGateToken, SeededActiveGateToken];
    const [a, b] = sandbox.activeGates.add([
      { hostname: "ag-good.example.com", token: good.token },
      { hostname: "ag-soon.example.com", token: soon.token },
    ]) as [ActiveGate, ActiveGate];
    const gates = await dt.activeGates();
    expect(gates.find((g) => g.id === a.id)?.activeGateTokens).toEqual([{ id: good.id, state: "VALID" }]);
    const expiring = await dt.activeGates({ tokenState: "EXPIRING" });
    expect(expiring.map((g) => g.hostname)).toEqual(["ag-soon.example.com"]);
    expect((await dt.activeGates({ hostname: "GOOD" })).map((g) => g.id)).toEqual([a.id]);
    expect((await dt.activeGate(b.id!)).hostname).toBe("ag-soon.example.com");
    await expect(dt.activeGate("0xnothere")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("refusals", () => {
  test("bad input is refused before sending, saying what is accepted", async () => {
    const dt = clients()[0]!.dt;
    expect(() => dt.listAll({ pageSize: 99 })).toThrow(InvalidInputError);
    expect(() => dt.listAll({ pageSize: 3001 })).toThrow(/a whole number from 100 to 3000/);
    return Promise.all([
      expect(dt.list({ nextPageKey: "k", pageSize: 100 } as never)).rejects.toThrow(
        /nothing next to nextPageKey/,
      ),
      expect(dt.get(" ")).rejects.toBeInstanceOf(InvalidInputError),
    ]);
  });

  test("the server's refusals are typed: expiry too far or past, a missing scope", async () => {
    const dt = clients()[0]!.dt;
    const far = await dt
      .create({ name: "far", activeGateType: "ENVIRONMENT", expirationDate: "now+3y" })
      .catch((e) => e);
    expect(far).toBeInstanceOf(BadRequestError);
    expect(far.constraintViolations[0]).toMatchObject({ path: "expirationDate" });
    const readOnly = sandbox.seed([{ name: "ro", scopes: ["activeGateTokenManagement.read"] }])[0]!.token;
    const ro = createActiveGateTokensClient({ environmentUrl: sandbox.url, token: readOnly });
    const denied = await ro.create({ name: "x", activeGateType: "ENVIRONMENT" }).catch((e) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied.message).toContain("activeGateTokenManagement.create");
    expect(JSON.stringify(denied)).not.toContain(readOnly);
  });

  test("a secret in an error is redacted to its id, a page that is not a page is an UnexpectedResponseError", async () => {
    const secret = `dt0g02.ABCDEFGH.${"A".repeat(64)}`;
    const server = await startServer((req, res) => {
      if (req.path.endsWith("/activeGateTokens"))
        return json(res, 200, { totalCount: 1, activeGateTokens: { id: "x" } });
      return json(res, 400, { error: { code: 400, message: `bad token ${secret}` } });
    });
    try {
      const dt = createActiveGateTokensClient({
        environmentUrl: server.url,
        token: classicToken,
        maxRetries: 0,
      });
      const wrong = await dt.list().catch((e) => e);
      expect(wrong).toBeInstanceOf(UnexpectedResponseError);
      expect(wrong.message).toContain("activeGateTokens that are not a list of tokens");
      const bad = await dt.enforcement().catch((e) => e);
      expect(bad).toBeInstanceOf(BadRequestError);
      expect(bad.message).toContain("dt0g02.ABCDEFGH.[REDACTED]");
      expect(JSON.stringify(bad)).not.toContain("A".repeat(64));
      // get with a whole secret sent only its id
      await dt.get(secret).catch(() => undefined);
      expect(server.requests.at(-1)!.path).toBe("/api/v2/activeGateTokens/dt0g02.ABCDEFGH");
    } finally {
      await server.close();
    }
  });
});
