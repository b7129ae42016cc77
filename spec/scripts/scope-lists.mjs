// The scope lists of the spec: TokenScope's `enum` (assignable scopes) and ResponseTokenScope's
// `x-extensible-enum` (every scope known to appear on tokens). Their source is the vendored scope
// list, spec/upstream/dynatrace-token-scopes-<source>-<version>.json ({ create, response }, taken
// from Dynatrace's SDK, which is more current than the Environment API document), plus any scope
// that the upstream document lists and the scope list does not know at all (Dynatrace added it),
// except the retired ones named in spec/retired-scopes.yaml.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export const SCOPE_LIST_NAME = /^dynatrace-token-scopes-[a-z]+-(\d+)\.(\d+)\.(\d+)\.json$/;

/** The newest vendored scope list (by the version in its file name). */
export async function latestScopeList(upstreamDir) {
  const lists = (await readdir(upstreamDir))
    .map((name) => ({ name, m: SCOPE_LIST_NAME.exec(name) }))
    .filter((f) => f.m)
    .sort((a, b) => {
      for (let i = 1; i <= 3; i++) {
        const d = Number(b.m[i]) - Number(a.m[i]);
        if (d !== 0) return d;
      }
      return 0;
    });
  if (lists.length === 0)
    throw new Error(`no dynatrace-token-scopes-<source>-<version>.json in ${upstreamDir}`);
  return join(upstreamDir, lists[0].name);
}

/** Reads and checks a scope list file: `{ create: string[], response: string[] }`. */
export async function readScopeList(path) {
  let list;
  try {
    list = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new Error(`${path} is not a JSON scope list: ${err.message}`);
  }
  for (const key of ["create", "response"]) {
    const values = list?.[key];
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== "string" || !v)) {
      throw new Error(`${path}: "${key}" must be a non-empty array of scope names`);
    }
    const twice = values.find((v, i) => values.indexOf(v) !== i);
    if (twice) throw new Error(`${path}: "${key}" lists ${twice} twice`);
  }
  const unknown = list.create.filter((s) => !list.response.includes(s));
  if (unknown.length > 0) {
    throw new Error(`${path}: assignable scopes missing from "response": ${unknown.join(", ")}`);
  }
  return { create: list.create, response: list.response };
}

/** The enum values of a scopes array property in the upstream document ([] when absent). */
function upstreamEnum(upstream, schemaName) {
  const values = upstream.components?.schemas?.[schemaName]?.properties?.scopes?.items?.enum;
  return Array.isArray(values) ? values.filter((v) => typeof v === "string") : [];
}

/**
 * The two lists for the spec: the scope list's, then the scopes the upstream document adds (in its
 * order). A scope upstream offers for creation is assignable; every new scope is a response scope.
 */
export function mergeScopeLists(list, upstream, retired = []) {
  const known = new Set([...list.create, ...list.response, ...retired]);
  const newAssignable = upstreamEnum(upstream, "ApiTokenCreate").filter((s) => !known.has(s));
  const newOnTokens = upstreamEnum(upstream, "ApiToken").filter((s) => !known.has(s));
  const added = [...new Set([...newAssignable, ...newOnTokens])];
  return {
    create: [...list.create, ...newAssignable],
    response: [...list.response, ...added],
  };
}

/** Overlay actions that set the scope schemas' values (appended to spec/overlay.yaml's actions). */
export function scopeActions(lists) {
  return [
    { target: "$.components.schemas.TokenScope", update: { enum: lists.create } },
    { target: "$.components.schemas.ResponseTokenScope", update: { "x-extensible-enum": lists.response } },
  ];
}
