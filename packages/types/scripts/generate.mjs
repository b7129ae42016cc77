#!/usr/bin/env node
// Generates src/generated/ from spec/api-tokens.yaml: the OpenAPI types (openapi-typescript) and
// the scope lists, page size bounds and sort keys as runtime constants. Run by `pnpm generate`; the drift test calls generate()
// in memory and compares with the committed files.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString, STRING, tsIntersection, tsLiteral, tsUnion } from "openapi-typescript";
import ts from "typescript";
import { parse } from "yaml";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
export const specPath = require.resolve("@dt-tokens/spec/api-tokens.yaml");
// Which schemas requests and responses use: the spec package's own reading (a dev-time script).
const { schemaUsage } = await import(
  pathToFileURL(join(dirname(require.resolve("@dt-tokens/spec/package.json")), "scripts", "schema-usage.mjs"))
    .href
);
export const outDir = join(pkgDir, "src", "generated");

const HEADER =
  "// GENERATED from spec/api-tokens.yaml by packages/types/scripts/generate.mjs. Do not edit: run `pnpm generate`.\n";

/**
 * Open enums become `"a" | "b" | (string & {})`: editors offer the known values, and any other
 * string is still accepted, so a value Dynatrace adds ("We may add new enum constants without
 * incrementing the API version") breaks no consumer's build. Open are `x-extensible-enum` (the
 * response scopes) and every string enum of a schema that only responses use. An enum that requests
 * use stays closed: it lists what may be sent.
 */
function openEnums(spec) {
  const { request, response } = schemaUsage(spec);
  const responseOnly = (path) => {
    const m = /^#\/components\/schemas\/([^/]+)/.exec(path ?? "");
    return Boolean(m && response.has(m[1]) && !request.has(m[1]));
  };
  return (schema, options) => {
    const known =
      schema["x-extensible-enum"] ??
      (Array.isArray(schema.enum) && schema.type === "string" && responseOnly(options.path)
        ? schema.enum
        : undefined);
    if (!Array.isArray(known)) return undefined;
    const anyOtherString = tsIntersection([STRING, ts.factory.createTypeLiteralNode([])]);
    return tsUnion([...known.map((v) => tsLiteral(v)), anyOtherString]);
  };
}

function constList(name, doc, values) {
  const items = values.map((v) => `  ${JSON.stringify(v)},`).join("\n");
  return `/** ${doc} */\nexport const ${name} = [\n${items}\n] as const;\n`;
}

/** The `pageSize` schema of a list operation, checked to have whole-number bounds and default. */
function pageSizeOf(spec, path, operation) {
  const schema = spec.paths[path]?.get?.parameters?.find((p) => p.name === "pageSize")?.schema;
  if (!schema) throw new Error(`generate: ${operation} has no "pageSize" parameter`);
  for (const key of ["minimum", "maximum", "default"]) {
    if (!Number.isInteger(schema[key])) {
      throw new Error(
        `generate: ${operation}' pageSize has no whole-number ${key} (${JSON.stringify(schema)})`,
      );
    }
  }
  return schema;
}

/** The `pageSize` bounds and `sort` keys of listApiTokens, as constants (one place for every package). */
function listParams(spec) {
  const params = spec.paths["/apiTokens"].get.parameters;
  const schemaOf = (name) => {
    const schema = params.find((p) => p.name === name)?.schema;
    if (!schema) throw new Error(`generate: listApiTokens has no "${name}" parameter`);
    return schema;
  };
  const pageSize = schemaOf("pageSize");
  for (const key of ["minimum", "maximum", "default"]) {
    if (!Number.isInteger(pageSize[key])) {
      throw new Error(
        `generate: listApiTokens' pageSize has no whole-number ${key} (${JSON.stringify(pageSize)})`,
      );
    }
  }
  // The sort pattern lists the keys: ^[+-]?(name|lastUsedDate|...)$
  const sort = /^\^\[\+-\]\?\(([A-Za-z|]+)\)\$$/.exec(schemaOf("sort").pattern ?? "");
  if (!sort) {
    throw new Error(
      `generate: listApiTokens' sort pattern is not ^[+-]?(key|key...)$ (got ${JSON.stringify(schemaOf("sort").pattern)})`,
    );
  }
  const keys = sort[1].split("|");
  const agPageSize = pageSizeOf(spec, "/activeGateTokens", "listActiveGateTokens");
  return [
    HEADER,
    "/** The page sizes listApiTokens accepts (`pageSize`): from `minimum` to `maximum`, `default` when not set. */",
    `export const LIST_PAGE_SIZE = { minimum: ${pageSize.minimum}, maximum: ${pageSize.maximum}, default: ${pageSize.default} } as const;`,
    "",
    constList(
      "LIST_SORT_KEYS",
      "The keys listApiTokens sorts by (`sort`: a key, optionally prefixed with `+`, ascending, or `-`, descending).",
      keys,
    ),
    "/** A key listApiTokens sorts by. */",
    "export type ListSortKey = (typeof LIST_SORT_KEYS)[number];",
    "",
    "/** The page sizes listActiveGateTokens accepts (`pageSize`): from `minimum` to `maximum`, `default` when not set. */",
    `export const ACTIVEGATE_TOKENS_PAGE_SIZE = { minimum: ${agPageSize.minimum}, maximum: ${agPageSize.maximum}, default: ${agPageSize.default} } as const;`,
    "",
  ].join("\n");
}

/**
 * Returns the generated files, keyed by their path relative to the package, from the spec at
 * `fromSpec` (spec:update passes the spec it is about to write).
 */
export async function generate(fromSpec = specPath) {
  const specText = await readFile(fromSpec, "utf8");
  const spec = parse(specText);
  const ast = await openapiTS(pathToFileURL(fromSpec), { transform: openEnums(spec), alphabetize: false });
  const api = `${HEADER}\n${astToString(ast)}`;

  const assignable = spec.components.schemas.TokenScope.enum;
  const known = spec.components.schemas.ResponseTokenScope["x-extensible-enum"];
  const legacy = known.filter((s) => !assignable.includes(s));
  const fields = Object.keys(spec.components.schemas.ApiToken.properties);
  const scopes = [
    HEADER,
    constList(
      "TOKEN_SCOPES",
      `The ${assignable.length} scopes that can be assigned to a token (requests accept only these).`,
      assignable,
    ),
    constList(
      "KNOWN_RESPONSE_SCOPES",
      `The ${known.length} scopes known to appear on tokens: the assignable ones plus legacy ones. Responses may carry others.`,
      known,
    ),
    constList(
      "LEGACY_TOKEN_SCOPES",
      "Scopes that existing tokens may still carry but that can no longer be assigned.",
      legacy,
    ),
    constList("API_TOKEN_FIELDS", "Every field of an ApiToken, as named in the `fields` parameter.", fields),
  ].join("\n");

  return {
    "src/generated/api.ts": api,
    "src/generated/scopes.ts": scopes,
    "src/generated/list-params.ts": listParams(spec),
  };
}

async function main() {
  await mkdir(outDir, { recursive: true });
  for (const [path, text] of Object.entries(await generate())) {
    await writeFile(join(pkgDir, path), text);
    console.error(`wrote packages/types/${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`generate failed: ${err.stack ?? err}`);
    process.exit(1);
  });
}
