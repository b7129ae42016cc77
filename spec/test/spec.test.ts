import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { latestScopeList, mergeScopeLists, readScopeList } from "../scripts/scope-lists.mjs";
import { deriveSpec, latestUpstream, specDir, specPath } from "../scripts/sync.mjs";

const run = promisify(execFile);
const committed = await readFile(specPath, "utf8");
const spec = parse(committed);
// The scope lists as spec:sync merges them: the vendored list plus what upstream adds.
const scopes = mergeScopeLists(
  await readScopeList(await latestScopeList(join(specDir, "upstream"))),
  JSON.parse(await readFile(await latestUpstream(), "utf8")),
  parse(await readFile(join(specDir, "retired-scopes.yaml"), "utf8")),
);

describe("spec/api-tokens.yaml", () => {
  test("is what spec:sync derives from the vendored upstream snapshot, byte for byte", async () => {
    const upstream = await latestUpstream();
    const fresh = await deriveSpec(upstream);
    if (fresh !== committed) {
      expect.fail(
        "spec/api-tokens.yaml differs from what the overlay produces: run `pnpm spec:sync` then `pnpm generate`",
      );
    }
  });

  test("passes Redocly lint (recommended-strict) with zero problems", async () => {
    const { stdout } = await run("redocly", ["lint", "api-tokens.yaml", "--format=json"], {
      cwd: specDir,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    }).catch((err: { stdout: string }) => err);
    const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
    const problems = report.problems.map(
      (p: { ruleId: string; message: string }) => `${p.ruleId}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  test("keeps the API-token and ActiveGate-token operations and the ActiveGate reads, nothing else", () => {
    const ops = Object.values(spec.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
    );
    expect(ops.sort()).toEqual(
      [
        "createApiToken",
        "deleteApiToken",
        "getApiToken",
        "listApiTokens",
        "lookupApiToken",
        "updateApiToken",
        "listActiveGateTokens",
        "createActiveGateToken",
        "getActiveGateToken",
        "deleteActiveGateToken",
        "getAllActiveGates",
        "getOneActiveGateById",
        "getActiveGateTokenEnforcement",
      ].sort(),
    );
  });

  test("requests take the assignable scopes; responses know those and the legacy ones, and accept others", () => {
    const { TokenScope, ResponseTokenScope, ApiToken, ApiTokenCreate, ApiTokenUpdate } =
      spec.components.schemas;
    expect(TokenScope.enum).toEqual(scopes.create);
    expect(TokenScope.enum.length).toBeGreaterThan(90);
    expect(scopes.response).toEqual(expect.arrayContaining(scopes.create));
    expect(scopes.create).not.toContain("AppMonIntegration"); // retired-scopes.yaml
    expect(ResponseTokenScope["x-extensible-enum"]).toEqual(scopes.response);
    expect(ResponseTokenScope.enum).toBeUndefined();
    expect(ApiToken.properties.scopes.items.$ref).toBe("#/components/schemas/ResponseTokenScope");
    expect(ApiTokenCreate.properties.scopes.items.$ref).toBe("#/components/schemas/TokenScope");
    expect(ApiTokenUpdate.properties.scopes.items.$ref).toBe("#/components/schemas/TokenScope");
  });

  test("every error status of every operation has an ErrorEnvelope body", () => {
    const expected: Record<string, string[]> = {
      listApiTokens: ["400", "401", "403", "429", "5XX"],
      createApiToken: ["400", "401", "403", "429", "5XX"],
      getApiToken: ["400", "401", "403", "404", "429", "5XX"],
      updateApiToken: ["400", "401", "403", "404", "429", "5XX"],
      deleteApiToken: ["400", "401", "403", "404", "429", "5XX"],
      lookupApiToken: ["400", "401", "403", "404", "429", "5XX"],
      listActiveGateTokens: ["400", "401", "403", "429", "5XX"],
      createActiveGateToken: ["400", "401", "403", "429", "5XX"],
      getActiveGateToken: ["400", "401", "403", "404", "429", "5XX"],
      deleteActiveGateToken: ["400", "401", "403", "404", "429", "5XX"],
      getAllActiveGates: ["400", "401", "403", "429", "5XX"],
      getOneActiveGateById: ["400", "401", "403", "404", "429", "5XX"],
      getActiveGateTokenEnforcement: ["400", "401", "403", "429", "5XX"],
    };
    for (const item of Object.values(spec.paths) as Record<string, Record<string, unknown>>[]) {
      for (const op of Object.values(item) as {
        operationId: string;
        responses: Record<string, { $ref?: string }>;
      }[]) {
        const errors = Object.keys(op.responses).filter((code) => !code.startsWith("2"));
        expect(errors.sort(), op.operationId).toEqual(expected[op.operationId]);
        for (const code of errors) {
          const name = op.responses[code]?.$ref?.split("/").pop() as string;
          const body = spec.components.responses[name].content["application/json; charset=utf-8"].schema;
          expect(body.$ref, `${op.operationId} ${code}`).toBe("#/components/schemas/ErrorEnvelope");
        }
      }
    }
  });

  test("success codes are Dynatrace's: 200, 201 on create, 204 on update and delete", () => {
    const success = (path: string, method: string) =>
      Object.keys(spec.paths[path][method].responses).filter((c) => c.startsWith("2"));
    expect(success("/apiTokens", "get")).toEqual(["200"]);
    expect(success("/apiTokens", "post")).toEqual(["201"]);
    expect(success("/apiTokens/{id}", "get")).toEqual(["200"]);
    expect(success("/apiTokens/{id}", "put")).toEqual(["204"]);
    expect(success("/apiTokens/{id}", "delete")).toEqual(["204"]);
    expect(success("/apiTokens/lookup", "post")).toEqual(["200"]);
    expect(success("/activeGateTokens", "get")).toEqual(["200"]);
    expect(success("/activeGateTokens", "post")).toEqual(["201"]);
    expect(success("/activeGateTokens/{activeGateTokenIdentifier}", "get")).toEqual(["200"]);
    expect(success("/activeGateTokens/{activeGateTokenIdentifier}", "delete")).toEqual(["204"]);
  });

  test("ActiveGate tokens: pageSize 100..3000 default 100, nullable nextPageKey, a valid list example", () => {
    const params = spec.paths["/activeGateTokens"].get.parameters;
    const pageSize = params.find((p: { name: string }) => p.name === "pageSize").schema;
    expect(pageSize).toMatchObject({ minimum: 100, maximum: 3000, default: 100, format: "int32" });
    const list = spec.components.schemas.ActiveGateTokenList;
    expect(list.properties.nextPageKey.nullable).toBe(true);
    expect(list.properties.activeGateTokens).not.toHaveProperty("properties");
    expect(Array.isArray(list.example.activeGateTokens)).toBe(true);
    expect(list.example.activeGateTokens[0].seedToken).toBe(false);
    expect(spec.components.schemas.ActiveGate.properties.offlineSince.nullable).toBe(true);
    const token = spec.components.schemas.ActiveGateToken;
    for (const date of ["creationDate", "expirationDate", "lastUsedDate"]) {
      expect(token.properties[date].format, date).toBe("date-time");
    }
    expect(spec.components.schemas.ActiveGateTokenCreate.required.sort()).toEqual(["activeGateType", "name"]);
  });

  test("pagination: pageSize 100..10000 default 200, nullable nextPageKey", () => {
    const params = spec.paths["/apiTokens"].get.parameters;
    const pageSize = params.find((p: { name: string }) => p.name === "pageSize").schema;
    expect(pageSize).toMatchObject({ minimum: 100, maximum: 10000, default: 200 });
    expect(spec.components.schemas.ApiTokenList.properties.nextPageKey.nullable).toBe(true);
    expect(spec.components.schemas.ApiTokenList.required).toEqual(["totalCount"]);
  });

  test("servers are SaaS and Managed", () => {
    expect(spec.servers.map((s: { url: string }) => s.url)).toEqual([
      "https://{environmentId}.live.dynatrace.com/api/v2",
      "https://{host}/e/{environmentId}/api/v2",
    ]);
  });

  test("a list example that is a valid list", () => {
    const example = spec.components.schemas.ApiTokenList.example;
    expect(Array.isArray(example.apiTokens)).toBe(true);
    expect(typeof example.totalCount).toBe("number");
    expect(example.apiTokens[0]).not.toHaveProperty("disabled");
  });
});
