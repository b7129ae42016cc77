// Diffs two derived specs with @useoptic/openapi-utilities (JSON-pointer changes) and classifies
// each change for the users of the packages:
//   breaking: an operation, response field, enum value or parameter removed; a parameter or body
//             field newly required; a type narrowed or changed;
//   addition: new operations, fields, parameters and scopes; enum values of requests or of
//             responses only (generated open); anything widened;
//   text:     descriptions, summaries, examples, titles.
// A change none of the rules know is reported as breaking, to be reviewed by hand.
import { diff } from "@useoptic/openapi-utilities";
import { schemaUsage } from "./schema-usage.mjs";

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);
const TEXT_KEYWORDS = new Set(["description", "summary", "example", "examples", "title", "externalDocs"]);
/** Keywords whose next segment is a name chosen by the author, not a keyword. */
const NAMED_MAPS = new Set([
  "properties",
  "schemas",
  "responses",
  "content",
  "headers",
  "variables",
  "securitySchemes",
  "requestBodies",
  "links",
  "callbacks",
  "patternProperties",
  "encoding",
]);
const LOWER_BOUNDS = new Set(["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"]);
const UPPER_BOUNDS = new Set(["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"]);

function decode(segment) {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function segmentsOf(pointer) {
  return pointer.split("/").slice(1).map(decode);
}

function valueAt(doc, segments) {
  let node = doc;
  for (const s of segments) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[s];
  }
  return node;
}

const show = (value) => (typeof value === "string" ? `\`${value}\`` : `\`${JSON.stringify(value)}\``);

/** A readable name for where a pointer points: `ApiToken.owner`, `GET /apiTokens parameter pageSize`. */
function describeLocation(segments, doc) {
  let label = "";
  let i = 0;
  if (segments[0] === "paths") {
    const path = segments[1];
    const method = segments[2];
    if (!METHODS.has(method)) return `path ${path}`;
    label = `${method.toUpperCase()} ${path}`;
    i = 3;
    if (segments[3] === "parameters" && segments[4] !== undefined) {
      const param = valueAt(doc, segments.slice(0, 5));
      label += ` parameter \`${param?.name ?? segments[4]}\``;
      i = 5;
    } else if (segments[3] === "requestBody") {
      label += " request body";
      i = 4;
    } else if (segments[3] === "responses" && segments[4] !== undefined) {
      label += ` response ${segments[4]}`;
      i = 5;
    }
  } else if (segments[0] === "components" && segments[2] !== undefined) {
    label = segments[2];
    i = 3;
  } else {
    return segments.join(".");
  }
  for (; i < segments.length; i++) {
    const s = segments[i];
    if (s === "properties" && segments[i + 1] !== undefined) {
      label += `.${segments[++i]}`;
    } else if (s === "items") {
      label += "[]";
    } else if (s === "content" && segments[i + 1] !== undefined) {
      i++;
    } else if (s === "schema" || s === "additionalProperties") {
      // the schema of a parameter, body or response: its fields follow
    } else {
      break;
    }
  }
  return label;
}

/** The first keyword on the pointer (skipping names chosen by the author) and its index. */
function keywordsOf(segments) {
  const keywords = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const previous = segments[i - 1];
    const isName =
      (previous !== undefined && NAMED_MAPS.has(previous) && segments[i - 2] !== "properties") ||
      (segments[0] === "paths" && (i === 1 || i === 2)) ||
      /^\d+$/.test(s);
    if (!isName) keywords.push({ keyword: s, index: i });
  }
  return keywords;
}

/** Whether the schema at this pointer is used in requests, in responses, or both. */
function contextOf(segments, usage) {
  if (segments[0] === "paths") {
    if (segments[3] === "parameters" || segments[3] === "requestBody")
      return { request: true, response: false };
    if (segments[3] === "responses") return { request: false, response: true };
    return { request: true, response: true };
  }
  if (segments[0] === "components") {
    if (segments[1] === "schemas") {
      const name = segments[2];
      return {
        request: usage.before.request.has(name) || usage.after.request.has(name),
        response: usage.before.response.has(name) || usage.after.response.has(name),
      };
    }
    if (segments[1] === "parameters" || segments[1] === "requestBodies")
      return { request: true, response: false };
    if (segments[1] === "responses" || segments[1] === "headers") return { request: false, response: true };
  }
  return { request: true, response: true };
}

const SCOPE_SCHEMAS = new Set(["TokenScope", "ResponseTokenScope"]);

/** Classifies one optic change. Returns `{ level, message, pointer }`. */
function classifyChange(change, before, after, usage) {
  const pointer = change.after ?? change.before;
  const segments = segmentsOf(pointer);
  const added = change.before === undefined;
  const removed = change.after === undefined;
  const old = removed || !added ? valueAt(before, segmentsOf(change.before)) : undefined;
  const now = added || !removed ? valueAt(after, segmentsOf(change.after)) : undefined;
  const where = describeLocation(segments, removed ? before : after);
  const result = (level, message) => ({ level, message, pointer });

  // Whole operations and paths.
  if (segments[0] === "paths" && segments.length <= 3) {
    const ops =
      segments.length === 3
        ? [`${segments[2].toUpperCase()} ${segments[1]}`]
        : Object.keys((removed ? old : now) ?? {})
            .filter((m) => METHODS.has(m))
            .map((m) => `${m.toUpperCase()} ${segments[1]}`);
    if (segments.length === 3 && !METHODS.has(segments[2])) return textOrUnknown();
    if (removed) return result("breaking", `Operation removed: ${ops.join(", ")}`);
    if (added) return result("addition", `Operation added: ${ops.join(", ")}`);
  }

  const keywords = keywordsOf(segments);
  const text = keywords.find((k) => TEXT_KEYWORDS.has(k.keyword) || isDocExtension(k.keyword));
  if (text) return result("text", `${capitalize(text.keyword)} of ${where} changed`);
  if (["info", "tags", "externalDocs", "openapi"].includes(segments[0])) {
    return result("text", `Document ${segments[0]} changed`);
  }
  if (segments[0] === "servers") return result("addition", "Servers changed");
  if (
    segments[0] === "security" ||
    segments[1] === "securitySchemes" ||
    keywords.at(-1)?.keyword === "security"
  ) {
    return result("addition", `Security of ${where} changed: check the packages' auth`);
  }

  const last = segments.at(-1);
  const parent = segments.at(-2);
  const context = contextOf(segments, usage);
  const indexed = /^\d+$/.test(last);

  // Whole components.
  if (segments[0] === "components" && segments.length === 3) {
    if (removed) return result("breaking", `${singular(segments[1])} \`${segments[2]}\` removed`);
    if (added) return result("addition", `${singular(segments[1])} \`${segments[2]}\` added`);
  }

  // Parameters of an operation.
  if (segments[0] === "paths" && segments[3] === "parameters" && segments.length === 5) {
    const param = removed ? old : now;
    const label = `\`${param?.name}\` (${param?.in})`;
    if (removed) return result("breaking", `${where.split(" parameter")[0]}: parameter ${label} removed`);
    if (added && param?.required) {
      return result("breaking", `${where.split(" parameter")[0]}: new required parameter ${label}`);
    }
    if (added) return result("addition", `${where.split(" parameter")[0]}: new parameter ${label}`);
  }
  // Request body and response status codes.
  if (segments[0] === "paths" && segments[3] === "requestBody" && segments.length === 4) {
    if (removed) return result("breaking", `${where} removed`);
    if (added) return result(now?.required ? "breaking" : "addition", `${where} added`);
  }
  if (segments[0] === "paths" && segments[3] === "responses" && segments.length === 5) {
    if (removed) return result("breaking", `${where} removed`);
    if (added) return result("addition", `${where} added`);
  }

  // Fields.
  if (parent === "properties") {
    if (removed) return result("breaking", `Field ${where} removed${context.response ? "" : " (request)"}`);
    if (added) return result("addition", `Field ${where} added${typeOf(now)}`);
  }
  if (parent === "required" && indexed) {
    const field = `${where}.${removed ? old : now}`;
    if (added) {
      return context.request
        ? result("breaking", `Field ${field} is now required in requests`)
        : result("addition", `Field ${field} is now always present`);
    }
    if (removed) {
      return context.response
        ? result("breaking", `Field ${field} is no longer always present`)
        : result("addition", `Field ${field} is now optional`);
    }
  }
  if (last === "required" && typeof (now ?? old) === "boolean") {
    if (now === true) return result("breaking", `${where} is now required`);
    return result("addition", `${where} is now optional`);
  }

  // Enum values and scopes.
  if ((parent === "enum" || parent === "x-extensible-enum") && indexed) {
    const value = removed ? old : now;
    const isScope = segments[0] === "components" && SCOPE_SCHEMAS.has(segments[2]);
    const noun = isScope
      ? segments[2] === "TokenScope"
        ? "Assignable scope"
        : "Known response scope"
      : "Value";
    if (removed) return result("breaking", `${noun} ${show(value)} removed from ${where}`);
    // A response-only enum is generated open (any other string too): a new value breaks no switch.
    // One that requests use is closed, and if responses carry it as well, an exhaustive switch
    // over what they return no longer compiles.
    if (added && parent === "enum" && !isScope && context.request && context.response) {
      return result(
        "breaking",
        `${noun} ${show(value)} added to ${where}, a closed enum that responses also carry (requests use it)`,
      );
    }
    if (added) return result("addition", `${noun} ${show(value)} added to ${where}`);
  }
  if (last === "enum") {
    if (added) return result("breaking", `${where} narrowed to the values ${show(now)}`);
    if (removed) return result("addition", `${where} no longer limited to an enum`);
  }
  if (last === "x-extensible-enum" && (added || removed)) {
    return result(
      removed ? "breaking" : "addition",
      `${where}: known values ${removed ? "removed" : "added"}`,
    );
  }

  // Types.
  if (last === "type" || last === "$ref" || last === "items" || last === "format") {
    return result(
      "breaking",
      `${last === "format" ? "Format" : "Type"} of ${where} changed from ${show(old ?? "(none)")} to ${show(now ?? "(none)")}`,
    );
  }
  if (last === "nullable") {
    // Readers of a response get null where they had a value: `const d: string | undefined = t.x` no
    // longer compiles. Senders only gain a value they may send.
    if (now === true && context.response) {
      return result("breaking", `${where} may now be null (responses carry it)`);
    }
    if (now === true) return result("addition", `${where} may now be null`);
    return result("breaking", `${where} may no longer be null`);
  }
  if (LOWER_BOUNDS.has(last) || UPPER_BOUNDS.has(last)) {
    const narrowed =
      added || (LOWER_BOUNDS.has(last) ? Number(now) > Number(old) : Number(now) < Number(old));
    const widened = removed || !narrowed;
    return result(
      widened && !added ? "addition" : "breaking",
      `${where}: ${last} ${show(old ?? "(none)")} → ${show(now ?? "(none)")}`,
    );
  }
  if (last === "pattern") {
    return result(removed ? "addition" : "breaking", `${where}: pattern ${removed ? "removed" : show(now)}`);
  }
  if (last === "additionalProperties") {
    return result(
      now === false ? "breaking" : "addition",
      `${where}: additional properties ${show(now ?? "(default)")}`,
    );
  }
  if (["default", "deprecated", "readOnly", "writeOnly", "uniqueItems"].includes(last)) {
    return result("addition", `${where}: ${last} ${show(old ?? "(none)")} → ${show(now ?? "(none)")}`);
  }
  if (segments.includes("headers") && segments[0] === "paths") {
    return result(
      removed ? "breaking" : "addition",
      `Header of ${where} ${removed ? "removed" : "added or changed"}`,
    );
  }
  return textOrUnknown();

  function textOrUnknown() {
    return result("breaking", `Unclassified change at ${pointer}: review it by hand`);
  }
}

function isDocExtension(keyword) {
  return keyword.startsWith("x-") && keyword !== "x-extensible-enum";
}

function capitalize(word) {
  return word[0].toUpperCase() + word.slice(1);
}

function singular(kind) {
  return { schemas: "Schema", responses: "Response", parameters: "Parameter" }[kind] ?? kind;
}

function typeOf(schema) {
  if (!schema || typeof schema !== "object") return "";
  if (schema.$ref) return ` (${schema.$ref.split("/").pop()})`;
  if (schema.type) return ` (${schema.type}${schema.format ? `, ${schema.format}` : ""})`;
  return "";
}

const ORDER = { breaking: 0, addition: 1, text: 2 };

/** The changes between two specs (parsed objects), classified, breaking first. */
export function classifyChanges(before, after) {
  const usage = { before: schemaUsage(before), after: schemaUsage(after) };
  const changes = diff(before, after).map((change) => classifyChange(change, before, after, usage));
  const unique = [...new Map(changes.map((c) => [`${c.level}:${c.message}`, c])).values()];
  return unique.sort((a, b) => ORDER[a.level] - ORDER[b.level] || a.message.localeCompare(b.message));
}

/** The semver bump the changes demand: major for breaking, minor for additions, patch for text. */
export function bumpFor(changes) {
  if (changes.some((c) => c.level === "breaking")) return "major";
  if (changes.some((c) => c.level === "addition")) return "minor";
  if (changes.length > 0) return "patch";
  return undefined;
}
