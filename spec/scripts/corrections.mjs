// Applies spec/overlay.yaml's corrections one action at a time, checking before each one that
// upstream still says what the correction expects, so that a correction never hides a change
// Dynatrace made. An action states its expectation in `x-expect` (an Overlay 1.0 extension):
//
//   - target: $.paths['/apiTokens'].get.parameters[?(@.name == 'pageSize')].schema
//     x-expect: { type: integer, format: int64, maximum: 10000 }
//     update: { format: int32, minimum: 100, default: 200 }
//
// The rules, checked on every node the target matches, in the document as the earlier actions
// left it:
//   1. `x-expect` holds: an object lists keys with the values upstream has there (a subset: keys
//      not listed are not checked, nested objects likewise); an array matches element by element,
//      same length; `{ x-pattern: <regex> }` matches a text; anything else must be equal.
//   2. An `update` never overwrites a value silently: every value it replaces must be listed in
//      `x-expect` (so it is the value the correction was written against); a key it adds must be
//      absent upstream; an item it appends to a list must not be there already.
//   3. A `remove` states what it removes: it needs an `x-expect`.
//   4. The target matches something (openapi-format's own "unused action").
// A failed check stops the derivation with every failed correction named (its description and
// target) and what upstream says now: adapt the correction (or drop it) and run again.
import openapiFormat from "openapi-format";

const { openapiOverlay, resolveJsonPath } = openapiFormat;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v) => (v === undefined ? "nothing" : JSON.stringify(v));

function equal(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

/** Where `actual` differs from `expected` under rule 1, as "path: upstream says X, expected Y". */
function expectationMismatches(actual, expected, path) {
  if (isObject(expected) && Object.keys(expected).length === 1 && Object.hasOwn(expected, "x-pattern")) {
    return typeof actual === "string" && new RegExp(expected["x-pattern"]).test(actual)
      ? []
      : [
          `${path || "the target"}: upstream says ${show(actual)}, expected text matching /${expected["x-pattern"]}/`,
        ];
  }
  if (isObject(expected)) {
    if (!isObject(actual))
      return [`${path || "the target"}: upstream says ${show(actual)}, expected an object`];
    return Object.keys(expected).flatMap((k) => expectationMismatches(actual[k], expected[k], join(path, k)));
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((item, i) => expectationMismatches(actual[i], item, join(path, i)));
  }
  if (Array.isArray(expected) && expected.some((item) => isObject(item))) {
    const entries = expected.length === 1 ? "1 entry" : `${expected.length} entries`;
    return [`${path || "the target"}: upstream says ${show(actual)}, expected ${entries}`];
  }
  return equal(actual, expected)
    ? []
    : [`${path || "the target"}: upstream says ${show(actual)}, expected ${show(expected)}`];
}

/** Values `update` would replace or duplicate without `expected` naming them (rule 2). */
function overwrites(actual, update, expected, path) {
  if (!isObject(actual) || !isObject(update)) return [];
  return Object.keys(update).flatMap((k) => {
    const now = actual[k];
    const at = join(path, k);
    if (now === undefined) return [];
    // An object merges into upstream's, except a $ref, which replaces what upstream has.
    if (isObject(now) && isObject(update[k]) && !Object.hasOwn(update[k], "$ref"))
      return overwrites(now, update[k], expected?.[k], at);
    if (Array.isArray(now) && Array.isArray(update[k])) {
      return update[k]
        .filter((item) => now.some((existing) => equal(existing, item)))
        .map((item) => `${at}: upstream now lists ${show(item)}, which the correction adds`);
    }
    if (isObject(expected) && Object.hasOwn(expected, k)) return [];
    return [
      `${at}: upstream now says ${show(now)}, which the correction would overwrite (x-expect does not name it)`,
    ];
  });
}

function join(path, key) {
  return path === "" ? String(key) : `${path}.${key}`;
}

function label(action) {
  const sentence = action.description
    ?.trim()
    .replace(/\s+/g, " ")
    .split(/(?<=\.) /)[0];
  const what = sentence ? `"${sentence}"` : "(no description)";
  return `${action.target} ${what}`;
}

const OPERATION = /^\$\.paths\['([^']+)'\]\.(get|put|post|delete|patch|head|options|trace)\b/;

/**
 * Why a target that names an operation matches nothing, when the reason is that the operation or
 * its whole path is gone upstream: ": the operation POST /apiTokens/lookup is no longer upstream".
 */
function gone(doc, target) {
  const [, path, method] = OPERATION.exec(target) ?? [];
  if (path === undefined) return "";
  if (!isObject(doc.paths?.[path]))
    return `: the path ${path} is no longer upstream (none of its operations)`;
  if (!isObject(doc.paths[path][method]))
    return `: the operation ${method.toUpperCase()} ${path} is no longer upstream`;
  return "";
}

/** The problems of one action on the document as it stands, before the action is applied. */
export function checkAction(doc, action) {
  const nodes = action.target === "$" ? [{ value: doc }] : resolveJsonPath(doc, action.target);
  if (nodes.length === 0) return [`matches nothing upstream${gone(doc, action.target)}`];
  const expected = action["x-expect"];
  if (action.remove === true && expected === undefined) {
    return ["removes without stating what it expects to remove (add x-expect)"];
  }
  const problems = [];
  for (const { value } of nodes) {
    if (expected !== undefined) problems.push(...expectationMismatches(value, expected, ""));
    if (!action.remove && Object.hasOwn(action, "update")) {
      problems.push(...overwrites(value, action.update, expected, ""));
    }
  }
  return [...new Set(problems)];
}

/** Overlay actions without our extensions, for openapi-format. */
function plain(action) {
  return Object.fromEntries(Object.entries(action).filter(([k]) => !k.startsWith("x-")));
}

/**
 * Applies `overlaySet`'s actions to `doc` one by one after checking each. Returns the corrected
 * document; throws naming every correction whose expectation upstream no longer meets.
 */
export async function applyCorrections(doc, overlaySet, source) {
  let data = doc;
  const failures = [];
  for (const action of overlaySet.actions) {
    const problems = checkAction(data, action);
    if (problems.length > 0) failures.push({ action, problems });
    const result = await openapiOverlay(data, { overlaySet: { ...overlaySet, actions: [plain(action)] } });
    data = result.data;
  }
  if (failures.length > 0) {
    const lines = failures.flatMap(({ action, problems }) => [
      `  - ${label(action)}`,
      ...problems.map((p) => `      ${p}`),
    ]);
    throw new CorrectionError(
      `${failures.length === 1 ? "an overlay correction no longer matches" : `${failures.length} overlay corrections no longer match`} ${source}:\n${lines.join("\n")}\nUpstream changed what spec/overlay.yaml corrects: decide whether each correction still holds, then adapt its x-expect and update (or drop it) and run again.`,
      failures,
    );
  }
  return data;
}

export class CorrectionError extends Error {
  constructor(message, failures) {
    super(message);
    this.failures = failures;
  }
}
