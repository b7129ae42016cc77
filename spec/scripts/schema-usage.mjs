// Which component schemas an OpenAPI document uses in requests (parameters, request bodies) and
// which in responses, following $refs transitively. Whether a change breaks users depends on it:
// a newly required field breaks senders, a field that may now be absent breaks readers.

const REF_PREFIX = "#/components/";

function refTarget(doc, ref) {
  if (typeof ref !== "string" || !ref.startsWith(REF_PREFIX)) return undefined;
  const [kind, name] = ref.slice(REF_PREFIX.length).split("/");
  return { kind, name, value: doc.components?.[kind]?.[name] };
}

/** Adds the schema names reachable from `node` to `into` (following every $ref). */
function collect(doc, node, into, seen = new Set()) {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (typeof node.$ref === "string") {
    const target = refTarget(doc, node.$ref);
    if (target?.kind === "schemas") into.add(target.name);
    if (target?.value) collect(doc, target.value, into, seen);
  }
  for (const value of Object.values(node)) collect(doc, value, into, seen);
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** `{ request: Set<schemaName>, response: Set<schemaName> }` for the whole document. */
export function schemaUsage(doc) {
  const request = new Set();
  const response = new Set();
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      collect(doc, [item.parameters, op.parameters, op.requestBody], request);
      collect(doc, op.responses, response);
    }
  }
  return { request, response };
}
