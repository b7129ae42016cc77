/**
 * The formats of Dynatrace's secrets: the one home of these facts. Every package that needs to
 * recognise, classify, split or find a secret asks here (hand-written, beside the generated types;
 * no `node:` imports, so it runs in a browser too).
 *
 * A Dynatrace secret is `<prefix>.<public part>.<private part>`: the prefix names the kind
 * (`dt0c01`), the public part says which one it is, and `<prefix>.<public part>` is its id, which
 * may be shown, logged and sent anywhere. The private part is 64 characters. Both parts are upper
 * case letters and digits (Dynatrace's published pattern `dt0[a-zA-Z]{1}[0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}`;
 * the secrets it issues are base32, A-Z and 2-7). Tokens from before Dynatrace 1.210 had no prefix
 * and cannot be told apart from other text: they are not recognised.
 */

/** What a secret is, by its prefix. */
export type SecretKind =
  | "api-token"
  | "activegate-token"
  | "platform-token"
  | "oauth-client-secret"
  | "jwt"
  | "unknown";

/** Where a kind of secret is managed (and so where it is disabled or revoked). */
export type SecretHome = "environment" | "account" | "unknown";

/** One kind of Dynatrace secret. */
export interface SecretFormat {
  readonly kind: SecretKind;
  /** The prefix as Dynatrace issues it (`dt0c01`); for a family, its best-known member. */
  readonly prefix: string;
  /** The prefixes of this kind (`dt0s02` and the related `dt0s0N` for OAuth clients). */
  readonly prefixPattern: RegExp;
  /** Characters in the public part (the part of the id after the prefix and its dot). */
  readonly publicLength: number;
  /** What people call it. */
  readonly label: string;
  /**
   * `environment`: an environment's API manages it (found, disabled and deleted there);
   * `account`: Dynatrace Account Management does (no environment API lists or revokes it).
   */
  readonly home: SecretHome;
}

/** The characters of a public or private part. */
const PART = "[A-Z0-9]";
/** Characters in the private part of every `dt0` secret. */
export const PRIVATE_PART_LENGTH = 64;

/** The kinds with a `dt0` prefix, in the order they are tried. */
export const SECRET_FORMATS: readonly SecretFormat[] = [
  {
    kind: "api-token",
    prefix: "dt0c01",
    prefixPattern: /^dt0c01$/,
    publicLength: 24,
    label: "API token or personal access token",
    home: "environment",
  },
  {
    kind: "activegate-token",
    prefix: "dt0g02",
    prefixPattern: /^dt0g02$/,
    publicLength: 8,
    label: "ActiveGate token",
    home: "environment",
  },
  {
    kind: "platform-token",
    prefix: "dt0s16",
    prefixPattern: /^dt0s16$/,
    publicLength: 8,
    label: "platform token",
    home: "account",
  },
  {
    kind: "oauth-client-secret",
    prefix: "dt0s02",
    prefixPattern: /^dt0s0\d$/,
    publicLength: 8,
    label: "OAuth client secret",
    home: "account",
  },
];

/** Labels and homes of the kinds that have no `dt0` format of their own. */
const OTHER_KINDS = {
  jwt: { label: "JWT (an OAuth access token)", home: "account" },
  unknown: { label: "unrecognised Dynatrace secret", home: "unknown" },
} as const;

/** What people call a kind of secret (`API token or personal access token`). */
export function secretLabel(kind: SecretKind): string {
  return (SECRET_FORMATS.find((f) => f.kind === kind) ?? OTHER_KINDS[kind as "jwt" | "unknown"]).label;
}

/** Where a kind of secret is managed: an environment's API, or Account Management. */
export function secretHome(kind: SecretKind): SecretHome {
  return (SECRET_FORMATS.find((f) => f.kind === kind) ?? OTHER_KINDS[kind as "jwt" | "unknown"]).home;
}

/** The format of a `dt0` prefix (any case of its letter), or undefined when it is not a known kind. */
function formatOf(prefix: string): SecretFormat | undefined {
  const lower = prefix.toLowerCase();
  return SECRET_FORMATS.find((f) => f.prefixPattern.test(lower));
}

const DT0_PREFIX = /^(dt0[a-zA-Z]\d\d)\./;
const JWT_PREFIX = /^eyJ/;

/**
 * The kind of a secret by its prefix, as Dynatrace's own tools decide (the shape of the rest is not
 * checked: see `parseSecret`): `dt0c01.` an API token, `dt0g02.` an ActiveGate token, `dt0s16.` a
 * platform token, `dt0s02.` (and `dt0s0N.`) an OAuth client secret, another `dt0<letter><digits>.`
 * `unknown`, `eyJ` a JWT (an OAuth access token); anything else undefined.
 */
export function secretKind(text: string): SecretKind | undefined {
  if (typeof text !== "string") return undefined;
  const m = DT0_PREFIX.exec(text);
  if (m) return formatOf(m[1]!)?.kind ?? "unknown";
  return JWT_PREFIX.test(text) ? "jwt" : undefined;
}

/** The parts of a secret that may be shown: never the private part. */
export interface SecretParts {
  kind: SecretKind;
  /** `dt0c01`; for a JWT, undefined. */
  prefix: string | undefined;
  /** The public part; for a JWT, undefined. */
  publicPart: string | undefined;
  /** The id, `<prefix>.<public part>`; for a JWT, undefined (it has no public id). */
  id: string | undefined;
}

const WHOLE_DT0 = new RegExp(`^(dt0[a-zA-Z]\\d\\d)\\.(${PART}{8,24})\\.${PART}{${PRIVATE_PART_LENGTH}}$`);
const JWT_SOURCE = "eyJ[\\w-]*\\.[\\w-]+\\.[\\w-]+";
const WHOLE_JWT = new RegExp(`^${JWT_SOURCE}$`);

/** The kind of a `dt0` secret whose prefix and public part are known: `unknown` when they do not fit. */
function kindOfParts(prefix: string, publicPart: string): SecretKind {
  const format = formatOf(prefix);
  return format && format.publicLength === publicPart.length ? format.kind : "unknown";
}

/**
 * Splits a whole secret into kind, prefix, public part and id (never the private part), or
 * undefined when the text is not one whole secret. A `dt0` prefix that is not known, or a public
 * part of the wrong length for its prefix, gives kind `unknown`.
 */
export function parseSecret(text: string): SecretParts | undefined {
  if (typeof text !== "string") return undefined;
  const m = WHOLE_DT0.exec(text);
  if (m) {
    const prefix = m[1]!.toLowerCase();
    const publicPart = m[2]!;
    return { kind: kindOfParts(prefix, publicPart), prefix, publicPart, id: `${prefix}.${publicPart}` };
  }
  return WHOLE_JWT.test(text)
    ? { kind: "jwt", prefix: undefined, publicPart: undefined, id: undefined }
    : undefined;
}

/**
 * Splits a secret's id (`<prefix>.<public part>`, e.g. `dt0g02.ABCDEFGH`) into its kind, prefix and
 * public part, or undefined when the text is not an id. Like `parseSecret`, a prefix that is not
 * known or a public part of the wrong length gives kind `unknown`.
 */
export function parseSecretId(text: string): SecretParts | undefined {
  if (typeof text !== "string") return undefined;
  const m = new RegExp(`^(dt0[a-zA-Z]\\d\\d)\\.(${PART}{8,24})$`).exec(text);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  const publicPart = m[2]!;
  return { kind: kindOfParts(prefix, publicPart), prefix, publicPart, id: `${prefix}.${publicPart}` };
}

/** The id (`<prefix>.<public part>`) of a whole `dt0` secret, or undefined. */
export function secretId(text: string): string | undefined {
  return parseSecret(text)?.id;
}

/** Whether the text is one whole secret, of the given kind when one is given. */
export function isSecret(text: unknown, kind?: SecretKind): text is string {
  const parts = parseSecret(text as string);
  return parts !== undefined && (kind === undefined || parts.kind === kind);
}

/** A secret found in a text. */
export interface SecretMatch {
  kind: SecretKind;
  /** `<prefix>.<public part>`: safe to show; undefined for a JWT. */
  id: string | undefined;
  /** Where the match starts in the text (UTF-16 index) and how long it is there (as written). */
  index: number;
  length: number;
  /** 1-based line and column (in UTF-16 code units) where it starts. */
  line: number;
  column: number;
  /** `base64`: the text holds the secret base64-encoded (index and length are the base64's); else absent. */
  encoding?: "base64";
  /**
   * The secret, written the plain way (`dt0c01.<public>.<private>`, whatever separators the text
   * used): exactly the match, nothing beyond it. Not enumerable, so that `JSON.stringify`,
   * `console.log` and spreading a match leave it out; read it explicitly when you must send it.
   */
  readonly secret: string;
}

export interface FindSecretsOptions {
  /** Only these kinds (default: all). */
  kinds?: readonly SecretKind[];
  /** The line number of the text's first line (default 1), for a text that is a slice of a file. */
  firstLine?: number;
}

// The dot between the parts as a log, a diff or a URL may show it: `.`, URL-encoded `%2E` (also
// `%252E` encoded twice) or a JSON `\u002e`.
const SEP = "(?:\\.|%(?:25)?2[eE]|\\\\u002[eE])";
// A `dt0` secret anywhere in a text: the prefix may follow other letters and the private part may be
// followed by more (a concatenation, a base32 run); exactly 64 private characters are taken.
const DT0_ANYWHERE = `(dt0[a-zA-Z]\\d\\d)${SEP}(${PART}{24}|${PART}{8})${SEP}(${PART}{${PRIVATE_PART_LENGTH}})`;
// A JWT starts where a base64url run starts (not after a word character or `-`), so that a long
// run of `eyJ-eyJ-…` is scanned once, not once per `eyJ` (linear time); its dots may be written
// as a `dt0` secret's may.
const JWT_ANYWHERE = `(?<![\\w-])(eyJ[\\w-]*${SEP}[\\w-]+${SEP}[\\w-]+)`;

/** A new global pattern of every secret the finder knows (a new object: global patterns keep state). */
export function secretPattern(): RegExp {
  return new RegExp(`${DT0_ANYWHERE}|${JWT_ANYWHERE}`, "g");
}

/** A match before its line and column are known. */
type Found = Omit<SecretMatch, "line" | "column" | "secret"> & { secret: string };

/** The plain (not base64) secrets of a text, in order. */
function findPlain(text: string, wanted: ReadonlySet<SecretKind> | undefined): Found[] {
  const found: Found[] = [];
  for (const m of text.matchAll(secretPattern())) {
    let kind: SecretKind;
    let id: string | undefined;
    let secret: string;
    if (m[1] !== undefined) {
      const prefix = m[1].toLowerCase();
      kind = kindOfParts(prefix, m[2]!);
      id = `${prefix}.${m[2]}`;
      secret = `${id}.${m[3]}`;
    } else {
      kind = "jwt";
      id = undefined;
      secret = m[4]!.replace(new RegExp(SEP, "g"), ".");
    }
    if (wanted && !wanted.has(kind)) continue;
    found.push({ kind, id, index: m.index, length: m[0].length, secret });
  }
  return found;
}

/**
 * A new global pattern of a base64 run (standard or URL-safe alphabet) long enough to hold the
 * shortest `dt0` secret: a Kubernetes secret's `data:` value, a `base64 -w0` in a script, a header.
 * It starts where a run starts (not after another base64 character), so each run is read once.
 */
function base64Run(): RegExp {
  const shortest =
    Math.min(...SECRET_FORMATS.map((f) => f.prefix.length + 1 + f.publicLength + 1)) + PRIVATE_PART_LENGTH;
  return new RegExp(`(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{${Math.floor((shortest * 4) / 3)},}={0,2}`, "g");
}

/** The bytes of a base64 run as a string of char codes 0-255, or undefined when it is not base64. */
function decodeBase64(run: string): string | undefined {
  const standard = run.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  try {
    return atob(standard.slice(0, standard.length - (standard.length % 4 === 1 ? 1 : 0)));
  } catch {
    return undefined;
  }
}

/**
 * The secrets written base64-encoded in a text. A run is decoded from its start, and also from its
 * second character when it starts with a diff's `+` or `-` (which are base64 characters too). A
 * secret's place is the base64 that holds it.
 */
function findBase64(text: string, wanted: ReadonlySet<SecretKind> | undefined): Found[] {
  const found: Found[] = [];
  for (const m of text.matchAll(base64Run())) {
    const starts = m[0][0] === "+" || m[0][0] === "-" ? [0, 1] : [0];
    for (const start of starts) {
      const decoded = decodeBase64(m[0].slice(start));
      if (decoded === undefined) continue;
      const inside = findPlain(decoded, wanted);
      for (const f of inside) {
        const from = Math.floor(f.index / 3) * 4;
        const to = Math.ceil((f.index + f.length) / 3) * 4;
        found.push({ ...f, index: m.index + start + from, length: to - from, encoding: "base64" });
      }
      if (inside.length > 0) break;
    }
  }
  return found;
}

/**
 * Every Dynatrace secret in a text (a log, a diff, a file), in order: its kind, id, where it is, and
 * (not enumerable) the secret itself. Copes with what a diff or log shows around a secret (a leading
 * `+`, quotes, `key=`, JSON, URL-encoded dots, other letters and digits glued to it), finds secrets
 * written base64-encoded (a Kubernetes secret's `data:`, `encoding: "base64"` on the match), and
 * never returns text beyond the match. Runs in time linear in the text.
 */
export function findSecrets(text: string, options: FindSecretsOptions = {}): SecretMatch[] {
  const wanted = options.kinds ? new Set(options.kinds) : undefined;
  const plain = findPlain(text, wanted);
  const encoded = findBase64(text, wanted);
  const all = encoded.length === 0 ? plain : [...plain, ...encoded].sort((a, b) => a.index - b.index);
  const found: SecretMatch[] = [];
  let line = options.firstLine ?? 1;
  let lineStart = 0;
  // The next newline not yet counted: each newline is looked for once (searching again from every
  // match to the next newline, or to the end of a long last line, was quadratic).
  let nextNewline = text.indexOf("\n");
  for (const { secret, ...f } of all) {
    while (nextNewline !== -1 && nextNewline < f.index) {
      line++;
      lineStart = nextNewline + 1;
      nextNewline = text.indexOf("\n", lineStart);
    }
    const match = { ...f, line, column: f.index - lineStart + 1 };
    Object.defineProperty(match, "secret", { value: secret, enumerable: false });
    found.push(match as SecretMatch);
  }
  return found;
}
