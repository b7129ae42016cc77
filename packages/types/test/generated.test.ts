import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { generate, specPath } from "../scripts/generate.mjs";
import {
  API_TOKEN_FIELDS,
  KNOWN_RESPONSE_SCOPES,
  LEGACY_TOKEN_SCOPES,
  LIST_PAGE_SIZE,
  LIST_SORT_KEYS,
  TOKEN_SCOPES,
} from "../src/index.js";

const pkgDir = join(import.meta.dirname, "..");

describe("generated code", () => {
  test("matches spec/api-tokens.yaml (drift check)", async () => {
    const fresh = await generate();
    for (const [path, text] of Object.entries(fresh)) {
      const committed = await readFile(join(pkgDir, path), "utf8").catch(() => "");
      if (committed !== text) {
        expect.fail(
          `packages/types/${path} is out of date with spec/api-tokens.yaml: run \`pnpm generate\` and commit the result`,
        );
      }
    }
  });

  test("scope constants are the current lists", () => {
    expect(TOKEN_SCOPES).toHaveLength(91);
    expect(KNOWN_RESPONSE_SCOPES).toHaveLength(97);
    expect([...LEGACY_TOKEN_SCOPES].sort()).toEqual([
      "DiagnosticExport",
      "MemoryDump",
      "Mobile",
      "ViewDashboard",
      "ViewReport",
      "WriteSyntheticData",
    ]);
    expect(TOKEN_SCOPES).not.toContain("AppMonIntegration");
    for (const scope of TOKEN_SCOPES) expect(KNOWN_RESPONSE_SCOPES).toContain(scope);
  });

  test("field list holds every field the fields parameter documents", () => {
    expect(API_TOKEN_FIELDS).toEqual(
      expect.arrayContaining([
        "additionalMetadata",
        "creationDate",
        "enabled",
        "expirationDate",
        "id",
        "lastUsedDate",
        "lastUsedIpAddress",
        "modifiedDate",
        "name",
        "owner",
        "personalAccessToken",
        "scopes",
      ]),
    );
  });

  test("page size bounds and sort keys are the spec's, read from listApiTokens' parameters", async () => {
    const spec = parse(await readFile(specPath, "utf8"));
    const params = spec.paths["/apiTokens"].get.parameters;
    const pageSize = params.find((p: { name: string }) => p.name === "pageSize").schema;
    expect(LIST_PAGE_SIZE).toEqual({
      minimum: pageSize.minimum,
      maximum: pageSize.maximum,
      default: pageSize.default,
    });
    expect(LIST_PAGE_SIZE).toEqual({ minimum: 100, maximum: 10000, default: 200 });
    expect(LIST_SORT_KEYS).toEqual([
      "name",
      "lastUsedDate",
      "creationDate",
      "expirationDate",
      "modifiedDate",
    ]);
    const sort = new RegExp(params.find((p: { name: string }) => p.name === "sort").schema.pattern);
    for (const key of LIST_SORT_KEYS) expect(`-${key}`).toMatch(sort);
  });
});
