import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import {
  findSecrets,
  isSecret,
  parseSecret,
  parseSecretId,
  SECRET_FORMATS,
  type SecretKind,
  secretHome,
  secretId,
  secretKind,
  secretLabel,
} from "../src/index.js";

// Made-up secrets of each shape (base32, as Dynatrace issues them); none of them is real.
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const run = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => B32[(i * 7 + seed * 13) % 32]).join("");
const make = (prefix: string, publicLength: number, seed: number) => {
  const id = `${prefix}.${run(publicLength, seed)}`;
  const privatePart = run(64, seed + 1);
  return { id, privatePart, secret: `${id}.${privatePart}` };
};
const API = make("dt0c01", 24, 1);
const AG = make("dt0g02", 8, 2);
const PLATFORM = make("dt0s16", 8, 3);
const OAUTH = make("dt0s02", 8, 4);
const OAUTH_RELATED = make("dt0s08", 8, 5);
const OTHER = make("dt0a99", 24, 6);
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXBhcnQ";

describe("secretKind: by prefix", () => {
  test.each<[string, string, SecretKind | undefined]>([
    ["API token", API.secret, "api-token"],
    ["ActiveGate token", AG.secret, "activegate-token"],
    ["platform token", PLATFORM.secret, "platform-token"],
    ["OAuth client secret", OAUTH.secret, "oauth-client-secret"],
    ["related dt0s0N OAuth secret", OAUTH_RELATED.secret, "oauth-client-secret"],
    ["another dt0 prefix", OTHER.secret, "unknown"],
    ["JWT", JWT, "jwt"],
    ["a prefix alone with its dot (malformed rest)", "dt0c01.short", "api-token"],
    ["an id", API.id, "api-token"],
    ["a prefix without dot", "dt0c01", undefined],
    ["plain text", "hello", undefined],
    ["empty", "", undefined],
    ["prefix not at the start", ` ${API.secret}`, undefined],
  ])("%s", (_, text, kind) => {
    expect(secretKind(text)).toBe(kind);
  });
  test("a non-string is no secret", () => {
    expect(secretKind(undefined as unknown as string)).toBeUndefined();
    expect(secretKind(42 as unknown as string)).toBeUndefined();
  });
});

describe("parseSecret, secretId, isSecret: the whole shape", () => {
  test.each([
    [API, "api-token", "dt0c01"],
    [AG, "activegate-token", "dt0g02"],
    [PLATFORM, "platform-token", "dt0s16"],
    [OAUTH, "oauth-client-secret", "dt0s02"],
    [OAUTH_RELATED, "oauth-client-secret", "dt0s08"],
    [OTHER, "unknown", "dt0a99"],
  ] as const)("%#: %s", (s, kind, prefix) => {
    const parts = parseSecret(s.secret);
    expect(parts).toEqual({ kind, prefix, publicPart: s.id.slice(7), id: s.id });
    expect(JSON.stringify(parts)).not.toContain(s.privatePart);
    expect(secretId(s.secret)).toBe(s.id);
    expect(isSecret(s.secret)).toBe(true);
    expect(isSecret(s.secret, kind)).toBe(true);
  });
  test("a public part of the wrong length for its prefix is unknown, not the prefix's kind", () => {
    const short = `dt0c01.${run(8, 1)}.${run(64, 2)}`;
    expect(parseSecret(short)?.kind).toBe("unknown");
    expect(isSecret(short, "api-token")).toBe(false);
  });
  test.each([
    ["an id alone", API.id],
    ["one more character", `${API.secret}A`],
    ["one less", API.secret.slice(0, -1)],
    ["lower case parts", API.secret.toLowerCase()],
    ["surrounded by spaces", ` ${API.secret} `],
    ["a redacted secret", `${API.id}.[REDACTED]`],
    ["empty", ""],
  ])("not a whole secret: %s", (_, text) => {
    expect(parseSecret(text)).toBeUndefined();
    expect(secretId(text)).toBeUndefined();
    expect(isSecret(text)).toBe(false);
  });
  test("parseSecretId: an id alone, of each kind; a whole secret or other text is no id", () => {
    expect(parseSecretId(AG.id)).toEqual({
      kind: "activegate-token",
      prefix: "dt0g02",
      publicPart: AG.id.slice(7),
      id: AG.id,
    });
    expect(parseSecretId(API.id)?.kind).toBe("api-token");
    expect(parseSecretId(`dt0G02.${AG.id.slice(7)}`)?.id).toBe(AG.id);
    expect(parseSecretId(`dt0c01.${run(8, 1)}`)?.kind).toBe("unknown");
    for (const text of [AG.secret, `${AG.id}.`, `${AG.id}A`.slice(0, 14), " dt0g02.ABCDEFGH", "", JWT])
      expect(parseSecretId(text)).toBeUndefined();
    expect(parseSecretId(undefined as unknown as string)).toBeUndefined();
  });
  test("a JWT has a kind and no id", () => {
    expect(parseSecret(JWT)).toEqual({
      kind: "jwt",
      prefix: undefined,
      publicPart: undefined,
      id: undefined,
    });
    expect(isSecret(JWT, "jwt")).toBe(true);
    expect(isSecret(JWT, "api-token")).toBe(false);
  });
  test("labels and homes: environment kinds, Account Management kinds", () => {
    expect(SECRET_FORMATS.map((f) => [f.prefix, f.publicLength, secretHome(f.kind)])).toEqual([
      ["dt0c01", 24, "environment"],
      ["dt0g02", 8, "environment"],
      ["dt0s16", 8, "account"],
      ["dt0s02", 8, "account"],
    ]);
    expect(secretLabel("api-token")).toBe("API token or personal access token");
    expect(secretLabel("jwt")).toMatch(/OAuth access token/);
    expect(secretHome("unknown")).toBe("unknown");
  });
});

describe("findSecrets: what a diff, a log or a file shows", () => {
  const all = [API, AG, PLATFORM, OAUTH, OTHER];
  test.each<[string, (secret: string) => string, number]>([
    ["alone", (s) => s, 1],
    ["a diff's added line", (s) => `+DT_API_TOKEN=${s}`, 15],
    ["a removed line, quoted", (s) => `-  token: "${s}"`, 12],
    ["single quotes", (s) => `x='${s}'`, 4],
    ["JSON", (s) => `{"token":"${s}","n":1}`, 11],
    ["a header", (s) => `Authorization: Api-Token ${s}`, 26],
    ["glued to other base32 characters", (s) => `ABC234${s}XYZ7`, 7],
    ["in a URL query", (s) => `https://h/x?api-token=${s}&y=1`, 23],
    ["after a tab", (s) => `\t${s}`, 2],
  ])("%s", (_, wrap, column) => {
    for (const s of all) {
      const text = wrap(s.secret);
      const [match, ...more] = findSecrets(text);
      expect(more).toEqual([]);
      expect(match).toMatchObject({ id: s.id, line: 1, column, index: column - 1, length: s.secret.length });
      expect(match?.secret).toBe(s.secret);
      expect(text.slice(match!.index, match!.index + match!.length)).toBe(s.secret);
    }
  });
  test.each([
    ["URL-encoded dots", (s: string) => s.replaceAll(".", "%2E")],
    ["lower-case URL encoding", (s: string) => s.replaceAll(".", "%2e")],
    ["URL-encoded twice", (s: string) => s.replaceAll(".", "%252E")],
    ["a JSON unicode escape", (s: string) => s.replaceAll(".", "\\u002e")],
  ])("%s: found, with the secret written plainly", (_, encode) => {
    for (const s of all) {
      const text = `token=${encode(s.secret)}&x=1`;
      const [match] = findSecrets(text);
      expect(match?.id).toBe(s.id);
      expect(match?.secret).toBe(s.secret);
      expect(match?.length).toBe(encode(s.secret).length);
      expect(text.slice(match!.index, match!.index + match!.length)).toBe(encode(s.secret));
    }
  });
  test.each([
    ["URL-encoded dots", "%2E"],
    ["URL-encoded twice", "%252E"],
    ["a JSON unicode escape", "\\u002e"],
  ])("a JWT with %s: found, written plainly", (_, dot) => {
    const text = `access_token=${JWT.replaceAll(".", dot)}&x=1`;
    const [match, ...more] = findSecrets(text);
    expect(more).toEqual([]);
    expect(match).toMatchObject({ kind: "jwt", id: undefined, length: JWT.replaceAll(".", dot).length });
    expect(match?.secret).toBe(JWT);
  });
  test("the kind of each", () => {
    const text = [API, AG, PLATFORM, OAUTH, OAUTH_RELATED, OTHER].map((s) => s.secret).join(" ");
    expect(findSecrets(`${text} ${JWT}`).map((m) => m.kind)).toEqual([
      "api-token",
      "activegate-token",
      "platform-token",
      "oauth-client-secret",
      "oauth-client-secret",
      "unknown",
      "jwt",
    ]);
  });
  test("more private characters than 64: exactly 64 are taken (nothing beyond the match)", () => {
    const [match] = findSecrets(`${API.secret}ABCDEFG`);
    expect(match?.secret).toBe(API.secret);
    expect(match?.length).toBe(API.secret.length);
  });
  test("lines and columns across a log, with the first line number given", () => {
    const text = `first line\r\n  ${API.secret}\n\nx ${PLATFORM.secret} and ${AG.secret}\n${JWT}`;
    expect(findSecrets(text).map(({ id, kind, line, column }) => ({ id, kind, line, column }))).toEqual([
      { id: API.id, kind: "api-token", line: 2, column: 3 },
      { id: PLATFORM.id, kind: "platform-token", line: 4, column: 3 },
      { id: AG.id, kind: "activegate-token", line: 4, column: 3 + PLATFORM.secret.length + 5 },
      { id: undefined, kind: "jwt", line: 5, column: 1 },
    ]);
    expect(findSecrets(text, { firstLine: 10 }).map((m) => m.line)).toEqual([11, 13, 13, 14]);
  });
  test("kinds picks some", () => {
    const text = `${API.secret} ${AG.secret} ${JWT}`;
    expect(findSecrets(text, { kinds: ["activegate-token", "jwt"] }).map((m) => m.kind)).toEqual([
      "activegate-token",
      "jwt",
    ]);
  });
  test.each([
    ["an id alone", API.id],
    ["a redacted secret", `${API.id}.[REDACTED]`],
    ["a private part one short", API.secret.slice(0, -1)],
    ["a public part of another length", `dt0c01.${run(12, 1)}.${run(64, 2)}`],
    ["lower-case parts", API.secret.toLowerCase()],
    ["prose", "the dt0c01 tokens are dt0c01.<public>.<secret>"],
    ["a JWT's start inside a word", `abceyJ${JWT.slice(3)}`],
    ["empty", ""],
  ])("nothing in %s", (_, text) => {
    expect(findSecrets(text)).toEqual([]);
  });
  test("the secret never shows when a match is printed, serialized or spread", () => {
    const [match] = findSecrets(`x ${API.secret}`);
    expect(JSON.stringify(match)).not.toContain(API.privatePart);
    expect(inspect(match)).not.toContain(API.privatePart);
    expect(JSON.stringify({ ...match })).not.toContain(API.privatePart);
    expect(Object.keys(match!)).toEqual(["kind", "id", "index", "length", "line", "column"]);
  });
  test("base64-encoded, as a Kubernetes secret, a diff or a script shows it", () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const cases: [string, string, typeof API][] = [
      ["a Kubernetes secret's data", `data:\n  token: ${b64(AG.secret)}\n`, AG],
      ["inline YAML", `data: { token: ${b64(API.secret)} }`, API],
      ["JSON", `{"data":{"token":"${b64(PLATFORM.secret)}"}}`, PLATFORM],
      ["a diff's added line", `+${b64(AG.secret)}`, AG],
      ["a diff's removed line, URL-safe base64", `-${Buffer.from(API.secret).toString("base64url")}`, API],
      ["echo | base64 (a newline after it)", `x=${b64(`${API.secret}\n`)}`, API],
    ];
    for (const [what, text, s] of cases) {
      const found = findSecrets(text);
      expect(
        found.map((m) => [m.kind, m.id, m.encoding]),
        what,
      ).toEqual([[parseSecret(s.secret)!.kind, s.id, "base64"]]);
      expect(found[0]!.secret, what).toBe(s.secret);
      // its place is the base64 that holds it
      const at = text.slice(found[0]!.index, found[0]!.index + found[0]!.length);
      expect(Buffer.from(at, "base64").toString("latin1"), what).toContain(s.secret);
    }
    // inside a bigger encoded text (an .env file), at each of the three byte alignments
    for (const pad of ["", "A", "AB"]) {
      const text = `before ${b64(`${pad}FOO=bar\nDT_API_TOKEN=${API.secret}\nBAR=baz\n`)} after`;
      expect(findSecrets(text).map((m) => [m.id, m.encoding, m.line, m.column])).toEqual([
        [API.id, "base64", 1, 8 + Math.floor((pad.length + 21) / 3) * 4],
      ]);
    }
    // in order with plain ones, lines counted across both; --kind filters the encoded too
    const mixed = `${API.secret}\nk: ${b64(AG.secret)}\n${OAUTH.secret}`;
    expect(findSecrets(mixed).map((m) => [m.kind, m.line, m.column, m.encoding ?? "plain"])).toEqual([
      ["api-token", 1, 1, "plain"],
      ["activegate-token", 2, 4, "base64"],
      ["oauth-client-secret", 3, 1, "plain"],
    ]);
    expect(findSecrets(mixed, { kinds: ["activegate-token"] }).map((m) => m.id)).toEqual([AG.id]);
    // the match holds neither the secret nor its base64
    const [match] = findSecrets(`token: ${b64(API.secret)}`);
    expect(JSON.stringify(match)).not.toContain(API.privatePart);
    expect(JSON.stringify(match)).not.toContain(b64(API.secret).slice(40, 80));
    // base64 of other things, and runs too short to hold a secret, are nothing
    expect(findSecrets(`${b64("x".repeat(300))} ${b64(API.id)} ${b64(API.secret).slice(0, 100)}`)).toEqual(
      [],
    );
  });
  test("linear time: long runs that almost match", () => {
    const hostile = [
      "eyJ-".repeat(100_000),
      "dt0c01.".repeat(50_000),
      `dt0c01.${"A".repeat(200_000)}`,
      `eyJ${"a".repeat(200_000)}.`,
      "%2E".repeat(100_000),
      // base64: one run of 1 MB, and runs just too short to be read, a million times
      "A".repeat(1_000_000),
      `${"A".repeat(105)} `.repeat(10_000),
    ];
    for (const text of hostile) expect(findSecrets(text)).toEqual([]);
    const many = `${API.secret}\n`.repeat(20_000);
    const found = findSecrets(many);
    expect(found).toHaveLength(20_000);
    expect(found.at(-1)?.line).toBe(20_000);
    // many matches on one long line (no newline after them): the line count looked for the next
    // newline from each match to the end of the text, once per match (quadratic: 22 to 42 s for
    // 4 MB, minutes for this 8 MB line)
    const oneLine = findSecrets(`a\n${"eyJ.".repeat(2_000_000)}`);
    expect(oneLine).toHaveLength(666_666);
    expect(oneLine.at(-1)).toMatchObject({ line: 2, column: 12 * 666_665 + 1 });
    // The limit only stops a quadratic search (minutes here); it is no speed claim: a loaded
    // 2-core machine took 44 s for what takes a few seconds on a quiet one.
  }, 180_000);
});
