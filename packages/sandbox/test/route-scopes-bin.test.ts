/**
 * The README's table "Scopes per route" is what the bin does, cell by cell: for every route and
 * prefix, a credential holding every other scope of the table but the one named gets a 403 naming
 * it, and a credential holding only that one (or none, for "any valid token") is let through. The
 * table also matches the route table the app is built from, row for row.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../src/http/routes.js";
import { addActiveGates, type SandboxProcess, seedActiveGateTokens, seedTokens } from "../src/index.js";
import { PlatformStore } from "../src/platform-store.js";
import { TokenStore } from "../src/store.js";
import { startBin } from "./process.js";

const PLATFORM = "/platform/classic/environment-api/v2";

interface Row {
  method: string;
  path: string;
  /** The scopes of which one is needed; null: any valid token. */
  apiToken: string[] | null;
  platform: string[] | null;
}

function readmeTable(): Row[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Scopes per route"));
  const lines = section.split("\n").filter((l) => /^\| `(GET|POST|PUT|DELETE) /.test(l));
  const cell = (text: string) =>
    text.trim() === "any valid token" ? null : text.trim().replace(/`/g, "").split(" or ");
  return lines.map((line) => {
    const [, route, apiToken, platform] = line.split("|");
    const [method, path] = route!.trim().replace(/`/g, "").split(" ");
    return { method: method!, path: path!, apiToken: cell(apiToken!), platform: cell(platform!) };
  });
}

let dir: string;
let bin: SandboxProcess;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-route-scopes-"));
  db = join(dir, "tokens.db");
  bin = await startBin(["--db", db, "--quiet"]);
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});

const table = readmeTable();
const apiTokenScopes = [...new Set(table.flatMap((r) => r.apiToken ?? []))];
const platformScopes = [...new Set(table.flatMap((r) => r.platform ?? []))];

/** An API token with these scopes (seeded into the bin's database file from outside). */
function apiToken(scopes: string[]): string {
  return seedTokens(db, [{ name: `scopes ${scopes.join(" ")}`, scopes }])[0]!.token;
}

function platformToken(scopes: string[]): string {
  const store = new TokenStore(db);
  try {
    return new PlatformStore(store).putPlatformToken({ owner: "carol@example.com", scopes }, Date.now())
      .token;
  } finally {
    store.close();
  }
}

async function call(prefix: string, row: Row, authorization: string) {
  const target = seedTokens(db, [{ name: "target", scopes: ["metrics.read"] }])[0]!;
  const [agToken] = seedActiveGateTokens(db, [{ name: "ag-target" }]);
  const [gate] = addActiveGates(db, [{ hostname: "ag.example.com", token: agToken!.token }]);
  const body =
    row.path === "/apiTokens/lookup"
      ? { token: target.token }
      : row.path === "/activeGateTokens" && row.method === "POST"
        ? { name: "made", activeGateType: "ENVIRONMENT" }
        : row.method === "POST"
          ? { name: "made", scopes: ["metrics.read"] }
          : row.method === "PUT"
            ? { name: "renamed" }
            : undefined;
  const path = row.path
    .replace("{id}", target.id)
    .replace("{activeGateTokenIdentifier}", agToken!.id)
    .replace("{agId}", gate!.id!);
  const res = await fetch(`${bin.ready.url}${prefix}${path}`, {
    method: row.method,
    headers: { authorization, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, message: text ? (JSON.parse(text).error?.message as string) : "" };
}

const asList = (scopes: string | readonly string[] | null) =>
  scopes === null ? null : typeof scopes === "string" ? [scopes] : [...scopes];

describe("scopes per route (README table)", () => {
  it("lists every route of the app, with the same scopes", () => {
    expect(table.length).toBeGreaterThanOrEqual(6);
    expect(table).toEqual(
      ROUTES.map((r) => ({
        method: r.method,
        path: r.path.replace(/:(\w+)/g, "{$1}"),
        apiToken: asList(r.scopes.apiToken),
        platform: asList(r.scopes.platform),
      })),
    );
  });

  for (const template of ["/api/v2", "/e/<environmentId>/api/v2", PLATFORM]) {
    const scheme = template === PLATFORM ? "Bearer" : "Api-Token";
    it.each(table.map((row) => [`${row.method} ${row.path}`, row] as const))(
      `${template}: %s needs exactly its scope`,
      async (_, row) => {
        const prefix = template.replace("<environmentId>", bin.ready.environmentId);
        const needed = prefix === PLATFORM ? row.platform : row.apiToken;
        const universe = prefix === PLATFORM ? platformScopes : apiTokenScopes;
        const make = prefix === PLATFORM ? platformToken : apiToken;
        if (needed !== null) {
          const lacking = await call(
            prefix,
            row,
            `${scheme} ${make(universe.filter((s) => !needed.includes(s)))}`,
          );
          expect(lacking.status, lacking.message).toBe(403);
          expect(lacking.message).toContain("Use one of: ");
          for (const scope of needed) expect(lacking.message).toContain(scope);
        }
        for (const holds of needed === null ? [[]] : needed.map((scope) => [scope])) {
          const holding = await call(prefix, row, `${scheme} ${make(holds)}`);
          expect([200, 201, 204], `${holds} ${holding.status} ${holding.message}`).toContain(holding.status);
        }
      },
    );
  }
});
