/**
 * Fuzzing with fast-check against the sandbox: selector, fields, timeframes, pageSize, sort,
 * nextPageKey (random and mutated real ones) and JSON bodies. Never a 5xx; every 400 is an
 * ErrorEnvelope whose violations name the parameter. The client's builders reject what the server
 * would reject, and their output parses back to the same criteria.
 */
import {
  API_TOKEN_FIELDS,
  type ApiTokenField,
  type ApiTokensClient,
  apiTokenSelector,
  BadRequestError,
  createApiTokensClient,
  DEFAULT_FIELDS,
  type FieldsInput,
  fieldsParam,
  InvalidInputError,
  type SelectorInput,
  timeframe,
} from "@dt-tokens/client";
import { type Sandbox, type SeedToken, startSandbox } from "@dt-tokens/sandbox";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectEnvelope } from "./helpers.js";

const NOW = Date.parse("2025-06-01T12:00:00.000Z");
const HOUR = 3_600_000;
const RUNS = 200;
const OWNERS = ['a"b', "c\\d", "e,f)", "ü 漢字 😀", 'x")', " sp ", "plain", 'owner("x")', '\\"', "admin"];
const SCOPES = ["metrics.read", "logs.read", "entities.read", 'weird"scope', "back\\slash", "apiTokens.read"];

let sandbox: Sandbox;
let dt: ApiTokensClient;
let admin: string;
type Snap = {
  id: string;
  owner: string;
  personalAccessToken: boolean;
  scopes: string[];
  lastUsedDate?: string;
  name: string;
};
let snapshot: Snap[];

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => NOW });
  admin = sandbox.bootstrapToken!;
  const tokens: SeedToken[] = Array.from({ length: 240 }, (_, i) => ({
    name: i % 7 === 0 ? `Name-${i % 13}` : `name-${(i * 31) % 97}`,
    owner: OWNERS[i % OWNERS.length]!,
    personalAccessToken: i % 3 === 0,
    scopes: SCOPES.filter((_, k) => (i >> k) & 1),
    creationDate: NOW - (i % 50) * HOUR,
    lastUsedDate: i % 4 === 0 ? null : NOW - ((i * 7919) % 500) * HOUR - (i % 1000),
    lastUsedIpAddress: i % 4 === 0 ? null : `203.0.113.${i % 250}`,
    expirationDate: i % 5 === 0 ? null : NOW + ((i * 104_729) % 1000) * HOUR,
    modifiedDate: i % 6 === 0 ? NOW - (i % 40) * HOUR : null,
    additionalMetadata: i % 9 === 0 ? { dashboardId: `d-${i}` } : null,
  }));
  sandbox.seed(tokens);
  dt = createApiTokensClient({ environmentUrl: sandbox.url, token: admin, maxRetries: 0 });
  // the bootstrap token is used from here on (lastUsedDate = NOW, the fixed clock), so snapshot after a call
  await dt.list();
  snapshot = (
    await dt.list({
      fields: ["owner", "personalAccessToken", "scopes", "lastUsedDate", "name"],
      pageSize: 10000,
    })
  ).apiTokens as Snap[];
  expect(snapshot.length).toBe(241);
});
afterAll(() => sandbox.close());

/** GET /apiTokens with a raw query string: status, text, content type. */
async function listRaw(query: string) {
  const res = await fetch(`${sandbox.apiBase}/apiTokens?${query}`, {
    headers: { authorization: `Api-Token ${admin}` },
  });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get("content-type") };
}

/** Asserts 200, or a 400 ErrorEnvelope whose violations name exactly `param` in the QUERY. */
function expectOkOrNames(
  r: { status: number; text: string; type: string | null },
  param: string,
  context: string,
) {
  expect([200, 400], `${context} -> ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
  if (r.status === 200) return true;
  const env = expectEnvelope(400, r.text, r.type, context);
  const violations = env.error.constraintViolations ?? [];
  expect(violations.length, context).toBeGreaterThan(0);
  for (const v of violations)
    expect({ path: v.path, at: v.parameterLocation }, context).toEqual({ path: param, at: "QUERY" });
  return false;
}

const q = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;
const tally = () => ({ ok: 0, rejected: 0 });
const report = (what: string, t: { ok: number; rejected: number }, extra = "") =>
  console.log(
    `${what}: ${t.ok + t.rejected} inputs tried, ${t.ok} accepted, ${t.rejected} rejected with a 400 naming the parameter${extra}`,
  );

// ---------------------------------------------------------------------------------------------
// apiTokenSelector

interface Criteria {
  owners: string[];
  personal: boolean[];
  scopeGroups: string[][];
}

/** A reference parser of the documented selector grammar (README "apiTokenSelector"), independent of the sandbox's. */
function parseSelector(text: string): Criteria {
  const out: Criteria = { owners: [], personal: [], scopeGroups: [] };
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}`);
  };
  const word = () => {
    ws();
    const start = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const eat = (ch: string) => {
    ws();
    if (text[i] !== ch) return false;
    i++;
    return true;
  };
  const quoted = () => {
    ws();
    if (text[i] !== '"') return fail("expected a quoted value");
    i++;
    let v = "";
    while (i < text.length) {
      const ch = text[i++]!;
      if (ch === "\\") {
        if (i >= text.length) fail("dangling backslash");
        if (text[i] !== '"' && text[i] !== "\\") fail('a backslash escapes only " and \\');
        v += text[i++];
      } else if (ch === '"') return v;
      else v += ch;
    }
    return fail("unterminated quote");
  };
  if (text.trim() === "") return out;
  do {
    const name = word();
    if (!eat("(")) fail("expected (");
    if (name === "owner") out.owners.push(quoted());
    else if (name === "scope") {
      const group = [quoted()];
      while (eat(",")) group.push(quoted());
      out.scopeGroups.push(group);
    } else if (name === "personalAccessToken") {
      ws();
      const v = text[i] === '"' ? quoted() : word();
      if (v !== "true" && v !== "false") fail("expected true or false");
      out.personal.push(v === "true");
    } else fail(`unknown criterion ${name}`);
    if (!eat(")")) fail("expected )");
  } while (eat(","));
  ws();
  if (i < text.length) fail("trailing text");
  return out;
}

const matches = (t: Snap, c: Criteria) =>
  c.owners.every((o) => t.owner === o) &&
  c.personal.every((p) => t.personalAccessToken === p) &&
  c.scopeGroups.every((g) => g.some((s) => t.scopes.includes(s)));

const anyOwner = fc.oneof(fc.constantFrom(...OWNERS), fc.string({ unit: "grapheme", maxLength: 12 }));
const anyScope = fc.oneof(fc.constantFrom(...SCOPES), fc.string({ maxLength: 8 }));
const selectorInput: fc.Arbitrary<SelectorInput> = fc.record(
  {
    owner: anyOwner,
    personalAccessToken: fc.boolean(),
    scopes: fc.array(anyScope, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** Random edits of a text: delete, insert or replace characters, biased towards the grammar's own. */
const mutated = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom("del", "ins", "rep"),
          fc.constantFrom(...'"\\(),  x1+-/.'.split(""), "owner", "scope("),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([s, edits]) => {
      // edits by code point, so that the text stays well-formed Unicode (it goes into a URL)
      const out = Array.from(s);
      for (const [at, op, ch] of edits) {
        const i = out.length === 0 ? 0 : at % (out.length + (op === "ins" ? 1 : 0));
        if (op === "del") out.splice(i, 1);
        else if (op === "ins") out.splice(i, 0, ch);
        else out.splice(i, 1, ch);
      }
      return out.join("");
    });

describe("apiTokenSelector", () => {
  it("property: random and mutated selectors answer 200 or a 400 naming apiTokenSelector, exactly as the documented grammar says", async () => {
    const t = tally();
    const fragments = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "owner",
            "scope",
            "personalAccessToken",
            "Owner",
            "(",
            ")",
            ",",
            '"',
            "\\",
            " ",
            "true",
            '"a"',
            '"b\\"c"',
            '"metrics.read"',
          ),
          fc.string({ maxLength: 3 }),
        ),
        { maxLength: 10 },
      )
      .map((a) => a.join(""));
    const built = selectorInput.map(apiTokenSelector);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fragments, mutated(built), built, fc.string({ unit: "grapheme", maxLength: 30 })),
        async (s) => {
          const r = await listRaw(q("apiTokenSelector", s));
          const ok = expectOkOrNames(r, "apiTokenSelector", `selector ${JSON.stringify(s)}`);
          let reference = true;
          try {
            parseSelector(s);
          } catch {
            reference = false;
          }
          expect(ok, `selector ${JSON.stringify(s)}: sandbox and the documented grammar disagree`).toBe(
            reference,
          );
          t[ok ? "ok" : "rejected"]++;
        },
      ),
      { numRuns: RUNS * 2, seed: 801 },
    );
    report("apiTokenSelector (random, mutated)", t);
    expect(t.ok).toBeGreaterThan(20);
    expect(t.rejected).toBeGreaterThan(20);
  });

  it("property: apiTokenSelector() output parses back to the same criteria and selects exactly the matching tokens", async () => {
    let nonEmpty = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(selectorInput, async (input) => {
        const text = apiTokenSelector(input);
        const want: Criteria = {
          owners: input.owner === undefined ? [] : [input.owner],
          personal: input.personalAccessToken === undefined ? [] : [input.personalAccessToken],
          scopeGroups: input.scopes === undefined ? [] : [[...input.scopes]],
        };
        expect(parseSelector(text)).toEqual(want);
        const expected = snapshot
          .filter((t) => matches(t, want))
          .map((t) => t.id)
          .sort();
        for (const selector of [input, text]) {
          const page = await dt.list({ selector, pageSize: 10000 });
          expect(page.apiTokens.map((t) => t.id).sort(), text).toEqual(expected);
          expect(page.totalCount).toBe(expected.length);
        }
        if (expected.length > 0) nonEmpty++;
        runs++;
      }),
      { numRuns: RUNS, seed: 802 },
    );
    console.log(
      `apiTokenSelector() round trip: ${runs} inputs (${nonEmpty} selecting at least one token), each through the reference parser and the sandbox, as object and as string`,
    );
    expect(nonEmpty).toBeGreaterThan(30);
  });

  it("rejects wrongly typed criteria before sending (InvalidInputError, never a TypeError)", () => {
    let tried = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ owner: fc.oneof(fc.integer(), fc.boolean(), fc.object(), fc.array(fc.string())) }),
          fc.record({ personalAccessToken: fc.oneof(fc.integer(), fc.string(), fc.object()) }),
          fc.record({
            // (falsy scopes such as "" or 0 are ignored like undefined: harmless)
            scopes: fc.oneof(
              fc.constant([]),
              fc.integer().filter((n) => n !== 0),
              fc.object(),
            ),
          }),
        ),
        (input) => {
          tried++;
          expect(() => apiTokenSelector(input as SelectorInput)).toThrow(InvalidInputError);
        },
      ),
      { numRuns: RUNS, seed: 803 },
    );
    console.log(`apiTokenSelector() wrongly typed: ${tried} inputs rejected before sending`);
  });

  // Was a client bug: a lone surrogate in a selector or fields escaped as a raw URIError from the
  // query serializer, not an InvalidInputError (every error is meant to extend ApiTokensError).
  it("property: a lone surrogate in any query parameter is an InvalidInputError, nothing is sent", async () => {
    const before = (await dt.list()).totalCount;
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 6 }),
        fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"),
        fc.string({ maxLength: 6 }),
        fc.constantFrom("owner", "scope", "fields", "sort", "nextPageKey", "rawSelector"),
        async (a, lone, b, where) => {
          tried++;
          const text = a + lone + b;
          const params =
            where === "owner"
              ? { selector: { owner: text } }
              : where === "scope"
                ? { selector: { scopes: [text] } }
                : where === "rawSelector"
                  ? { selector: text }
                  : { [where]: text };
          const err = await dt.list(params as Parameters<typeof dt.list>[0]).catch((e) => e);
          expect(err, `${where} ${JSON.stringify(text)}`).toBeInstanceOf(InvalidInputError);
          expect(err.message).toBe("query: expected valid Unicode");
        },
      ),
      { numRuns: RUNS, seed: 804 },
    );
    expect((await dt.list()).totalCount).toBe(before);
    console.log(`lone surrogates: ${tried} queries rejected before sending`);
  });

  // Was a client bug: null was taken as a value: owner("null"), personalAccessToken(null).
  it("null criteria are rejected; undefined means not given", () => {
    for (const input of [{ owner: null }, { personalAccessToken: null }, { scopes: null }])
      expect(() => apiTokenSelector(input as unknown as SelectorInput), JSON.stringify(input)).toThrow(
        InvalidInputError,
      );
    expect(apiTokenSelector({ owner: undefined, personalAccessToken: undefined, scopes: undefined })).toBe(
      "",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// fields

const knownField = fc.constantFrom(...API_TOKEN_FIELDS);
const typedFields: fc.Arbitrary<FieldsInput> = fc.oneof(
  fc.uniqueArray(knownField, { minLength: 1 }),
  fc.record({ add: fc.uniqueArray(knownField), remove: fc.uniqueArray(knownField) }, { requiredKeys: [] }),
);

/** The fields a typed `fields` value selects, as the README says (`id` always). */
function selected(fields: FieldsInput): Set<string> {
  if (Array.isArray(fields)) return new Set(["id", ...fields]);
  const { add = [], remove = [] } = fields as { add?: ApiTokenField[]; remove?: ApiTokenField[] };
  const set = new Set<string>([...DEFAULT_FIELDS, ...add]);
  for (const f of remove) set.delete(f);
  return set.add("id");
}

describe("fields", () => {
  it("property: random and mutated fields strings answer 200 or a 400 naming fields", async () => {
    const t = tally();
    const list = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            ...API_TOKEN_FIELDS.map((f) => `+${f}`),
            ...API_TOKEN_FIELDS,
            "-name",
            " scopes",
            "Scopes",
            "",
          ),
          fc.string({ maxLength: 6 }),
        ),
        {
          maxLength: 5,
        },
      )
      .map((a) => a.join(","));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(list, mutated(list), fc.string({ unit: "grapheme", maxLength: 20 })),
        async (s) => {
          t[
            expectOkOrNames(await listRaw(q("fields", s)), "fields", `fields ${JSON.stringify(s)}`)
              ? "ok"
              : "rejected"
          ]++;
        },
      ),
      { numRuns: RUNS, seed: 811 },
    );
    report("fields (random, mutated)", t);
    expect(t.ok).toBeGreaterThan(10);
    expect(t.rejected).toBeGreaterThan(10);
  });

  it("property: fieldsParam() output parses back to the same set of fields", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(typedFields, async (fields) => {
        const want = selected(fields);
        const page = await dt.list({ fields, pageSize: 10000 });
        const seen = new Set(page.apiTokens.flatMap((t) => Object.keys(t)));
        expect([...seen].sort(), fieldsParam(fields)).toEqual([...want].sort());
        runs++;
      }),
      { numRuns: RUNS, seed: 812 },
    );
    console.log(
      `fieldsParam() round trip: ${runs} typed inputs; the sandbox returned exactly the selected fields each time`,
    );
  });

  it("property: fieldsParam() rejects names that are not words before sending", () => {
    let tried = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(knownField),
        fc.string({ maxLength: 8 }).filter((s) => !/^[a-z]+$/i.test(s)),
        (names, bad) => {
          tried++;
          expect(() => fieldsParam([...names, bad] as ApiTokenField[])).toThrow(InvalidInputError);
          expect(() => fieldsParam({ add: [bad as ApiTokenField] })).toThrow(InvalidInputError);
        },
      ),
      { numRuns: RUNS, seed: 813 },
    );
    console.log(`fieldsParam() with a non-word name: ${tried} inputs rejected before sending`);
  });

  // The documented rule (client README, "Typed fields"): names are checked for shape only, so a
  // field Dynatrace adds later is not blocked. A well-formed name the server does not know reaches it
  // and comes back as a typed BadRequestError naming fields; a malformed one never leaves the client.
  it("property: well-formed unknown names go to the server (a BadRequestError naming fields); malformed ones are rejected before sending", async () => {
    const t = { sentOk: 0, sentRejected: 0, notSent: 0 };
    const known = new Set<string>(API_TOKEN_FIELDS);
    let sent = 0; // requests that left the client (a counting wrapper around the real fetch)
    const counted = createApiTokensClient({
      environmentUrl: sandbox.url,
      token: admin,
      maxRetries: 0,
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.oneof(
            knownField,
            fc.stringMatching(/^[a-zA-Z]{1,8}$/),
            fc.string({ maxLength: 6 }).filter((s) => !/^[a-z]+$/i.test(s)),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.boolean(),
        async (names, asAdd) => {
          const fields = (asAdd ? { add: names } : names) as FieldsInput;
          const wellFormed = names.every((n) => /^[a-z]+$/i.test(n));
          const before = sent;
          const result = await counted.list({ fields, pageSize: 100 }).then(
            () => undefined,
            (e) => e,
          );
          if (!wellFormed) {
            expect(result, JSON.stringify(names)).toBeInstanceOf(InvalidInputError);
            expect(result.message).toMatch(/^fields: expected field names such as scopes, got /);
            expect(sent).toBe(before);
            t.notSent++;
          } else if (names.every((n) => known.has(n))) {
            expect(result, JSON.stringify(names)).toBeUndefined();
            expect(sent).toBe(before + 1);
            t.sentOk++;
          } else {
            expect(result, JSON.stringify(names)).toBeInstanceOf(BadRequestError);
            expect((result as BadRequestError).constraintViolations.map((v) => v.path)).toContain("fields");
            for (const v of (result as BadRequestError).constraintViolations) expect(v.path).toBe("fields");
            expect(sent).toBe(before + 1);
            t.sentRejected++;
          }
        },
      ),
      { numRuns: RUNS, seed: 814 },
    );
    console.log(
      `fields by shape: ${t.sentOk} known lists answered, ${t.sentRejected} with unknown names got the server's 400 naming fields, ${t.notSent} malformed lists rejected before sending`,
    );
    expect(t.sentOk).toBeGreaterThan(5);
    expect(t.sentRejected).toBeGreaterThan(5);
    expect(t.notSent).toBeGreaterThan(5);
  });
});

// ---------------------------------------------------------------------------------------------
// timeframes

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((a) => a.join(""));
const p2 = (n: number) => String(n).padStart(2, "0");
const absolute = fc
  .record({
    y: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
    mo: fc.integer({ min: 0, max: 14 }),
    d: fc.integer({ min: 0, max: 33 }),
    sep: fc.constantFrom("T", " ", "t", "_"),
    time: fc.option(
      fc.record({
        h: fc.integer({ min: 0, max: 25 }),
        mi: fc.integer({ min: 0, max: 61 }),
        s: fc.option(fc.integer({ min: 0, max: 61 })),
        frac: fc.option(digits(0, 12)),
      }),
    ),
    zone: fc.constantFrom(
      "",
      "Z",
      "z",
      "+01:00",
      "-0530",
      "+01",
      " 01:00",
      "+19:00",
      "+01:60",
      "+1:00",
      "-00:00",
    ),
  })
  .map(({ y, mo, d, sep, time, zone }) => {
    let s = `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)}`;
    if (time) {
      s += `${sep}${p2(time.h)}:${p2(time.mi)}`;
      if (time.s !== null) s += `:${p2(time.s)}${time.frac === null ? "" : `.${time.frac}`}`;
    }
    return s + zone;
  });
const relative = fc
  .record({
    sign: fc.constantFrom("", "-", "+", " "),
    amount: digits(0, 12),
    unit: fc.constantFrom(..."mhdwMyxsD"),
    align: fc.option(fc.constantFrom(..."mhdwMyq")),
  })
  .map(
    ({ sign, amount, unit, align }) =>
      `now${sign}${amount}${amount || sign ? unit : ""}${align ? `/${align}` : ""}`,
  );
const timeText = fc.oneof(
  absolute,
  digits(1, 20),
  relative,
  fc.string({ maxLength: 25 }),
  fc
    .tuple(fc.oneof(absolute, relative, digits(1, 16)), fc.constantFrom(" ", "\t", ""))
    .map(([s, w]) => `${w}${s}${w}`),
);

describe("timeframes (from, to, expirationDate)", () => {
  it("property: random and mutated timeframes answer 200 or a 400 naming the parameter", async () => {
    const t = tally();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(timeText, mutated(timeText)),
        fc.constantFrom("from", "to"),
        async (s, param) => {
          // from alone also needs from <= now: a future `from` is a 400 naming from as well
          t[
            expectOkOrNames(await listRaw(q(param, s)), param, `${param} ${JSON.stringify(s)}`)
              ? "ok"
              : "rejected"
          ]++;
        },
      ),
      { numRuns: RUNS * 2, seed: 821 },
    );
    report("from / to (random, mutated)", t);
    expect(t.ok).toBeGreaterThan(30);
    expect(t.rejected).toBeGreaterThan(30);
  });

  it("property: timeframe() of a Date or epoch ms parses back to the same instant (the filter cuts exactly there)", async () => {
    const times = snapshot.flatMap((t) => (t.lastUsedDate ? [Date.parse(t.lastUsedDate)] : []));
    const lo = Math.min(...times) - HOUR;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: lo, max: NOW }),
          fc.constantFrom(...times).chain((x) => fc.constantFrom(x - 1, x, x + 1)),
        ),
        fc.boolean(),
        fc.constantFrom("from", "to"),
        async (ms, asDate, param) => {
          const text = timeframe(asDate ? new Date(ms) : ms, param);
          expect(asDate ? Date.parse(text) : Number(text)).toBe(ms);
          const expected = snapshot.filter((t) => {
            const used = t.lastUsedDate ? Date.parse(t.lastUsedDate) : undefined;
            return used !== undefined && (param === "to" ? used <= ms : used >= ms && used <= NOW);
          });
          const page = await dt.list({ [param]: asDate ? new Date(ms) : ms, pageSize: 10000 });
          expect(page.totalCount, `${param}=${text}`).toBe(expected.length);
          runs++;
        },
      ),
      { numRuns: RUNS, seed: 822 },
    );
    console.log(
      `timeframe() round trip: ${runs} instants (Dates and epoch ms, on and next to token times); the sandbox filtered at exactly each`,
    );
  });

  it("property: for expirationDate, every 400 names expirationDate in the body", async () => {
    const t = tally();
    await fc.assert(
      fc.asyncProperty(fc.oneof(timeText, mutated(timeText)), async (s) => {
        const res = await fetch(`${sandbox.apiBase}/apiTokens`, {
          method: "POST",
          headers: { authorization: `Api-Token ${admin}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "exp", scopes: ["metrics.read"], expirationDate: s }),
        });
        const text = await res.text();
        expect([201, 400], `${s} -> ${res.status} ${text}`).toContain(res.status);
        if (res.status === 400) {
          const env = expectEnvelope(400, text, res.headers.get("content-type"), s);
          expect(env.error.constraintViolations?.map((v) => [v.path, v.parameterLocation])).toEqual([
            ["expirationDate", "PAYLOAD_BODY"],
          ]);
          t.rejected++;
        } else t.ok++;
      }),
      { numRuns: RUNS, seed: 823 },
    );
    report("expirationDate (random, mutated)", t);
    expect(t.ok).toBeGreaterThan(5);
    expect(t.rejected).toBeGreaterThan(5);
  });

  // Was a client bug: timeframe() checked the shape only, so it passed 2021-13-01T00:00, 2021-02-30T00:00,
  // 25:00, 16+ digit epochs, 10+ digit fractions and now-1234567890d, which the server rejects.
  it("property: what timeframe() lets through, the server accepts (from, to and expirationDate)", async () => {
    const t = { passed: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(timeText, mutated(timeText)),
        fc.constantFrom("from", "to", "expirationDate"),
        async (s, param) => {
          let text: string;
          try {
            text = timeframe(s, param, param === "expirationDate");
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidInputError);
            t.rejected++;
            return;
          }
          t.passed++;
          const context = `timeframe(${JSON.stringify(s)}, ${param}) gave ${text}`;
          if (param === "to") expect((await listRaw(q("to", text))).status, context).toBe(200);
          else if (param === "from") {
            // the server also wants from <= to (now): a 400 may only say that
            const r = await listRaw(q("from", text));
            if (r.status !== 200) expect(r.text, context).toMatch(/must not be after 'to'/);
          } else {
            const res = await fetch(`${sandbox.apiBase}/apiTokens`, {
              method: "POST",
              headers: { authorization: `Api-Token ${admin}`, "content-type": "application/json" },
              body: JSON.stringify({ name: "tf", scopes: ["metrics.read"], expirationDate: text }),
            });
            const body = await res.text();
            // the server also wants an expiry in the future: a 400 may only say that
            if (res.status !== 201) expect(body, context).toMatch(/must be in the future/);
          }
        },
      ),
      { numRuns: RUNS * 2, seed: 824 },
    );
    console.log(
      `timeframe() vs the sandbox: ${t.passed} values let through (each accepted by the server), ${t.rejected} rejected before sending`,
    );
    expect(t.passed).toBeGreaterThan(30);
    expect(t.rejected).toBeGreaterThan(30);
  });

  it("timeframe() accepts a date alone and rejects what the server rejects at the limits", async () => {
    // 253402300799999 is 9999-12-31T23:59:59.999Z, the last instant the API can represent
    for (const ok of ["2021-01-25", "2024-02-29", "2021-01-25T23:59:59.123456789+18:59", "253402300799999"])
      expect((await listRaw(q("to", timeframe(ok, "to")))).status, ok).toBe(200);
    for (const bad of [
      "2021-02-30",
      "2021-01-25T25:00",
      "2021-01-25T05:00+19:00",
      "10000-01-01",
      "1234567890123456",
      "now-999999y",
    ]) {
      expect(() => timeframe(bad, "to"), bad).toThrow(InvalidInputError);
      expect((await listRaw(q("to", bad))).status, `the server rejects ${bad} too`).toBe(400);
    }
    // The server takes every date of years 0000-9999; the client is stricter and refuses dates
    // before 1970 (no token was used or created then), so it never sends one.
    expect((await listRaw(q("to", "0050-01-01"))).status).toBe(200);
    expect(() => timeframe("0050-01-01", "to")).toThrow(InvalidInputError);
  });
});

// ---------------------------------------------------------------------------------------------
// pageSize, sort

describe("pageSize", () => {
  it("property: 200 exactly for integers from 100 to 10000, else a 400 naming pageSize (the client passes that on typed)", async () => {
    const t = tally();
    const value = fc.oneof(
      fc.integer({ min: -20_000, max: 20_000 }),
      fc.constantFrom(99, 100, 10_000, 10_001, 0, -0, 1e21, Number.NaN, Number.POSITIVE_INFINITY, 100.5),
      fc.double(),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(value, fc.string({ maxLength: 8 })), async (v) => {
        const valid = typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 10_000;
        const ok = expectOkOrNames(
          await listRaw(q("pageSize", String(v))),
          "pageSize",
          `pageSize ${String(v)}`,
        );
        if (typeof v === "number" && !/e/i.test(String(v))) expect(ok, String(v)).toBe(valid);
        if (typeof v === "number") {
          try {
            const page = await dt.list({ pageSize: v });
            expect(valid, `client list({ pageSize: ${v} })`).toBe(true);
            expect(page.pageSize).toBe(v);
          } catch (e) {
            // the client sends pageSize as given: the server's 400 comes back typed, naming it
            expect(e, String(v)).toBeInstanceOf(
              e instanceof InvalidInputError ? InvalidInputError : BadRequestError,
            );
            if (e instanceof BadRequestError)
              expect(e.constraintViolations.map((c) => c.path)).toEqual(["pageSize"]);
          }
        }
        t[ok ? "ok" : "rejected"]++;
      }),
      { numRuns: RUNS, seed: 831 },
    );
    report("pageSize (random)", t);
    expect(t.ok).toBeGreaterThan(5);
  });
});

const SORT_FIELDS = ["name", "lastUsedDate", "creationDate", "expirationDate", "modifiedDate"] as const;

describe("sort", () => {
  it("property: random and mutated sorts answer 200 or a 400 naming sort, as documented", async () => {
    const t = tally();
    const sort = fc
      .tuple(
        fc.constantFrom("", "+", "-", " ", "--", "+-"),
        fc.constantFrom(...SORT_FIELDS, "Name", "id", "owner", "lastused"),
        fc.constantFrom("", " ", "\t", "x"),
      )
      .map(([a, b, c]) => a + b + c);
    await fc.assert(
      fc.asyncProperty(fc.oneof(sort, mutated(sort), fc.string({ maxLength: 12 })), async (s) => {
        const ok = expectOkOrNames(await listRaw(q("sort", s)), "sort", `sort ${JSON.stringify(s)}`);
        const documented =
          s.trim() === "" || new RegExp(`^[+ -]?(${SORT_FIELDS.join("|")})$`).test(s.trimEnd());
        expect(ok, `sort ${JSON.stringify(s)}`).toBe(documented);
        t[ok ? "ok" : "rejected"]++;
      }),
      { numRuns: RUNS, seed: 841 },
    );
    report("sort (random, mutated)", t);
    expect(t.ok).toBeGreaterThan(10);
    expect(t.rejected).toBeGreaterThan(10);
  });

  it("every valid sort orders the tokens as documented", async () => {
    let checked = 0;
    for (const field of SORT_FIELDS)
      for (const dir of ["", "+", "-"] as const) {
        const page = await dt.list({ sort: `${dir}${field}`, fields: [field], pageSize: 10000 });
        const key = (t: Record<string, unknown>) => {
          const v = t[field] as string | undefined;
          if (field === "name") return (v ?? "").toLowerCase();
          // absent: never used / never modified sort first ascending, never expiring last
          return v === undefined ? (field === "expirationDate" ? "\uffff" : "") : v;
        };
        const keys = page.apiTokens.map((t) => key(t as Record<string, unknown>));
        const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(keys, `${dir}${field}`).toEqual(dir === "-" ? sorted.reverse() : sorted);
        checked++;
      }
    console.log(
      `sort: ${checked} valid sorts, each over all ${snapshot.length} tokens, in the documented order`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// nextPageKey

describe("nextPageKey", () => {
  let keys: string[];
  beforeAll(async () => {
    keys = [];
    for (const query of [
      "pageSize=100",
      "pageSize=100&sort=name&fields=%2Bscopes",
      `pageSize=100&${q("apiTokenSelector", "personalAccessToken(false)")}`,
    ]) {
      const r = await listRaw(query);
      keys.push((JSON.parse(r.text) as { nextPageKey: string }).nextPageKey);
    }
  });

  it("property: random, mutated and spliced keys are a 400 naming nextPageKey, never data", async () => {
    const t = tally();
    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const edit = fc
      .tuple(
        fc.nat(keys.length - 1),
        fc.nat(),
        fc.constantFrom("flip", "del", "ins", "trunc", "case", "splice", "pad", "lastbits"),
        fc.constantFrom(...B64),
      )
      .map(([k, at, op, ch]) => {
        const key = keys[k]!;
        const i = at % key.length;
        switch (op) {
          case "flip":
            return key.slice(0, i) + (key[i] === ch ? (ch === "A" ? "B" : "A") : ch) + key.slice(i + 1);
          case "del":
            return key.slice(0, i) + key.slice(i + 1);
          case "ins":
            return key.slice(0, i) + ch + key.slice(i);
          case "trunc":
            return key.slice(0, i);
          case "case":
            return (
              key.slice(0, i) +
              (key[i]!.toLowerCase() === key[i] ? key[i]!.toUpperCase() : key[i]!.toLowerCase()) +
              key.slice(i + 1)
            );
          case "splice": {
            const other = keys[(k + 1) % keys.length]!;
            return `${key.split(".")[0]}.${other.split(".")[1]}`;
          }
          case "pad":
            return `${key}=`;
          default: {
            // the same bytes, spelled differently (the last character's padding bits)
            const last = B64.indexOf(key.at(-1)!);
            return key.slice(0, -1) + B64[last ^ (1 + (at % 3))];
          }
        }
      });
    let unchanged = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(edit, edit, fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 80 })),
        async (k) => {
          if (keys.includes(k)) {
            unchanged++;
            return;
          }
          const r = await listRaw(q("nextPageKey", k));
          expect(r.status, k).toBe(400);
          expectOkOrNames(r, "nextPageKey", `nextPageKey ${k}`);
          t.rejected++;
        },
      ),
      { numRuns: RUNS * 2, seed: 851 },
    );
    // the real keys still work, through the client too
    for (const key of keys) expect((await dt.list({ nextPageKey: key })).apiTokens.length).toBeGreaterThan(0);
    report(
      "nextPageKey (random, mutated, spliced)",
      t,
      `; ${unchanged} mutations gave the key back unchanged and were skipped`,
    );
    expect(t.rejected).toBeGreaterThan(RUNS);
  });

  it("property: a real key with any other parameter is a 400 naming that parameter", async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("pageSize", "fields", "sort", "apiTokenSelector", "from", "to", "x"),
        fc.string({ maxLength: 5 }),
        fc.nat(2),
        async (param, value, k) => {
          const r = await listRaw(`${q("nextPageKey", keys[k]!)}&${q(param, value)}`);
          expect(r.status).toBe(400);
          expectOkOrNames(r, param, `nextPageKey + ${param}`);
          tried++;
        },
      ),
      { numRuns: 100, seed: 852 },
    );
    console.log(
      `nextPageKey with another parameter: ${tried} requests, each a 400 naming the other parameter`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// JSON bodies

describe("JSON bodies (create, update, lookup)", () => {
  let bodies: Sandbox;
  let target: string;
  beforeAll(async () => {
    bodies = await startSandbox();
    target = bodies.seed([{ name: "target", scopes: ["metrics.read"] }])[0]!.id;
  });
  afterAll(() => bodies.close());

  async function send(method: string, path: string, body: string) {
    const res = await fetch(`${bodies.apiBase}${path}`, {
      method,
      headers: { authorization: `Api-Token ${bodies.bootstrapToken}`, "content-type": "application/json" },
      body,
    });
    return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
  }

  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  );
  const badName = fc.oneof(notString, fc.constantFrom("", "   ", "\t", "x".repeat(1001)));
  const badScopes = fc.oneof(
    notString.filter((v) => !Array.isArray(v) || v.length === 0),
    fc.constant([]),
    fc
      .tuple(
        fc.constantFrom("metrics.read"),
        fc.oneof(
          fc.string({ maxLength: 6 }).filter((s) => s !== "metrics.read"),
          fc.integer(),
        ),
      )
      .map((a) => a),
  );
  const badBool = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 5 }),
    fc.constant(null),
    fc.object({ maxDepth: 1 }),
  );
  const badExpiry = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constantFrom("now-1d", "2001-01-01T00:00:00Z", "tomorrow", "", "now+1x"),
  );

  it("property: a body with one bad field is a 400 whose violations name exactly that field", async () => {
    const counts: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badName.map((v) => ["create", "name", { name: v, scopes: ["metrics.read"] }] as const),
          badScopes.map((v) => ["create", "scopes", { name: "n", scopes: v }] as const),
          badBool.map(
            (v) =>
              [
                "create",
                "personalAccessToken",
                { name: "n", scopes: ["metrics.read"], personalAccessToken: v },
              ] as const,
          ),
          badExpiry.map(
            (v) =>
              [
                "create",
                "expirationDate",
                { name: "n", scopes: ["metrics.read"], expirationDate: v },
              ] as const,
          ),
          badName.filter((v) => v !== null).map((v) => ["update", "name", { name: v }] as const),
          badBool.map((v) => ["update", "enabled", { enabled: v }] as const),
          badScopes.filter((v) => v !== null).map((v) => ["update", "scopes", { scopes: v }] as const),
          notString.map((v) => ["lookup", "token", { token: v }] as const),
        ),
        fc.dictionary(fc.constantFrom("extra", "enabled", "foo"), fc.jsonValue({ maxDepth: 1 }), {
          maxKeys: 1,
        }),
        async ([op, field, body], extra) => {
          const payload = op === "create" ? { ...extra, ...body } : body; // unknown fields are ignored on create
          if (op === "update" && field === "name" && (payload as { name: unknown }).name === null) return;
          const r =
            op === "create"
              ? await send("POST", "/apiTokens", JSON.stringify(payload))
              : op === "update"
                ? await send("PUT", `/apiTokens/${target}`, JSON.stringify(payload))
                : await send("POST", "/apiTokens/lookup", JSON.stringify(payload));
          const context = `${op} ${JSON.stringify(payload).slice(0, 120)} -> ${r.status} ${r.text.slice(0, 200)}`;
          expect(r.status, context).toBe(400);
          const env = expectEnvelope(400, r.text, r.type, context);
          const paths = (env.error.constraintViolations ?? []).map((v) => v.path);
          expect(paths.length, context).toBeGreaterThan(0);
          for (const p of paths) expect(p === field || p.startsWith(`${field}[`), context).toBe(true);
          for (const v of env.error.constraintViolations ?? [])
            expect(v.parameterLocation).toBe("PAYLOAD_BODY");
          counts[`${op}.${field}`] = (counts[`${op}.${field}`] ?? 0) + 1;
        },
      ),
      { numRuns: RUNS * 2, seed: 861 },
    );
    console.log(
      `bodies with one bad field: ${Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}; each a 400 naming that field`,
    );
    expect(Object.keys(counts).length).toBe(8);
  });

  it("property: any JSON (or not JSON) body answers 2xx or a 4xx ErrorEnvelope naming a body field, never 5xx", async () => {
    const statuses: Record<number, number> = {};
    const known = /^(body|name|scopes(\[\d+\])?|personalAccessToken|expirationDate|enabled|token)$/;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("create", "update", "lookup"),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          fc
            .record(
              {
                name: fc.jsonValue({ maxDepth: 1 }),
                scopes: fc.jsonValue({ maxDepth: 1 }),
                enabled: fc.jsonValue({ maxDepth: 1 }),
                token: fc.jsonValue({ maxDepth: 1 }),
              },
              { requiredKeys: [] },
            )
            .map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 20 }),
        ),
        async (op, body) => {
          const r =
            op === "create"
              ? await send("POST", "/apiTokens", body)
              : op === "update"
                ? await send("PUT", `/apiTokens/${target}`, body)
                : await send("POST", "/apiTokens/lookup", body);
          const context = `${op} ${body.slice(0, 100)} -> ${r.status} ${r.text.slice(0, 200)}`;
          expect(r.status, context).toBeLessThan(500);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status >= 400) {
            const env = expectEnvelope(r.status, r.text, r.type, context);
            for (const v of env.error.constraintViolations ?? []) expect(v.path, context).toMatch(known);
            if (r.status === 400) expect(env.error.constraintViolations?.length, context).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS * 2, seed: 862 },
    );
    console.log(
      `random bodies: ${RUNS * 2} requests: ${Object.entries(statuses)
        .map(([s, n]) => `${n} x ${s}`)
        .join(", ")}`,
    );
    expect(statuses[400]).toBeGreaterThan(50);
  });

  it("property: the client's create and update either reject before sending or throw a BadRequestError naming the field, never unknown outcome", async () => {
    const client = createApiTokensClient({
      environmentUrl: bodies.url,
      token: bodies.bootstrapToken!,
      maxRetries: 0,
    });
    const t = { before: 0, server: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badName.map((v) => ["create", "name", { name: v, scopes: ["metrics.read"] }] as const),
          badScopes.map((v) => ["create", "scopes", { name: "n", scopes: v }] as const),
          badExpiry.map(
            (v) =>
              [
                "create",
                "expirationDate",
                { name: "n", scopes: ["metrics.read"], expirationDate: v },
              ] as const,
          ),
          badName
            .filter((v) => v !== null && v !== undefined)
            .map((v) => ["update", "name", { name: v }] as const),
          badScopes.filter((v) => v !== null).map((v) => ["update", "scopes", { scopes: v }] as const),
        ),
        async ([op, field, body]) => {
          try {
            if (op === "create") await client.create(body as never);
            else await client.update(target, body as never);
            expect.unreachable(`${op} ${JSON.stringify(body)} succeeded`);
          } catch (e) {
            if (e instanceof InvalidInputError) t.before++;
            else {
              expect(e, `${op} ${JSON.stringify(body)}`).toBeInstanceOf(BadRequestError);
              const err = e as BadRequestError;
              expect(err.outcomeUnknown).toBe(false);
              for (const v of err.constraintViolations)
                expect(v.path === field || v.path!.startsWith(`${field}[`)).toBe(true);
              t.server++;
            }
          }
        },
      ),
      { numRuns: RUNS, seed: 863 },
    );
    console.log(
      `client create/update with a bad field: ${t.before} rejected before sending, ${t.server} by the server as a BadRequestError naming the field`,
    );
  });
});
