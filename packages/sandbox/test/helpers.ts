/**
 * Test helpers: an HTTP helper that validates every response against spec/api-tokens.yaml with
 * Ajv (stricter than the spec: no undeclared properties), and sandbox fixtures.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { expect } from "vitest";
import { parse } from "yaml";
import { type Sandbox, type SandboxOptions, startSandbox } from "../src/index.js";

const require = createRequire(import.meta.url);
export const SPEC_PATH = require.resolve("@dt-tokens/spec/api-tokens.yaml");

type Json = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: a parsed OpenAPI document
export const spec: any = parse(readFileSync(SPEC_PATH, "utf8"));

const STRICT_OBJECTS = [
  "ApiToken",
  "ApiTokenList",
  "ApiTokenCreated",
  "ErrorEnvelope",
  "Error",
  "ConstraintViolation",
];
const strictSpec = structuredClone(spec);
for (const name of STRICT_OBJECTS) strictSpec.components.schemas[name].additionalProperties = false;

const ajv = new Ajv({ strict: false, allErrors: true });
(formats as unknown as { default: typeof formats.default }).default(ajv);
ajv.addSchema(strictSpec, "spec");

const cache = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  const cached = cache.get(ref);
  if (cached) return cached;
  const compiled = ajv.compile({ $ref: `spec${ref}` });
  cache.set(ref, compiled);
  return compiled;
}

export const JSON_TYPE = "application/json; charset=utf-8";
export const PREFIXES = ["/api/v2", "/platform/classic/environment-api/v2"];
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_FIELDS = ["creationDate", "expirationDate", "lastUsedDate", "modifiedDate"];

/** Which operation a method and path are (path relative to the API base), if any. */
export function operationOf(method: string, apiPath: string): { path: string; method: string } | undefined {
  const path = apiPath.split("?")[0]!;
  const m = method.toLowerCase();
  if (path === "/apiTokens" && (m === "get" || m === "post")) return { path: "/apiTokens", method: m };
  if (path === "/apiTokens/lookup" && m === "post") return { path: "/apiTokens/lookup", method: m };
  if (/^\/apiTokens\/[^/]+$/.test(path) && ["get", "put", "delete"].includes(m)) {
    return { path: "/apiTokens/{id}", method: m };
  }
  if (path === "/activeGateTokens" && (m === "get" || m === "post")) return { path, method: m };
  if (/^\/activeGateTokens\/[^/]+$/.test(path) && ["get", "delete"].includes(m)) {
    return { path: "/activeGateTokens/{activeGateTokenIdentifier}", method: m };
  }
  if ((path === "/activeGates" || path === "/activeGates/tokenEnforcement") && m === "get")
    return { path, method: m };
  if (/^\/activeGates\/[^/]+$/.test(path) && m === "get") return { path: "/activeGates/{agId}", method: m };
  return undefined;
}

function checkDates(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkDates(v);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    if (DATE_FIELDS.includes(k)) expect(v, k).toMatch(DATE);
    else checkDates(v);
  }
}

/**
 * Validates a response against the spec: a declared status of the operation, the declared media
 * type, a body matching the schema (204: no body). Undeclared routes must answer an ErrorEnvelope.
 */
export function validateResponse(
  method: string,
  apiPath: string | undefined,
  status: number,
  headers: Headers,
  text: string,
  faultsExpected = false,
): void {
  const op = apiPath === undefined ? undefined : operationOf(method, apiPath);
  const context = `${method} ${apiPath ?? "(outside the API)"} -> ${status}: ${text.slice(0, 300)}`;
  if (!faultsExpected) expect(status, context).not.toBe(500);
  else if (status >= 500) expect(text, context).toContain("Injected fault");
  let schemaRef: string | undefined;
  if (op) {
    const responses = spec.paths[op.path][op.method].responses;
    const declared = responses[String(status)] ?? (status >= 500 ? responses["5XX"] : undefined);
    if (![405, 413, 415].includes(status))
      expect(declared, `status ${status} is not declared: ${context}`).toBeDefined();
    if (declared) {
      const resolved = declared.$ref ? spec.components.responses[declared.$ref.split("/").pop()] : declared;
      const content = resolved.content?.[JSON_TYPE];
      if (!content) {
        expect(text, `a ${status} has no body: ${context}`).toBe("");
        return;
      }
      const ref: string = content.schema.$ref;
      schemaRef = ref;
      if (status === 429) expect(headers.get("retry-after"), context).toMatch(/^\d+$/);
    } else {
      schemaRef = "#/components/schemas/ErrorEnvelope";
    }
  } else {
    expect(status, `outside the operations only errors are expected: ${context}`).toBeGreaterThanOrEqual(400);
    schemaRef = "#/components/schemas/ErrorEnvelope";
  }
  if (method.toUpperCase() === "HEAD") return;
  expect(headers.get("content-type"), context).toBe(JSON_TYPE);
  const body = JSON.parse(text) as unknown;
  const validate = validator(schemaRef!);
  const ok = validate(body);
  expect(ok ? [] : validate.errors, `schema ${schemaRef}: ${context}`).toEqual([]);
  checkDates(body);
  if (status >= 400) expect((body as { error: { code: number } }).error.code, context).toBe(status);
}

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  rawBody?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  /** API prefix; default /api/v2. */
  prefix?: string;
  /** Injected 5xx faults are expected (otherwise any 500 fails the test). */
  faults?: boolean;
}

/** A request to the sandbox's API, validated against the spec. `path` is relative to the API base. */
// biome-ignore lint/suspicious/noExplicitAny: tests read bodies freely
export async function api<T = any>(
  sandbox: Pick<Sandbox, "url">,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Api-Token ${options.token}`;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= JSON_TYPE;
  }
  const response = await fetch(`${sandbox.url}${options.prefix ?? "/api/v2"}${path}`, {
    method,
    headers,
    body,
  });
  const text = await response.text();
  validateResponse(method, path, response.status, response.headers, text, options.faults);
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

/** Starts a sandbox on 127.0.0.1:0 with an in-memory database and a generated bootstrap token. */
export async function start(options: SandboxOptions = {}): Promise<Sandbox & { token: string }> {
  const sandbox = await startSandbox({ host: "127.0.0.1", port: 0, ...options });
  return Object.assign(sandbox, { token: sandbox.bootstrapToken! });
}

/** Creates a token through the API and returns its id and secret. */
export async function createToken(
  sandbox: Sandbox,
  token: string,
  body: Json = { name: "t", scopes: ["metrics.read"] },
): Promise<{ id: string; token: string }> {
  const r = await api(sandbox, "POST", "/apiTokens", { token, body });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

export type { Json };
