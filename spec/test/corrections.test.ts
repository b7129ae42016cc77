// The overlay's corrections state what they expect upstream to say (x-expect), and a correction
// whose expectation upstream no longer meets stops the derivation, named, instead of silently
// overwriting what Dynatrace changed.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import openapiFormat from "openapi-format";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { applyCorrections, checkAction } from "../scripts/corrections.mjs";
import { deriveSpec, latestUpstream, specDir } from "../scripts/sync.mjs";

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI fragments
type Doc = any;
const overlay = parse(await readFile(join(specDir, "overlay.yaml"), "utf8"));

describe("checkAction", () => {
  const doc: Doc = {
    schema: { type: "integer", maximum: 10000, list: ["A"], note: "Failed. Invalid." },
  };
  const check = (action: Doc) => checkAction(structuredClone(doc), { target: "$.schema", ...action });

  test("an update that only adds keys upstream lacks needs no expectation", () => {
    expect(check({ update: { minimum: 100 } })).toEqual([]);
  });

  test("a value an update replaces must be named, with the value upstream has", () => {
    expect(check({ update: { maximum: 500 } })).toEqual([
      "maximum: upstream now says 10000, which the correction would overwrite (x-expect does not name it)",
    ]);
    expect(check({ "x-expect": { maximum: 10000 }, update: { maximum: 500 } })).toEqual([]);
    expect(check({ "x-expect": { maximum: 5000 }, update: { maximum: 500 } })).toEqual([
      "maximum: upstream says 10000, expected 5000",
    ]);
  });

  test("an item an update appends must not be there already", () => {
    expect(check({ update: { list: ["B"] } })).toEqual([]);
    expect(check({ update: { list: ["A"] } })).toEqual([
      'list: upstream now lists "A", which the correction adds',
    ]);
  });

  test("a remove states what it removes; texts match by x-pattern", () => {
    expect(check({ remove: true })).toEqual([
      "removes without stating what it expects to remove (add x-expect)",
    ]);
    expect(check({ remove: true, "x-expect": { note: { "x-pattern": "^Failed\\. " } } })).toEqual([]);
    expect(check({ remove: true, "x-expect": { note: { "x-pattern": "^Success" } } })).toEqual([
      'note: upstream says "Failed. Invalid.", expected text matching /^Success/',
    ]);
  });

  test("a key that is absent upstream is a mismatch when expected", () => {
    expect(check({ "x-expect": { format: "int64" }, update: { format: "int32" } })).toEqual([
      'format: upstream says nothing, expected "int64"',
    ]);
  });

  test("a target that matches nothing", () => {
    expect(checkAction(doc, { target: "$.nowhere", update: { a: 1 } })).toEqual(["matches nothing upstream"]);
  });

  test("a target inside an operation or path that is gone upstream says so, naming the operation", () => {
    const api = { paths: { "/apiTokens": { get: { responses: {} } } } };
    const removeOp = { target: "$.paths['/apiTokens'].post.responses", update: { a: 1 } };
    expect(checkAction(api, removeOp)).toEqual([
      "matches nothing upstream: the operation POST /apiTokens is no longer upstream",
    ]);
    const removePath = { target: "$.paths['/apiTokens/lookup'].post", update: { a: 1 } };
    expect(checkAction(api, removePath)).toEqual([
      "matches nothing upstream: the path /apiTokens/lookup is no longer upstream (none of its operations)",
    ]);
    // The operation is there, something inside it is not: no claim about the operation.
    const inside = { target: "$.paths['/apiTokens'].get.parameters", update: { a: 1 } };
    expect(checkAction(api, inside)).toEqual(["matches nothing upstream"]);
  });

  test("an expected list of one entry is worded in the singular", () => {
    const doc = { x: [] };
    expect(checkAction(doc, { target: "$.x", "x-expect": [{ a: 1 }], update: {} })).toEqual([
      "the target: upstream says [], expected 1 entry",
    ]);
  });
});

describe("spec/overlay.yaml", () => {
  test("every correction of the vendored document holds (the committed spec derives)", async () => {
    await expect(deriveSpec(await latestUpstream())).resolves.toContain("x-upstream-build:");
  });

  test("every action that removes or replaces says why", () => {
    for (const action of overlay.actions) {
      if (action.remove || action["x-expect"]) expect(action.description, action.target).toBeTruthy();
    }
  });

  test("a lowered maximum, an overwritten response and a value upstream now lists stop, each named", async () => {
    const upstream = JSON.parse(await readFile(await latestUpstream(), "utf8"));
    const list = upstream.paths["/apiTokens"].get;
    list.parameters.find((p: Doc) => p.name === "pageSize").schema.maximum = 5000;
    list.responses["401"] = { description: "Unauthorized." };
    upstream.components.schemas.ConstraintViolation.properties.parameterLocation.enum.push("HEADER");
    const doc = (await import("openapi-format")).default;
    const filtered = await doc.openapiFilter(upstream, {
      filterSet: parse(await readFile(join(specDir, "filter.yaml"), "utf8")),
    });
    const error = await applyCorrections(filtered.data, structuredClone(overlay), "doc.json").catch((e) => e);
    expect(error.message).toMatch(/^3 overlay corrections no longer match doc\.json:/);
    expect(error.message).toContain(
      "$.paths['/apiTokens'].get.parameters[?(@.name == 'pageSize')].schema \"Upstream declares a maximum but no minimum or default (its description says 100 and 200), and a 64-bit format for a page size.\"\n      maximum: upstream says 5000, expected 10000",
    );
    expect(error.message).toContain('401: upstream now says {"description":"Unauthorized."}');
    expect(error.message).toContain('enum: upstream now lists "HEADER", which the correction adds');
    expect(error.message).toMatch(/adapt its x-expect and update \(or drop it\) and run again\.$/);
  });
});

const { resolveJsonPath } = openapiFormat;

describe("every correction notices upstream drift in what it expects", () => {
  // The vendored document as each action finds it (the earlier actions applied), then, for every
  // key an action's x-expect names, that value changed upstream: the check names the correction.
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isPattern = (v: unknown) => isObject(v) && Object.hasOwn(v as object, "x-pattern");
  /** A value that no longer matches `expected`. */
  const drifted = (expected: unknown): unknown => {
    if (isPattern(expected)) return 42; // a text pattern never matches a number
    if (Array.isArray(expected)) return [...expected, "DRIFT"];
    if (typeof expected === "number") return expected - 1;
    if (typeof expected === "boolean") return !expected;
    if (typeof expected === "string") return `${expected} (changed upstream)`;
    return "DRIFT";
  };
  /** Every way to change one leaf of `node` that `expected` pins: [path, mutate]. */
  function drifts(expected: Doc, path: string[] = []): [string, (node: Doc) => void][] {
    if (!isObject(expected) || isPattern(expected)) return [];
    return Object.entries(expected).flatMap(([key, value]) => {
      if (isObject(value) && !isPattern(value)) return drifts(value, [...path, key]);
      const at = [...path, key];
      return [
        [
          at.join("."),
          (node: Doc) => {
            const parent = at.slice(0, -1).reduce((n, k) => n[k], node);
            parent[at.at(-1) as string] = drifted(value);
          },
        ],
      ];
    });
  }

  test("each x-expect key of each correction, changed upstream, stops it", async () => {
    const { default: format } = await import("openapi-format");
    const upstream = JSON.parse(await readFile(await latestUpstream(), "utf8"));
    const filtered = await format.openapiFilter(upstream, {
      filterSet: parse(await readFile(join(specDir, "filter.yaml"), "utf8")),
    });
    let doc: Doc = filtered.data;
    let checked = 0;
    for (const [i, action] of overlay.actions.entries()) {
      const expected = action["x-expect"];
      if (expected !== undefined) {
        const cases: [string, (node: Doc) => void][] = Array.isArray(expected)
          ? [["(the list)", (node: Doc) => node.push("DRIFT")]]
          : drifts(expected);
        for (const [key, mutate] of cases) {
          const copy: Doc = structuredClone(doc);
          const nodes = action.target === "$" ? [{ value: copy }] : resolveJsonPath(copy, action.target);
          expect(nodes.length, action.target).toBeGreaterThan(0);
          for (const { value } of nodes) mutate(value);
          expect(checkAction(copy, action), `${action.target} ${key}`).not.toEqual([]);
          checked++;
        }
      }
      doc = await applyCorrections(doc, { ...overlay, actions: [overlay.actions[i]] }, "doc.json");
    }
    // Every pinned key was tried (the empty description pattern of $.info accepts any text).
    expect(checked).toBeGreaterThanOrEqual(overlay.actions.filter((a: Doc) => a["x-expect"]).length);
  });
});
