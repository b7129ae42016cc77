/** Parsing of listApiTokens' query parameters into a filter, a sort, fields and a page size. */
import { type ApiTokenField, LIST_PAGE_SIZE, LIST_SORT_KEYS } from "@dt-tokens/types";
import { quoteInput, type Violation, violation } from "./errors.js";
import type { SortField, TokenFilter } from "./store.js";
import { DATE_RANGE, inDateRange, parseTimeframe, TIMEFRAME_FORMATS } from "./time.js";
import { DEFAULT_FIELDS, FIELD_ORDER } from "./tokens.js";

const { minimum: PAGE_SIZE_MIN, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT } = LIST_PAGE_SIZE;

export interface ListQuery {
  filter: TokenFilter;
  sort: { field: SortField; descending: boolean };
  fields: ApiTokenField[];
  pageSize: number;
}

const SORT_FIELDS: readonly SortField[] = LIST_SORT_KEYS;

/**
 * `fields`: a plain list replaces the default set; `+x` adds and `-x` removes (mixable). A `+` that
 * arrived URL-decoded as a space is read as `+`. In a list that mixes operators with plain names,
 * the plain names are added. `id` is always included.
 */
function parseFields(raw: string | undefined, out: Violation[]): ApiTokenField[] {
  if (raw === undefined) return [...DEFAULT_FIELDS];
  const items = raw
    .split(",")
    .map((item) => item.trimEnd())
    .filter((item) => item.trim() !== "");
  const parsed: { op: "+" | "-" | ""; name: string }[] = [];
  for (const item of items) {
    let op: "+" | "-" | "" = "";
    let name = item;
    if (/^[+ ]/.test(item)) {
      op = "+";
      name = item.replace(/^[+ ]+/, "");
    } else if (item.startsWith("-")) {
      op = "-";
      name = item.slice(1);
    }
    if (!(FIELD_ORDER as readonly string[]).includes(name)) {
      out.push(
        violation(
          "fields",
          "QUERY",
          `Unknown field '${quoteInput(name)}'. Known fields: ${FIELD_ORDER.join(", ")}; prefix with + to add or - to remove.`,
        ),
      );
      continue;
    }
    parsed.push({ op, name });
  }
  if (parsed.length === 0) return [...DEFAULT_FIELDS];
  const replaces = parsed.every((p) => p.op === "");
  const set = new Set<string>(replaces ? [] : DEFAULT_FIELDS);
  for (const p of parsed) {
    if (p.op === "-") set.delete(p.name);
    else set.add(p.name);
  }
  set.add("id");
  return FIELD_ORDER.filter((f) => set.has(f));
}

/** `sort`: `[+|-]field`; a leading space is a decoded `+`. */
function parseSort(raw: string | undefined, out: Violation[]): ListQuery["sort"] {
  if (raw === undefined || raw.trim() === "") return { field: "creationDate", descending: true };
  const match = /^([+ -]?)([A-Za-z]+)$/.exec(raw.trimEnd());
  if (!match || !(SORT_FIELDS as readonly string[]).includes(match[2]!)) {
    out.push(
      violation(
        "sort",
        "QUERY",
        `Unknown sort '${quoteInput(raw)}'. Use one of ${SORT_FIELDS.join(", ")}, optionally prefixed with + or -.`,
      ),
    );
    return { field: "creationDate", descending: true };
  }
  return { field: match[2] as SortField, descending: match[1] === "-" };
}

function parsePageSize(raw: string | undefined, out: Violation[]): number {
  if (raw === undefined) return PAGE_SIZE_DEFAULT;
  if (!/^\s*\d{1,9}\s*$/.test(raw)) {
    out.push(violation("pageSize", "QUERY", `must be an integer from ${PAGE_SIZE_MIN} to ${PAGE_SIZE_MAX}`));
    return PAGE_SIZE_DEFAULT;
  }
  const n = Number(raw);
  if (n < PAGE_SIZE_MIN)
    out.push(violation("pageSize", "QUERY", `must be greater than or equal to ${PAGE_SIZE_MIN}`));
  else if (n > PAGE_SIZE_MAX)
    out.push(violation("pageSize", "QUERY", `must be less than or equal to ${PAGE_SIZE_MAX}`));
  return n;
}

const CRITERIA = ["owner", "personalAccessToken", "scope"] as const;

/** A tiny scanner over the selector text. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  eat(ch: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }
  word(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9_]/.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }
  /** Why the last quoted() failed on an escape, if it did. */
  badEscape: string | undefined;
  /** A double-quoted string; a backslash escapes `"` or `\\`, nothing else. */
  quoted(): string | undefined {
    this.skipSpace();
    if (this.text[this.pos] !== '"') return undefined;
    this.pos++;
    let value = "";
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]!;
      if (ch === "\\") {
        const escaped = this.text[this.pos++];
        if (escaped !== '"' && escaped !== "\\") {
          this.badEscape =
            escaped === undefined
              ? `A backslash ends the text at position ${this.pos}.`
              : `Unknown escape '\\${quoteInput(escaped)}' at position ${this.pos - 1}.`;
          return undefined;
        }
        value += escaped;
      } else if (ch === '"') {
        return value;
      } else {
        value += ch;
      }
    }
    return undefined;
  }
  done(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }
}

/**
 * At most this many criteria, and this many quoted values in all: the SQL of a longer selector is
 * deeper than SQLite allows (1,000 criteria of 12 KB was a 500).
 */
export const SELECTOR_MAX_CRITERIA = 100;
export const SELECTOR_MAX_VALUES = 1000;

const SELECTOR_HELP =
  'Use comma-separated criteria: owner("name"), personalAccessToken(true|false), scope("s1","s2"); inside quotes, escape " and \\ with a backslash.';

/** `apiTokenSelector`: criteria AND-ed; scope lists OR-ed; values double-quoted with backslash escapes. */
export function parseSelector(
  raw: string | undefined,
  out: Violation[],
): Omit<TokenFilter, "fromMs" | "toMs"> {
  const filter: Omit<TokenFilter, "fromMs" | "toMs"> = { owners: [], scopeGroups: [] };
  if (raw === undefined || raw.trim() === "") return filter;
  const fail = (why: string) => {
    out.push(violation("apiTokenSelector", "QUERY", `${why} ${SELECTOR_HELP}`));
    return filter;
  };
  const s = new Scanner(raw);
  let criteria = 0;
  let valueCount = 0;
  do {
    if (++criteria > SELECTOR_MAX_CRITERIA) {
      return fail(
        `It has more than ${SELECTOR_MAX_CRITERIA} criteria; use at most ${SELECTOR_MAX_CRITERIA}.`,
      );
    }
    const name = s.word();
    if (!(CRITERIA as readonly string[]).includes(name)) {
      return fail(name === "" ? "Expected a criterion." : `Unknown criterion '${quoteInput(name)}'.`);
    }
    if (!s.eat("(")) return fail(`Expected '(' after ${name}.`);
    if (name === "personalAccessToken") {
      let value: string | undefined;
      s.skipSpace();
      if (s.peek() === '"') value = s.quoted();
      else value = s.word();
      if (s.badEscape !== undefined) return fail(s.badEscape);
      if (value !== "true" && value !== "false") return fail("personalAccessToken takes true or false.");
      if (filter.personal !== undefined && filter.personal !== (value === "true")) {
        filter.owners.push("\u0000never");
      }
      filter.personal = value === "true";
    } else {
      const values: string[] = [];
      do {
        const value = s.quoted();
        if (value === undefined) return fail(s.badEscape ?? `${name} takes double-quoted values.`);
        values.push(value);
        if (++valueCount > SELECTOR_MAX_VALUES) {
          return fail(
            `It has more than ${SELECTOR_MAX_VALUES} quoted values; use at most ${SELECTOR_MAX_VALUES}.`,
          );
        }
      } while (s.eat(","));
      if (name === "owner") {
        if (values.length !== 1) return fail("owner takes exactly one value.");
        filter.owners.push(values[0]!);
      } else {
        filter.scopeGroups.push([...new Set(values)]); // repeats in an OR change nothing
      }
    }
    if (!s.eat(")")) return fail(`Expected ')' to close ${name}.`);
  } while (s.eat(","));
  if (!s.done()) return fail(`Unexpected text at position ${s.pos + 1}.`);
  return filter;
}

function parseTimeParam(
  name: "from" | "to",
  raw: string | undefined,
  now: number,
  out: Violation[],
): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseTimeframe(raw, now);
  if (ms === undefined) {
    out.push(violation(name, "QUERY", `'${quoteInput(raw)}' is not a timeframe. Use ${TIMEFRAME_FORMATS}.`));
    return undefined;
  }
  if (!inDateRange(ms)) {
    out.push(violation(name, "QUERY", `'${quoteInput(raw)}' must be a time ${DATE_RANGE}.`));
    return undefined;
  }
  return ms;
}

/** Parses a first-page query; pushes one violation per bad parameter. */
export function parseListQuery(
  params: Record<string, string | undefined>,
  now: number,
  out: Violation[],
): ListQuery {
  const selector = parseSelector(params.apiTokenSelector, out);
  const fromMs = parseTimeParam("from", params.from, now, out);
  let toMs = parseTimeParam("to", params.to, now, out);
  if (fromMs !== undefined && params.to === undefined) toMs = now;
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
    out.push(violation("from", "QUERY", "must not be after 'to'"));
  }
  return {
    filter: { ...selector, fromMs, toMs },
    sort: parseSort(params.sort, out),
    fields: parseFields(params.fields, out),
    pageSize: parsePageSize(params.pageSize, out),
  };
}
