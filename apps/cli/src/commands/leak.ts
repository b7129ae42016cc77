/**
 * `dt-tokens leak`: from a leaked secret (pasted, a log excerpt, a diff, or `scan --emit-secrets`
 * output, on stdin or --from FILE; never an argument) to contained and explained: classifies each
 * secret, locates it across the environments with each one's admin credential (never with the
 * secret itself), disables it (or deletes it), and writes an incident record for each, never
 * containing the secret.
 */
import { readFile } from "node:fs/promises";
import { type ApiToken, RotationError, rotateToken, sameLifetime } from "@dt-tokens/client";
import { escapeControl, formatDate } from "@dt-tokens/client/display";
import {
  type ActiveGateAnswer,
  type ActiveGateLocation,
  type ActiveGateUse,
  type Containment,
  contain,
  containActiveGateToken,
  type EnvironmentAnswer,
  type LeakEnvironment,
  type Location,
  locate,
  locateActiveGateToken,
} from "@dt-tokens/client/leak";
import { findSecrets, parseSecretId, type SecretKind, secretLabel } from "@dt-tokens/types";
import { type Command, Option } from "commander";
import { collect, examples, type Run, refuseContradictions } from "../cmdutil.js";
import type { Context } from "../context.js";
import { describeError } from "../describe-error.js";
import { timerDurationArg } from "../duration.js";
import { EXIT, UsageError } from "../errors.js";
import { csvRow } from "../format.js";
import { leakEnvironments } from "../leak-environments.js";
import { mdCell, mdTable } from "../markdown.js";
import { decodeText, TextInput } from "../secret-input.js";
import { redactSecrets } from "../secrets.js";
import { sinkDelivery } from "../sinks/deliver.js";
import { parseSink, SINK_FORMS, type SinkSpec } from "../sinks/parse.js";
import { expiresArg, intArg } from "../validate.js";
import { plural } from "../words.js";

export interface LeakFlags {
  from?: string;
  allEnvironments?: boolean;
  concurrency: number;
  reportOnly?: boolean;
  delete?: boolean;
  deleteActivegateTokens?: boolean;
  replace?: boolean;
  to?: string[];
  expires?: string;
  sinkTimeout?: string;
  output?: "table" | "json" | "ndjson" | "csv" | "markdown";
}

/** --replace: where the replacement's secret goes, and how long an exec: sink may take. */
interface Replacement {
  specs: SinkSpec[];
  expires: string | undefined;
  sinkTimeoutMs: number;
}

/** What happened to one leaked secret, overall. */
export type Outcome = "contained" | "not-contained" | "not-found" | "partial";

/** The incident record of one leaked secret in one environment (or nowhere): never the secret. */
export interface IncidentRecord {
  kind: SecretKind;
  /** What people call the kind. */
  label: string;
  /** `<prefix>.<public part>`; null for a JWT. */
  id: string | null;
  /** Where the input showed it: `file:line:column` (`-` is stdin). */
  foundAt: string[];
  outcome: Outcome;
  /** The environment that holds it; null when it was found in none (or is not an environment's). */
  environment: string | null;
  name?: string;
  owner?: string;
  personalAccessToken?: boolean;
  scopes?: string[];
  creationDate?: string;
  expirationDate?: string;
  lastUsedDate?: string;
  lastUsedIpAddress?: string;
  /** Whether it was enabled when it was found. */
  enabledBefore?: boolean;
  /** An ActiveGate token: the type of ActiveGate it is for, and whether it is a seed token. */
  activeGateType?: string;
  seedToken?: boolean;
  /**
   * An ActiveGate token: the ActiveGates that use it (from GET /activeGates), whom deleting it cuts
   * off; null when they could not be read.
   */
  activeGates?: ActiveGateUse[] | null;
  /** What was done: disabled, deleted, nothing (report-only, or not found), or revoke by hand. */
  action: "disabled" | "deleted" | "already-disabled" | "none" | "failed" | "manual";
  /** When the action was confirmed (ISO 8601). */
  actionAt?: string;
  /** --replace: the new token (same name and scopes) and where its secret was delivered. */
  replacement?:
    | { id: string; sinks: string[]; expirationDate: string | null; retiredLeaked: boolean }
    | { failed: string };
  /** What the reader needs to know or do, in a sentence. */
  note: string;
}

/** A secret of the input: the secret itself stays in this process, in memory, and goes only to lookup. */
interface Leaked {
  secret: string;
  kind: SecretKind;
  id: string | undefined;
  foundAt: string[];
}

/** Where platform tokens and OAuth clients are revoked (no environment API lists or revokes them). */
const REVOKE_IN_ACCOUNT: Partial<Record<SecretKind, string>> = {
  "platform-token":
    "a platform token lives in Account Management, not in an environment: revoke it there (myaccount.dynatrace.com > Identity & access management > Platform tokens; its owner can also delete it under their user menu > Platform tokens)",
  "oauth-client-secret":
    "an OAuth client secret belongs to an OAuth client in Account Management: delete the client there (myaccount.dynatrace.com > Identity & access management > OAuth clients) and create a new one for the service that used it; there is no public API to list or revoke OAuth clients",
  jwt: "an OAuth access token (JWT) expires by itself within minutes (5 by default); if its OAuth client's secret may have leaked too, delete the client in Account Management (Identity & access management > OAuth clients)",
};

/** Reads the input: --from FILE, else stdin (on a terminal: one line typed without echo). */
async function readInput(ctx: Context, flags: LeakFlags): Promise<{ text: string; source: string }> {
  if (flags.from !== undefined) {
    try {
      return { text: decodeText(await readFile(flags.from)), source: flags.from };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`--from ${flags.from}: cannot read it (${code ?? String(error)})`);
    }
  }
  if (ctx.options.tokenStdin)
    throw new UsageError(
      "--token-stdin: stdin carries the leaked text; give the admin credential in DT_API_TOKEN or the config file, or the leaked text with --from FILE",
    );
  if (ctx.io.stdin.isTTY) {
    const line = await ctx.stdin.line("Leaked secret or text (input hidden): ");
    return { text: line ?? "", source: "-" };
  }
  // bytes, so that UTF-16 (with its byte order mark) is read as scan reads it
  const input = new TextInput();
  let text = "";
  for await (const chunk of ctx.io.stdin as AsyncIterable<Buffer | string>)
    text += typeof chunk === "string" ? chunk : input.write(chunk);
  return { text: text + input.end(), source: "-" };
}

/** `scan --emit-secrets` lines: the secret with where scan found it. */
interface EmittedLine {
  file: string;
  line: number;
  column: number;
  secret: string;
}

function emitted(line: string): EmittedLine | undefined {
  if (!line.startsWith('{"file":')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<EmittedLine>;
    return typeof value.secret === "string" && typeof value.file === "string"
      ? (value as EmittedLine)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of `dt0` secrets (`dt0c01.<24>`, `dt0g02.<8>`) written alone in a text, each once. */
function idsIn(text: string): string[] {
  const words = text.split(/[^A-Za-z0-9.]+/);
  return [...new Set(words.flatMap((w) => parseSecretId(w.replace(/\.+$/, ""))?.id ?? []))];
}

/** Every distinct secret of the input, with where it was seen. */
export function leakedSecrets(text: string, source: string): Leaked[] {
  const bySecret = new Map<string, Leaked>();
  const add = (secret: string, kind: SecretKind, id: string | undefined, at: string) => {
    const seen = bySecret.get(secret);
    if (seen) seen.foundAt.push(at);
    else bySecret.set(secret, { secret, kind, id, foundAt: [at] });
  };
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const from = emitted(line);
    for (const m of findSecrets(line, { firstLine: i + 1 })) {
      const at =
        from && from.secret === m.secret
          ? `${from.file}:${from.line}:${from.column}`
          : `${source}:${m.line}:${m.column}`;
      // a path (--from, or a file scan named) may hold a secret too
      add(m.secret, m.kind, m.id, redactSecrets(at));
    }
  });
  return [...bySecret.values()];
}

/**
 * What the record shows of a token. Its free text (name, owner, scopes) is the server's and may hold
 * a secret (a name pasted with one, or a server that echoes the lookup): it is redacted.
 */
const tokenFacts = (token: ApiToken) => ({
  ...(token.name !== undefined && { name: redactSecrets(token.name) }),
  ...(token.owner !== undefined && { owner: redactSecrets(token.owner) }),
  ...(token.personalAccessToken !== undefined && { personalAccessToken: token.personalAccessToken }),
  ...(token.scopes !== undefined && { scopes: token.scopes.map((s) => redactSecrets(s)) }),
  ...(token.creationDate !== undefined && { creationDate: token.creationDate }),
  ...(token.expirationDate !== undefined && { expirationDate: token.expirationDate }),
  ...(token.lastUsedDate !== undefined && { lastUsedDate: token.lastUsedDate }),
  ...(token.lastUsedIpAddress !== undefined && { lastUsedIpAddress: token.lastUsedIpAddress }),
  ...(token.enabled !== undefined && { enabledBefore: token.enabled }),
});

/** Why an environment could not be asked, in one line (never a secret). */
const reasonOf = (error: unknown, url: string | undefined) => describeError(error, url).message;

/** The records of one located secret, and what happened to it. */
async function respond(
  leaked: Leaked,
  location: Location,
  environments: readonly (LeakEnvironment & { url: string })[],
  flags: LeakFlags,
  failures: Map<string, string>,
  replacement: Replacement | undefined,
  io: Context["io"],
  started: ReadonlyMap<string, Promise<Containment>>,
): Promise<IncidentRecord[]> {
  const base = {
    kind: leaked.kind,
    label: secretLabel(leaked.kind),
    id: leaked.id ?? null,
    foundAt: leaked.foundAt,
  };
  const url = (name: string) => environments.find((e) => e.name === name)?.url;
  for (const a of location.answers)
    if (a.status === "failed") failures.set(a.environment, reasonOf(a.error, url(a.environment)));
  const found = location.answers.filter(
    (a): a is Extract<EnvironmentAnswer, { status: "found" }> => a.status === "found",
  );
  if (found.length === 0) {
    const failed = location.answers.filter((a) => a.status === "failed").map((a) => a.environment);
    const mismatched = location.answers.filter((a) => a.status === "mismatch").map((a) => a.environment);
    const asked = location.answers.length - failed.length;
    const notes = [
      `not found in the ${plural(asked, "environment")} that answered`,
      ...(mismatched.length > 0
        ? [
            `its id exists in ${mismatched.join(", ")}, but the leaked text is not that token's secret (made up or mangled): nothing was changed`,
          ]
        : []),
      ...(failed.length > 0
        ? [`${failed.join(", ")} could not be asked (see the summary): it may be there`]
        : []),
    ];
    return [
      {
        ...base,
        outcome: failed.length > 0 ? "partial" : "not-found",
        environment: null,
        action: "none",
        note: notes.join("; "),
      },
    ];
  }
  const records: IncidentRecord[] = [];
  for (const answer of found) {
    const env = environments.find((e) => e.name === answer.environment)!;
    const facts = tokenFacts(answer.token);
    if (flags.reportOnly) {
      records.push({
        ...base,
        outcome: "not-contained",
        environment: env.name,
        ...facts,
        action: "none",
        note: "--report-only: nothing was changed; it still works",
      });
      continue;
    }
    const action = flags.delete ? "delete" : "disable";
    let replaced: IncidentRecord["replacement"];
    if (replacement) {
      replaced = await replace(env, answer.token, replacement, action, io);
      if ("id" in replaced && replaced.retiredLeaked) {
        records.push({
          ...base,
          outcome: "contained",
          environment: env.name,
          ...facts,
          action: action === "delete" ? "deleted" : "disabled",
          actionAt: new Date().toISOString(),
          replacement: replaced,
          note: `replaced by ${replaced.id} (same name and scopes), delivered to ${replaced.sinks.join(", ")} and verified; then ${action === "delete" ? "deleted" : "disabled"}`,
        });
        continue;
      }
    }
    // begun as soon as this environment located it (see leak), or now
    const done: Containment = await (started.get(env.name) ?? contain(env, answer.token, { action }));
    if (done.status === "failed") {
      records.push({
        ...base,
        outcome: "not-contained",
        environment: env.name,
        ...facts,
        action: "failed",
        actionAt: done.at,
        ...(replaced && { replacement: replaced }),
        note: `could not ${done.action} it: ${reasonOf(done.error, env.url)}`,
      });
      continue;
    }
    const did =
      done.status === "already" ? "already-disabled" : done.action === "delete" ? "deleted" : "disabled";
    records.push({
      ...base,
      outcome: "contained",
      environment: env.name,
      ...facts,
      action: did,
      actionAt: done.at,
      ...(replaced && { replacement: replaced }),
      note:
        (replaced && "failed" in replaced
          ? `the replacement failed (${replaced.failed}); contained anyway: `
          : replaced
            ? `replaced by ${replaced.id}, delivered and verified: `
            : "") +
        (did === "disabled"
          ? "disabled: it no longer works; its record and last-use evidence are kept (dt-tokens update --enable undoes it)"
          : did === "deleted"
            ? "deleted"
            : "it was disabled already"),
    });
  }
  const notAsked = notAskedRecord(base, location.answers);
  return notAsked ? [...records, notAsked] : records;
}

/**
 * --replace: the staged rotation of `rotate` (create with the same name and scopes, deliver to the
 * sinks, verify with the new secret, then retire the leaked token as containment asks); on a failure
 * it rolls back (the sinks get their previous content, the new token is deleted) and says why.
 */
async function replace(
  env: LeakEnvironment,
  token: ApiToken,
  replacement: Replacement,
  action: "disable" | "delete",
  io: Context["io"],
): Promise<NonNullable<IncidentRecord["replacement"]>> {
  const delivery = sinkDelivery(replacement.specs, io, { timeoutMs: replacement.sinkTimeoutMs });
  try {
    const client = typeof env.apiTokens === "function" ? await env.apiTokens() : env.apiTokens;
    const result = await rotateToken(client, token.id!, {
      expirationDate:
        replacement.expires === undefined
          ? sameLifetime
          : replacement.expires === "never"
            ? null
            : replacement.expires,
      prepare: (previous) => delivery.prepare(previous),
      deliver: (secret, target) => delivery.deliver(secret, target),
      undo: () => delivery.undo(),
      retire: { action },
    });
    return {
      id: result.created.id,
      sinks: delivery.labels(),
      expirationDate: result.created.expirationDate ?? null,
      retiredLeaked: result.retirement.status === "done",
    };
  } catch (error) {
    const why =
      error instanceof RotationError
        ? `${error.stage}: ${describeError(error).message}`
        : describeError(error).message;
    // one line: a sink's own output (an exec: command's stderr) may span several
    return { failed: why.replace(/\s*\n[\s|]*/g, " ").trim() };
  }
}

/** The hosts of ActiveGates in words: `ag-1.example.com (online, VALID), ag-2 (offline since ..., INVALID)`. */
export function activeGatesText(gates: readonly ActiveGateUse[]): string {
  return gates
    .map((g) => {
      const state = [
        g.offlineSince ? `offline since ${g.offlineSince}` : "online",
        ...(g.tokenState ? [`token ${g.tokenState}`] : []),
      ].join(", ");
      return `${g.hostname ?? g.id ?? "?"}${g.hostname && g.id ? ` [${g.id}]` : ""} (${state})`;
    })
    .join(", ");
}

/**
 * The records of a located ActiveGate token. It cannot be disabled, and deleting it cuts off the
 * ActiveGates that use it, so it is deleted only with --delete-activegate-tokens, and never when
 * which ActiveGates use it could not be read.
 */
async function respondActiveGate(
  leaked: Leaked,
  location: ActiveGateLocation,
  environments: readonly (LeakEnvironment & { url: string })[],
  flags: LeakFlags,
  failures: Map<string, string>,
  started: ReadonlyMap<string, Promise<Containment>>,
): Promise<IncidentRecord[]> {
  const base = {
    kind: leaked.kind,
    label: secretLabel(leaked.kind),
    id: location.id,
    foundAt: leaked.foundAt,
  };
  const url = (name: string) => environments.find((e) => e.name === name)?.url;
  for (const a of location.answers)
    if (a.status === "failed" && !failures.has(a.environment))
      failures.set(a.environment, `about ActiveGate tokens: ${reasonOf(a.error, url(a.environment))}`);
  const found = location.answers.filter((a) => a.status === "found");
  if (found.length === 0) {
    const failed = location.answers.filter((a) => a.status === "failed").map((a) => a.environment);
    const asked = location.answers.length - failed.length;
    return [
      {
        ...base,
        outcome: failed.length > 0 ? "partial" : "not-found",
        environment: null,
        action: "none",
        note: [
          `not found in the ${plural(asked, "environment")} that answered`,
          ...(failed.length > 0
            ? [`${failed.join(", ")} could not be asked (see the summary): it may be there`]
            : []),
        ].join("; "),
      },
    ];
  }
  const records: IncidentRecord[] = [];
  for (const answer of found) {
    const env = environments.find((e) => e.name === answer.environment)!;
    const t = answer.token;
    const gates = answer.activeGates;
    const facts = {
      ...(t.name !== undefined && { name: redactSecrets(t.name) }),
      ...(t.owner !== undefined && { owner: redactSecrets(t.owner) }),
      ...(t.creationDate !== undefined && { creationDate: t.creationDate }),
      ...(t.expirationDate !== undefined && { expirationDate: t.expirationDate }),
      ...(t.lastUsedDate !== undefined && { lastUsedDate: t.lastUsedDate }),
      ...(t.activeGateType !== undefined && { activeGateType: t.activeGateType }),
      ...(t.seedToken !== undefined && { seedToken: t.seedToken }),
      activeGates:
        gates?.map((g) => ({
          ...g,
          ...(g.hostname !== undefined && { hostname: redactSecrets(g.hostname) }),
        })) ?? null,
    };
    const usedBy =
      gates === undefined
        ? `which ActiveGates use it could not be read (${reasonOf(answer.activeGatesError, env.url)})`
        : gates.length === 0
          ? "no ActiveGate uses it"
          : `deleting it cuts off ${plural(gates.length, "ActiveGate")}: ${activeGatesText(facts.activeGates!)}`;
    const byId =
      "located by its id only (Dynatrace has no lookup for ActiveGate tokens, so the leaked text was not checked against it)";
    const notContained = (note: string): IncidentRecord => ({
      ...base,
      outcome: "not-contained",
      environment: env.name,
      ...facts,
      action: "none",
      note: `${note}; ${usedBy}; ${byId}`,
    });
    if (flags.reportOnly) {
      records.push(notContained("--report-only: nothing was changed; it still works"));
      continue;
    }
    if (!flags.deleteActivegateTokens) {
      records.push(
        notContained(
          `not deleted: an ActiveGate token cannot be disabled${gates && gates.length > 0 ? "; move these ActiveGates to a new token, then" : ";"} run again with --delete-activegate-tokens to delete it`,
        ),
      );
      continue;
    }
    if (gates === undefined) {
      records.push(
        notContained(
          "not deleted although --delete-activegate-tokens was given: nobody could say which ActiveGates it would cut off",
        ),
      );
      continue;
    }
    const done = await (started.get(env.name) ?? containActiveGateToken(env, location.id));
    if (done.status === "failed") {
      records.push({
        ...notContained(`could not delete it: ${reasonOf(done.error, env.url)}`),
        action: "failed",
        actionAt: done.at,
      });
      continue;
    }
    records.push({
      ...base,
      outcome: "contained",
      environment: env.name,
      ...facts,
      action: "deleted",
      actionAt: done.at,
      note: `deleted (--delete-activegate-tokens); ${gates.length === 0 ? "no ActiveGate used it" : `cut off ${plural(gates.length, "ActiveGate")}: ${activeGatesText(facts.activeGates!)}: give them a new token`}; ${byId}`,
    });
  }
  const notAsked = notAskedRecord(base, location.answers);
  return notAsked ? [...records, notAsked] : records;
}

/**
 * A secret found somewhere while some environments could not be asked: the same secret may be there
 * too (a token's id is not unique across environments), not contained: the partial record says which.
 */
function notAskedRecord(
  base: Pick<IncidentRecord, "kind" | "label" | "id" | "foundAt">,
  answers: readonly { environment: string; status: string }[],
): IncidentRecord | undefined {
  const failed = answers.filter((a) => a.status === "failed").map((a) => a.environment);
  if (failed.length === 0) return undefined;
  return {
    ...base,
    outcome: "partial",
    environment: null,
    action: "none",
    note: `${failed.join(", ")} could not be asked (see the summary): it may be there too, and nothing was done there`,
  };
}

/** The record of a secret that no environment API handles. */
function manual(leaked: Leaked, location: Location | undefined): IncidentRecord {
  const base = {
    kind: leaked.kind,
    label: secretLabel(leaked.kind),
    id: leaked.id ?? null,
    foundAt: leaked.foundAt,
  };
  const note =
    REVOKE_IN_ACCOUNT[leaked.kind] ??
    `not a Dynatrace secret dt-tokens knows (${location?.status ?? "unrecognized"}): revoke it where it was issued`;
  return { ...base, outcome: "not-contained", environment: null, action: "manual", note };
}

export async function leak(ctx: Context, flags: LeakFlags): Promise<number> {
  const replacement = replacementOf(flags);
  const { text, source } = await readInput(ctx, flags);
  const secrets = leakedSecrets(text, source);
  if (secrets.length === 0) {
    const ids = idsIn(text);
    if (ids.length > 0)
      throw new UsageError(
        `the input holds only the id of a secret (${ids.join(", ")}), not the secret: leak needs the leaked secret itself, to confirm it is that token's before changing anything`,
        [
          "hint: to switch a token off by its id: dt-tokens update <id> --disable (an API token), dt-tokens ag-tokens delete <id> (an ActiveGate token); dt-tokens scan FILE --verify --all-environments says where an id exists",
        ],
      );
    throw new UsageError(
      `no Dynatrace secret in the input (${source === "-" ? "stdin" : source}): expected dt0c01.<24>.<64>, dt0g02.<8>.<64>, dt0s16.<8>.<64>, dt0s02.<8>.<64> or a JWT`,
      [
        "hint: pipe the leaked text in (pbpaste | dt-tokens leak), or give it with --from FILE; never as an argument",
      ],
    );
  }
  const apiTokens = secrets.filter((s) => s.kind === "api-token");
  if (replacement && apiTokens.length > 1)
    throw new UsageError(
      `--replace: the input holds ${apiTokens.length} API tokens (${apiTokens.map((s) => s.id).join(", ")}) and --to gives one set of sinks: each replacement would overwrite the one before, and its secret would be lost`,
      [
        "hint: contain them all first (dt-tokens leak without --replace), then replace each with dt-tokens rotate <id> --to SINK for the service that used it",
      ],
    );
  const locatable = secrets.filter((s) => s.kind === "api-token" || s.kind === "activegate-token");
  const environments =
    locatable.length > 0
      ? leakEnvironments(
          ctx,
          { allEnvironments: flags.allEnvironments ?? false },
          new Set(secrets.map((s) => s.secret)),
        )
      : [];
  const byName = new Map(environments.map((e) => [e.name, e]));
  // Containment begins in an environment as soon as it has located a secret, while the others are
  // still being asked: one that is slow to answer (or times out) holds up no containment. Per secret
  // (index in `secrets`), the containment begun in each environment. Not with --replace: a secret
  // is replaced before it is switched off, and only once every environment has said where it is.
  const started = secrets.map(() => new Map<string, Promise<Containment>>());
  const containsNow = !flags.reportOnly && !replacement;
  const onApiAnswer = (i: number) => (answer: EnvironmentAnswer) => {
    const env = byName.get(answer.environment);
    if (containsNow && env && answer.status === "found")
      started[i]!.set(env.name, contain(env, answer.token, { action: flags.delete ? "delete" : "disable" }));
  };
  const onActiveGateAnswer = (i: number) => (answer: ActiveGateAnswer) => {
    const env = byName.get(answer.environment);
    if (
      containsNow &&
      flags.deleteActivegateTokens &&
      env &&
      answer.status === "found" &&
      answer.activeGates !== undefined
    )
      started[i]!.set(env.name, containActiveGateToken(env, answer.token.id ?? secrets[i]!.id!));
  };
  // Every secret is located at once: an environment that is slow to answer holds them up together,
  // not once per secret.
  const located = await Promise.all(
    secrets.map(async (leaked, i) =>
      leaked.kind === "activegate-token" && leaked.id !== undefined
        ? {
            activeGate: await locateActiveGateToken(leaked.id, environments, {
              concurrency: flags.concurrency,
              onAnswer: onActiveGateAnswer(i),
            }),
          }
        : leaked.kind === "api-token"
          ? {
              api: await locate(leaked.secret, environments, {
                concurrency: flags.concurrency,
                onAnswer: onApiAnswer(i),
              }),
            }
          : {},
    ),
  );
  if (replacement) refuseReplacingInTwo(secrets, located);
  const failures = new Map<string, string>();
  const records: IncidentRecord[] = [];
  for (const [i, leaked] of secrets.entries()) {
    const { activeGate, api } = located[i]!;
    if (activeGate)
      records.push(
        ...(await respondActiveGate(leaked, activeGate, environments, flags, failures, started[i]!)),
      );
    else if (api)
      records.push(
        ...(await respond(leaked, api, environments, flags, failures, replacement, ctx.io, started[i]!)),
      );
    else records.push(manual(leaked, undefined));
  }
  write(ctx, flags.output ?? "table", records);
  summary(ctx, records, environments.length, failures);
  return exitStatus(records);
}

/**
 * --replace with a secret located in more than one environment: each would be replaced into the same
 * sinks, the second overwriting the first (a new token whose secret is stored nowhere). Refused
 * before anything is created or changed.
 */
function refuseReplacingInTwo(secrets: readonly Leaked[], located: readonly { api?: Location }[]): void {
  for (const [i, leaked] of secrets.entries()) {
    const where = (located[i]?.api?.answers ?? [])
      .filter((a) => a.status === "found")
      .map((a) => a.environment);
    if (where.length > 1)
      throw new UsageError(
        `--replace: ${leaked.id} was found in ${where.length} environments (${where.join(", ")}) and --to gives one set of sinks: each replacement would overwrite the one before, and its secret would be lost; nothing was changed`,
        [
          `hint: contain it everywhere first (dt-tokens leak without --replace), then replace it for each service with dt-tokens rotate ${leaked.id} --env NAME --to SINK`,
        ],
      );
  }
}

/** --replace and its --to sinks, checked before anything is sent. */
function replacementOf(flags: LeakFlags): Replacement | undefined {
  const to = flags.to ?? [];
  if (!flags.replace) {
    if (to.length > 0 || flags.expires !== undefined)
      throw new UsageError("--to and --expires say where a replacement goes: they go with --replace");
    return undefined;
  }
  if (to.length === 0)
    throw new UsageError("--replace: say where the new secret goes with --to", [
      `hint: --to takes ${SINK_FORMS} (repeatable)`,
    ]);
  const specs = to.map(parseSink);
  if (specs.some((s) => s.kind === "stdout"))
    throw new UsageError(
      "--replace: --to stdout would mix the new secret into the incident record; use a file, dotenv or exec sink",
    );
  return {
    specs,
    expires: flags.expires,
    sinkTimeoutMs: timerDurationArg(flags.sinkTimeout ?? "5m", "--sink-timeout"),
  };
}

/**
 * The exit status: not contained (11) before a replacement that was not delivered (7) before
 * partial (4) before not found (12) before success. A contained secret whose --replace failed is
 * not a success: the service that used it now has no working secret.
 */
export function exitStatus(records: readonly IncidentRecord[]): number {
  const has = (o: Outcome) => records.some((r) => r.outcome === o);
  if (has("not-contained")) return EXIT.notContained;
  if (records.some((r) => r.replacement && "failed" in r.replacement)) return EXIT.output;
  if (has("partial")) return EXIT.partial;
  if (has("not-found")) return EXIT.notFound;
  return EXIT.ok;
}

const ACTION_TEXT: Record<IncidentRecord["action"], string> = {
  disabled: "disabled",
  deleted: "deleted",
  "already-disabled": "already disabled",
  none: "nothing done",
  failed: "FAILED",
  manual: "revoke by hand",
};

function actionText(r: IncidentRecord): string {
  if (!r.actionAt) return ACTION_TEXT[r.action];
  return r.action === "already-disabled"
    ? `${ACTION_TEXT[r.action]} (checked ${formatDate(r.actionAt)})`
    : `${ACTION_TEXT[r.action]} at ${formatDate(r.actionAt)}`;
}

function replacementText(r: NonNullable<IncidentRecord["replacement"]>): string {
  if ("failed" in r) return `failed: ${r.failed}`;
  return `${r.id} (${r.expirationDate ? `expires ${formatDate(r.expirationDate)}` : "never expires"}), delivered to ${r.sinks.join(", ")}`;
}

function lastUse(r: IncidentRecord): string {
  if (r.lastUsedDate === undefined) return r.environment ? "never" : "";
  return `${formatDate(r.lastUsedDate)}${r.lastUsedIpAddress ? ` from ${r.lastUsedIpAddress}` : ""}`;
}

function write(
  ctx: Context,
  format: NonNullable<LeakFlags["output"]>,
  records: readonly IncidentRecord[],
): void {
  const { stdout } = ctx.io;
  if (format === "json") stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  else if (format === "ndjson") for (const r of records) stdout.write(`${JSON.stringify(r)}\n`);
  else if (format === "csv") {
    const keys = [
      "kind",
      "id",
      "outcome",
      "environment",
      "name",
      "owner",
      "scopes",
      "creationDate",
      "lastUsedDate",
      "lastUsedIpAddress",
      "activeGates",
      "action",
      "actionAt",
      "foundAt",
      "note",
    ] as const;
    stdout.write(
      csvRow([...keys], ctx.options.csvGuard) +
        records
          .map((r) =>
            csvRow(
              keys.map((k) => {
                if (k === "activeGates") return r.activeGates ? activeGatesText(r.activeGates) : "";
                const v = r[k];
                return Array.isArray(v) ? v.join(" ") : v === undefined || v === null ? "" : String(v);
              }),
              ctx.options.csvGuard,
            ),
          )
          .join(""),
    );
  } else if (format === "markdown") stdout.write(markdown(records));
  else stdout.write(cards(ctx, records));
}

/** One block per record, for people in a terminal (values from the API escaped). */
function cards(ctx: Context, records: readonly IncidentRecord[]): string {
  const c = ctx.out;
  return records
    .map((r) => {
      const rows: [string, string][] = [
        ["found at", r.foundAt.join(", ")],
        ["environment", r.environment ?? "-"],
        ...(r.name !== undefined ? ([["name", r.name]] as [string, string][]) : []),
        ...(r.owner !== undefined
          ? ([["owner", `${r.owner}${r.personalAccessToken ? " (personal access token)" : ""}`]] as [
              string,
              string,
            ][])
          : []),
        ...(r.scopes !== undefined ? ([["scopes", r.scopes.join(", ")]] as [string, string][]) : []),
        ...(r.creationDate !== undefined
          ? ([["created", formatDate(r.creationDate)]] as [string, string][])
          : []),
        ...(r.environment ? ([["last used", lastUse(r)]] as [string, string][]) : []),
        ...(r.activeGates !== undefined
          ? ([
              [
                "used by",
                r.activeGates === null
                  ? "unknown (the ActiveGates could not be read)"
                  : r.activeGates.length === 0
                    ? "no ActiveGate"
                    : activeGatesText(r.activeGates),
              ],
            ] as [string, string][])
          : []),
        ["action", actionText(r)],
        ...(r.replacement ? ([["replacement", replacementText(r.replacement)]] as [string, string][]) : []),
        ["note", r.note],
      ];
      const head = `${c.bold(r.id ?? "(a JWT)")}  ${r.label}  ${r.outcome === "contained" ? c.green(r.outcome) : c.red(r.outcome)}`;
      return [head, ...rows.map(([k, v]) => `  ${k.padEnd(12)} ${escapeControl(v)}`)].join("\n");
    })
    .join("\n\n")
    .concat("\n");
}

function markdown(records: readonly IncidentRecord[]): string {
  let md = "## Dynatrace secret leak: incident record\n\n";
  md += mdTable(
    [
      "Secret",
      "Kind",
      "Outcome",
      "Environment",
      "Name",
      "Owner",
      "Scopes",
      "Created",
      "Last used",
      "Action",
      "Found at",
    ],
    records.map((r) => [
      r.id ? `\`${r.id}\`` : "(a JWT)",
      mdCell(r.label),
      r.outcome === "contained" ? "✅ contained" : `❌ ${r.outcome}`,
      mdCell(r.environment ?? "-"),
      mdCell(r.name ?? ""),
      mdCell(r.owner ?? ""),
      mdCell((r.scopes ?? []).join(", ")),
      mdCell(r.creationDate === undefined ? "" : formatDate(r.creationDate)),
      mdCell(lastUse(r)),
      mdCell(`${actionText(r)}${r.replacement ? `; replacement ${replacementText(r.replacement)}` : ""}`),
      mdCell(r.foundAt.join(", ")),
    ]),
  );
  md += "\n### Notes\n\n";
  md += records
    .map(
      (r) =>
        `- \`${r.id ?? "JWT"}\`${r.environment ? ` in ${mdCell(r.environment)}` : ""}: ${mdCell(r.note)}`,
    )
    .join("\n");
  return `${md}\n`;
}

function summary(
  ctx: Context,
  records: readonly IncidentRecord[],
  asked: number,
  failures: ReadonlyMap<string, string>,
): void {
  for (const [name, reason] of failures) ctx.warn(`${name}: could not be asked: ${reason}`);
  const count = (o: Outcome) => new Set(records.filter((r) => r.outcome === o).map((r) => r.id)).size;
  const secrets = new Set(records.map((r) => `${r.kind} ${r.id}`)).size;
  ctx.note(
    `${plural(secrets, "secret")} in the input; ${plural(asked, "environment")} asked (${failures.size} could not be): ${count("contained")} contained, ${count("not-contained")} not contained, ${count("not-found")} not found${failures.size > 0 ? `, ${count("partial")} may be where no one could ask` : ""}.`,
  );
}

/** Defines `dt-tokens leak`. */
export function registerLeak(program: Command, run: Run): void {
  const command = program
    .command("leak")
    .description(
      "Respond to a leaked secret: classify, locate, disable, and write the incident record (the secret comes on stdin)",
    )
    .option("--from <file>", "read the leaked text from this file instead of stdin")
    .option("--all-environments", "look in every environment of the config file (or --env a,b,c for some)")
    .option("--concurrency <n>", "environments asked at once", (v) => intArg(v, "--concurrency", 1, 256), 16)
    .option("--report-only", "change nothing: locate and report only")
    .option("--delete", "delete the leaked API token instead of disabling it")
    .option(
      "--delete-activegate-tokens",
      "delete a leaked ActiveGate token (it cannot be disabled; this cuts off the ActiveGates that use it)",
    )
    .option("--replace", "first create a replacement (same name and scopes), deliver it (--to) and verify it")
    .option(
      "--to <sink>",
      "with --replace: where the new secret goes: file:PATH, dotenv:PATH#KEY, properties:PATH#KEY or exec:COMMAND (repeatable)",
      collect,
    )
    .option(
      "--expires <time>",
      "with --replace: expiry of the new token (default: the leaked token's lifetime again)",
      expiresArg,
    )
    .option("--sink-timeout <duration>", "with --replace: stop an exec: sink that runs longer (default 5m)")
    .addOption(
      new Option(
        "-o, --output <format>",
        "the incident record: table (default), json, ndjson, csv or markdown",
      ).choices(["table", "json", "ndjson", "csv", "markdown"]),
    )
    .addHelpText(
      "after",
      `
The leaked text comes on stdin (a pasted secret, a log excerpt, a diff, or the output of
dt-tokens scan --emit-secrets) or from --from FILE; never as an argument. Every secret in it is
classified by its prefix:
  dt0c01  API token or personal access token: located and contained through the environments
  dt0g02  ActiveGate token: located by id, with the ActiveGates that use it (host, online or
          offline, token state); it cannot be disabled and deleting it cuts them off, so it is
          deleted only with --delete-activegate-tokens (else exit 11: not contained)
  dt0s16  platform token, dt0s02 (dt0s0N) OAuth client secret, JWT access token: these live in
          Account Management; the record says where to revoke them
Locating asks each environment (--env a,b, --all-environments, or the current one; in parallel,
--concurrency at a time) with its own admin credential, by id first; the secret is sent only to
the environments where that id exists, in a lookup that confirms it. The leaked secret never
authenticates: that would overwrite its last use (date and IP address), the evidence the record
shows. An environment whose configured credential is the leaked secret is not asked.

Containing begins in each environment as soon as it has located the secret, while the others are
still asked. It disables the token (reversible: its record and evidence stay); --delete deletes
it; --report-only changes nothing. --replace --to SINK first rotates it as dt-tokens rotate does:
a new token with the same name and scopes (and the leaked one's lifetime again, or --expires) is
delivered to the sinks and verified, then the leaked one is disabled (or deleted); if that fails,
the sinks get their previous content back, the new token is deleted, and the leaked one is
contained anyway. --replace refuses (exit 2, before anything is created) an input with more than
one API token, or a secret located in more than one environment: --to holds one secret. The
incident record (one per secret and environment) has its kind, id, environment, name, owner,
scopes, creation, last use and IP address, what was done and when, and where the input showed it;
never the secret.

Exit statuses: 0 every secret located and contained; 11 located but not contained (--report-only,
the change failed, an ActiveGate token without --delete-activegate-tokens, or it must be revoked
by hand); 7 contained, but its --replace replacement could
not be delivered (the service that used it has no new secret); 4 some environments could not be
asked (it may be there too; contained where it was found); 12 not found in any environment asked; 2 no secret in the input. When several
apply, the first of 11, 7, 4, 12 wins.
${examples(`
  $ pbpaste | dt-tokens leak --all-environments
  $ dt-tokens leak --from ci-job-1234.log --env prod,staging --output markdown >> incident.md
  $ dt-tokens scan ci-logs/ --emit-secrets | dt-tokens leak --all-environments -o json
  $ printenv LEAKED | dt-tokens leak --report-only
  $ dt-tokens leak --from alert.txt --replace --to 'exec:gh secret set DT_API_TOKEN'`)}`,
    )
    .action(run<LeakFlags>((ctx, flags) => leak(ctx, flags)));
  refuseContradictions(command, [
    ["--report-only", "--delete"],
    ["--report-only", "--delete-activegate-tokens"],
    ["--report-only", "--replace"],
  ]);
}
